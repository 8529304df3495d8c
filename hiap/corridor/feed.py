"""Cambridgeshire's own bus timetables: every TransXChange file of the data directory.

:func:`load_cambs_feed` reads the TNDS TransXChange files under ``transit/`` (the ``txc``
dataset) with NaPTAN stop coordinates (the ``naptan`` dataset) into one feed and summarises
it (:func:`isochrones.gtfs.summarise_feed`); :func:`service_date_choice` counts the trips on
a chosen day and proposes the normal-timetable day (the 2020 files were issued in the first
COVID-19 week: 207 trips on Tuesday 24 March 2020, 273 on the usual Tuesdays from 31 March).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hiap.access.feeds import stops_files_for
from hiap.access.network import load_timetables
from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.gtfs import (
    Feed,
    FeedError,
    FeedSummary,
    naptan_coordinates,
    summarise_feed,
    trips_by_date,
    typical_date,
)

__all__ = ["CambsFeed", "DateChoice", "load_cambs_feed", "service_date_choice"]


@dataclass(frozen=True)
class CambsFeed:
    """The combined feed, its summary, the files it came from (names only), NaPTAN points."""

    feed: Feed
    summary: FeedSummary
    txc_files: tuple[str, ...]
    naptan_files: tuple[str, ...]
    stop_coordinates: Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class DateChoice:
    """A service day and what runs on it."""

    date: dt.date
    trips: int
    routes: int
    typical: dt.date
    why_typical: str
    per_route: pd.DataFrame


def load_cambs_feed(settings: Settings, *, paths: list[Path] | None = None) -> CambsFeed:
    """Read every TransXChange file of the data directory into one feed, with NaPTAN stops.

    Parameters
    ----------
    settings
        Gives the data directory.
    paths
        TransXChange files to use instead of the data directory's.

    Returns
    -------
    CambsFeed
        The feed and its summary.

    Raises
    ------
    DataError
        When no TransXChange or NaPTAN file is present, or a file cannot be used (the
        message names the file, never a server path).
    """
    txc = paths if paths is not None else find_dataset_files(DATASETS["txc"], settings.data_dir)
    if not txc:
        raise DataError(
            "No TransXChange (.xml) bus timetable under the data directory's transit/ folder. "
            + (DATASETS["txc"].how_to_get or "")
        )
    # The one timetable loader of every access run (hiap access transit reads the same feed).
    naptan = stops_files_for(settings, txc)
    try:
        coords = naptan_coordinates(naptan)
        feed = load_timetables(txc, stops=naptan)
    except FeedError as exc:
        raise DataError(f"The bus timetables cannot be used: {exc}") from None
    return CambsFeed(
        feed=feed,
        summary=summarise_feed(feed),
        txc_files=tuple(p.name for p in txc),
        naptan_files=tuple(p.name for p in naptan),
        stop_coordinates=coords,
    )


def service_date_choice(feed: Feed, date: dt.date | None = None) -> DateChoice:
    """Count what runs on ``date`` (default: the normal-timetable Tuesday) and say why.

    Parameters
    ----------
    feed
        The combined feed.
    date
        The chosen service day; ``None`` takes :func:`isochrones.gtfs.typical_date`.

    Returns
    -------
    DateChoice
        Trips and routes on the day, per route, and the typical day with its reason.
    """
    typical, why = typical_date(feed)
    day = date or typical
    counts = trips_by_date(feed, day, day).iloc[0]
    from isochrones.gtfs import active_services

    running = feed.trips.loc[feed.trips["service_id"].isin(active_services(feed, day))]
    names = feed.routes.set_index("route_id")["route_short_name"]
    per_route = (
        running.groupby("route_id")
        .size()
        .rename("trips")
        .reindex(feed.routes["route_id"], fill_value=0)
        .rename_axis("route_id")
        .reset_index()
    )
    per_route.insert(1, "name", per_route["route_id"].map(names))
    return DateChoice(
        date=day,
        trips=int(counts["trips"]),
        routes=int(counts["routes"]),
        typical=typical,
        why_typical=why,
        per_route=per_route,
    )
