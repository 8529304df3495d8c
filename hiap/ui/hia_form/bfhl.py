"""Building for a Healthy Life: twelve considerations, green / amber / red, to prompt talk."""

from __future__ import annotations

import streamlit as st

from hiap.assessment import Assessment
from hiap.hia.record import BfhlAnswer, HiaRecord
from hiap.hia.rules import load_bfhl
from hiap.ui.checklist_form import widget_key
from hiap.ui.hia_form._common import init_state, record_field, show_error

__all__ = ["render_bfhl"]

_LIGHT_NONE = "not judged"


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
        init_state(key_light, answer.light if answer and answer.light else _LIGHT_NONE)
        init_state(key_note, answer.note if answer else "")

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
        record_field(
            left.radio,
            f"{item.number}. {item.name}",
            options=[_LIGHT_NONE, "green", "amber", "red"],
            key=key_light,
            horizontal=True,
            help=item.prompt,
            item_id=item.id,
            change=change,
            disabled=disabled,
        )
        record_field(
            right.text_input,
            f"Note ({item.id})",
            key=key_note,
            placeholder=item.prompt,
            item_id=item.id,
            change=change,
            disabled=disabled,
        )
        show_error(assessment, item.id)

