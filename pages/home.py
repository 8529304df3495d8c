"""Scheme: explain the tool, pick a sample or upload a scheme, see it on a map."""

import streamlit as st

from hiap import attribution
from hiap.errors import HiapError
from hiap.schemes import list_sample_schemes, load_sample_scheme, read_scheme
from hiap.ui.maps import st_folium
from hiap.ui.settings import app_settings
from hiap.ui.state import current_scheme, current_scheme_origin, set_current_scheme
from hiap.ui.text import plain
from hiap.viz.maps import scheme_map

settings = app_settings()

st.title("hiap: health in all policies")
st.markdown(
    "Judge a planning or transport scheme by its effect on health. Pick one of the region's "
    "schemes or upload your own boundary, then score it against NHS England's **10 Healthy New "
    "Towns principles** and **Blue Zones** criteria, fill in the **health impact matrix**, and "
    "check **access to GP surgeries and hospitals** on foot and by bus."
)

samples = list_sample_schemes(settings)
choose_tab, upload_tab = st.tabs(["Choose a sample scheme", "Upload your own"])

with choose_tab:
    labels = {f"{info.name} ({info.origin})": info for info in samples}
    choice = st.selectbox("Scheme", list(labels), index=None, placeholder="Pick a scheme")
    if choice is not None and st.button("Use this scheme", type="primary"):
        info = labels[choice]
        try:
            set_current_scheme(load_sample_scheme(info.id, settings), origin=info.origin)
        except HiapError as error:
            st.error(plain(error))

with upload_tab:
    st.caption(
        "GeoJSON, GeoPackage, zipped Shapefile, KML or KMZ, up to "
        f"{settings.max_upload_mb:g} MB. A housing scheme needs a boundary polygon; a transport "
        "scheme is a line (the route) with optional stop points."
    )
    kind = st.radio("Kind of scheme", ["housing", "mixed", "transport"], horizontal=True)
    name = st.text_input("Scheme name", placeholder="e.g. Land north of Chatteris")
    dwellings = st.number_input("Number of dwellings", min_value=0, step=50, value=0)
    upload = st.file_uploader(
        "Scheme file", type=["geojson", "json", "gpkg", "zip", "kml", "kmz"], key="scheme-upload"
    )
    layer = st.text_input("GeoPackage layer (only if the file has several)", value="")
    if upload is not None and st.button("Check and use this file", type="primary"):
        try:
            scheme = read_scheme(
                upload.getvalue(),
                filename=upload.name,
                settings=settings,
                kind=kind,
                layer=layer or None,
                name=name or None,
                dwellings=int(dwellings) or None,
            )
        except HiapError as error:
            st.error(plain(error))
        else:
            set_current_scheme(scheme, origin="upload")

scheme = current_scheme()
if scheme is not None:
    st.subheader(plain(scheme.metadata.name))
    for note in scheme.notes:
        st.warning(plain(note))
    left, right = st.columns([3, 1])
    with right:
        if scheme.boundary is not None and not scheme.boundary.empty:
            st.metric("Area", f"{scheme.area_ha:,.1f} ha")
        st.metric("Kind", scheme.metadata.kind)
        if scheme.metadata.dwellings:
            st.metric("Dwellings", f"{scheme.metadata.dwellings:,}")
            st.metric("New residents (est.)", f"{scheme.new_residents:,.0f}")
        if scheme.metadata.phasing_year:
            st.metric("Phasing year", scheme.metadata.phasing_year)
    with left:
        st_folium(scheme_map(scheme), height=480, use_container_width=True, returned_objects=[])
    outline = {
        "sample": "An approximate outline, drawn by the hiap team from public facts "
        "(sample_schemes/README.md).",
        "data directory": "Site boundary as published by ActDev (University of Leeds).",
    }.get(current_scheme_origin() or "upload", f"Your boundary, as read from {plain(scheme.source_name)}.")
    st.caption(f"{outline} Map: {attribution.OSM}.")
