"""Timetables for the public-transport runs: which feeds cover an area, their stops and days.

Which function to use when:

* :func:`find_gtfs_feeds` -- the data directory's GTFS feeds whose stops reach into an area.
* :func:`feed_stops` -- a feed's stops as points (for maps).
* :func:`default_date`, :func:`busiest_hour` -- sensible defaults for the date and window
  pickers (a Tuesday the feed runs; the hour most trips start).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.gtfs import Feed

__all__ = ["GET_GTFS", "busiest_hour", "default_date", "feed_stops", "find_gtfs_feeds"]

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
    if not files:
        raise DataError(
            f"No GTFS feed in {where}. Run `hiap data download gtfs` or pass --gtfs FILE."
        )
    found = [p for p in files if (box := _stops_box(p)) is not None and box.intersects(area)]
    if not found:
        raise DataError(
            f"No GTFS feed in {where} has stops in the area (feeds found: "
            f"{', '.join(p.name for p in files)}). Run `hiap data download gtfs` for this "
            "region or pass --gtfs FILE."
        )
    return found


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
