"""Walk access from a scheme's homes to GP practices and hospitals.

Walk times are network distance at 4.8 km/h (the DfT Journey Time Statistics speed), from
each home point to the nearest facility, including the straight-line legs from the home to
the street and from the street to the facility. The scheme's figure is the median over its
home points; the 90th percentile is kept alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from hiap.indicators.homes import Homes, nearest_walk_m, snap_destinations
from hiap.indicators.walkgraph import WalkGraph, metres_to_minutes, minutes_to_metres

__all__ = ["WalkAccess", "facilities_within_walk", "walk_access"]

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
