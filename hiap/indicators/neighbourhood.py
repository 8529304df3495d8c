"""Compact, walkable neighbourhoods: density, everyday destinations, streets and buses.

- Gross density: dwellings divided by the site area (hectares), the measure planning
  documents quote; net residential density (:func:`net_density`): dwellings over the area
  of the housing parcels, where a proposal's homes layer gives parcels.
- The 20-minute neighbourhood: how many of six everyday destinations (food shop, primary
  school, pharmacy, GP, bus stop, park) lie within 800 m along the walk network, about a
  10-minute walk each way (TCPA, *The 20-minute neighbourhood*, 2021).
- Intersection density: street junctions where three or more streets meet (OSMnx's
  ``street_count``), per km² of the site buffered by 400 m, the usual walkability measure.
- Footway share: the share of the length of streets for vehicles near the site that OSM shows
  with a footway or cycleway: tagged on the street (``sidewalk=*``, ``cycleway=*``) or drawn as
  a separate footway/cycleway/path running alongside (within 12 m).
- Bus stops within 400 m walk (CIHT, *Buses in Urban Developments*, 2018) and, where a GTFS
  feed covers them, the weekday daytime departures per hour at the busiest stop within 400 m
  of each home (median over homes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.errors import DataError
from hiap.indicators.homes import (
    Destinations,
    Homes,
    nearest_walk_m,
    walk_matrix_m,
    weighted_share,
)
from hiap.indicators.walkgraph import WalkGraph
from isochrones.gtfs import Feed, active_services, expand_frequencies, trips_on_date

__all__ = [
    "EVERYDAY_CATEGORIES",
    "SERVICE_SEARCH_DAYS",
    "BusService",
    "NetDensity",
    "bus_departures_per_hour",
    "bus_stops_near",
    "everyday_destinations",
    "footway_share",
    "intersection_density",
    "net_density",
    "weekday_service_date",
]

@dataclass(frozen=True)
class NetDensity:
    """Net residential density of a homes layer of parcels.

    Parameters
    ----------
    dwellings_per_ha
        Dwellings over the parcels' area.
    dwellings
        Dwellings on the parcels.
    area_ha
        Area of the parcels (overlaps counted once), in hectares.
    parcels
        How many parcels.
    """

    dwellings_per_ha: float
    dwellings: int
    area_ha: float
    parcels: int


def net_density(homes: gpd.GeoDataFrame | None) -> NetDensity | None:
    """Return the net residential density of a homes layer, when it is made of parcels.

    Parameters
    ----------
    homes
        A proposal's ``homes`` layer in a metric CRS (EPSG:27700): features with
        ``dwellings``.

    Returns
    -------
    NetDensity or None
        ``None`` when there is no layer, no dwellings, or any feature is not a polygon (homes
        placed as points say nothing of the parcel area, so net density cannot be measured).
    """
    if homes is None or homes.empty or "dwellings" not in homes:
        return None
    if not homes.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        return None
    dwellings = int(homes["dwellings"].sum())
    area_m2 = float(shapely.union_all(shapely.make_valid(homes.geometry.to_numpy())).area)
    if dwellings <= 0 or area_m2 <= 0:
        return None
    return NetDensity(dwellings / (area_m2 / 10_000), dwellings, area_m2 / 10_000, len(homes))


EVERYDAY_CATEGORIES: tuple[str, ...] = (
    "food_shop",
    "primary_school",
    "pharmacy",
    "gp",
    "bus_stop",
    "park",
)
"""The six everyday destinations of the 20-minute neighbourhood, in display order."""

VEHICLE_STREETS = frozenset(
    {
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "trunk",
        "trunk_link",
    }
)
ALONGSIDE_M = 12.0


def everyday_destinations(
    graph: WalkGraph,
    homes: Homes,
    destinations: dict[str, Destinations],
    *,
    within_m: float = 800.0,
) -> tuple[np.ndarray, dict[str, float]]:
    """Count, for each home point, the everyday destination kinds within ``within_m`` walk.

    Parameters
    ----------
    graph
        Walk graph.
    homes
        Home points.
    destinations
        ``{category: snapped destinations}`` for the categories of
        :data:`EVERYDAY_CATEGORIES` (a missing or empty category is never reached).
    within_m
        Walk distance in metres.

    Returns
    -------
    tuple
        The count per home point (0-6) and, per category, the share of homes reaching it.
    """
    counts = np.zeros(len(homes), dtype=np.int64)
    shares: dict[str, float] = {}
    for cat in EVERYDAY_CATEGORIES:
        dest = destinations.get(cat)
        if dest is None or len(dest) == 0:
            shares[cat] = 0.0
            continue
        near = nearest_walk_m(graph, homes, dest, limit_m=within_m) <= within_m
        counts += near
        shares[cat] = weighted_share(near, homes.weight)
    return counts, shares


def intersection_density(
    graph: WalkGraph, area: BaseGeometry, *, min_streets: int = 3
) -> tuple[float, int]:
    """Junctions (``street_count >= min_streets``) per km² of ``area`` (EPSG:27700).

    Returns
    -------
    tuple
        Density per km² and the number of junctions counted.
    """
    nodes = shapely.points(graph.x_m, graph.y_m)
    shapely.prepare(area)
    inside = shapely.contains(area, nodes) & (graph.street_count >= min_streets)
    count = int(inside.sum())
    return count / (area.area / 1e6), count


def footway_share(streets: gpd.GeoDataFrame, area: BaseGeometry) -> tuple[float, float]:
    """Share of vehicle-street length in ``area`` with a footway or cycleway (see module notes).

    Returns
    -------
    tuple
        The share (0-1) and the vehicle-street length considered, in km (0 when none).
    """
    clipped = streets[streets.intersects(area)]
    roads = clipped[clipped["highway"].isin(VEHICLE_STREETS)]
    if roads.empty:
        return 0.0, 0.0
    lines = shapely.intersection(roads.geometry.to_numpy(), area)
    total = float(shapely.length(lines).sum())
    tagged = (roads["sidewalk"].to_numpy(bool)) | (roads["cycleway"].to_numpy(bool))
    paths = streets[streets["is_path"] & streets.intersects(area.buffer(ALONGSIDE_M))]
    if paths.empty:
        covered = np.zeros(len(lines))
    else:
        # Flat ends: a footway ending at a junction must not cover the next street round the corner.
        alongside = shapely.union_all(
            shapely.buffer(paths.geometry.to_numpy(), ALONGSIDE_M, cap_style="flat")
        )
        covered = shapely.length(shapely.intersection(lines, alongside))
    length = np.where(tagged, shapely.length(lines), covered)
    return float(length.sum() / total) if total > 0 else 0.0, total / 1000.0


def bus_stops_near(
    graph: WalkGraph, homes: Homes, stops: Destinations, *, within_m: float = 400.0
) -> float:
    """Share of home points with a bus stop within ``within_m`` walk."""
    return weighted_share(stops_within(graph, homes, stops, within_m=within_m), homes.weight)


def stops_within(
    graph: WalkGraph, homes: Homes, stops: Destinations, *, within_m: float = 400.0
) -> npt.NDArray[np.bool_]:
    """Return, for each home point, whether a bus stop is within ``within_m`` walk."""
    if len(stops) == 0:
        return np.zeros(len(homes), dtype=bool)
    return np.asarray(nearest_walk_m(graph, homes, stops, limit_m=within_m) <= within_m)


@dataclass(frozen=True)
class BusService:
    """Departures per hour at the busiest stop within reach of each home."""

    per_hour: npt.NDArray[np.float64]
    stops: int
    date: dt.date
    window: tuple[int, int]


def bus_departures_per_hour(
    feed: Feed,
    graph: WalkGraph,
    homes: Homes,
    *,
    within_m: float = 400.0,
    date: dt.date | None = None,
    start_hour: int = 7,
    end_hour: int = 19,
) -> BusService | None:
    """Departures per hour, all routes, at the busiest stop within ``within_m`` of each home.

    Parameters
    ----------
    feed
        A GTFS feed (:class:`isochrones.gtfs.Feed`); frequency-based trips are expanded.
    graph, homes
        Walk graph and home points.
    within_m
        Walk distance from a home to a stop.
    date
        Service day; by default the first Tuesday on or after the feed's calendar start.
    start_hour, end_hour
        The daytime window averaged over.

    Returns
    -------
    BusService or None
        ``None`` when no stop of the feed lies within ``within_m`` of any home.
    """
    stops = feed.stops
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy())
    pts = shapely.points(np.asarray(x), np.asarray(y))
    hull = shapely.convex_hull(shapely.union_all(homes.points.geometry.to_numpy()))
    close = np.flatnonzero(shapely.dwithin(pts, hull, within_m))
    if len(close) == 0:
        return None
    stop_points = graph.network.snap(
        np.column_stack([np.asarray(x)[close], np.asarray(y)[close]]), to="edge"
    )
    reach = walk_matrix_m(graph, stop_points, homes.snapped, limit_m=within_m) <= within_m  # (stops, homes)
    if not reach.any():
        return None
    used = reach.any(axis=1)
    expanded = expand_frequencies(feed) if len(feed.frequencies) else feed
    day = date or weekday_service_date(expanded)
    running = trips_on_date(expanded, day)
    ids = stops["stop_id"].to_numpy()[close]
    st = expanded.stop_times
    st = st[st["stop_id"].isin(set(ids[used]))].merge(running, on="trip_id")
    dep = st["departure_s"] + st["offset_s"]
    in_window = (dep >= start_hour * 3600) & (dep < end_hour * 3600)
    per_stop = st.loc[in_window].groupby("stop_id")["trip_id"].nunique()
    rate = per_stop.reindex(ids).fillna(0).to_numpy(float) / (end_hour - start_hour)
    best = np.where(reach, rate[:, None], 0.0).max(axis=0)
    return BusService(best, int(used.sum()), day, (start_hour, end_hour))


SERVICE_SEARCH_DAYS = 371
"""Days of a feed's calendar searched for its busiest weekday (a year and a week)."""


