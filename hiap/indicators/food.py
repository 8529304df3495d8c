"""Healthy food environment: takeaways near schools, fast food against fresh food.

- ``takeaways_400m_schools``: hot-food takeaways (OSM ``amenity=fast_food``) within a 400 m
  walk of a school that serves the scheme (a school within an 800 m walk of one of its homes).
  400 m is the exclusion zone English local plans apply around schools (PHE, *Using the
  planning system to promote healthy weight environments*, 2020). Plans usually draw it as a
  straight-line radius; we walk it along the network, as the indicator catalogue defines, so a
  takeaway across a railway from the school does not count. Schools mapped as grounds are
  entered at a point inside them (OSM rarely maps school gates).
- ``fast_food_to_healthy_ratio``: for each home, fast-food outlets divided by (supermarkets +
  greengrocers + markets + 1) within an 800 m walk; the scheme's value is the median over its
  homes. The ``+ 1`` keeps the ratio defined where there is no fresh-food shop at all.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from hiap.indicators.homes import Homes, snap_destinations, walk_from_m, walk_matrix_m
from hiap.indicators.walkgraph import WalkGraph

__all__ = ["fast_food_ratio", "outlets_within_walk", "takeaways_near_schools"]


def takeaways_near_schools(
    graph: WalkGraph,
    homes: Homes,
    schools: gpd.GeoDataFrame,
    takeaways: gpd.GeoDataFrame,
    *,
    within_m: float = 400.0,
    serving_m: float = 800.0,
) -> tuple[int, int]:
    """Count distinct takeaways within ``within_m`` walk of the schools serving the homes.

    Parameters
    ----------
    graph
        Walk graph.
    homes
        Home points.
    schools
        Schools (points or grounds), EPSG:27700.
    takeaways
        Fast-food outlets, EPSG:27700.
    within_m
        Walk distance from a school.
    serving_m
        A school within this walk of any home serves the scheme.

    Returns
    -------
    tuple
        Number of takeaways, number of schools serving the scheme.
    """
    if schools.empty:
        return 0, 0
    school_dest = snap_destinations(graph, schools.geometry)
    serving = walk_from_m(graph, homes.snapped, school_dest.snapped, limit_m=serving_m) <= serving_m
    if not serving.any() or takeaways.empty:
        return 0, int(serving.sum())
    shop = snap_destinations(graph, takeaways.geometry)
    serving_schools = school_dest.snapped.subset(np.flatnonzero(serving))
    near = walk_from_m(graph, serving_schools, shop.snapped, limit_m=within_m) <= within_m
    return int(near.sum()), int(serving.sum())


def outlets_within_walk(
    graph: WalkGraph, homes: Homes, outlets: gpd.GeoDataFrame, *, within_m: float
) -> npt.NDArray[np.int64]:
    """Count, for each home, the outlets within ``within_m`` walk."""
    if outlets.empty:
        return np.zeros(len(homes), dtype=np.int64)
    dest = snap_destinations(graph, outlets.geometry)
    if len(dest) == 0:
        return np.zeros(len(homes), dtype=np.int64)
    total = walk_matrix_m(graph, homes.snapped, dest.snapped, limit_m=within_m)
    return np.asarray((total <= within_m).sum(axis=1), dtype=np.int64)


def fast_food_ratio(
    graph: WalkGraph,
    homes: Homes,
    fast_food: gpd.GeoDataFrame,
    healthy: gpd.GeoDataFrame,
    *,
    within_m: float = 800.0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Fast food per (healthy outlet + 1) within ``within_m`` walk of each home.

    Returns
    -------
    tuple
        The ratio per home, and the fast-food and healthy counts per home.
    """
    ff = outlets_within_walk(graph, homes, fast_food, within_m=within_m)
    good = outlets_within_walk(graph, homes, healthy, within_m=within_m)
    return ff / (good + 1.0), ff, good
