"""Screening, scoping and the appraisal gateways of the open assessment."""

from __future__ import annotations

import streamlit as st

from hiap.assessment import Assessment
from hiap.checklists import Catalogue
from hiap.hia.record import GatewayAnswer, GatewayStatus, HiaRecord, HiaType, TopicScope
from hiap.hia.rules import HiaRules
from hiap.hia.screening import ScreeningResult, screen_assessment
from hiap.ui.checklist_form import widget_key
from hiap.ui.hia_form._common import init_state, record_field, scheme_district, show_error

__all__ = ["render_gateways", "render_scoping", "render_screening"]

_FOLLOW = "Follow the screening rule"
_STATUS_LABEL = {
    GatewayStatus.UNKNOWN: "not yet evidenced",
    GatewayStatus.MET: "met",
    GatewayStatus.NOT_MET: "not met",
}



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
    init_state(key_choice, saved.value if saved else _FOLLOW)
    init_state(key_note, assessment.hia.screening_note)

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

    record_field(
        st.radio,
        "Screening decision",
        options=[_FOLLOW, *(t.value for t in HiaType)],
        key=key_choice,
        horizontal=True,
        item_id="screening",
        change=change,
        disabled=disabled,
    )
    record_field(
        st.text_area,
        "Screening note (why, and who agreed it)",
        key=key_note,
        height=70,
        item_id="screening",
        change=change,
        disabled=disabled,
    )
    show_error(assessment, "screening")
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
        init_state(key_in, scope.relevant if scope else True)
        init_state(key_reason, scope.reason if scope else "")

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
        record_field(
            left.checkbox,
            f"{topic.number}. {topic.name}",
            key=key_in,
            item_id=topic.id,
            change=change,
            disabled=disabled,
        )
        record_field(
            right.text_input,
            f"Reason ({topic.id})",
            key=key_reason,
            label_visibility="collapsed",
            placeholder="Reason (required when scoped out)",
            item_id=topic.id,
            change=change,
            disabled=disabled,
        )
        show_error(assessment, topic.id)
    st.markdown("**Population groups to consider**")
    st.caption(f"After {rules.cite(rules.population_groups_source)}.")
    for group in rules.population_groups:
        key = widget_key(aid, f"group_{group.id}", "note")
        init_state(key, assessment.hia.groups.get(group.id, ""))

        def change_group(record: HiaRecord, gid: str = group.id, k: str = key) -> HiaRecord:
            groups = dict(record.groups)
            note = str(st.session_state.get(k, "") or "")
            if note.strip():
                groups[gid] = note
            else:
                groups.pop(gid, None)
            return record.model_copy(update={"groups": groups})

        record_field(
            st.text_input,
            f"{group.name}: how might the scheme affect them?",
            key=key,
            help=group.note,
            placeholder="Leave blank if not affected",
            item_id=f"group_{group.id}",
            change=change_group,
            disabled=disabled,
        )
        show_error(assessment, f"group_{group.id}")


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
        init_state(key_status, (answer.status if answer else GatewayStatus.UNKNOWN).value)
        init_state(key_evidence, answer.evidence if answer else "")

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
            record_field(
                st.radio,
                f"Status ({gateway.id})",
                options=[s.value for s in GatewayStatus],
                format_func=lambda v: _STATUS_LABEL[GatewayStatus(v)],
                key=key_status,
                horizontal=True,
                item_id=gateway.id,
                change=change,
                disabled=disabled,
            )
            record_field(
                st.text_input,
                f"Evidence ({gateway.id})",
                key=key_evidence,
                placeholder="e.g. ICB letter of 3 May 2026; S106 schedule 4",
                item_id=gateway.id,
                change=change,
                disabled=disabled,
            )
            show_error(assessment, gateway.id)

