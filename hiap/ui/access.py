"""Access page glue: the data overrides widget and the run the user saw, kept for the report.

The report renders the stored :class:`~hiap.access.AccessResult` of the last run the user saw
on the Access page for a scheme (with its parameters), never a recomputation with defaults.
On request (:func:`recompute_access_control`, on the Saved work page) that run is measured
again with exactly its options and data files, and the report then says when. Each browser
session keeps its own (``st.session_state`` is per session).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from hiap.access import AccessResult, measure_access
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, HOSPITAL_CLASSES
from hiap.errors import HiapError
from hiap.settings import Settings
from hiap.ui.data_picker import data_file_picker
from hiap.ui.text import plain

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

    from hiap.access.options import Progress
    from hiap.schemes import Scheme

__all__ = [
    "ACCESS_RESULT_KEY",
    "DestinationChoice",
    "KeptAccess",
    "destination_choice",
    "destinations_table",
    "keep_access_result",
    "recompute_access_control",
    "recompute_kept_access",
    "session_access_note",
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
    """A walking-access result and the scheme (name and content digest) it was run around.

    ``recomputed_at`` is set when the run was measured again on request (UTC).
    """

    scheme_name: str
    scheme_digest: str
    result: AccessResult
    recomputed_at: datetime | None = None


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


def _kept(scheme_name: str, scheme_digest: str | None) -> KeptAccess | None:
    kept = st.session_state.get(ACCESS_RESULT_KEY)
    if not isinstance(kept, KeptAccess) or kept.scheme_name != scheme_name:
        return None
    if scheme_digest is not None and kept.scheme_digest != scheme_digest:
        return None
    return kept


def session_access_note(scheme_name: str, scheme_digest: str | None = None) -> str | None:
    """Return how the report's access run was made: as seen, or recomputed on request when.

    Parameters
    ----------
    scheme_name, scheme_digest
        As :func:`session_access_result`.

    Returns
    -------
    str or None
        None when there is no run for this scheme.
    """
    kept = _kept(scheme_name, scheme_digest)
    if kept is None:
        return None
    if kept.recomputed_at is None:
        return "As shown on the Access page in this session."
    return (
        f"Recomputed on request at {kept.recomputed_at:%H:%M:%S} UTC on "
        f"{kept.recomputed_at:%d %B %Y}, with these parameters (those of the run shown on the "
        "Access page)."
    )


def recompute_kept_access(
    settings: Settings,
    scheme_boundary: gpd.GeoDataFrame | None,
    *,
    scheme_name: str,
    scheme_digest: str,
    progress: Progress | None = None,
) -> KeptAccess:
    """Measure the kept access run again, with exactly its options, extract and timetables.

    Parameters
    ----------
    settings
        The app's settings.
    scheme_boundary
        The scheme's boundary (the kept run's digest must match the scheme).
    scheme_name, scheme_digest
        The scheme reported.
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    KeptAccess
        The new run, kept as this session's access result (``recomputed_at`` set).

    Raises
    ------
    HiapError
        When there is no run for this scheme to recompute, or the run fails.
    """
    kept = _kept(scheme_name, scheme_digest)
    if kept is None:
        raise HiapError(
            f"No access run of {scheme_name} in this session to recompute: run the Access to "
            "healthcare page for it first (the report never recomputes with default options)."
        )
    seen = kept.result
    result = measure_access(
        settings, seen.options, scheme=scheme_boundary, area_label=seen.area_label or None,
        osm_path=seen.osm_path, feeds=list(seen.feed_paths) or None, progress=progress,
    )
    fresh = replace(kept, result=result, recomputed_at=datetime.now(UTC))
    st.session_state[ACCESS_RESULT_KEY] = fresh
    return fresh


def recompute_access_control(
    settings: Settings, scheme: Scheme | None, *, on_done: Callable[[], None] | None = None
) -> None:
    """Offer "Recompute access for the report" for the current scheme's kept run.

    Shows how the report's access run was made; the button measures it again with the
    stored run's options (never defaults), with a progress bar, and ``on_done()`` is called
    after (e.g. to drop reports prepared with the old run).

    Parameters
    ----------
    settings
        The app's settings.
    scheme
        The current :class:`hiap.schemes.Scheme` (None: nothing to recompute).
    on_done
        Called with no argument after a successful recomputation.
    """
    from hiap.ui.cache import scheme_digest as digest_of
    from hiap.ui.jobs import heavy_job

    name = scheme.name if scheme is not None else None
    digest = digest_of(scheme) if scheme is not None else None
    note = session_access_note(name, digest) if name is not None and digest is not None else None
    if scheme is None or name is None or digest is None or note is None:
        st.caption(
            "Walking access enters the report once the Access to healthcare page has run for "
            "this scheme in this session; the report never recomputes it with default options."
        )
        return
    st.caption(f"Access to healthcare in the report: {plain(note)}")
    if not st.button("Recompute access for the report", key="hiap.saved.recompute_access",
                     icon=":material/refresh:"):
        return
    bar = st.progress(0.0, text="Recomputing access with the stored run's parameters")

    def tell(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        with heavy_job("routing"):
            fresh = recompute_kept_access(
                settings, scheme.boundary, scheme_name=name,
                scheme_digest=digest, progress=tell,
            )
    except HiapError as error:
        bar.empty()
        st.error(f"Access was not recomputed: {plain(error)}")
        return
    bar.empty()
    if on_done is not None:
        on_done()
    st.success(
        f"Recomputed at {fresh.recomputed_at:%H:%M:%S} UTC with the parameters of the run shown "
        "on the Access page; prepare the report again to include it."
    )
    with st.expander("Parameters of the recomputed run"):
        st.table(pd.DataFrame({"Value": fresh.result.parameters}))


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
    kept = _kept(scheme_name, scheme_digest)
    return kept.result if kept is not None else None


def uk_data_overrides(settings: Settings) -> tuple[Path | None, list[Path] | None]:
    """Offer another OSM extract and timetable (GTFS, TransXChange) for the area around a scheme.

    Files are chosen from the data directory or uploaded (see :mod:`hiap.ui.data_picker`);
    a typed server path is offered only when ``HIAP_ALLOW_LOCAL_PATHS`` is on.

    Returns
    -------
    tuple
        The OSM extract chosen (None: pick from the data directory) and the feeds to use
        (None: those in the data directory).
    """
    with st.expander("Use other data (OSM extract, timetable)"):
        osm = data_file_picker(settings, "osm", key="access.osm")
        feed = data_file_picker(settings, "gtfs", key="access.gtfs")
    return osm, [feed] if feed is not None else None
