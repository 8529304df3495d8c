"""What the scheme changes: a masterplan's layers measured against today's map."""

import streamlit as st

from hiap import attribution
from hiap.errors import HiapError
from hiap.indicators import apply_indicators
from hiap.indicators.compare import comparison_gpkg, hudu_from_change
from hiap.schemes.drawn import proposal_layers_geojson
from hiap.schemes.proposal import LAYERS, list_sample_proposals, load_proposal, template_gpkg
from hiap.ui.checklist_form import catalogue_or_stop
from hiap.ui.maps import st_folium
from hiap.ui.proposal import compare, read_uploaded_proposal, stored_comparison
from hiap.ui.proposal_draw import draw_proposal, edit_on_the_map, saved_proposal
from hiap.ui.settings import app_settings
from hiap.ui.state import set_current_scheme
from hiap.ui.store import (
    apply_edit,
    assessor_sidebar,
    current_assessment,
    require_assessment,
    store_or_stop,
)
from hiap.ui.text import plain, problem_list
from hiap.viz.proposal_maps import MAPPED_VALUES, indicator_map, indicator_summary, mapped_values
from isochrones.errors import IsochronesError

settings = app_settings()
assessor = assessor_sidebar()

st.title("What the scheme changes")
st.markdown(
    "Assess the scheme as proposed, not the fields it stands on: give its masterplan layers "
    "(homes with their dwellings, new paths and streets, parks, the GP or health centre, "
    "schools, shops and bus stops) and hiap measures every spatial indicator twice, on "
    "today's map and with the scheme built, from the same homes, and for the people who "
    "already live around the site."
)
st.download_button(
    "Download the empty template (GeoPackage)",
    template_gpkg(),
    file_name="hiap proposal template.gpkg",
    mime="application/geopackage+sqlite3",
    help=f"Layers: {', '.join(LAYERS)}. Fill them in QGIS and upload the file here.",
)

SOURCES = ["A sample proposal", "Upload the proposal", "Draw on the map", "Saved with the assessment"]
source = st.radio("Where the proposal comes from", SOURCES, horizontal=True, key="proposal-source")
proposal = None
origin = "sample"
if source == SOURCES[0]:
    st.caption("Approximate drawings from public descriptions (see sample_schemes/README.md).")
    sample = st.selectbox("Sample proposal", list_sample_proposals(), index=None, placeholder="Pick one")
    if sample is not None:
        try:
            proposal = load_proposal(sample, settings=settings)
        except HiapError as error:
            st.error(plain(error))
elif source == SOURCES[1]:
    origin = "upload"
    st.caption(
        "One GeoPackage with layers named boundary, homes, paths, greenspace, facilities, "
        "bus_stops and bus_route; or one file per layer, named after it (homes.geojson...). "
        f"Up to {settings.max_upload_mb:g} MB each."
    )
    uploads = st.file_uploader(
        "Proposal file(s)",
        type=["gpkg", "geojson", "json", "zip", "kml", "kmz"],
        accept_multiple_files=True,
        key="proposal-upload",
    )
    if uploads:
        try:
            proposal = read_uploaded_proposal([(u.name, u.getvalue()) for u in uploads], settings)
        except HiapError as error:
            problems = getattr(error, "problems", [str(error)])
            st.error(problem_list("The proposal cannot be used yet", problems))
elif source == SOURCES[2]:
    origin = "upload"
    proposal = draw_proposal(settings)
else:
    origin = "upload"
    saved = current_assessment(store_or_stop())
    proposal = saved_proposal(saved, settings)
    if proposal is None:
        st.info(
            "The open assessment has no proposal saved with it. Choose, upload or draw one, "
            "then save it with the assessment below."
        )

if proposal is None:
    st.stop()

counts = proposal.counts()
st.subheader(plain(proposal.name))
st.write(
    f"{proposal.dwellings:,} dwellings; "
    + ", ".join(f"{n} {layer.replace('_', ' ')}" for layer, n in counts.items() if layer != "boundary")
    + (f"; phases {', '.join(map(str, proposal.phases))}" if proposal.phases else "")
)
for note in proposal.notes:
    st.caption(plain(note))
save_col, edit_col = st.columns(2)
with edit_col:
    if source != SOURCES[2]:
        edit_on_the_map(proposal)
with save_col:
    if assessor is None:
        st.caption("Enter your name in the sidebar to save the proposal with the assessment.")
    elif st.button("Save this proposal with the assessment"):
        store = store_or_stop()
        set_current_scheme(proposal.scheme, origin=origin)
        require_assessment(store)
        layers = proposal_layers_geojson(proposal)
        try:
            version = apply_edit(store, lambda current: current.with_changes(proposal=layers), author=assessor)
        except (HiapError, ValueError) as error:
            st.error(plain(error))
        else:
            st.success(f"Saved with the assessment as version {version}.")

