"""hiap app router: page config, navigation and the shared sidebar. No logic lives here."""

import streamlit as st

from hiap import attribution
from hiap.settings import configure_numba_cache, get_settings
from hiap.ui.state import current_scheme
from hiap.ui.text import plain

configure_numba_cache(get_settings())  # before any page imports the router

# The tab icon is a file the app has: a Material page icon is fetched from Google's font servers.
st.set_page_config(
    page_title="hiap: health in all policies", page_icon="static/hiap-icon.png", layout="wide"
)

PAGES = {
    "Scheme": [
        st.Page("pages/home.py", title="Scheme", icon=":material/home:", default=True),
    ],
    "Assess": [
        st.Page("pages/healthy_new_towns.py", title="Healthy New Towns", icon=":material/location_city:"),
        st.Page("pages/blue_zones.py", title="Blue Zones", icon=":material/nature_people:"),
        st.Page("pages/hia.py", title="Health impact assessment", icon=":material/assignment:"),
        st.Page("pages/impact_matrix.py", title="Impact matrix", icon=":material/balance:"),
        st.Page("pages/baseline.py", title="Health baseline", icon=":material/monitor_heart:"),
        st.Page("pages/evidence.py", title="Spatial evidence", icon=":material/straighten:"),
        st.Page("pages/proposal.py", title="What the scheme changes", icon=":material/compare_arrows:"),
    ],
    "Access": [
        st.Page("pages/access.py", title="Access to healthcare", icon=":material/directions_walk:"),
        st.Page("pages/scenario.py", title="Transport scenario", icon=":material/directions_bus:"),
        st.Page("pages/buses.py", title="Buses and health", icon=":material/airport_shuttle:"),
    ],
    "Saved work": [
        st.Page("pages/assessments.py", title="Assessments and reports", icon=":material/save:"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data sources", icon=":material/database:"),
    ],
}

navigation = st.navigation(PAGES, expanded=True)  # every page listed: no "View more" fold

with st.sidebar:
    scheme = current_scheme()
    if scheme is not None:
        st.caption("Current scheme")
        st.markdown(f"**{plain(scheme.metadata.name)}** ({scheme.metadata.kind})")
    st.caption(" · ".join(attribution.ALL[:2]))

navigation.run()
