"""The HUDU-style health impact matrix of the open assessment, as an editable form.

:func:`render_impact_matrix` shows each HUDU Rapid HIA topic with its prompts, the Healthy
New Towns and Blue Zones criteria that feed it (the cross-walk) with their current answers,
the direction suggested by their scores (:func:`hiap.scoring.suggest_hudu_direction`), and
widgets for the direction, the evidence and the recommended mitigation. Changes are saved
at once, as on the checklist pages (:mod:`hiap.ui.checklist_form`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from hiap.assessment import Answer, Assessment, Direction, HuduEntry
from hiap.checklists import Catalogue, HuduTopic
from hiap.errors import HiapError
from hiap.hia.record import Likelihood, Magnitude
from hiap.hia.rules import load_hia_rules
from hiap.scoring import AssessmentScore, ScoringError, score_assessment, suggest_hudu_direction
from hiap.ui.checklist_form import (
    NOT_APPLICABLE,
    NOT_SCORED,
    catalogue_or_stop,
    criteria_catalogue,
    item_error,
    save_edit,
    set_item_error,
    widget_key,
)
from hiap.ui.editing import load_open_assessment, show_editing_status
from hiap.ui.store import (
    assessment_store,
    assessor_sidebar,
    current_assessment,
    store_or_stop,
)
from hiap.ui.text import plain

__all__ = ["NOT_ASSESSED", "direction_options", "render_impact_matrix"]

NOT_ASSESSED = "Not assessed"


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
    text = {
        name: str(state.get(widget_key(assessment_id, topic_id, name), "") or "")
        for name in ("evidence", "mitigation")
    }
    magnitude = state.get(widget_key(assessment_id, topic_id, "magnitude"))
    likelihood = state.get(widget_key(assessment_id, topic_id, "likelihood"))
    residual = state.get(widget_key(assessment_id, topic_id, "residual"))
    groups = tuple(state.get(widget_key(assessment_id, topic_id, "groups")) or ())
    direction = None if choice == NOT_ASSESSED else Direction(choice)
    typed = any(t.strip() for t in text.values()) or bool(groups)
    typed = typed or any(v is not None for v in (magnitude, likelihood, residual))
    if direction is None and not typed:
        entry = None  # nothing typed: the topic goes back to "not assessed"
    else:
        # A draft (no direction yet) keeps what was typed; the matrix lists it as incomplete.
        entry = HuduEntry(
            direction=direction,
            evidence=text["evidence"],
            mitigation=text["mitigation"],
            suggested_direction=suggestion,
            magnitude=Magnitude(magnitude) if magnitude else None,
            likelihood=Likelihood(likelihood) if likelihood else None,
            groups=groups,
            residual_direction=Direction(residual) if residual else None,
        )
    if current.hudu.get(topic_id) == entry:
        set_item_error(assessment_id, topic_id, None)
        return
    save_edit(topic_id, lambda a: a.with_hudu(topic_id, entry))


def _topic_field(
    widget: Callable[..., Any],
    label: str,
    *,
    field: str,
    ids: tuple[str, str],
    disabled: bool,
    **widget_args: Any,
) -> None:
    """Draw one input of a topic's row that saves the row on every change.

    Parameters
    ----------
    widget
        A Streamlit input (``st.radio``, ``st.text_area``, ``columns[0].selectbox``...).
    label
        Its label.
    field
        The row's field (``direction``, ``evidence``, ``magnitude``...): its widget key.
    ids
        The assessment and topic ids.
    disabled
        True while no assessor is named.
    **widget_args
        Further arguments of the widget.
    """
    aid, tid = ids
    widget(
        label,
        key=widget_key(aid, tid, field),
        disabled=disabled,
        on_change=_on_topic_change,
        args=(aid, tid, field),
        **widget_args,
    )


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
        ("direction", entry.direction.value if entry and entry.direction else NOT_ASSESSED),
        ("evidence", entry.evidence if entry else ""),
        ("mitigation", entry.mitigation if entry else ""),
        ("magnitude", entry.magnitude.value if entry and entry.magnitude else None),
        ("likelihood", entry.likelihood.value if entry and entry.likelihood else None),
        (
            "residual",
            entry.residual_direction.value if entry and entry.residual_direction else None,
        ),
        ("groups", list(entry.groups) if entry else []),
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
    _topic_field(
        st.radio,
        f"Direction of the impact on health ({tid})",
        options=direction_options(),
        horizontal=True,
        help="; ".join(f"{k}: {v}" for k, v in catalogue.hudu.directions.items()),
        field="direction",
        ids=(aid, tid),
        disabled=disabled,
    )
    _topic_field(
        st.text_area,
        f"Evidence ({tid})",
        height=80,
        field="evidence",
        ids=(aid, tid),
        disabled=disabled,
    )
    _topic_field(
        st.text_area,
        f"Recommended mitigation or enhancement ({tid})",
        height=80,
        field="mitigation",
        ids=(aid, tid),
        disabled=disabled,
    )
    rules = load_hia_rules()
    # Magnitude, likelihood and residual impact: three optional choices side by side.
    choices = (
        ("magnitude", f"Magnitude ({tid})", [m.value for m in Magnitude], rules.magnitudes),
        ("likelihood", f"Likelihood ({tid})", [m.value for m in Likelihood], rules.likelihoods),
        ("residual", f"Residual impact after mitigation ({tid})", [d.value for d in Direction],
         None),
    )  # fmt: skip
    for column, (field, label, values, meanings) in zip(st.columns(3), choices, strict=True):
        _topic_field(
            column.selectbox,
            label,
            options=values,
            index=None,
            placeholder="not given",
            help="; ".join(f"{k}: {v}" for k, v in meanings.items()) if meanings else None,
            field=field,
            ids=(aid, tid),
            disabled=disabled,
        )
    names = {g.id: g.name for g in rules.population_groups}
    _topic_field(
        st.multiselect,
        f"Population groups who bear the impact ({tid})",
        options=list(names),
        format_func=names.__getitem__,
        field="groups",
        ids=(aid, tid),
        disabled=disabled,
    )
    message = item_error(aid, tid)
    if message:
        st.error(plain(message))


def _direction_cell(entry: HuduEntry | None) -> str:
    if entry is None:
        return ""
    if entry.direction is None:
        return "draft (no direction yet)"
    # Words, not coloured emoji: emoji are empty boxes without an emoji font.
    return entry.direction.value


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
    assessment, version = load_open_assessment(store)
    show_editing_status(assessment, version, author)

    scores = _scores(assessment, catalogue)
    topics = catalogue.hudu.topics
    done = sum(1 for t in topics if (e := assessment.hudu.get(t.id)) and e.direction)
    st.progress(done / len(topics), text=f"{done} of {len(topics)} topics assessed")
    summary = pd.DataFrame(
        {
            "Topic": [f"{t.number}. {t.name}" for t in topics],
            "Direction": [_direction_cell(assessment.hudu.get(t.id)) for t in topics],
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