fallback = st.checkbox(
    "Where no OpenStreetMap extract covers the site, walk to GP practices and hospitals by the "
    "straight line x 1.3 (labelled; proposed paths then cannot shorten walks, and the "
    "indicators that need OpenStreetMap stay unmeasured)",
    value=settings.fallback_walk,
    key="proposal-fallback-walk",
)
settings = settings.model_copy(update={"fallback_walk": fallback})
comparison = stored_comparison(proposal, settings)
if st.button("Compare today's map with the scheme", type="primary", disabled=comparison is not None):
    try:
        comparison = compare(proposal, settings)
    except (HiapError, IsochronesError) as error:
        st.error(plain(error))
        st.stop()
    set_current_scheme(proposal.scheme, origin=origin)
if comparison is None:
    st.caption("The first comparison of a site takes a little longer: the walk network is then cached.")
    st.stop()

COLUMNS = {"indicator": "Indicator", "baseline shown": "Today's map", "with scheme shown": "With the scheme", "for health": "For health"}
for note in comparison.notes:
    if "labelled walking fallback" in note or "paths are not used" in note:
        st.warning(plain(note))
table = comparison.table()
better = int((table["for health"] == "better").sum())
worse = int((table["for health"] == "worse").sum())
st.subheader("Baseline, with the scheme, and the change")
st.write(f"{better} indicators get better for health and {worse} get worse, measured from {comparison.baseline.points:,} home points.")
st.dataframe(table[list(COLUMNS)].rename(columns=COLUMNS), hide_index=True, width="stretch")

st.subheader("Maps: today, with the scheme, and the change")
mapped = mapped_values(comparison)
column = st.selectbox(
    "Indicator to map", mapped, format_func=lambda c: MAPPED_VALUES[c][0], key="proposal-map-indicator"
)
if column is not None:
    label = MAPPED_VALUES[column][0]
    st.caption(
        f"{label}, from each home. Left: today's map; right: with the scheme (its layers drawn, "
        "proposed greenspace included). Below: the change, green where better for health, red "
        "where worse, grey where the same. Hover a home for its values; the table gives the "
        "same figures."
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**Today's map**")
        st_folium(indicator_map(comparison, column, world="baseline"), height=380, use_container_width=True, returned_objects=[], key=f"proposal-map-{column}-baseline")
    with right:
        st.markdown("**With the scheme**")
        st_folium(indicator_map(comparison, column, world="with"), height=380, use_container_width=True, returned_objects=[], key=f"proposal-map-{column}-with")
    change_col, table_col = st.columns([3, 2])
    with change_col:
        st.markdown("**The change**")
        st_folium(indicator_map(comparison, column, world="change"), height=380, use_container_width=True, returned_objects=[], key=f"proposal-map-{column}-change")
    with table_col:
        st.markdown(f"**{label}: the figures**")
        st.dataframe(indicator_summary(comparison, column), hide_index=True, width="stretch")
st.caption(f"{attribution.OSM}; {attribution.OGL}")

neighbours = comparison.neighbours_table()
if neighbours is not None:
    st.subheader("For the people who already live around the site")
    st.dataframe(neighbours[list(COLUMNS)].rename(columns=COLUMNS), hide_index=True, width="stretch")
phases = comparison.phase_table()
if phases is not None:
    st.subheader("Phase by phase (homes built, and facilities open, by the end of each)")
    st.dataframe(phases.drop(columns=["id", "unit"]), hide_index=True, width="stretch")
with st.expander("How this was measured"):
    for note in comparison.notes:
        st.markdown(f"- {note}")
    for line in comparison.with_scheme.sources:
        st.caption(line)

st.download_button("Download the table (CSV)", table.to_csv(index=False).encode(), file_name=f"{proposal.name} what changes.csv", mime="text/csv")
st.download_button(
    "Download the comparison (GeoPackage: table, homes, layers)",
    comparison_gpkg(comparison),
    file_name=f"{proposal.name} what changes.gpkg",
    mime="application/geopackage+sqlite3",
)

st.subheader("Use the change in the assessment")
st.write(
    "Fill the checklist criteria with the values with the scheme, and suggest each impact "
    "matrix row's direction from the change against today's map. The report then has a "
    "chapter \"What the scheme changes\"."
)
if assessor is None:
    st.info("Enter your name in the sidebar to save this into the assessment.")
elif st.button("Fill the assessment with the change"):
    store = store_or_stop()
    catalogue = catalogue_or_stop()
    set_current_scheme(proposal.scheme, origin=origin)
    require_assessment(store)
    directions = hudu_from_change(table, catalogue)
    try:
        version = apply_edit(
            store,
            lambda current: apply_indicators(current, comparison.with_scheme, catalogue, hudu=directions),
            author=assessor,
        )
    except (HiapError, ValueError) as error:
        st.error(str(error))
    else:
        st.success(f"Saved as version {version}. Open **Impact matrix** to review the suggested directions.")
