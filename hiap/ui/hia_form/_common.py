"""What every HIA stage form shares: the rules, the scheme's district, saving a field edit.

Field edits save at once through :func:`hiap.ui.checklist_form.save_edit`, like the checklist
pages; a change that breaks a rule is not saved and its reason is shown under the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st
from pydantic import ValidationError

from hiap.assessment import Assessment
from hiap.errors import HiapError
from hiap.hia.baseline import district_of
from hiap.hia.record import HiaRecord
from hiap.hia.rules import HiaRules, load_hia_rules
from hiap.ui.checklist_form import item_error, save_edit, set_item_error
from hiap.ui.settings import app_settings
from hiap.ui.store import assessment_store, current_assessment
from hiap.ui.text import plain

__all__ = [
    "edit_record",
    "hia_rules",
    "init_state",
    "record_field",
    "scheme_district",
    "show_error",
]


def hia_rules() -> HiaRules:
    """Return the HIA rules, or show what is wrong with the file and stop the page."""
    try:
        return load_hia_rules()
    except HiapError as error:
        st.error(f"The HIA rules (checklists/hia.yaml) cannot be loaded: {plain(error)}")
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


def edit_record(item_id: str, change: Callable[[HiaRecord], HiaRecord]) -> None:
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


def record_field(
    widget: Callable[..., Any],
    label: str,
    *,
    item_id: str,
    change: Callable[[HiaRecord], HiaRecord],
    disabled: bool,
    **widget_args: Any,
) -> None:
    """Draw one widget of the HIA record that saves ``change`` on every edit.

    Parameters
    ----------
    widget
        A Streamlit input (``st.radio``, ``columns[0].checkbox``, ``st.text_input``...).
    label
        Its label.
    item_id
        The item edited (the error slot shown under it by :func:`show_error`).
    change
        ``HiaRecord -> HiaRecord`` reading the widgets' values from the session state.
    disabled
        True while no assessor is named (nothing can be saved).
    **widget_args
        Further arguments of the widget (``key`` is required).
    """
    widget(label, disabled=disabled, on_change=edit_record, args=(item_id, change), **widget_args)


def show_error(assessment: Assessment, item_id: str) -> None:
    """Show the reason the last edit of ``item_id`` was not saved, if it was not."""
    message = item_error(assessment.id, item_id)
    if message:
        st.error(plain(message))


def init_state(key: str, value: Any) -> None:
    """Give a widget its saved value the first time it is drawn (never over a typed one)."""
    if key not in st.session_state:
        st.session_state[key] = value

