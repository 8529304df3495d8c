"""hiap app router: page config, navigation and the shared sidebar. No logic lives here."""

import streamlit as st

from hiap import attribution
from hiap.settings import configure_numba_cache, get_settings
from hiap.ui.state import current_scheme

configure_numba_cache(get_settings())  # before any page imports the router

st.set_page_config(page_title="hiap: health in all policies", page_icon="🩺", layout="wide")

PAGES = {
    "Scheme": [
        st.Page("pages/home.py", title="Scheme", icon="🏠", default=True),
    ],
    "Assess": [
        st.Page("pages/healthy_new_towns.py", title="Healthy New Towns", icon="🏘️"),
        st.Page("pages/blue_zones.py", title="Blue Zones", icon="🌿"),
        st.Page("pages/impact_matrix.py", title="Impact matrix", icon="⚖️"),
        st.Page("pages/evidence.py", title="Spatial evidence", icon="📏"),
    ],
    "Access": [
        st.Page("pages/access.py", title="Access to healthcare", icon="🚶"),
        st.Page("pages/scenario.py", title="Transport scenario", icon="🚌"),
    ],
    "Saved work": [
        st.Page("pages/assessments.py", title="Assessments and reports", icon="💾"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data sources", icon="🗂️"),
    ],
}

navigation = st.navigation(PAGES)

with st.sidebar:
    scheme = current_scheme()
    if scheme is not None:
        st.caption("Current scheme")
        st.markdown(f"**{scheme.metadata.name}** ({scheme.metadata.kind})")
    st.caption(" · ".join(attribution.ALL[:2]))

navigation.run()
