"""Session-state keys and accessors shared by the pages.

Each browser session has its own ``st.session_state``; nothing here is shared between users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from hiap.schemes import Scheme

SCHEME_KEY = "hiap.scheme"
SCHEME_ORIGIN_KEY = "hiap.scheme_origin"
ASSESSMENT_ID_KEY = "hiap.assessment_id"
ASSESSOR_KEY = "hiap.assessor"


def current_scheme() -> Scheme | None:
    """Return the scheme chosen on the home page in this session, if any."""
    scheme = st.session_state.get(SCHEME_KEY)
    return scheme


def current_scheme_origin() -> str | None:
    """Return where the current scheme came from: ``"sample"``, ``"data directory"``, ``"upload"``."""
    origin = st.session_state.get(SCHEME_ORIGIN_KEY)
    return str(origin) if origin is not None else None


def set_current_scheme(scheme: Scheme, *, origin: str = "upload") -> None:
    """Make ``scheme`` the one every page works on in this session.

    Parameters
    ----------
    scheme
        A validated scheme; choosing a new one also forgets the open assessment.
    origin
        Where it came from (``"sample"``, ``"data directory"`` or ``"upload"``), so the pages
        describe its outline truthfully (a team-drawn sample is approximate; an upload is yours).
    """
    previous = st.session_state.get(SCHEME_KEY)
    if previous is None or previous.metadata.name != scheme.metadata.name:
        st.session_state.pop(ASSESSMENT_ID_KEY, None)
    st.session_state[SCHEME_KEY] = scheme
    st.session_state[SCHEME_ORIGIN_KEY] = origin


def require_scheme() -> Scheme:
    """Return the current scheme, or stop the page with a pointer to the home page."""
    scheme = current_scheme()
    if scheme is None:
        st.info("Choose a sample scheme or upload your own on the **Scheme** page first.")
        st.page_link("pages/home.py", label="Go to the Scheme page", icon=":material/home:")
        st.stop()
    return scheme
