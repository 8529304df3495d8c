"""One renderer for a scored checklist (Healthy New Towns, Blue Zones), shared by their pages.

:func:`render_checklist` draws, for the open assessment:

- the running score: overall percentage and red/amber/green band, progress through the
  checklist, a chart of the principle (theme) scores and how each score was computed;
- the criteria, in tabs by group and expanders by principle, each with its guidance at
  hand, a score on its own scale (or "not applicable" with a reason), the evidence, and,
  where the criterion has an indicator, the measured value, the score it suggests and the
  choice to accept it or override it with a written justification.

Every change is saved at once as a new version (:func:`hiap.ui.store.apply_edit`) from the
widget's ``on_change`` callback, which runs before the page is drawn again, so the score shown
is always the saved one. An invalid change (not applicable without a reason, an override
without a justification) is not saved; its message is shown under the criterion instead.
Widget keys carry the assessment id, so opening another assessment never shows stale values.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from hiap.assessment import Answer, Assessment
from hiap.checklists import Catalogue, Checklist, ChecklistError, Criterion, Scale, load_catalogue
from hiap.errors import HiapError
from hiap.scoring import (
    Band,
    ChecklistScore,
    ScoringError,
    score_checklist,
    suggest_score,
    validate_answers,
)
from hiap.storage import AssessmentStore
from hiap.ui.charts import st_chart
from hiap.ui.state import ASSESSMENT_ID_KEY
from hiap.ui.store import (
    apply_edit,
    assessment_store,
    assessor_name,
    assessor_sidebar,
    current_assessment,
    store_or_stop,
)
from hiap.ui.text import plain
from hiap.viz.charts import RAG_COLOURS, principle_radar, theme_bars

__all__ = [
    "NOT_APPLICABLE",
    "NOT_SCORED",
    "band_markdown",
    "catalogue_or_stop",
    "criteria_catalogue",
    "render_checklist",
    "score_options",
    "widget_key",
]

logger = logging.getLogger(__name__)

NOT_SCORED = "Not scored yet"
NOT_APPLICABLE = "Not applicable"
_ERRORS_KEY = "hiap.form.errors"
_SYNCED_KEY = "hiap.form.synced"
_BAND_MARK = {Band.GREEN: ":green", Band.AMBER: ":orange", Band.RED: ":red"}


@st.cache_resource(show_spinner=False)
def criteria_catalogue() -> Catalogue:
    """Return the criteria in ``checklists/``, loaded once per server process.

    The models are frozen, so one copy is safely shared by every session.
    """
    return load_catalogue()


def catalogue_or_stop() -> Catalogue:
    """Return the criteria, or show why they cannot be loaded and stop the page."""
    try:
        return criteria_catalogue()
    except ChecklistError as error:
        st.error(f"The criteria files cannot be loaded: {plain(error)}")
        st.stop()
        raise


def widget_key(assessment_id: str, item_id: str, field: str) -> str:
    """Return the session-state key of one field's widget (e.g. the score of HNT.5.2).

    Parameters
    ----------
    assessment_id
        The open assessment (keys differ per assessment so values never leak across).
    item_id
        Criterion or topic id.
    field
        ``score``, ``na_reason``, ``evidence``, ``justification``, ``measured``...

    Returns
    -------
    str
        The key.
    """
    return f"hiap.form.{assessment_id}.{item_id}.{field}"


def score_options(scale: Scale) -> list[str]:
    """Return the choices of a criterion's score widget, in order.

    Parameters
    ----------
    scale
        The criterion's scale.

    Returns
    -------
    list of str
        ``"Not scored yet"``, one ``"<score> · <label>"`` per level, ``"Not applicable"``.
    """
    return [NOT_SCORED, *(_level_label(scale, lvl.score) for lvl in scale.levels), NOT_APPLICABLE]


def _level_label(scale: Scale, score: int) -> str:
    return f"{score} · {scale.label(score)}"


def _choice_of(answer: Answer | None, scale: Scale) -> str:
    if answer is None:
        return NOT_SCORED
    if answer.not_applicable:
        return NOT_APPLICABLE
    if answer.score is None or answer.score > scale.max_score:
        return NOT_SCORED
    return _level_label(scale, answer.score)


def _score_of(choice: str) -> int | None:
    if choice in (NOT_SCORED, NOT_APPLICABLE):
        return None
    return int(choice.split(" ", 1)[0])


def band_markdown(band: Band | None, percent: float | None) -> str:
    """Return the percentage and band as coloured markdown, e.g. ``":green[**72%** green]"``.

    Parameters
    ----------
    band
        The band, or ``None`` when nothing is scored.
    percent
        The percentage, or ``None``.

    Returns
    -------
    str
        Streamlit markdown.
    """
    if band is None or percent is None:
        return ":gray[not scored yet]"
    return f"{_BAND_MARK[band]}[**{percent:.0f}%** {band.value}]"


# -- state -------------------------------------------------------------------------------------
def _errors() -> dict[str, str]:
    errors: dict[str, str] = st.session_state.setdefault(_ERRORS_KEY, {})
    return errors


def set_item_error(assessment_id: str, item_id: str, message: str | None) -> None:
    """Record (or clear, with ``None``) the message shown under a criterion or topic."""
    key = f"{assessment_id}.{item_id}"
    if message is None:
        _errors().pop(key, None)
    else:
        _errors()[key] = message


def item_error(assessment_id: str, item_id: str) -> str | None:
    """Return the message recorded for a criterion or topic, if any."""
    return _errors().get(f"{assessment_id}.{item_id}")


def _mark_synced(assessment_id: str, version: int | None) -> None:
    st.session_state.setdefault(_SYNCED_KEY, {})[assessment_id] = version


def sync_widgets(assessment_id: str, version: int | None) -> None:
    """Drop this assessment's widget values when another session saved it meanwhile.

    The widgets are then drawn from the saved version, so this session never saves an old
    value over a newer one it has not seen.

    Parameters
    ----------
    assessment_id
        The open assessment.
    version
        Its latest saved version (``None`` for an unsaved draft).
    """
    synced: dict[str, int | None] = st.session_state.setdefault(_SYNCED_KEY, {})
    if assessment_id in synced and synced[assessment_id] == version:
        return
    prefix = f"hiap.form.{assessment_id}."
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
    errors = _errors()
    for key in [k for k in errors if k.startswith(f"{assessment_id}.")]:
        del errors[key]
    synced[assessment_id] = version


def _latest_version(store: AssessmentStore, assessment: Assessment) -> int | None:
    return store.latest_version(assessment.id) if store.exists(assessment.id) else None


# -- saving ------------------------------------------------------------------------------------
def save_edit(item_id: str, edit: Any) -> bool:
    """Apply an edit to the open assessment from a callback, recording any error.

    Parameters
    ----------
    item_id
        The criterion or topic edited (errors are shown under it).
    edit
        ``Assessment -> Assessment``; may raise ``ValueError`` for an invalid change.

    Returns
    -------
    bool
        True when saved.
    """
    assessment_id = str(st.session_state.get(ASSESSMENT_ID_KEY, ""))
    author = assessor_name()
    if author is None:
        set_item_error(
            assessment_id,
            item_id,
            "Enter your name in the sidebar first: every change is saved under it.",
        )
        return False
    try:
        store = assessment_store()
        before = store.latest_version(assessment_id) if store.exists(assessment_id) else None
        version = apply_edit(store, edit, author=author)
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        set_item_error(assessment_id, item_id, f"{item_id} was not saved: {problems}")
        return False
    except (ValueError, HiapError) as error:
        set_item_error(assessment_id, item_id, f"{item_id} was not saved: {error}")
        return False
    set_item_error(assessment_id, item_id, None)
    synced = st.session_state.get(_SYNCED_KEY, {})
    if assessment_id in synced and synced[assessment_id] == before:
        _mark_synced(assessment_id, version)
    # Otherwise another session saved in between: leave the mark stale so the page redraws
    # every widget from the saved version, which now holds both sessions' changes.
    return True


def _answer_from_widgets(
    assessment_id: str, criterion: Criterion, scale: Scale, old: Answer
) -> tuple[Answer | None, str | None]:
    """Build the answer the widgets show; return ``(answer, None)`` or ``(None, message)``."""
    state = st.session_state
    cid = criterion.id
    choice = str(state.get(widget_key(assessment_id, cid, "score"), NOT_SCORED))
    evidence = str(state.get(widget_key(assessment_id, cid, "evidence"), old.evidence) or "")
    reason = str(state.get(widget_key(assessment_id, cid, "na_reason"), "") or "").strip()
    justification = str(
        state.get(widget_key(assessment_id, cid, "justification"), "") or ""
    ).strip()
    not_applicable = choice == NOT_APPLICABLE
    score = _score_of(choice)
    if not_applicable and not reason:
        return None, (
            f"{cid} is marked not applicable: say why it does not apply to this scheme "
            "(the reason is printed in the report). Not saved until then."
        )
    if (
        score is not None
        and old.suggested_score is not None
        and score != old.suggested_score
        and not justification
    ):
        return None, (
            f"{cid}: you chose {_level_label(scale, score)} but the measured indicator suggests "
            f"{_level_label(scale, old.suggested_score)}. Write why you override the suggested "
            "score, or use it. Not saved until then."
        )
    data = old.model_dump()
    data.update(
        score=score,
        not_applicable=not_applicable,
        na_reason=reason if not_applicable else None,
        evidence=evidence,
        override_justification=justification or None,
    )
    try:
        return Answer.model_validate(data), None
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        return None, f"{cid} was not saved: {problems}"


def _on_criterion_change(assessment_id: str, criterion_id: str, field: str) -> None:
    """Widget callback: save the criterion's new answer (or record why it cannot be)."""
    catalogue = criteria_catalogue()
    criterion = catalogue.criterion(criterion_id)
    scale = catalogue.scale_of(criterion)
    try:
        current = current_assessment(assessment_store())
    except HiapError as error:
        set_item_error(assessment_id, criterion_id, f"{criterion_id} was not saved: {error}")
        return
    if current is None or current.id != assessment_id:
        set_item_error(
            assessment_id,
            criterion_id,
            "This assessment is no longer open (deleted, or another one was opened); "
            "nothing was saved.",
        )
        return
    old = current.answers.get(criterion_id) or Answer()
    state = st.session_state
    if field == "measured":
        answer, problem = _answer_with_measurement(assessment_id, criterion, scale, old)
    elif field == "accept" and old.suggested_score is not None:
        data = old.model_dump()
        data.update(
            score=old.suggested_score,
            not_applicable=False,
            na_reason=None,
            override_justification=None,
        )
        answer, problem = Answer.model_validate(data), None
    else:
        answer, problem = _answer_from_widgets(assessment_id, criterion, scale, old)
    if answer is None:
        set_item_error(assessment_id, criterion_id, problem)
        return
    if answer == old and criterion_id in current.answers:
        set_item_error(assessment_id, criterion_id, None)
        return
    empty = answer == Answer()
    saved = save_edit(
        criterion_id, lambda a: a.with_answer(criterion_id, None if empty else answer)
    )
    if saved:
        # Show what was saved (the score may follow a new suggestion, a justification may
        # have been cleared by accepting the suggestion).
        state[widget_key(assessment_id, criterion_id, "score")] = _choice_of(answer, scale)
        state[widget_key(assessment_id, criterion_id, "justification")] = (
            answer.override_justification or ""
        )


