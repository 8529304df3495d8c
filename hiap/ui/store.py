"""The pages' access to saved assessments: the cached store, the open assessment, autosave.

One :class:`~hiap.storage.AssessmentStore` per database URL is cached for the server process
(:func:`assessment_store`); it is safe to share because the store opens a fresh SQLite
connection for every call, so no connection ever crosses a thread or a session. What each
browser session is working on lives in its own ``st.session_state``:

- :data:`~hiap.ui.state.ASSESSMENT_ID_KEY`: the id of the open assessment;
- :data:`~hiap.ui.state.ASSESSOR_KEY`: the assessor's name, entered once in the sidebar;
- a draft (an :class:`~hiap.assessment.Assessment` not yet saved) until its first change, so
  merely looking at a page never fills the database with empty assessments.

Edits go through :func:`apply_edit`, which loads the latest saved version, applies the change
and saves it as a new version at once (autosave), recording "saved vN at HH:MM" for
:func:`save_status`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import streamlit as st
from pyproj import Transformer

from hiap.assessment import Assessment
from hiap.errors import HiapError
from hiap.storage import AssessmentNotFoundError, AssessmentStore, database_path_from_url
from hiap.ui.settings import app_settings
from hiap.ui.state import ASSESSMENT_ID_KEY, ASSESSOR_KEY, current_scheme, require_scheme
from hiap.ui.text import plain

if TYPE_CHECKING:
    from hiap.schemes import Scheme

__all__ = [
    "SaveStatus",
    "apply_edit",
    "assessment_for_scheme",
    "assessment_store",
    "assessor_name",
    "assessor_sidebar",
    "current_assessment",
    "forget_draft",
    "open_assessment",
    "require_assessment",
    "save_status",
    "store_or_stop",
]

logger = logging.getLogger(__name__)

_DRAFT_KEY = "hiap.assessment_draft"
_STATUS_KEY = "hiap.save_status"
_ASSESSOR_WIDGET_KEY = "hiap.assessor_input"


@dataclass(frozen=True, slots=True)
class SaveStatus:
    """The outcome of this session's last autosave.

    Attributes
    ----------
    assessment_id
        The assessment saved.
    version
        The version number it was saved as.
    saved_at
        When (UTC).
    """

    assessment_id: str
    version: int
    saved_at: datetime

    def message(self) -> str:
        """Return the status line, e.g. ``"Saved v3 at 11:42 UTC"``."""
        return f"Saved v{self.version} at {self.saved_at:%H:%M} UTC"


@st.cache_resource(show_spinner=False)
def _store_for(database_url: str, class_token: str) -> AssessmentStore:
    # class_token is part of the cache key only: when Streamlit reloads edited modules during
    # development, a store built from the old class must not meet the new Assessment class.
    return AssessmentStore(database_path_from_url(database_url))


def assessment_store() -> AssessmentStore:
    """Return the store the app's ``database_url`` points to (cached per URL).

    Returns
    -------
    AssessmentStore
        The shared store (each call on it opens its own connection).

    Raises
    ------
    HiapError
        ``SettingsError`` for a URL that is not ``sqlite:///``, ``StorageError`` when the
        database cannot be opened.
    """
    token = f"{AssessmentStore.__module__}:{id(AssessmentStore)}:{id(Assessment)}"
    return _store_for(app_settings().database_url, token)


def store_or_stop() -> AssessmentStore:
    """Return the store, or show why it cannot be opened and stop the page."""
    try:
        return assessment_store()
    except HiapError as error:
        st.error(f"The assessment database cannot be opened: {plain(error)}")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


def assessor_name() -> str | None:
    """Return the name the assessor entered in this session, if any."""
    name = st.session_state.get(ASSESSOR_KEY)
    return name.strip() if isinstance(name, str) and name.strip() else None


def _copy_assessor() -> None:
    st.session_state[ASSESSOR_KEY] = str(st.session_state.get(_ASSESSOR_WIDGET_KEY, "")).strip()


def assessor_sidebar() -> str | None:
    """Ask for the assessor's name once, in the sidebar, and show the autosave status.

    The name is kept in :data:`ASSESSOR_KEY` (a widget's own state is dropped on pages that
    do not show it, so it is copied there on every change).

    Returns
    -------
    str or None
        The name, or ``None`` until one is entered.
    """
    # Re-seed on every page: each page's copy of the widget is a new widget to Streamlit.
    st.session_state[_ASSESSOR_WIDGET_KEY] = st.session_state.get(ASSESSOR_KEY, "")
    with st.sidebar:
        st.text_input(
            "Your name (assessor)",
            key=_ASSESSOR_WIDGET_KEY,
            on_change=_copy_assessor,
            help="Every change is saved at once as a new version under this name.",
        )
        status = save_status()
        if status is not None:
            st.caption(f":material/check_circle: {status.message()}")
    return assessor_name()


def save_status() -> SaveStatus | None:
    """Return this session's last autosave of the open assessment, if any."""
    status = st.session_state.get(_STATUS_KEY)
    if isinstance(status, SaveStatus) and status.assessment_id == st.session_state.get(
        ASSESSMENT_ID_KEY
    ):
        return status
    return None


