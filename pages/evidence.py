"""Spatial evidence: measure the scheme's health indicators and fill the checklists with them."""

import streamlit as st

from hiap.errors import HiapError
from hiap.indicators import apply_indicators
from hiap.ui.checklist_form import catalogue_or_stop
from hiap.ui.evidence import measure, measured_report
from hiap.ui.settings import app_settings
from hiap.ui.state import require_scheme
from hiap.ui.store import apply_edit, assessor_sidebar, require_assessment, store_or_stop
from hiap.ui.text import plain
from hiap.wording import count
from isochrones.errors import IsochronesError

settings = app_settings()
scheme = require_scheme()
assessor = assessor_sidebar()

st.title("Spatial evidence")
st.markdown(
    "hiap measures the scheme on real data: walking time to GP surgeries and hospitals, "
    "accessible greenspace (Natural England ANGSt and the Green Infrastructure Framework), the "
    "20-minute neighbourhood, street connectivity and footways, bus stops, hot-food takeaways "
    "near schools, play and sport, and GP capacity. Each value can fill the checklist criteria "
    "that use it, with a suggested score you can accept or override."
)
if scheme.boundary is None:
    st.info(
        "This is a transport scheme with no site boundary: test it on the **Transport "
        "scenario** page instead."
    )
    st.stop()

report = measured_report(scheme)
if st.button("Measure the indicators", type="primary", disabled=report is not None):
    try:
        report = measure(scheme, settings)
    except (HiapError, IsochronesError) as error:
        st.error(plain(error))
        st.stop()

if report is None:
    st.caption("Measuring takes a few seconds the first time; the network is then cached.")
    st.stop()

st.subheader(
    f"{count(len(report.results), 'indicator')} measured from {count(report.points, 'home point')}"
)
st.dataframe(
    [
        {"indicator": r.name, "value": r.formatted(), "method": r.method, "source": r.source}
        for r in report.results
    ],
    hide_index=True,
    width="stretch",
)
if report.unavailable:
    not_measured = count(len(report.unavailable), "indicator")
    with st.expander(f"{not_measured} not measured, and how to measure them"):
        for missing in report.unavailable:
            st.markdown(f"- **{missing.name}**: {missing.reason}")
st.download_button(
    "Download the indicators (CSV)",
    report.to_frame().to_csv(index=False).encode(),
    file_name=f"{scheme.metadata.name} indicators.csv",
    mime="text/csv",
)

st.subheader("Use the measurements in the assessment")
st.write(
    "Fill every criterion that has a measured indicator with the value and its suggested "
    "score, and suggest a direction for each row of the impact matrix. Scores you have "
    "overridden with a written justification are kept."
)
if assessor is None:
    st.info("Enter your name in the sidebar to save the measurements into the assessment.")
elif st.button("Fill the assessment with these measurements"):
    store = store_or_stop()
    catalogue = catalogue_or_stop()
    require_assessment(store)  # starts this scheme's assessment if none is open yet
    try:
        version = apply_edit(
            store, lambda current: apply_indicators(current, report, catalogue), author=assessor
        )
    except (HiapError, ValueError) as error:
        st.error(plain(error))
    else:
        st.success(
            f"Saved as version {version}. Open **Healthy New Towns** or **Blue Zones** to review "
            "the suggested scores."
        )
for line in report.sources:
    st.caption(line)
