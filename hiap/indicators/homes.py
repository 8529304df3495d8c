"""Home points attached to the walk network, and walk distances from them to destinations.

Every walk indicator asks the same question: how far along the network is the nearest
destination of some kind from each home point? Points join the network by the one rule of
:mod:`hiap.access`: the nearest street *edge* (the straight line to it and the walk along it
to either end). :class:`Homes` and :class:`Destinations` hold the snapped points;
:func:`nearest_walk_m` answers the question with one multi-source pass of the routing core
(:func:`isochrones.nearest_destination`), :func:`walk_matrix_m` gives every pair
(:func:`isochrones.od_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from hiap.indicators.walkgraph import WalkGraph
from isochrones import Snapped, nearest_destination, od_matrix
from isochrones.network import WALK_SPEED_KPH, kph_to_mps

__all__ = [
    "MAX_SNAP_M",
    "Destinations",
    "Homes",
    "nearest_walk_m",
    "snap_destinations",
    "walk_from_m",
    "walk_matrix_m",
    "weighted_quantile",
    "weighted_share",
]

FloatArray = npt.NDArray[np.float64]

MAX_SNAP_M = 500.0
"""Destinations farther than this from any street node are taken to be off the network."""


@dataclass(frozen=True)
class Homes:
    """Home points joined to the nearest street edge of a walk graph.

    Parameters
    ----------
    points
        The points (EPSG:27700) with a ``weight`` column summing to 1.
    snapped
        Their attachment to the network (edge snapping).
    """

    points: gpd.GeoDataFrame
    snapped: Snapped

    @classmethod
    def snap(cls, graph: WalkGraph, points: gpd.GeoDataFrame) -> Homes:
        """Join ``points`` (EPSG:27700) to the nearest street edge of ``graph``."""
        return cls(points, graph.network.snap(points, to="edge"))

    @property
    def offset_m(self) -> FloatArray:
        """Straight-line distance from each point to its street."""
        return _straight_m(self.snapped)

    @property
    def weight(self) -> FloatArray:
        """Each point's share of the homes."""
        return np.asarray(self.points["weight"], dtype=float)

    def __len__(self) -> int:
        return len(self.snapped.node_index)


def _straight_m(snapped: Snapped) -> FloatArray:
    return np.asarray(
        snapped.offset_m if snapped.offset_m is not None else snapped.distance_m, dtype=float
    )


@dataclass(frozen=True)
class Destinations:
    """Destinations joined to the network, and how many were too far from any street."""

    snapped: Snapped
    dropped: int = 0

    def __len__(self) -> int:
        return len(self.snapped.node_index)

    @classmethod
    def at_nodes(cls, graph: WalkGraph, nodes: npt.NDArray[np.int64], offset_m: FloatArray) -> Destinations:
        """Destinations reached at given nodes, each with a walk of ``offset_m`` beyond it."""
        nodes = np.asarray(nodes, dtype=np.int64)
        return cls(Snapped(node_index=nodes, node_id=graph.network.node_ids[nodes],
                           distance_m=np.asarray(offset_m, dtype=float)))


def snap_destinations(
    graph: WalkGraph,
    geoms: gpd.GeoSeries | npt.NDArray[np.object_],
    *,
    max_snap_m: float = MAX_SNAP_M,
) -> Destinations:
    """Join destination points (or polygons, at a point on their surface) to the nearest edge.

    Parameters
    ----------
    graph
        The walk graph.
    geoms
        Geometries in EPSG:27700; polygons are represented by a point on their surface.
    max_snap_m
        Destinations farther than this from every street are dropped (off the network's area).

    Returns
    -------
    Destinations
        The snapped destinations, and how many were dropped.
    """
    arr = np.asarray(geoms.to_numpy() if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    if len(arr) == 0:
        return Destinations.at_nodes(graph, np.empty(0, dtype=np.int64), np.empty(0))
    pts = shapely.point_on_surface(arr)
    snapped = graph.network.snap(np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]), to="edge")
    keep = np.flatnonzero(_straight_m(snapped) <= max_snap_m)
    return Destinations(snapped.subset(keep), int(len(arr) - len(keep)))


def _cutoff_min(limit_m: float) -> float | None:
    return None if not np.isfinite(limit_m) else limit_m / kph_to_mps(WALK_SPEED_KPH) / 60.0


def walk_from_m(
    graph: WalkGraph, sources: Snapped, targets: Snapped, *, limit_m: float = np.inf
) -> FloatArray:
    """Walk distance to each target from the nearest of ``sources`` (``inf`` beyond the limit).

    Walking is the same both ways on a walk network, so this is also each target's distance
    to its nearest source.
    """
    if len(targets.node_index) == 0:
        return np.empty(0)
    if len(sources.node_index) == 0:
        return np.full(len(targets.node_index), np.inf)
    nearest = nearest_destination(graph.network, sources, cutoff_min=_cutoff_min(limit_m))
    time_s, _ = nearest.for_points(targets)
    metres = time_s * kph_to_mps(WALK_SPEED_KPH)
    return np.where(metres <= limit_m * (1 + 1e-9), metres, np.inf)


def walk_matrix_m(
    graph: WalkGraph, origins: Snapped, destinations: Snapped, *, limit_m: float = np.inf
) -> FloatArray:
    """Walk distance between every origin and destination, ``(origins, destinations)``."""
    if len(origins.node_index) == 0 or len(destinations.node_index) == 0:
        return np.full((len(origins.node_index), len(destinations.node_index)), np.inf)
    seconds = od_matrix(graph.network, origins, destinations, cutoff_min=_cutoff_min(limit_m))
    metres = seconds * kph_to_mps(WALK_SPEED_KPH)
    return np.where(metres <= limit_m * (1 + 1e-9), metres, np.inf)


def nearest_walk_m(
    graph: WalkGraph, homes: Homes, destinations: Destinations, *, limit_m: float = np.inf
) -> FloatArray:
    """Walk distance from each home point to its nearest destination (``inf`` if none)."""
    return walk_from_m(graph, destinations.snapped, homes.snapped, limit_m=limit_m)


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
