"""Walk and public-transport access from a scheme's homes to GP practices and hospitals.

Walk times are network distance at 4.8 km/h (the DfT Journey Time Statistics speed), from
each home point to the nearest facility, including the straight-line legs from the home to
the street and from the street to the facility. The scheme's figure is the median over its
home points; the 90th percentile is kept alongside.

Public-transport times come from the routing core's range-RAPTOR
(:func:`isochrones.transit.window_travel_times`): for every departure minute of the weekday
morning window (07:00-10:00, as the DfT Journey Time Statistics), the door-to-door time to
the nearest facility by walking and scheduled services, walking all the way where quicker;
each home's time is the median over the departures, and the scheme's the median over homes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from hiap.indicators.homes import Homes, nearest_walk_m, snap_destinations
from hiap.indicators.walkgraph import WalkGraph, metres_to_minutes, minutes_to_metres
from isochrones.gtfs import Feed
from isochrones.transit import DEFAULT_WINDOW, build_transit_network, window_travel_times

__all__ = ["PtAccess", "WalkAccess", "facilities_within_walk", "pt_access", "walk_access"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WalkAccess:
    """Walk minutes from each home point to the nearest facility."""

    minutes: FloatArray
    facilities_used: int
    facilities_off_network: int


def walk_access(
    graph: WalkGraph,
    homes: Homes,
    facilities: gpd.GeoDataFrame,
    *,
    limit_min: float = 120.0,
) -> WalkAccess:
    """Walk minutes from every home point to the nearest of ``facilities``.

    Parameters
    ----------
    graph
        Walk graph (EPSG:27700).
    homes
        Home points.
    facilities
        Facility points (EPSG:27700); those more than 500 m from any street node are taken to
        be outside the network's area and ignored.
    limit_min
        Stop searching beyond this many minutes (``inf`` beyond).

    Returns
    -------
    WalkAccess
        Minutes per home point and how many facilities were usable.
    """
    dest = snap_destinations(graph, facilities.geometry)
    metres = nearest_walk_m(graph, homes, dest, limit_m=minutes_to_metres(limit_min))
    return WalkAccess(np.asarray(metres_to_minutes(metres)), len(dest.node), dest.dropped)


def facilities_within_walk(
    graph: WalkGraph,
    homes: Homes,
    facilities: gpd.GeoDataFrame,
    *,
    cutoff_min: float,
) -> npt.NDArray[np.int64]:
    """Count, for each home point, the facilities within ``cutoff_min`` walk.

    Facilities farther than the cutoff in a straight line from every home are skipped
    without routing (the network is never shorter than the straight line).
    """
    cutoff_m = minutes_to_metres(cutoff_min)
    if facilities.empty:
        return np.zeros(len(homes), dtype=np.int64)
    home_hull = homes.points.geometry.union_all().convex_hull
    close = facilities[facilities.distance(home_hull) <= cutoff_m]
    dest = snap_destinations(graph, close.geometry)
    if len(dest.node) == 0:
        return np.zeros(len(homes), dtype=np.int64)
    dist = graph.distances_from(dest.node, limit_m=cutoff_m)  # (n_fac, n_nodes)
    total = dist[:, homes.node] + dest.offset_m[:, None] + homes.offset_m[None, :]
    return np.asarray((total <= cutoff_m).sum(axis=0), dtype=np.int64)


@dataclass(frozen=True)
class PtAccess:
    """Public-transport minutes (median over the window) from each home to the nearest facility."""

    minutes: FloatArray
    date: dt.date
    window: tuple[dt.time, dt.time]
    facilities_used: int


def feed_stops_near(feed: Feed, area: shapely.Geometry, *, within_m: float) -> int:
    """Count the feed's stops within ``within_m`` of ``area`` (EPSG:27700)."""
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy())
    pts = shapely.points(np.asarray(x), np.asarray(y))
    return int(shapely.dwithin(pts, area, within_m).sum())


def pt_access(
    graph: WalkGraph,
    homes: Homes,
    facilities: gpd.GeoDataFrame,
    feed: Feed,
    *,
    date: dt.date,
    window: tuple[dt.time, dt.time] = DEFAULT_WINDOW,
    step_min: float = 2.0,
    max_walk_min: float = 60.0,
    reach_m: float = 40_000.0,
) -> PtAccess:
    """Door-to-door public-transport minutes from each home to the nearest facility.

    Parameters
    ----------
    graph
        Walk network (EPSG:27700) for access, egress, transfers and walking all the way.
    homes
        Home points.
    facilities
        Destinations (EPSG:27700); those beyond ``reach_m`` of the homes are not routed to.
    feed
        GTFS timetable.
    date
        Service day.
    window
        First and last departure.
    step_min
        Minutes between departures in the window.
    max_walk_min
        Longest walk all the way.
    reach_m
        Straight-line distance beyond which facilities are ignored.

    Returns
    -------
    PtAccess
        Median minutes per home (``inf`` where nothing is reachable).
    """
    hull = shapely.convex_hull(shapely.union_all(homes.points.geometry.to_numpy()))
    near = facilities[facilities.distance(hull) <= reach_m]
    start_s = window[0].hour * 3600 + window[0].minute * 60
    end_s = window[1].hour * 3600 + window[1].minute * 60
    transit = build_transit_network(
        feed, date, walk=graph.network, time_window_s=(start_s, end_s + 3 * 3600)
    )
    origins = shapely.get_coordinates(homes.points.geometry.to_numpy())
    dest = shapely.get_coordinates(shapely.point_on_surface(near.geometry.to_numpy()))
    times = window_travel_times(
        transit, origins, dest, window=window, step_min=step_min, nearest=True,
        max_walk_min=max_walk_min, percentiles=(50,),
    )
    return PtAccess(times.travel_s[:, 0, 0] / 60.0, date, window, len(near))
