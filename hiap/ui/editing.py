"""The top of every page that edits the open assessment: load it, then say what is open.

The checklist pages, the impact matrix and the HIA page each start the same way:
:func:`load_open_assessment` (the open assessment and its latest saved version, or the
reason it cannot be loaded, and the page stops) and :func:`show_editing_status` (widgets
resynchronised when another session saved meanwhile, the "Assessing ..." caption with the
last autosave, and the reminder to enter a name).
"""

from __future__ import annotations

import streamlit as st

from hiap.assessment import Assessment
from hiap.errors import HiapError
from hiap.storage import AssessmentStore
from hiap.ui.checklist_form import sync_widgets
from hiap.ui.store import require_assessment, save_status
from hiap.ui.text import plain

__all__ = ["load_open_assessment", "show_editing_status"]


def load_open_assessment(store: AssessmentStore) -> tuple[Assessment, int | None]:
    """Return the open assessment and its latest saved version, or stop the page.

    Parameters
    ----------
    store
        The assessment store.

    Returns
    -------
    tuple
        The assessment (a draft until its first change) and its latest saved version
        (``None`` while unsaved).
    """
    try:
        assessment = require_assessment(store)
        version = store.latest_version(assessment.id) if store.exists(assessment.id) else None
    except HiapError as error:  # a broken database or a saved document that no longer fits
        st.error(f"The assessment cannot be loaded: {plain(error)}")
        st.stop()
        raise
    return assessment, version


def show_editing_status(assessment: Assessment, version: int | None, author: str | None) -> None:
    """Resynchronise the widgets, then say what is open, when it was saved, and who edits.

    Parameters
    ----------
    assessment
        The open assessment.
    version
        Its latest saved version (``None`` while unsaved).
    author
        The assessor's name from the sidebar (``None``: nothing can be saved yet).
    """
    sync_widgets(assessment.id, version)
    status = save_status()
    st.caption(
        f"Assessing **{plain(assessment.scheme_name)}**"
        + (f" · {status.message()}" if status else "")
        + ("" if version else " · not saved yet (saved on your first change)")
    )
    if author is None:
        st.warning("Enter your name in the sidebar to start: every change is saved under it.")
