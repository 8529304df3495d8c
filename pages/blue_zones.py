"""Blue Zones: score the scheme against hiap's built-environment reading of Blue Zones."""

import streamlit as st

from hiap.ui.checklist_form import render_checklist

st.title("Blue Zones")
st.markdown(
    "The **Blue Zones** approach looks at how places let people move naturally, belong, eat "
    "wisely and keep a sense of purpose. These criteria are hiap's own operationalisation of "
    "it for the built environment and policy, each citing the source of the idea. Every "
    "change is saved at once as a new version."
)

render_checklist("blue_zones", chart="bars")
