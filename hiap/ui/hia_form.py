"""The HIA stages of the open assessment as editable forms, saved on every change.

One function per stage, each drawn in a tab of ``pages/hia.py``:
:func:`render_headline` (overall rating capped by gateways, significant impacts, matrix
completeness), :func:`render_screening`, :func:`render_scoping`, :func:`render_gateways`,
:func:`render_recommendations`, :func:`render_monitoring` and :func:`render_bfhl`. Field edits
save at once through :func:`hiap.ui.checklist_form.save_edit`, like the checklist pages; the
recommendation and monitoring tables save with a button and keep the rows typed when a row
is invalid, naming the problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from hiap.assessment import Assessment, Direction
from hiap.checklists import Catalogue
from hiap.errors import HiapError
from hiap.hia.appraisal import matrix_problems, overall_rating, significant_impacts
from hiap.hia.baseline import BaselineProfile, build_baseline, district_of
from hiap.hia.record import (
    MECHANISM_LABELS,
    BfhlAnswer,
    GatewayAnswer,
    GatewayStatus,
    HiaRecord,
    HiaType,
    Mechanism,
    MonitoringIndicator,
    Recommendation,
    TopicScope,
)
from hiap.hia.rules import HiaRules, load_bfhl, load_hia_rules
from hiap.hia.screening import ScreeningResult, screen_assessment
from hiap.ui.checklist_form import item_error, save_edit, set_item_error, widget_key
from hiap.ui.settings import app_settings
from hiap.ui.store import assessment_store, current_assessment

__all__ = [
    "baseline_profile",
    "hia_rules",
    "render_bfhl",
    "render_gateways",
    "render_headline",
    "render_monitoring",
    "render_recommendations",
    "render_scoping",
    "render_screening",
    "scheme_district",
]

_FOLLOW = "Follow the screening rule"
_BAND_ICON = {
    "green": ":material/check_circle:",
    "amber": ":material/warning:",
    "red": ":material/error:",
}
_LIGHT_NONE = "not judged"
_STATUS_LABEL = {
    GatewayStatus.UNKNOWN: "not yet evidenced",
    GatewayStatus.MET: "met",
    GatewayStatus.NOT_MET: "not met",
}


def hia_rules() -> HiaRules:
    """Return the HIA rules, or show what is wrong with the file and stop the page."""
    try:
        return load_hia_rules()
    except HiapError as error:
        st.error(f"The HIA rules (checklists/hia.yaml) cannot be loaded: {error}")
        st.stop()
        raise


@st.cache_data(show_spinner=False, max_entries=64)
def _district_cached(boundary_json: str, data_dir: str) -> tuple[str, str] | None:
    return district_of(json.loads(boundary_json), app_settings())


def scheme_district(assessment: Assessment) -> tuple[str, str] | None:
    """Return the (code, name) of the scheme's district from its boundary, if known."""
    if assessment.boundary is None:
        return None
    text = json.dumps(assessment.boundary, sort_keys=True)
    return _district_cached(text, str(app_settings().data_dir))


def _edit_record(item_id: str, change: Callable[[HiaRecord], HiaRecord]) -> None:
    """Widget callback body: apply ``change`` to the saved record and save."""
    try:
        current = current_assessment(assessment_store())
    except HiapError as error:
        st.session_state.setdefault("hiap.hia.errors", {})[item_id] = str(error)
        return
    if current is None:
        return
    try:
        new = change(current.hia)
    except (ValidationError, ValueError) as error:
        set_item_error(current.id, item_id, f"{item_id} was not saved: {error}")
        return
    if new == current.hia:
        set_item_error(current.id, item_id, None)
        return
    save_edit(item_id, lambda a: a.with_hia(new))


def _show_error(assessment: Assessment, item_id: str) -> None:
    message = item_error(assessment.id, item_id)
    if message:
        st.error(message)


