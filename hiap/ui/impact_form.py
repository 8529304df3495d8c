"""The HUDU-style health impact matrix of the open assessment, as an editable form.

:func:`render_impact_matrix` shows each HUDU Rapid HIA topic with its prompts, the Healthy
New Towns and Blue Zones criteria that feed it (the cross-walk) with their current answers,
the direction suggested by their scores (:func:`hiap.scoring.suggest_hudu_direction`), and
widgets for the direction, the evidence and the recommended mitigation. Changes are saved
at once, as on the checklist pages (:mod:`hiap.ui.checklist_form`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hiap.assessment import Answer, Assessment, Direction, HuduEntry
from hiap.checklists import Catalogue, HuduTopic
from hiap.errors import HiapError
from hiap.scoring import AssessmentScore, ScoringError, score_assessment, suggest_hudu_direction
from hiap.ui.checklist_form import (
    NOT_APPLICABLE,
    NOT_SCORED,
    catalogue_or_stop,
    criteria_catalogue,
    item_error,
    save_edit,
    set_item_error,
    sync_widgets,
    widget_key,
)
from hiap.ui.store import (
    assessment_store,
    assessor_sidebar,
    current_assessment,
    require_assessment,
    save_status,
    store_or_stop,
)

__all__ = ["NOT_ASSESSED", "direction_options", "render_impact_matrix"]

NOT_ASSESSED = "Not assessed"
_MARK = {
    Direction.POSITIVE: "🟢",
    Direction.NEGATIVE: "🔴",
    Direction.NEUTRAL: "⚪",
    Direction.UNCERTAIN: "🟠",
}


def direction_options() -> list[str]:
    """Return the choices of the direction widget: not assessed, then each direction."""
    return [NOT_ASSESSED, *(d.value for d in Direction)]


def _scores(assessment: Assessment, catalogue: Catalogue) -> AssessmentScore | None:
    try:
        return score_assessment(assessment, catalogue)
    except ScoringError:
        return None  # shown as a warning on the checklist pages; no suggestion here


def _suggestion(topic: HuduTopic, scores: AssessmentScore | None) -> Direction | None:
    return None if scores is None else suggest_hudu_direction(topic, scores)


def _answer_text(answer: Answer | None, catalogue: Catalogue, criterion_id: str) -> str:
    if answer is None or not answer.is_answered:
        return NOT_SCORED
    if answer.not_applicable:
        return NOT_APPLICABLE
    scale = catalogue.scale_of(catalogue.criterion(criterion_id))
    assert answer.score is not None
    return f"{answer.score} · {scale.label(answer.score)}"


def _on_topic_change(assessment_id: str, topic_id: str, field: str) -> None:
    """Widget callback: save the topic's entry, or record why it cannot be saved."""
    catalogue = criteria_catalogue()
    topic = catalogue.hudu.topic(topic_id)
    try:
        current = current_assessment(assessment_store())
    except HiapError as error:
        set_item_error(assessment_id, topic_id, f"{topic_id} was not saved: {error}")
        return
    if topic is None or current is None or current.id != assessment_id:
        set_item_error(assessment_id, topic_id, "This assessment is no longer open; nothing saved.")
        return
    state = st.session_state
    suggestion = _suggestion(topic, _scores(current, catalogue))
    direction_key = widget_key(assessment_id, topic_id, "direction")
    if field == "accept" and suggestion is not None:
        state[direction_key] = suggestion.value
    choice = str(state.get(direction_key, NOT_ASSESSED))
    evidence = str(state.get(widget_key(assessment_id, topic_id, "evidence"), "") or "")
    mitigation = str(state.get(widget_key(assessment_id, topic_id, "mitigation"), "") or "")
    if choice == NOT_ASSESSED:
        if evidence.strip() or mitigation.strip():
            set_item_error(
                assessment_id,
                topic_id,
                f"{topic_id}: choose the direction of the impact (positive, negative, neutral "
                "or uncertain) so the evidence and mitigation can be saved.",
            )
            return
        entry = None
    else:
        entry = HuduEntry(
            direction=Direction(choice),
            evidence=evidence,
            mitigation=mitigation,
            suggested_direction=suggestion,
        )
    if current.hudu.get(topic_id) == entry:
        set_item_error(assessment_id, topic_id, None)
        return
    save_edit(topic_id, lambda a: a.with_hudu(topic_id, entry))


