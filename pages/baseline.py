"""Health baseline: life expectancy, prevalence and deprivation around the scheme."""

import pandas as pd
import streamlit as st

from hiap.ui.charts import st_chart
from hiap.ui.hia_form import baseline_profile
from hiap.ui.maps import st_folium
from hiap.ui.state import current_scheme
from hiap.ui.store import current_assessment, store_or_stop
from hiap.viz.baseline import baseline_map, life_expectancy_bars

st.title("Health baseline")
st.markdown(
    "The health of the people living around the scheme, against its district, the region "
    "and England: life expectancy at birth by MSOA, disease and smoking prevalence, and "
    "deprivation. Each table names its period, source and licence."
)

assessment = current_assessment(store_or_stop())
boundary = assessment.boundary if assessment is not None else None
if boundary is None and current_scheme() is None:
    st.info("No scheme chosen: showing the six districts. Choose a scheme on the Scheme page.")
profile = baseline_profile(boundary)
if profile is None:
    st.stop()
    raise SystemExit

if profile.district_name:
    st.subheader(f"Around the scheme ({profile.district_name})")
    st.markdown(profile.around_summary())
    st.dataframe(
        profile.le_around.rename(
            columns={
                "msoa_code": "MSOA",
                "msoa_name": "Name",
                "lad_name": "District",
                "distance_km": "Distance (km)",
                "male_years": "Male LE (years)",
                "female_years": "Female LE (years)",
                "imd_decile_mean": "Mean IMD decile (1 = most deprived)",
                "population": "Population (mid-2020)",
            }
        ).style.format(precision=1),
        hide_index=True,
        width="stretch",
    )

st.subheader("Life expectancy by district")
st_chart(
    life_expectancy_bars(profile),
    caption="Median MSOA life expectancy at birth (years), 2016 to 2020.",
    width="stretch",
    key="baseline.le_chart",
)

fmap = baseline_map(profile)
if fmap is not None:
    st.subheader("Map: male life expectancy by MSOA")
    st_folium(fmap, height=480, use_container_width=True, returned_objects=[], key="baseline-map")
    st.caption(
        "Each dot is an MSOA's population-weighted centre (a postcode-mean proxy), coloured by "
        "male life expectancy; the table above lists the ones around the scheme. "
        "© OpenStreetMap contributors, ODbL 1.0. Contains public sector information licensed "
        "under the Open Government Licence v3.0."
    )

if not profile.qof.empty:
    st.subheader("Modelled disease prevalence by district (%, QOF 2019/20)")
    st.dataframe(profile.qof.round(1), width="stretch")
if not profile.smoking.empty:
    st.subheader("Smoking prevalence in adults (%, QOF)")
    st.dataframe(
        profile.smoking.rename(
            columns={
                "area_name": "Area",
                "period": "Period",
                "value_pct": "Smokers (%)",
                "lci_pct": "Lower 95% CI",
                "uci_pct": "Upper 95% CI",
            }
        ).style.format(precision=1),
        hide_index=True,
        width="stretch",
    )

st.subheader("Add the file to measure")
if profile.missing:
    st.dataframe(
        pd.DataFrame(
            {
                "Indicator": [m.indicator for m in profile.missing],
                "Official source": [f"{m.title} ({m.source_url})" for m in profile.missing],
                "How to add it": [m.how for m in profile.missing],
            }
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("Every baseline indicator hiap knows of can be measured with the files present.")

st.subheader("Sources, periods and licences")
st.dataframe(
    pd.DataFrame(
        {
            "Data": [s.name for s in profile.sources],
            "Period": [s.period for s in profile.sources],
            "Licence": [s.licence for s in profile.sources],
            "Source": [s.url for s in profile.sources],
        }
    ),
    hide_index=True,
    width="stretch",
)
for note in profile.notes:
    st.caption(note)
