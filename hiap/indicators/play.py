"""Play and leisure: playgrounds within 400 m and sports facilities within 800 m walk.

Distances follow Fields in Trust, *Guidance for Outdoor Sport and Play* (2015): locally equipped
play areas within about 400 m, and outdoor sport within about 1.2 km, which we tighten to the
800 m (10-minute) walk of the 20-minute neighbourhood. Facilities come from OSM
(``leisure=playground``; ``leisure=pitch|sports_centre|fitness_centre|track|swimming_pool``),
without those tagged ``access=private``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from hiap.indicators.homes import Homes, nearest_walk_m, snap_destinations, weighted_share
from hiap.indicators.walkgraph import WalkGraph

__all__ = ["homes_within_walk", "share_within_walk"]


def homes_within_walk(
    graph: WalkGraph, homes: Homes, facilities: gpd.GeoDataFrame, *, within_m: float
) -> npt.NDArray[np.bool_]:
    """Return, for each home point, whether one of ``facilities`` is within ``within_m`` walk.

    Parameters are those of :func:`share_within_walk`.
    """
    if facilities.empty:
        return np.zeros(len(homes), dtype=bool)
    dest = snap_destinations(graph, facilities.geometry)
    return np.asarray(nearest_walk_m(graph, homes, dest, limit_m=within_m) <= within_m)


def share_within_walk(
    graph: WalkGraph, homes: Homes, facilities: gpd.GeoDataFrame, *, within_m: float
) -> float:
    """Share of home points with one of ``facilities`` within ``within_m`` along the network.

    Parameters
    ----------
    graph
        Walk graph.
    homes
        Home points.
    facilities
        Points or polygons (EPSG:27700); polygons are entered at a point on their surface.
    within_m
        Walk distance in metres.

    Returns
    -------
    float
        Share of homes (0-1).
    """
    return weighted_share(
        homes_within_walk(graph, homes, facilities, within_m=within_m), homes.weight
    )