def _topic(
    assessment: Assessment,
    topic: HuduTopic,
    catalogue: Catalogue,
    scores: AssessmentScore | None,
    *,
    disabled: bool,
) -> None:
    aid, tid = assessment.id, topic.id
    entry = assessment.hudu.get(tid)
    state = st.session_state
    for field, value in (
        ("direction", entry.direction.value if entry else NOT_ASSESSED),
        ("evidence", entry.evidence if entry else ""),
        ("mitigation", entry.mitigation if entry else ""),
    ):
        key = widget_key(aid, tid, field)
        if key not in state:
            state[key] = value

    st.caption(topic.description)
    with st.popover("Questions to consider"):
        st.markdown("\n".join(f"- {p}" for p in topic.prompts))
    suggestion = _suggestion(topic, scores)
    criteria = [
        cid for cid in topic.crosswalk if cid.split(".", 1)[0] in _prefixes(catalogue, assessment)
    ]
    if criteria:
        st.markdown("**Fed by these criteria (cross-walk)**")
        rows = []
        for cid in criteria:
            criterion = catalogue.criterion(cid)
            rows.append(
                {
                    "Criterion": cid,
                    "Title": criterion.title,
                    "Answer": _answer_text(assessment.answers.get(cid), catalogue, cid),
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if suggestion is not None:
        left, right = st.columns([3, 1])
        left.info(
            f"The cross-walked scores suggest **{suggestion.value}** "
            f"({catalogue.hudu.directions.get(suggestion.value, '')})"
        )
        right.button(
            "Use the suggestion",
            key=widget_key(aid, tid, "accept"),
            disabled=disabled or (entry is not None and entry.direction == suggestion),
            on_click=_on_topic_change,
            args=(aid, tid, "accept"),
        )
    elif criteria:
        st.caption("No direction suggested yet: score the cross-walked criteria first.")
    st.radio(
        f"Direction of the impact on health ({tid})",
        direction_options(),
        key=widget_key(aid, tid, "direction"),
        horizontal=True,
        disabled=disabled,
        on_change=_on_topic_change,
        args=(aid, tid, "direction"),
        help="; ".join(f"{k}: {v}" for k, v in catalogue.hudu.directions.items()),
    )
    st.text_area(
        f"Evidence ({tid})",
        key=widget_key(aid, tid, "evidence"),
        disabled=disabled,
        on_change=_on_topic_change,
        args=(aid, tid, "evidence"),
        height=80,
    )
    st.text_area(
        f"Recommended mitigation or enhancement ({tid})",
        key=widget_key(aid, tid, "mitigation"),
        disabled=disabled,
        on_change=_on_topic_change,
        args=(aid, tid, "mitigation"),
        height=80,
    )
    message = item_error(aid, tid)
    if message:
        st.error(message)


def _prefixes(catalogue: Catalogue, assessment: Assessment) -> set[str]:
    out = set()
    for checklist_id in assessment.checklist_ids:
        try:
            out.add(catalogue.checklist(checklist_id).id_prefix)
        except KeyError:
            continue
    return out


def render_impact_matrix() -> None:
    """Draw the whole impact-matrix page for the open assessment."""
    catalogue = catalogue_or_stop()
    store = store_or_stop()
    author = assessor_sidebar()
    try:
        assessment = require_assessment(store)
        version = store.latest_version(assessment.id) if store.exists(assessment.id) else None
    except HiapError as error:  # a broken database or a saved document that no longer fits
        st.error(f"The assessment cannot be loaded: {error}")
        st.stop()
        raise
    sync_widgets(assessment.id, version)
    status = save_status()
    st.caption(
        f"Assessing **{assessment.scheme_name}**"
        + (f" · {status.message()}" if status else "")
        + ("" if version else " · not saved yet (saved on your first change)")
    )
    if author is None:
        st.warning("Enter your name in the sidebar to start: every change is saved under it.")

    scores = _scores(assessment, catalogue)
    topics = catalogue.hudu.topics
    done = sum(1 for t in topics if t.id in assessment.hudu)
    st.progress(done / len(topics), text=f"{done} of {len(topics)} topics assessed")
    summary = pd.DataFrame(
        {
            "Topic": [f"{t.number}. {t.name}" for t in topics],
            "Direction": [
                f"{_MARK[e.direction]} {e.direction.value}"
                if (e := assessment.hudu.get(t.id))
                else ""
                for t in topics
            ],
            "Suggested": [(s.value if (s := _suggestion(t, scores)) else "") for t in topics],
            "Mitigation": [
                "yes" if (e := assessment.hudu.get(t.id)) and e.mitigation.strip() else ""
                for t in topics
            ],
        }
    )
    st.dataframe(summary, hide_index=True, width="stretch")
    st.divider()
    for topic in topics:
        with st.expander(f"{topic.number}. {topic.name}"):
            _topic(assessment, topic, catalogue, scores, disabled=author is None)
