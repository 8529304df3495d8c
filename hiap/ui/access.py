"""Access page glue: the data overrides widget and the run the user saw, kept for the report.

The report renders the stored :class:`~hiap.access.AccessResult` of the last run the user saw
on the Access page for a scheme (with its parameters), never a recomputation with defaults.
Each browser session keeps its own (``st.session_state`` is per session).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from hiap.access import AccessResult
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, HOSPITAL_CLASSES
from hiap.settings import Settings
from hiap.ui.data_picker import data_file_picker

__all__ = [
    "ACCESS_RESULT_KEY",
    "DestinationChoice",
    "KeptAccess",
    "destination_choice",
    "destinations_table",
    "keep_access_result",
    "session_access_result",
    "uk_data_overrides",
]

BRANCHES_LABEL = "Include GP branch surgeries (2017 ODS list, placed by postcode)"


@dataclass(frozen=True)
class DestinationChoice:
    """Which hospitals and GP sites count as destinations (options of the access run).

    Attributes
    ----------
    hospital_classes
        The hospital classes chosen; None for the default (acute with a type 1 A&E), as the
        CLI's ``--hospital-class`` left out.
    include_branches
        Also count the practices' branch surgeries.
    """

    hospital_classes: tuple[str, ...] | None = None
    include_branches: bool = False


def destination_choice(kinds: list[str]) -> DestinationChoice | None:
    """Offer the hospital classes and GP branch surgeries for the destinations chosen.

    Parameters
    ----------
    kinds
        ``"gp"`` and/or ``"hospital"``.

    Returns
    -------
    DestinationChoice or None
        None when no hospital class is chosen (the page then says so and stops).
    """
    classes: tuple[str, ...] | None = None
    if "hospital" in kinds:
        chosen = st.multiselect(
            "Hospitals counted", list(HOSPITAL_CLASSES), default=list(DEFAULT_HOSPITAL_CLASSES),
            format_func=HOSPITAL_CLASSES.__getitem__, key="access.hospital_classes",
            help="From hiap's sourced classification (hospital_classes.csv): 'hospital' means "
            "an acute hospital with a type 1 A&E unless other classes are picked.",
        )
        if not chosen:
            return None
        ordered = tuple(c for c in HOSPITAL_CLASSES if c in chosen)
        # the default is passed as the CLI passes it, so the same run has the same options
        classes = None if ordered == tuple(DEFAULT_HOSPITAL_CLASSES) else ordered
    branches = False
    if "gp" in kinds:
        branches = st.checkbox(
            BRANCHES_LABEL, key="access.branches",
            help="NHS ODS branch surgeries of August 2017 whose practice is open today, placed "
            "at their postcode's centroid; stated in the method. Off by default.",
        )
    return DestinationChoice(classes, bool(branches))


def destinations_table(result: AccessResult) -> pd.DataFrame:
    """Return the destinations of a run as a table: name, code, class or kind of site."""
    dest = result.destinations
    columns = {
        "name": "Name", "code": "Code", "postcode": "Postcode",
        "hospital_class_label": "Class", "site_kind": "Site",
    }
    kept = [c for c in columns if c in dest.columns]
    return pd.DataFrame(dest[kept]).rename(columns=columns)

ACCESS_RESULT_KEY = "hiap.access.result"


@dataclass(frozen=True)
class KeptAccess:
    """A walking-access result and the scheme (name and content digest) it was run around."""

    scheme_name: str
    scheme_digest: str
    result: AccessResult


def keep_access_result(result: AccessResult, *, scheme_name: str, scheme_digest: str) -> None:
    """Keep the run the user just saw as this session's access result for the report.

    Parameters
    ----------
    result
        What the page showed.
    scheme_name, scheme_digest
        The scheme it was run around (:func:`hiap.ui.cache.scheme_digest`).
    """
    st.session_state[ACCESS_RESULT_KEY] = KeptAccess(scheme_name, scheme_digest, result)


def session_access_result(scheme_name: str, scheme_digest: str | None = None) -> AccessResult | None:
    """Return the access result this session saw for a scheme, if any.

    Parameters
    ----------
    scheme_name
        The scheme reported.
    scheme_digest
        When given, the result must also have been run on exactly this geometry.

    Returns
    -------
    AccessResult or None
        ``None`` when the Access page did not run for this scheme in this session.
    """
    kept = st.session_state.get(ACCESS_RESULT_KEY)
    if not isinstance(kept, KeptAccess) or kept.scheme_name != scheme_name:
        return None
    if scheme_digest is not None and kept.scheme_digest != scheme_digest:
        return None
    return kept.result


def uk_data_overrides(settings: Settings) -> tuple[Path | None, list[Path] | None]:
    """Offer another OSM extract and GTFS feed for the area around a scheme.

    Files are chosen from the data directory or uploaded (see :mod:`hiap.ui.data_picker`);
    a typed server path is offered only when ``HIAP_ALLOW_LOCAL_PATHS`` is on.

    Returns
    -------
    tuple
        The OSM extract chosen (None: pick from the data directory) and the feeds to use
        (None: those in the data directory).
    """
    with st.expander("Use other data (OSM extract, GTFS feed)"):
        osm = data_file_picker(settings, "osm", key="access.osm")
        feed = data_file_picker(settings, "gtfs", key="access.gtfs")
    return osm, [feed] if feed is not None else None
