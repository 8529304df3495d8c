"""Healthy New Towns: score the scheme against NHS England's 10 principles, with evidence."""

import streamlit as st

from hiap.ui.checklist_form import render_checklist

st.title("Healthy New Towns")
st.markdown(
    "NHS England's ten **Healthy New Towns** principles (*Putting Health into Place*, 2019), "
    "each assessed through a few criteria. Score each criterion on its scale, or mark it not "
    "applicable with a reason, and note the evidence. Where a criterion has a measurable "
    "indicator, enter the measured value to see the score it suggests. Every change is saved "
    "at once as a new version."
)
st.caption(
    "Principle names are NHS England's; the criteria and thresholds are hiap's own "
    "operationalisation, not an NHS England scoring method."
)

render_checklist("hnt", chart="radar")
