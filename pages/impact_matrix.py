"""Impact matrix: the HUDU Rapid HIA topics, each with direction, evidence and mitigation."""

import streamlit as st

from hiap.ui.impact_form import render_impact_matrix

st.title("Health impact matrix")
st.markdown(
    "The topics of the **HUDU Rapid Health Impact Assessment** tool. For each, judge whether "
    "the scheme is likely to affect health positively, negatively, neutrally or uncertainly, "
    "give the evidence, and recommend mitigation. The Healthy New Towns and Blue Zones "
    "criteria that bear on a topic are listed with it, and their scores suggest a direction. "
    "Every change is saved at once as a new version."
)

render_impact_matrix()
