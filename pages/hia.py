"""Health impact assessment: the stages a council expects, with the HUDU matrix as headline."""

import streamlit as st

from hiap.ui.checklist_form import catalogue_or_stop
from hiap.ui.editing import load_open_assessment, show_editing_status
from hiap.ui.hia_form import (
    hia_rules,
    render_bfhl,
    render_gateways,
    render_headline,
    render_monitoring,
    render_recommendations,
    render_scoping,
    render_screening,
)
from hiap.ui.store import assessor_sidebar, store_or_stop

st.title("Health impact assessment")
st.markdown(
    "The stages of an HIA as a planning committee reads it: **screening** (is an HIA needed, "
    "and which), **scoping** (topics and the people affected), **appraisal** (the HUDU matrix, "
    "with gateways that cap the rating), **recommendations** (owner, mechanism, trigger) and "
    "**monitoring**. Every change is saved at once as a new version."
)

catalogue = catalogue_or_stop()
rules = hia_rules()
store = store_or_stop()
author = assessor_sidebar()
assessment, version = load_open_assessment(store)
show_editing_status(assessment, version, author)
disabled = author is None

headline, screening, scoping, gateways, recommendations, monitoring, bfhl = st.tabs(
    [
        "Headline",
        "1. Screening",
        "2. Scoping",
        "3. Appraisal gateways",
        "4. Recommendations",
        "5. Monitoring",
        "Building for a Healthy Life",
    ]
)
with headline:
    render_headline(assessment, catalogue, rules, disabled=disabled)
with screening:
    render_screening(assessment, rules, disabled=disabled)
with scoping:
    render_scoping(assessment, catalogue, rules, disabled=disabled)
with gateways:
    render_gateways(assessment, rules, disabled=disabled)
with recommendations:
    render_recommendations(assessment, catalogue, rules, disabled=disabled)
with monitoring:
    render_monitoring(assessment, rules, disabled=disabled)
with bfhl:
    render_bfhl(assessment, disabled=disabled)
