"""The HIA's headline: overall rating capped by gateways, significant impacts, completeness."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hiap.assessment import Assessment
from hiap.checklists import Catalogue
from hiap.hia.appraisal import matrix_problems, overall_rating, significant_impacts
from hiap.hia.record import HiaRecord
from hiap.hia.rules import HiaRules
from hiap.ui.checklist_form import widget_key
from hiap.ui.hia_form._common import init_state, record_field, show_error

__all__ = ["render_headline"]

_BAND_ICON = {
    "green": ":material/check_circle:",
    "amber": ":material/warning:",
    "red": ":material/error:",
}


def render_headline(
    assessment: Assessment, catalogue: Catalogue, rules: HiaRules, *, disabled: bool = True
) -> None:
    """Show the overall rating (capped by gateways), significant impacts and what is missing."""
    rating = overall_rating(assessment, catalogue.hudu, rules)
    st.subheader(f"{_BAND_ICON[rating.band]} Overall: {rating.band}")
    st.markdown(rating.text)
    if rating.band != rating.matrix_band:
        st.warning(
            f"The matrix alone rates **{rating.matrix_band}**; unmet gateways cap it at "
            f"**{rating.band}**."
        )
    if rating.reasons:
        st.markdown("\n".join(f"- {r}" for r in rating.reasons))
    names = {g.id: g.name for g in rules.population_groups}
    impacts = significant_impacts(assessment, catalogue.hudu)
    st.markdown("**Significant impacts and the groups who bear them**")
    if impacts:
        st.dataframe(
            pd.DataFrame(
                {
                    "Topic": [f"{i.topic_id} {i.topic_name}" for i in impacts],
                    "Impact": [i.direction.value for i in impacts],
                    "Magnitude": [i.magnitude.value for i in impacts],
                    "Likelihood": [i.likelihood.value for i in impacts],
                    "Groups": [", ".join(names.get(g, g) for g in i.groups) for i in impacts],
                    "After mitigation": [i.residual.value if i.residual else "" for i in impacts],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(
            "None yet: an impact is significant when it is moderate or major and probable or "
            "definite (set on the Impact matrix page)."
        )
    problems = matrix_problems(assessment, catalogue.hudu, rules)
    with st.expander(f"Matrix completeness: {len(problems)} items to finish"):
        if problems:
            st.dataframe(
                pd.DataFrame(
                    {"Topic": [p.topic_id for p in problems], "Needs": [p.text for p in problems]}
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.success("Every topic in scope is complete.")
    st.page_link(
        "pages/impact_matrix.py", label="Edit the impact matrix", icon=":material/balance:"
    )
    key = widget_key(assessment.id, "conclusion", "text")
    init_state(key, assessment.hia.conclusion)

    def change(record: HiaRecord) -> HiaRecord:
        return record.model_copy(update={"conclusion": str(st.session_state.get(key, "") or "")})

    record_field(
        st.text_area,
        "Conclusion for the non-technical summary (plain words, for the committee)",
        key=key,
        height=90,
        item_id="conclusion",
        change=change,
        disabled=disabled,
    )
    show_error(assessment, "conclusion")