def _answer_with_measurement(
    assessment_id: str, criterion: Criterion, scale: Scale, old: Answer
) -> tuple[Answer | None, str | None]:
    value = st.session_state.get(widget_key(assessment_id, criterion.id, "measured"))
    data = old.model_dump()
    if value is None:
        data.update(measured_value=None, suggested_score=None, indicator_id=None)
    else:
        # A value typed over a measured fallback (gross density) keeps that indicator's rule.
        rule = criterion.rule_for(old.indicator_id) or criterion.indicator
        try:
            suggested = suggest_score(
                criterion, float(value), indicator_id=rule.id if rule else None
            )
        except ScoringError as error:
            return None, str(error)
        assert rule is not None  # suggest_score has checked
        data.update(
            measured_value=float(value),
            suggested_score=suggested,
            indicator_id=rule.id,
        )
        # Follow the new suggestion unless the assessor has already justified an override.
        if not old.not_applicable and not old.override_justification:
            data["score"] = suggested
    try:
        return Answer.model_validate(data), None
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        return None, f"{criterion.id} was not saved: {problems}"


# -- drawing -----------------------------------------------------------------------------------
def _init(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _guidance(
    criterion: Criterion, scale: Scale, checklist: Checklist, catalogue: Catalogue
) -> None:
    st.markdown(f"**What good looks like.** {criterion.guidance}")
    st.markdown("**Evidence asked for**\n" + "\n".join(f"- {e}" for e in criterion.evidence))
    st.markdown(
        "**Scale**\n"
        + "\n".join(f"- **{lvl.score} · {lvl.label}**: {lvl.description}" for lvl in scale.levels)
    )
    for number, rule in enumerate(criterion.indicator_rules):
        indicator = catalogue.indicators.get(rule.id)
        unit = indicator.unit if indicator else ""
        bounds = ", ".join(
            f"{t.score} if {'≥' if t.at_least is not None else '≤'} {t.bound:g} {unit}"
            for t in rule.thresholds
        )
        name = indicator.name if indicator else rule.id
        st.markdown(
            f"**{'Indicator' if number == 0 else 'When that is not measured'}** {name}: "
            f"suggests {bounds}, else {rule.otherwise}. {rule.rationale}"
        )
    refs = [checklist.reference(r) for r in criterion.sources]
    st.caption("Sources: " + "; ".join(f"{r.title} ({r.publisher})" for r in refs if r))


def _criterion(
    assessment: Assessment,
    criterion: Criterion,
    checklist: Checklist,
    catalogue: Catalogue,
    *,
    disabled: bool,
) -> None:
    aid, cid = assessment.id, criterion.id
    scale = catalogue.scale_of(criterion)
    answer = assessment.answers.get(cid)
    options = score_options(scale)
    key = widget_key(aid, cid, "score")
    _init(key, _choice_of(answer, scale))
    _init(widget_key(aid, cid, "evidence"), answer.evidence if answer else "")
    _init(widget_key(aid, cid, "na_reason"), (answer.na_reason or "") if answer else "")
    _init(
        widget_key(aid, cid, "justification"),
        (answer.override_justification or "") if answer else "",
    )
    callback = _on_criterion_change

    head, tip = st.columns([6, 1])
    head.markdown(f"**{cid} {criterion.title}**  \n{criterion.question}")
    with tip.popover("Guidance", width="stretch"):
        _guidance(criterion, scale, checklist, catalogue)
    st.radio(
        f"Score for {cid}",
        options,
        key=key,
        horizontal=True,
        disabled=disabled,
        on_change=callback,
        args=(aid, cid, "score"),
        help=criterion.guidance,
        label_visibility="collapsed",
    )
    if st.session_state[key] == NOT_APPLICABLE:
        st.text_input(
            "Why does it not apply?",
            key=widget_key(aid, cid, "na_reason"),
            disabled=disabled,
            on_change=callback,
            args=(aid, cid, "na_reason"),
            placeholder="e.g. the scheme has no schools within 400 m and none planned",
        )
    rule = criterion.rule_for(answer.indicator_id if answer else None) or criterion.indicator
    if rule is not None:
        indicator = catalogue.indicators.get(rule.id)
        unit = indicator.unit if indicator else ""
        # Typed Any: streamlit's overloads cannot express "a float or None" for all three.
        measured: Any = answer.measured_value if answer else None
        low: Any = indicator.minimum if indicator else None
        high: Any = indicator.maximum if indicator else None
        st.number_input(
            f"Measured: {indicator.name if indicator else rule.id} ({unit})",
            key=widget_key(aid, cid, "measured"),
            value=measured,
            min_value=low,
            max_value=high,
            format="%.2f" if unit == "share" else "%.1f",
            disabled=disabled,
            on_change=callback,
            args=(aid, cid, "measured"),
            help=(indicator.method if indicator else None),
        )
    if answer is not None and answer.suggested_score is not None:
        suggested = _level_label(scale, answer.suggested_score)
        indicator = catalogue.indicators.get(answer.indicator_id or "")
        unit = indicator.unit if indicator else ""
        st.info(
            f"Measured {answer.measured_value:g} {unit} suggests **{suggested}**."
            + (" You have overridden it." if answer.is_override else "")
        )
        left, right = st.columns([1, 3])
        left.button(
            "Use the suggested score",
            key=widget_key(aid, cid, "accept"),
            disabled=disabled or (answer.score == answer.suggested_score),
            on_click=callback,
            args=(aid, cid, "accept"),
        )
        with right:
            st.text_area(
                "Why override the suggested score? (needed when your score differs)",
                key=widget_key(aid, cid, "justification"),
                disabled=disabled,
                on_change=callback,
                args=(aid, cid, "justification"),
                height=80,
            )
    st.text_area(
        f"Evidence for {cid}",
        key=widget_key(aid, cid, "evidence"),
        disabled=disabled,
        on_change=callback,
        args=(aid, cid, "evidence"),
        placeholder="Asked for: " + "; ".join(criterion.evidence),
        height=80,
    )
    message = item_error(aid, cid)
    if message:
        st.error(plain(message))


def _summary(
    score: ChecklistScore, checklist: Checklist, *, chart: Literal["radar", "bars"]
) -> None:
    left, right = st.columns([2, 3])
    with left:
        st.metric(
            "Overall score",
            "—" if score.percent is None else f"{score.percent:.0f}%",
            help="Mean of the principle percentages; each principle counts equally unless "
            "weighted.",
        )
        st.markdown(band_markdown(score.band, score.percent))
        st.progress(
            score.progress,
            text=f"{score.answered} of {score.total} criteria answered"
            + (f" ({score.not_applicable} not applicable)" if score.not_applicable else ""),
        )
        if score.provisional:
            st.caption("Provisional until every criterion is answered.")
        with st.expander("How the score is computed"):
            st.markdown(f"`{score.formula}`")
            for p in score.principles:
                st.markdown(f"- `{p.formula}`")
    numbers = {p.id: p.number for p in checklist.principles}
    labels = [f"{numbers.get(p.principle_id, '')} {p.name}".strip() for p in score.principles]
    with right:
        percents = [p.percent for p in score.principles]
        colours = [RAG_COLOURS[p.band.value] if p.band else "" for p in score.principles]
        figure = (
            principle_radar(labels, percents, colours=colours)
            if chart == "radar"
            else theme_bars(labels, percents, colours=colours)
        )
        what = "principle" if chart == "radar" else "theme"
        st_chart(
            figure, caption=f"Score of each {what} (% of what applies).",
            category=what.capitalize(), width="stretch", key=f"chart.{checklist.id}",
        )
    table = pd.DataFrame(
        {
            "Principle": labels,
            "Score": ["—" if p.percent is None else f"{p.percent:.0f}%" for p in score.principles],
            "Band": [p.band.value if p.band else "" for p in score.principles],
            "Answered": [f"{p.answered} of {p.total}" for p in score.principles],
            "Not applicable": [p.not_applicable for p in score.principles],
        }
    )
    st.dataframe(table.style.map(_band_cell, subset=["Band"]), hide_index=True, width="stretch")


def _band_cell(value: object) -> str:
    colour = RAG_COLOURS.get(str(value))
    return f"background-color: {colour}; color: white; font-weight: 600" if colour else ""


def render_checklist(checklist_id: str, *, chart: Literal["radar", "bars"]) -> None:
    """Draw the whole assessment page of one checklist for the open assessment.

    Parameters
    ----------
    checklist_id
        ``hnt`` or ``blue_zones``.
    chart
        ``radar`` (spider chart of principles) or ``bars`` (bar chart of themes).
    """
    catalogue = catalogue_or_stop()
    store = store_or_stop()
    from hiap.ui.editing import load_open_assessment, show_editing_status

    author = assessor_sidebar()
    assessment, version = load_open_assessment(store)
    checklist = catalogue.checklist(checklist_id)
    if checklist_id not in assessment.checklist_ids:
        st.warning(
            f"The open assessment of {plain(assessment.scheme_name)} does not use the {checklist.name} "
            "checklist."
        )
        return
    show_editing_status(assessment, version, author)
    for problem in validate_answers(assessment, catalogue):
        st.warning(f"This assessment does not fit the checklists: {plain(problem)}")

    try:
        score = score_checklist(
            checklist, assessment.answers, catalogue=catalogue, weights=assessment.weights
        )
    except (ScoringError, ValueError) as error:
        st.error(f"The score cannot be computed: {plain(error)}")
    else:
        _summary(score, checklist, chart=chart)

    st.divider()
    groups = {g.id: g.name for g in checklist.groups}
    tabs = st.tabs([groups[g.id] for g in checklist.groups])
    for group, tab in zip(checklist.groups, tabs, strict=True):
        with tab:
            for principle in (p for p in checklist.principles if p.group == group.id):
                with st.expander(f"{principle.number}. {principle.name}"):
                    st.caption(principle.summary)
                    for criterion in principle.criteria:
                        with st.container(border=True):
                            _criterion(
                                assessment,
                                criterion,
                                checklist,
                                catalogue,
                                disabled=author is None,
                            )