def weekday_service_date(feed: Feed) -> dt.date:
    """Return the weekday on which the feed runs the most trips (the earliest such day).

    The days searched are the feed's own calendar range (``calendar.txt`` start to end dates
    and the ``calendar_dates.txt`` dates), from its first day for up to
    :data:`SERVICE_SEARCH_DAYS`; Monday to Friday only. The answer depends on the feed alone,
    never on the day it is run, and avoids days with reduced service (bank holidays removed
    in ``calendar_dates.txt``, a calendar that has not started yet).

    Parameters
    ----------
    feed
        A validated feed.

    Returns
    -------
    datetime.date
        The service date.

    Raises
    ------
    DataError
        When the feed runs no trip on any weekday of its calendar.
    """
    days = pd.concat(
        [feed.calendar["start_date"], feed.calendar["end_date"], feed.calendar_dates["date"]],
        ignore_index=True,
    ).dropna()
    if days.empty:
        raise DataError(f"The feed {feed.source} has no calendar: no trip can be given a date.")
    first = pd.Timestamp(days.min()).date()
    last = min(pd.Timestamp(days.max()).date(), first + dt.timedelta(days=SERVICE_SEARCH_DAYS - 1))
    per_service = feed.trips.groupby("service_id").size()
    best: tuple[int, dt.date] | None = None
    day = first
    while day <= last:
        if day.weekday() < 5:
            running = int(per_service.reindex(list(active_services(feed, day))).fillna(0).sum())
            if running > 0 and (best is None or running > best[0]):
                best = (running, day)
        day += dt.timedelta(days=1)
    if best is None:
        raise DataError(
            f"The feed {feed.source} runs no trip on any weekday between {first} and {last}; "
            "use a feed with weekday services."
        )
    return best[1]