def _boundary_geojson(scheme: Scheme) -> dict[str, Any] | None:
    footprint = scheme.footprint
    if footprint.is_empty:
        return None
    to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)
    lonlat = shapely.transform(footprint, lambda xy: _stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    mapping: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(lonlat, 1e-7)))
    return mapping


def _stack(xy: tuple[Any, Any]) -> Any:
    return np.column_stack(xy)


def assessment_for_scheme(scheme: Scheme, *, assessor: str | None = None) -> Assessment:
    """Start a new, empty assessment of a scheme (not saved yet).

    Parameters
    ----------
    scheme
        The scheme chosen on the home page.
    assessor
        The assessor's name.

    Returns
    -------
    Assessment
        With the scheme's name, key figures and boundary (GeoJSON in WGS84).
    """
    meta = scheme.metadata
    figures: dict[str, Any] = {"kind": meta.kind}
    if meta.dwellings is not None:
        figures["dwellings"] = meta.dwellings
        figures["persons_per_dwelling"] = meta.persons_per_dwelling
    if meta.phasing_year is not None:
        figures["phasing_year"] = meta.phasing_year
    if scheme.area_ha > 0:
        figures["area_ha"] = round(scheme.area_ha, 2)
    if meta.mode is not None:
        figures["mode"] = meta.mode
    if meta.headway_min is not None:
        figures["headway_min"] = meta.headway_min
    if scheme.route_length_km > 0:
        figures["route_length_km"] = round(scheme.route_length_km, 2)
    if meta.description:
        figures["description"] = meta.description
    if meta.source or scheme.source_name:
        figures["source"] = meta.source or scheme.source_name
    return Assessment.new(
        scheme_name=meta.name,
        scheme_metadata=figures,
        boundary=_boundary_geojson(scheme),
        assessor=assessor,
    )


def open_assessment(assessment_id: str) -> None:
    """Make a saved assessment the one this session's pages work on.

    Parameters
    ----------
    assessment_id
        The id of an assessment in the store.
    """
    st.session_state[ASSESSMENT_ID_KEY] = assessment_id
    st.session_state.pop(_DRAFT_KEY, None)


def forget_draft() -> None:
    """Close the open assessment (e.g. after it was deleted)."""
    st.session_state.pop(ASSESSMENT_ID_KEY, None)
    st.session_state.pop(_DRAFT_KEY, None)


def current_assessment(store: AssessmentStore) -> Assessment | None:
    """Return the latest saved (or draft) state of this session's open assessment.

    Parameters
    ----------
    store
        The assessment store.

    Returns
    -------
    Assessment or None
        ``None`` when no assessment is open or it was deleted meanwhile.
    """
    assessment_id = st.session_state.get(ASSESSMENT_ID_KEY)
    if not assessment_id:
        return None
    try:
        return store.load(assessment_id)
    except LookupError:  # AssessmentNotFoundError; the built-in base survives module reloads
        draft = st.session_state.get(_DRAFT_KEY)
        if isinstance(draft, Assessment) and draft.id == assessment_id:
            return draft
        return None


def require_assessment(store: AssessmentStore) -> Assessment:
    """Return the open assessment, starting one for the current scheme on first use.

    When no assessment is open and no scheme is chosen, the page stops with a pointer to the
    home page (:func:`hiap.ui.state.require_scheme`).

    Parameters
    ----------
    store
        The assessment store.

    Returns
    -------
    Assessment
        The open assessment (saved, or a draft saved on its first change).
    """
    assessment = current_assessment(store)
    if assessment is not None:
        return assessment
    if st.session_state.get(ASSESSMENT_ID_KEY) and current_scheme() is None:
        st.warning("The assessment you had open has been deleted.")
    scheme = require_scheme()
    draft = assessment_for_scheme(scheme, assessor=assessor_name())
    st.session_state[_DRAFT_KEY] = draft
    st.session_state[ASSESSMENT_ID_KEY] = draft.id
    return draft


def apply_edit(
    store: AssessmentStore,
    edit: Callable[[Assessment], Assessment],
    *,
    author: str,
) -> int:
    """Apply one change to the open assessment and autosave it as a new version.

    The latest saved version is loaded first, so a change made in another session to a
    different criterion is kept rather than overwritten.

    Parameters
    ----------
    store
        The assessment store.
    edit
        Takes the current assessment and returns the changed one (e.g.
        ``lambda a: a.with_answer("HNT.5.2", answer)``); it may raise ``ValueError`` for an
        invalid change, which is passed on and nothing is saved.
    author
        Who made the change.

    Returns
    -------
    int
        The version saved.

    Raises
    ------
    ValueError
        From ``edit`` when the change is invalid.
    HiapError
        When no assessment is open or the store cannot be written.
    """
    current = current_assessment(store)
    if current is None:
        raise AssessmentNotFoundError(
            "No assessment is open (it may have been deleted); reopen one on the Saved work "
            "page or choose a scheme."
        )
    changed = edit(current)
    if changed.assessor is None:
        changed = changed.with_changes(assessor=author)
    version = store.save(changed, author=author)
    st.session_state.pop(_DRAFT_KEY, None)
    st.session_state[_STATUS_KEY] = SaveStatus(changed.id, version, datetime.now(UTC))
    return version
