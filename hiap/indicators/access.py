"""Walk and public-transport access from a scheme's homes to GP practices and hospitals.

Walk times follow the routing core's conventions, the same as ``hiap access walk``
(:func:`hiap.access.walk.walk_access`): homes and facilities are joined to the nearest street
EDGE (``snap(to="edge")``: the straight line to the street plus the walk along it to either
end), and the time is network distance at 4.8 km/h (the DfT Journey Time Statistics speed),
computed by :func:`isochrones.access_summary.origin_access` (nearest facility) and
:func:`isochrones.travel_times.od_matrix` (facilities within a cutoff). The scheme's figure
is the median over its home points; the 90th percentile is kept alongside.

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

from hiap.indicators.homes import MAX_SNAP_M, Homes
from hiap.indicators.walkgraph import WalkGraph, minutes_to_metres
from isochrones.access_summary import origin_access
from isochrones.gtfs import Feed
from isochrones.network import WALK_SPEED_KPH, WalkNetwork
from isochrones.transit import DEFAULT_WINDOW, build_transit_network, window_travel_times
from isochrones.travel_times import count_within, od_matrix

__all__ = [
    "WALK_CONVENTION",
    "PtAccess",
    "WalkAccess",
    "facilities_within_walk",
    "pt_access",
    "walk_access",
]

FloatArray = npt.NDArray[np.float64]


WALK_CONVENTION = (
    "homes and destinations joined to the nearest street edge (the straight line to the "
    "street and the walk along it to either end counted), as in `hiap access walk`"
)
"""How the walk indicators attach points to the network, for their method sentences."""


@dataclass(frozen=True)
class WalkAccess:
    """Walk minutes from each home point to the nearest facility.

    Attributes
    ----------
    minutes
        Minutes per home point (``inf`` where none is within the limit).
    facilities_used
        Facilities within :data:`~hiap.indicators.homes.MAX_SNAP_M` of a street, routed to.
    facilities_off_network
        Facilities farther than that from every street (outside the network), left out.
    nearest
        Row position in ``facilities`` of each home's nearest facility (-1 when none).
    """

    minutes: FloatArray
    facilities_used: int
    facilities_off_network: int
    nearest: npt.NDArray[np.int64]


def _on_network(
    network: WalkNetwork, facilities: gpd.GeoDataFrame
) -> tuple[npt.NDArray[np.int64], gpd.GeoSeries]:
    """Positions and points of the facilities within ``MAX_SNAP_M`` of a street edge."""
    points = gpd.GeoSeries(
        shapely.point_on_surface(facilities.geometry.to_numpy()), crs=facilities.crs
    )
    if len(points) == 0:
        return np.empty(0, dtype=np.int64), points
    snapped = network.snap(points, to="edge")
    straight = snapped.offset_m if snapped.offset_m is not None else snapped.distance_m
    keep = np.flatnonzero(straight <= MAX_SNAP_M)
    return keep, points.iloc[keep].reset_index(drop=True)


def walk_access(
    graph: WalkGraph,
    homes: Homes,
    facilities: gpd.GeoDataFrame,
    *,
    limit_min: float = 120.0,
    speed_kph: float = WALK_SPEED_KPH,
) -> WalkAccess:
    """Walk minutes from every home point to the nearest of ``facilities``.

    Homes and facilities are joined to the nearest street edge and routed with
    :func:`isochrones.access_summary.origin_access`, as ``hiap access walk`` does.

    Parameters
    ----------
    graph
        Walk graph (EPSG:27700).
    homes
        Home points.
    facilities
        Facility points (EPSG:27700; polygons at a point on their surface); those more than
        :data:`~hiap.indicators.homes.MAX_SNAP_M` from every street are taken to be outside
        the network's area and ignored.
    limit_min
        Stop searching beyond this many minutes (``inf`` beyond).
    speed_kph
        Walking speed (DfT JTS 4.8 km/h).

    Returns
    -------
    WalkAccess
        Minutes per home point, the nearest facility of each and how many were usable.
    """
    network = graph.network
    on, points = _on_network(network, facilities)
    dropped = len(facilities) - len(on)
    if len(on) == 0:
        none = np.full(len(homes), -1, dtype=np.int64)
        return WalkAccess(np.full(len(homes), np.inf), 0, dropped, none)
    table = origin_access(
        network,
        homes.points,
        gpd.GeoDataFrame(geometry=points),
        speed_kph=speed_kph,
        cutoff_min=limit_min,
        count_reachable=False,
        snap_to="edge",
    )
    nearest = table["nearest"].to_numpy(dtype=np.int64)
    nearest = np.where(nearest >= 0, on[np.maximum(nearest, 0)], -1)
    return WalkAccess(table["time_min"].to_numpy(dtype=float), len(on), dropped, nearest)


def facilities_within_walk(
    graph: WalkGraph,
    homes: Homes,
    facilities: gpd.GeoDataFrame,
    *,
    cutoff_min: float,
    speed_kph: float = WALK_SPEED_KPH,
) -> npt.NDArray[np.int64]:
    """Count, for each home point, the facilities within ``cutoff_min`` walk.

    Points are joined to the nearest street edge and timed with
    :func:`isochrones.travel_times.od_matrix`, as :func:`walk_access`. Facilities farther
    than the cutoff in a straight line from every home are skipped without routing (the
    network is never shorter than the straight line).
    """
    cutoff_m = minutes_to_metres(cutoff_min, speed_kph=speed_kph)
    if facilities.empty:
        return np.zeros(len(homes), dtype=np.int64)
    home_hull = homes.points.geometry.union_all().convex_hull
    close = facilities[facilities.distance(home_hull) <= cutoff_m]
    network = graph.network
    _, points = _on_network(network, close)
    if len(points) == 0:
        return np.zeros(len(homes), dtype=np.int64)
    od = od_matrix(
        network,
        network.snap(homes.points, to="edge"),
        network.snap(points, to="edge"),
        speed_kph=speed_kph,
        cutoff_min=cutoff_min,
    )
    return np.asarray(count_within(od, bands_min=[cutoff_min])[:, 0], dtype=np.int64)


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