def _init(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


# -- headline ----------------------------------------------------------------------------------
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
    _init(key, assessment.hia.conclusion)

    def change(record: HiaRecord) -> HiaRecord:
        return record.model_copy(update={"conclusion": str(st.session_state.get(key, "") or "")})

    st.text_area(
        "Conclusion for the non-technical summary (plain words, for the committee)",
        key=key,
        disabled=disabled,
        on_change=_edit_record,
        args=("conclusion", change),
        height=90,
    )
    _show_error(assessment, "conclusion")


# -- screening ---------------------------------------------------------------------------------
def render_screening(assessment: Assessment, rules: HiaRules, *, disabled: bool) -> ScreeningResult:
    """Show the screening outcome and let the assessor confirm or depart from it."""
    district = scheme_district(assessment)
    result = screen_assessment(
        assessment.scheme_metadata, rules, district_code=district[0] if district else None
    )
    st.markdown(
        f"**{result.outcome.value.capitalize()} HIA**"
        + (f" (rule {result.rule_id})" if result.rule_id else "")
        + f": {result.reason}"
    )
    st.caption(
        f"Source: {result.source}. Screened on "
        + "; ".join(result.inputs)
        + (f" ({district[1]})" if district else "")
    )
    aid = assessment.id
    key_choice = widget_key(aid, "screening", "outcome")
    key_note = widget_key(aid, "screening", "note")
    saved = assessment.hia.screening_outcome
    _init(key_choice, saved.value if saved else _FOLLOW)
    _init(key_note, assessment.hia.screening_note)

    def change(record: HiaRecord) -> HiaRecord:
        choice = str(st.session_state.get(key_choice, _FOLLOW))
        note = str(st.session_state.get(key_note, "") or "")
        outcome = None if choice == _FOLLOW else HiaType(choice)
        if outcome is not None and outcome != result.outcome and not note.strip():
            raise ValueError(
                f"departing from the screening rule ({result.outcome.value}) needs a note "
                "saying why"
            )
        return record.model_copy(update={"screening_outcome": outcome, "screening_note": note})

    st.radio(
        "Screening decision",
        [_FOLLOW, *(t.value for t in HiaType)],
        key=key_choice,
        horizontal=True,
        disabled=disabled,
        on_change=_edit_record,
        args=("screening", change),
    )
    st.text_area(
        "Screening note (why, and who agreed it)",
        key=key_note,
        disabled=disabled,
        on_change=_edit_record,
        args=("screening", change),
        height=70,
    )
    _show_error(assessment, "screening")
    return result


# -- scoping -----------------------------------------------------------------------------------
def render_scoping(
    assessment: Assessment, catalogue: Catalogue, rules: HiaRules, *, disabled: bool
) -> None:
    """Topics in scope with reasons, and the population groups to consider."""
    aid = assessment.id
    st.markdown("**HUDU topics in scope** (untick a topic to scope it out, with the reason)")
    for topic in catalogue.hudu.topics:
        scope = assessment.hia.scope.get(topic.id)
        key_in = widget_key(aid, topic.id, "scope_in")
        key_reason = widget_key(aid, topic.id, "scope_reason")
        _init(key_in, scope.relevant if scope else True)
        _init(key_reason, scope.reason if scope else "")

        def change(record: HiaRecord, tid: str = topic.id, ki: str = key_in,
                   kr: str = key_reason) -> HiaRecord:  # fmt: skip
            scope_map = dict(record.scope)
            relevant = bool(st.session_state.get(ki, True))
            reason = str(st.session_state.get(kr, "") or "")
            if relevant and not reason.strip():
                scope_map.pop(tid, None)
            else:
                scope_map[tid] = TopicScope(relevant=relevant, reason=reason)
            return record.model_copy(update={"scope": scope_map})

        left, right = st.columns([2, 3])
        left.checkbox(
            f"{topic.number}. {topic.name}",
            key=key_in,
            disabled=disabled,
            on_change=_edit_record,
            args=(topic.id, change),
        )
        right.text_input(
            f"Reason ({topic.id})",
            key=key_reason,
            disabled=disabled,
            on_change=_edit_record,
            args=(topic.id, change),
            label_visibility="collapsed",
            placeholder="Reason (required when scoped out)",
        )
        _show_error(assessment, topic.id)
    st.markdown("**Population groups to consider**")
    st.caption(f"After {rules.cite(rules.population_groups_source)}.")
    for group in rules.population_groups:
        key = widget_key(aid, f"group_{group.id}", "note")
        _init(key, assessment.hia.groups.get(group.id, ""))

        def change_group(record: HiaRecord, gid: str = group.id, k: str = key) -> HiaRecord:
            groups = dict(record.groups)
            note = str(st.session_state.get(k, "") or "")
            if note.strip():
                groups[gid] = note
            else:
                groups.pop(gid, None)
            return record.model_copy(update={"groups": groups})

        st.text_input(
            f"{group.name}: how might the scheme affect them?",
            key=key,
            help=group.note,
            disabled=disabled,
            on_change=_edit_record,
            args=(f"group_{group.id}", change_group),
            placeholder="Leave blank if not affected",
        )
        _show_error(assessment, f"group_{group.id}")


# -- gateways ----------------------------------------------------------------------------------
def render_gateways(assessment: Assessment, rules: HiaRules, *, disabled: bool) -> None:
    """Each gateway with its status and evidence; an unmet one caps the overall rating."""
    aid = assessment.id
    homes = assessment.scheme_metadata.get("dwellings")
    for gateway in rules.gateways:
        applies = not isinstance(homes, int | float) or homes >= gateway.min_dwellings
        answer = assessment.hia.gateways.get(gateway.id)
        key_status = widget_key(aid, gateway.id, "status")
        key_evidence = widget_key(aid, gateway.id, "evidence")
        _init(key_status, (answer.status if answer else GatewayStatus.UNKNOWN).value)
        _init(key_evidence, answer.evidence if answer else "")

        def change(record: HiaRecord, gid: str = gateway.id, ks: str = key_status,
                   ke: str = key_evidence) -> HiaRecord:  # fmt: skip
            gateways = dict(record.gateways)
            gateways[gid] = GatewayAnswer(
                status=GatewayStatus(str(st.session_state.get(ks, "unknown"))),
                evidence=str(st.session_state.get(ke, "") or ""),
            )
            return record.model_copy(update={"gateways": gateways})

        with st.container(border=True):
            st.markdown(
                f"**{gateway.id} {gateway.name}** (caps the rating at {gateway.cap}; "
                f"{gateway.topic}; from {gateway.min_dwellings} homes)"
                + ("" if applies else " · does not apply to this scheme's size")
            )
            st.caption(gateway.question)
            st.radio(
                f"Status ({gateway.id})",
                [s.value for s in GatewayStatus],
                format_func=lambda v: _STATUS_LABEL[GatewayStatus(v)],
                key=key_status,
                horizontal=True,
                disabled=disabled,
                on_change=_edit_record,
                args=(gateway.id, change),
            )
            st.text_input(
                f"Evidence ({gateway.id})",
                key=key_evidence,
                disabled=disabled,
                on_change=_edit_record,
                args=(gateway.id, change),
                placeholder="e.g. ICB letter of 3 May 2026; S106 schedule 4",
            )
            _show_error(assessment, gateway.id)


# -- recommendations and monitoring ------------------------------------------------------------
_REC_COLUMNS = ["id", "topic_id", "action", "owner", "mechanism", "trigger"]
_MON_COLUMNS = [
    "id",
    "indicator",
    "baseline",
    "target",
    "data_source",
    "frequency",
    "recommendation_id",
]


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        row = {c: ("" if pd.isna(record.get(c)) else str(record.get(c)).strip()) for c in columns}
        if any(v for k, v in row.items() if k != "id"):
            rows.append(row)
    return rows


def _numbered(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Give each row without an id the next free ``<prefix><n>`` id (R1, R2... or M1...)."""
    used = {r["id"] for r in rows if r["id"]}
    n = 1
    for row in rows:
        if not row["id"]:
            while f"{prefix}{n}" in used:
                n += 1
            row["id"] = f"{prefix}{n}"
            used.add(row["id"])
    return rows


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"row {e['loc'][1] + 1 if len(e['loc']) > 1 and isinstance(e['loc'][1], int) else ''} "
        f"{e['loc'][-1] if e['loc'] else ''}: {e['msg'].removeprefix('Value error, ')}".strip()
        for e in error.errors()
    )


def _save_table(item_id: str, update: Callable[[HiaRecord], HiaRecord]) -> None:
    try:
        current = current_assessment(assessment_store())
    except HiapError as error:
        st.error(f"Not saved: {error}")
        return
    if current is None:
        return
    try:
        record = update(current.hia)
    except ValidationError as error:
        st.error(f"Not saved: {_problems(error)}. Your rows are kept: fix them and save again.")
        return
    if save_edit(item_id, lambda a: a.with_hia(record)):
        st.success("Saved.")
    else:
        _show_error(current, item_id)


def render_recommendations(
    assessment: Assessment, catalogue: Catalogue, rules: HiaRules, *, disabled: bool
) -> None:
    """Edit the recommendations: action, owner, mechanism, trigger, per HUDU topic."""
    st.caption(
        "Each mitigation or enhancement, who delivers it, how it is secured ("
        + "; ".join(f"{MECHANISM_LABELS[Mechanism(k)]}: {v}" for k, v in rules.mechanisms.items())
        + ") and its trigger, e.g. 'before occupation of the 500th home'."
    )
    frame = pd.DataFrame(
        [r.model_dump(mode="json") for r in assessment.hia.recommendations], columns=_REC_COLUMNS
    )
    topics = [t.id for t in catalogue.hudu.topics]
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        key=widget_key(assessment.id, "recommendations", "table"),
        disabled=disabled,
        width="stretch",
        column_config={
            "id": st.column_config.TextColumn("Id", help="R1, R2... (filled in when blank)"),
            "topic_id": st.column_config.SelectboxColumn("Topic", options=topics, required=True),
            "action": st.column_config.TextColumn("Action", required=True),
            "owner": st.column_config.TextColumn("Owner", required=True),
            "mechanism": st.column_config.SelectboxColumn(
                "Mechanism", options=[m.value for m in Mechanism], required=True
            ),
            "trigger": st.column_config.TextColumn("Trigger", required=True),
        },
    )
    if st.button("Save recommendations", disabled=disabled, key="hiap.hia.save_recs"):

        def update(record: HiaRecord) -> HiaRecord:
            rows = _numbered(_rows(edited, _REC_COLUMNS), "R")
            recs = tuple(Recommendation.model_validate(r) for r in rows)
            return HiaRecord.model_validate(
                record.model_dump() | {"recommendations": [r.model_dump() for r in recs]}
            )

        _save_table("recommendations", update)


def render_monitoring(assessment: Assessment, rules: HiaRules, *, disabled: bool) -> None:
    """Edit the monitoring plan: indicator, baseline, target, source, frequency."""
    st.caption(
        "What will show whether the recommendations worked. Every row needs a baseline (the "
        "value now, with its date, or when it will be measured), a target different from it, "
        "a data source and a frequency."
    )
    frame = pd.DataFrame(
        [m.model_dump(mode="json") for m in assessment.hia.monitoring], columns=_MON_COLUMNS
    )
    recs = [r.id for r in assessment.hia.recommendations]
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        key=widget_key(assessment.id, "monitoring", "table"),
        disabled=disabled,
        width="stretch",
        column_config={
            "id": st.column_config.TextColumn("Id", help="M1, M2... (filled in when blank)"),
            "indicator": st.column_config.TextColumn("Indicator", required=True),
            "baseline": st.column_config.TextColumn("Baseline", required=True),
            "target": st.column_config.TextColumn("Target", required=True),
            "data_source": st.column_config.TextColumn("Data source", required=True),
            "frequency": st.column_config.SelectboxColumn(
                "Frequency", options=list(rules.frequencies), required=True
            ),
            "recommendation_id": st.column_config.SelectboxColumn("Checks", options=recs),
        },
    )
    if st.button("Save monitoring plan", disabled=disabled, key="hiap.hia.save_monitoring"):

        def update(record: HiaRecord) -> HiaRecord:
            rows = _numbered(_rows(edited, _MON_COLUMNS), "M")
            for row in rows:
                if not row["recommendation_id"]:
                    row["recommendation_id"] = None
            return HiaRecord.model_validate(
                record.model_dump()
                | {"monitoring": [MonitoringIndicator.model_validate(r).model_dump() for r in rows]}
            )

        _save_table("monitoring", update)


# -- Building for a Healthy Life ---------------------------------------------------------------
def render_bfhl(assessment: Assessment, *, disabled: bool) -> None:
    """Draw the twelve considerations, each green / amber / red with a note, to prompt talk."""
    checklist = load_bfhl()
    ref = checklist.reference
    st.caption(
        f"{checklist.name}: twelve considerations, green / amber / red to prompt discussion, "
        f"not a score. Source: {ref.publisher} ({ref.year}), {ref.title}. The prompts are "
        "hiap's own summaries. "
        + " ".join(f"{k.capitalize()}: {v}" for k, v in checklist.lights.items())
    )
    aid = assessment.id
    section = None
    for item in checklist.considerations:
        if item.section != section:
            section = item.section
            st.markdown(f"**{section}**")
        answer = assessment.hia.bfhl.get(item.id)
        key_light = widget_key(aid, item.id, "light")
        key_note = widget_key(aid, item.id, "note")
        _init(key_light, answer.light if answer and answer.light else _LIGHT_NONE)
        _init(key_note, answer.note if answer else "")

        def change(record: HiaRecord, cid: str = item.id, kl: str = key_light,
                   kn: str = key_note) -> HiaRecord:  # fmt: skip
            lights = dict(record.bfhl)
            light = str(st.session_state.get(kl, _LIGHT_NONE))
            note = str(st.session_state.get(kn, "") or "")
            if light == _LIGHT_NONE and not note.strip():
                lights.pop(cid, None)
            else:
                lights[cid] = BfhlAnswer(light=None if light == _LIGHT_NONE else light, note=note)
            return record.model_copy(update={"bfhl": lights})

        left, right = st.columns([2, 3])
        left.radio(
            f"{item.number}. {item.name}",
            [_LIGHT_NONE, "green", "amber", "red"],
            key=key_light,
            horizontal=True,
            help=item.prompt,
            disabled=disabled,
            on_change=_edit_record,
            args=(item.id, change),
        )
        right.text_input(
            f"Note ({item.id})",
            key=key_note,
            disabled=disabled,
            on_change=_edit_record,
            args=(item.id, change),
            placeholder=item.prompt,
        )
        _show_error(assessment, item.id)


def direction_text(direction: Direction | None) -> str:
    """Return a direction as text (blank for none)."""
    return direction.value if direction else ""


@st.cache_data(show_spinner=False, max_entries=16)
def _baseline_cached(boundary_json: str | None, data_dir: str) -> BaselineProfile:
    boundary = json.loads(boundary_json) if boundary_json else None
    return build_baseline(app_settings(), boundary=boundary)


def baseline_profile(boundary: Mapping[str, Any] | None) -> BaselineProfile | None:
    """Return the health baseline around a boundary (or the region), or show why not.

    Parameters
    ----------
    boundary
        The scheme boundary (GeoJSON, WGS84), or ``None`` for the region only.

    Returns
    -------
    BaselineProfile or None
        ``None`` when the life expectancy file is missing (the message says how to add it).
    """
    text = json.dumps(boundary, sort_keys=True) if boundary is not None else None
    try:
        with st.spinner("Gathering the health baseline..."):
            return _baseline_cached(text, str(app_settings().data_dir))
    except HiapError as error:
        st.error(f"The health baseline cannot be built: {error}")
        return None
