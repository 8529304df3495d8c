"""Timetables for the public-transport runs: which feeds cover an area, their stops and days.

Which function to use when:

* :func:`find_gtfs_feeds` -- the data directory's GTFS feeds whose stops reach into an area.
* :func:`timetable_files` -- the files behind the timetables given (a folder of TransXChange
  ``.xml`` files becomes its files); :func:`stops_files_for` -- the NaPTAN stops files that
  place TransXChange stops (found in the data directory: TXC lists stops without coordinates).
* :func:`feed_stops` -- a feed's stops as points (for maps).
* :func:`default_date`, :func:`busiest_hour` -- sensible defaults for the date and window
  pickers (a Tuesday the feed runs; the hour most trips start).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.gtfs import Feed

__all__ = [
    "GET_GTFS",
    "busiest_hour",
    "default_date",
    "feed_stops",
    "find_gtfs_feeds",
    "is_transxchange",
    "stops_files_for",
    "timetable_files",
]

logger = logging.getLogger(__name__)

GET_GTFS = (
    "Run `hiap data download gtfs` (Bus Open Data Service, East Anglia) where online, or put a "
    "GTFS .zip under transit/ in the data directory, or upload one here."
)


def _stops_box(path: Path) -> BaseGeometry | None:
    """Return the WGS84 bounding box of a GTFS zip's or folder's stops (None if unreadable)."""
    try:
        if path.is_dir():
            frame = pd.read_csv(path / "stops.txt", usecols=["stop_lat", "stop_lon"])
        else:
            with zipfile.ZipFile(path) as zf:
                name = next(n for n in zf.namelist() if n.split("/")[-1] == "stops.txt")
                with zf.open(name) as handle:
                    frame = pd.read_csv(
                        io.TextIOWrapper(handle, encoding="utf-8-sig"),
                        usecols=["stop_lat", "stop_lon"],
                    )
    except (OSError, ValueError, KeyError, StopIteration, zipfile.BadZipFile) as exc:
        logger.warning("GTFS feed %s skipped: cannot read its stops (%s)", path.name, exc)
        return None
    lat = pd.to_numeric(frame["stop_lat"], errors="coerce").dropna()
    lon = pd.to_numeric(frame["stop_lon"], errors="coerce").dropna()
    if lat.empty or lon.empty:
        return None
    return shapely.box(lon.min(), lat.min(), lon.max(), lat.max())


def find_gtfs_feeds(settings: Settings, *, area: BaseGeometry) -> list[Path]:
    """Pick the GTFS feeds in the data directory whose stops reach into an area.

    Parameters
    ----------
    settings
        Gives the data directory (the ``gtfs`` dataset's files are searched).
    area
        The study area in WGS84 (e.g. the box around the origins and destinations).

    Returns
    -------
    list of Path
        Every feed whose stops' bounding box overlaps the area, in file-name order (several
        are merged: buses and trains of one city come as separate feeds).

    Raises
    ------
    DataError
        When there is no feed, or none overlaps the area.
    """
    files = find_dataset_files(DATASETS["gtfs"], settings.data_dir)
    where = "the data directory's transit/ folder"
    txc = find_dataset_files(DATASETS["txc"], settings.data_dir)
    # why: TransXChange is used only when named (it needs NaPTAN stops and may be partial)
    also = (
        f" The data directory has {len(txc)} TransXChange timetable file(s): name them with "
        "--feed FILE_OR_FOLDER (CLI) or pick them under 'Use other data' (app)."
        if txc else ""
    )
    if not files:
        raise DataError(
            f"No GTFS feed in {where}. Run `hiap data download gtfs` or pass --gtfs FILE.{also}"
        )
    found = [p for p in files if (box := _stops_box(p)) is not None and box.intersects(area)]
    if not found:
        raise DataError(
            f"No GTFS feed in {where} has stops in the area (feeds found: "
            f"{', '.join(p.name for p in files)}). Run `hiap data download gtfs` for this "
            f"region or pass --gtfs FILE.{also}"
        )
    return found


def is_transxchange(path: Path) -> bool:
    """Whether a timetable file is TransXChange: by its ``.xml`` extension, never its content."""
    return path.suffix.lower() == ".xml"


def timetable_files(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Return the timetable files behind ``paths``: a folder of TransXChange files becomes them.

    A GTFS folder (one holding ``stops.txt``) stays one entry; a folder of TransXChange
    ``.xml`` files (as TNDS ships a region: one file per service) becomes its ``.xml`` files
    in name order, so each is digested and named on its own.

    Parameters
    ----------
    paths
        GTFS zips or folders, TransXChange files or folders of them.

    Returns
    -------
    tuple of Path
        The files, in the order given.

    Raises
    ------
    DataError
        When a folder holds neither a GTFS feed nor any ``.xml`` file (the message names the
        folder, never its server path).
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / "stops.txt").is_file():
            found = sorted(p for p in path.glob("*.xml") if p.is_file())
            if not found:
                raise DataError(
                    f"{path.name}: the folder holds no GTFS feed (stops.txt) and no "
                    "TransXChange .xml file. Give a GTFS .zip/folder or TransXChange files."
                )
            out.extend(found)
        else:
            out.append(path)
    return tuple(out)


def stops_files_for(settings: Settings, paths: Sequence[Path]) -> tuple[Path, ...]:
    """Return the NaPTAN stops files that place the TransXChange stops of ``paths``.

    TransXChange lists stops by ATCO code without coordinates; the data directory's NaPTAN
    Stops CSVs (the ``naptan`` dataset) give them. GTFS needs none.

    Parameters
    ----------
    settings
        Gives the data directory.
    paths
        The timetable files (:func:`timetable_files`).

    Returns
    -------
    tuple of Path
        The NaPTAN files, or ``()`` when no timetable is TransXChange.

    Raises
    ------
    DataError
        When a timetable is TransXChange and the data directory has no NaPTAN stops file.
    """
    if not any(is_transxchange(p) for p in paths):
        return ()
    naptan = find_dataset_files(DATASETS["naptan"], settings.data_dir)
    if not naptan:
        raise DataError(
            "No NaPTAN Stops CSV under the data directory's transit/ folder: TransXChange files "
            "list stops without coordinates. " + (DATASETS["naptan"].how_to_get or "")
        )
    return tuple(naptan)


def feed_stops(feed: Feed, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Return the feed's stops as points (``stop_id``, ``stop_name``), WGS84 or ``crs``."""
    stops = feed.stops.dropna(subset=["stop_lat", "stop_lon"])
    frame = gpd.GeoDataFrame(
        stops[["stop_id", "stop_name"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]),
        crs="EPSG:4326",
    )
    return frame.to_crs(crs) if crs is not None else frame


def default_date(feed: Feed, *, today: dt.date | None = None) -> dt.date:
    """Return a Tuesday the feed's calendar covers (today's week if it does), for the date picker."""
    today = today or dt.date.today()
    if feed.calendar.empty:
        dates = pd.to_datetime(feed.calendar_dates["date"])
        if dates.empty:
            return today
        start, end = dates.min().date(), dates.max().date()
    else:
        start = pd.Timestamp(feed.calendar["start_date"].min()).date()
        end = pd.Timestamp(feed.calendar["end_date"].max()).date()
    first = today if start <= today <= end else start
    tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    return tuesday if tuesday <= end else first


def busiest_hour(feed: Feed) -> dt.time:
    """Return the start of the hour in which most trips begin (a sensible default window).

    Sample feeds may run only part of the day (r5r's Porto Alegre feed: 11:00-16:00), so a
    fixed 07:00 window could find no bus at all.
    """
    first = feed.stop_times.groupby("trip_id")["departure_s"].min()
    if first.empty:
        return dt.time(7, 0)
    hour = int((first // 3600).mode().iloc[0]) % 24
    return dt.time(hour, 0)
