"""Home points attached to the walk network, and distances from them to destinations.

Every walk indicator asks the same question: how far along the network is the nearest
destination of some kind from each home point? :class:`Homes` snaps the points once and
:func:`nearest_walk_m` answers it with one multi-source Dijkstra pass per destination set.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from hiap.indicators.walkgraph import WalkGraph

__all__ = [
    "MAX_SNAP_M",
    "Destinations",
    "Homes",
    "nearest_walk_m",
    "snap_destinations",
    "weighted_quantile",
    "weighted_share",
]

FloatArray = npt.NDArray[np.float64]

MAX_SNAP_M = 500.0
"""Destinations farther than this from any street node are taken to be off the network."""


@dataclass(frozen=True)
class Homes:
    """Home points snapped to a walk graph.

    Parameters
    ----------
    points
        The points (EPSG:27700) with a ``weight`` column summing to 1.
    node
        Nearest node of each point.
    offset_m
        Straight-line distance from each point to its node (walked as well).
    """

    points: gpd.GeoDataFrame
    node: npt.NDArray[np.int64]
    offset_m: FloatArray

    @classmethod
    def snap(cls, graph: WalkGraph, points: gpd.GeoDataFrame) -> Homes:
        """Snap ``points`` (EPSG:27700) to ``graph``."""
        geoms = points.geometry.to_numpy()
        node, dist = graph.snap(shapely.get_x(geoms), shapely.get_y(geoms))
        return cls(points, node, dist)

    @property
    def weight(self) -> FloatArray:
        """Each point's share of the homes."""
        return np.asarray(self.points["weight"], dtype=float)

    def __len__(self) -> int:
        return len(self.node)


@dataclass(frozen=True)
class Destinations:
    """Destinations attached to the network: access nodes and the walk from each to its site."""

    node: npt.NDArray[np.int64]
    offset_m: FloatArray
    dropped: int = 0


def snap_destinations(
    graph: WalkGraph,
    geoms: gpd.GeoSeries | npt.NDArray[np.object_],
    *,
    max_snap_m: float = MAX_SNAP_M,
) -> Destinations:
    """Attach destination points (or polygons, at a point on their surface) to the graph.

    Parameters
    ----------
    graph
        The walk graph.
    geoms
        Geometries in EPSG:27700; polygons are represented by a point on their surface.
    max_snap_m
        Destinations farther than this from a node are dropped (off the network's area).

    Returns
    -------
    Destinations
        Access nodes and offsets, and how many destinations were dropped.
    """
    arr = np.asarray(geoms.to_numpy() if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    if len(arr) == 0:
        return Destinations(np.empty(0, dtype=np.int64), np.empty(0))
    pts = shapely.point_on_surface(arr)
    node, dist = graph.snap(shapely.get_x(pts), shapely.get_y(pts))
    keep = dist <= max_snap_m
    return Destinations(node[keep], dist[keep], int((~keep).sum()))


def nearest_walk_m(
    graph: WalkGraph, homes: Homes, destinations: Destinations, *, limit_m: float = np.inf
) -> FloatArray:
    """Walk distance from each home point to its nearest destination (``inf`` if none)."""
    along = graph.nearest_distance(
        destinations.node, offset_m=destinations.offset_m, limit_m=limit_m
    )
    return along[homes.node] + homes.offset_m


def weighted_share(within: npt.NDArray[np.bool_], weight: FloatArray) -> float:
    """Share of homes (by weight) for which ``within`` holds."""
    total = float(weight.sum())
    return float((weight * within).sum() / total) if total > 0 else 0.0


def weighted_quantile(values: FloatArray, weight: FloatArray, q: float) -> float:
    """Return the ``q`` quantile (0-1) of ``values`` with each value weighted.

    The smallest value whose cumulative weight reaches ``q`` of the total (no interpolation,
    so a median of counts is itself a count); ``inf`` values sort last.
    """
    vals = np.asarray(values, dtype=float)
    order = np.argsort(vals, kind="stable")
    cum = np.cumsum(np.asarray(weight, dtype=float)[order])
    cum /= cum[-1]
    pos = min(int(np.searchsorted(cum, q - 1e-12)), len(vals) - 1)
    return float(vals[order][pos])
