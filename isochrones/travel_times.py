"""Walking travel times on a :class:`~isochrones.network.WalkNetwork`.

Which function to use when:

* :func:`nearest_destination` -- time from *every* node to its nearest destination and which
  one it is, in one multi-source Dijkstra pass (the county-wide "nearest GP" surface). Read
  origins off it with :meth:`NearestDestination.for_points`.
* :func:`time_from_sources` -- the mirror image: time from the nearest of some sources to every
  node (isochrones from one or many origins).
* :func:`od_matrix` -- door-to-door times between every origin and every destination, with
  :func:`k_nearest` and :func:`count_within` (the DfT Journey Time Statistics origin
  indicators: services reachable within 15/30/45/60 minutes) computed from it.

Every time is door to door: the straight-line snap distance of the origin and of the
destination is walked at the same speed as the network. Distances are routed in metres and
divided by the speed once, so a time is exactly ``(snap_o + path + snap_d) / speed``. Routing
towards destinations runs on the reversed graph, so one-way edges are respected even though
walking graphs are symmetric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from isochrones.errors import RoutingInputError
from isochrones.network import WALK_SPEED_KPH, Snapped, WalkNetwork, kph_to_mps

__all__ = [
    "JTS_BANDS_MIN",
    "NearestDestination",
    "count_within",
    "k_nearest",
    "nearest_destination",
    "od_matrix",
    "time_from_sources",
]

JTS_BANDS_MIN: tuple[int, ...] = (15, 30, 45, 60)
"""Time bands of the DfT Journey Time Statistics origin indicators, in minutes."""

Points: TypeAlias = gpd.GeoSeries | gpd.GeoDataFrame | np.ndarray | Snapped
"""Anything that can be routed from: points in the network CRS, xy arrays, snapped points."""


def _as_snapped(network: WalkNetwork, points: Points) -> Snapped:
    if isinstance(points, Snapped):
        for nodes, _ in points.attachments():
            if len(nodes) and (nodes.min() < 0 or nodes.max() >= network.n_nodes):
                raise RoutingInputError("Snapped points refer to nodes outside this network.")
        return points
    return network.snap(points)


def _limit_m(cutoff_min: float | None, speed_mps: float) -> float:
    if cutoff_min is None:
        return np.inf
    if not cutoff_min > 0:
        raise RoutingInputError(f"cutoff_min must be positive, got {cutoff_min!r}.")
    return float(cutoff_min) * 60.0 * speed_mps


def _with_virtual_sources(csr: sp.csr_matrix, snapped: Snapped) -> sp.csr_matrix:
    """Append one virtual node per point, linked to its attachment node(s) by their offsets.

    Dijkstra from the virtual nodes then starts each point at its offsets exactly, and the
    ``sources`` array scipy returns names the point itself, not just its node.
    """
    n = csr.shape[0]
    k = len(snapped.node_index)
    pairs = snapped.attachments()
    cols = np.column_stack([nodes for nodes, _ in pairs]).astype(np.int64)
    offs = np.column_stack([off for _, off in pairs]).astype(np.float64)
    if cols.shape[1] == 2:
        # An edge snapped at a self-loop has one end twice: keep the shorter offset only.
        same = cols[:, 0] == cols[:, 1]
        offs[same, 0] = np.minimum(offs[same, 0], offs[same, 1])
        offs[same, 1] = np.inf
    keep = np.isfinite(offs)
    counts = keep.sum(axis=1)
    indptr = np.concatenate([csr.indptr, csr.indptr[-1] + np.cumsum(counts)])
    indices = np.concatenate([csr.indices, cols[keep].astype(csr.indices.dtype)])
    data = np.concatenate([csr.data, offs[keep]])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def _multi_source(
    csr: sp.csr_matrix, snapped: Snapped, limit_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (distance in metres, source index or -1) for every node, nearest source first."""
    nodes = snapped.node_index
    if len(nodes) == 0:
        raise RoutingInputError("No sources or destinations were given.")
    n = csr.shape[0]
    graph = _with_virtual_sources(csr, snapped)
    dist, _, src = dijkstra(
        graph,
        directed=True,
        indices=np.arange(n, n + len(nodes)),
        min_only=True,
        return_predecessors=True,
        limit=limit_m,
    )
    dist = dist[:n]
    src = src[:n].astype(np.int64)
    src = np.where(src >= 0, src - n, -1)
    return dist, src


@dataclass(frozen=True)
class NearestDestination:
    """Walking time from every network node to its nearest destination.

    Attributes
    ----------
    time_s
        Seconds from each node (by position) to its nearest destination, including that
        destination's snap distance; ``inf`` beyond the cutoff.
    destination
        Index (in the order given) of that destination; -1 where none is within the cutoff.
    speed_mps
        Walking speed used, metres per second.
    cutoff_s
        The cutoff in seconds (``inf`` when none).
    """

    time_s: np.ndarray
    destination: np.ndarray
    speed_mps: float
    cutoff_s: float

    def for_points(self, snapped: Snapped) -> tuple[np.ndarray, np.ndarray]:
        """Door-to-door time of snapped origins to their nearest destination.

        Parameters
        ----------
        snapped
            Origins snapped to the same network.

        Returns
        -------
        tuple of numpy.ndarray
            Seconds (origin snap distance included; ``inf`` beyond the cutoff) and the
            destination index (-1 when none is reachable).
        """
        time_s = np.full(len(snapped.node_index), np.inf)
        dest = np.full(len(snapped.node_index), -1, dtype=np.int64)
        for nodes, offsets in snapped.attachments():
            candidate = self.time_s[nodes] + offsets / self.speed_mps
            better = candidate < time_s
            time_s = np.where(better, candidate, time_s)
            dest = np.where(better, self.destination[nodes], dest)
        over = time_s > self.cutoff_s
        time_s = np.where(over, np.inf, time_s)
        dest[over | ~np.isfinite(time_s)] = -1
        return time_s, dest


def nearest_destination(
    network: WalkNetwork,
    destinations: Points,
    *,
    speed_kph: float = WALK_SPEED_KPH,
    cutoff_min: float | None = None,
) -> NearestDestination:
    """Time from every node to its nearest destination, in one multi-source Dijkstra pass.

    Parameters
    ----------
    network
        The walk network.
    destinations
        Destination points (GeoSeries/GeoDataFrame in the network CRS, ``(n, 2)`` array) or
        already :class:`~isochrones.network.Snapped` ones.
    speed_kph
        Walking speed (DfT JTS: 4.8 km/h).
    cutoff_min
        Stop searching beyond this many minutes (``None``: whole network).

    Returns
    -------
    NearestDestination
        Per-node seconds and destination index.

    Examples
    --------
    >>> import numpy as np, pyproj
    >>> from isochrones import WalkNetwork, nearest_destination
    >>> net = WalkNetwork.from_arrays(  # three corners 80 m apart: a minute at 4.8 km/h
    ...     node_ids=[1, 2, 3], x=[0, 80, 160], y=[0, 0, 0], crs=pyproj.CRS("EPSG:27700"),
    ...     edge_u=[0, 1, 1, 2], edge_v=[1, 0, 2, 1], edge_length_m=[80, 80, 80, 80])
    >>> gp = nearest_destination(net, np.array([[160.0, 0.0]]))  # one GP, at the far end
    >>> gp.time_s  # seconds from each node
    array([120.,  60.,   0.])
    >>> gp.for_points(net.snap(np.array([[0.0, 0.0]])))  # seconds and which GP, per point
    (array([120.]), array([0]))
    """
    speed = kph_to_mps(speed_kph)
    snapped = _as_snapped(network, destinations)
    limit = _limit_m(cutoff_min, speed)
    dist, src = _multi_source(network.reverse_length_csr, snapped, limit)
    cutoff_s = np.inf if cutoff_min is None else float(cutoff_min) * 60.0
    return NearestDestination(
        time_s=dist / speed, destination=src, speed_mps=speed, cutoff_s=cutoff_s
    )


def time_from_sources(
    network: WalkNetwork,
    sources: Points,
    *,
    speed_kph: float = WALK_SPEED_KPH,
    cutoff_min: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Time from the nearest of the sources to every node (forward direction).

    Parameters
    ----------
    network
        The walk network.
    sources
        Origin points, or already snapped ones; their snap distance is walked first.
    speed_kph
        Walking speed.
    cutoff_min
        Search limit in minutes (``None``: whole network).

    Returns
    -------
    tuple of numpy.ndarray
        Seconds to each node (``inf`` beyond the cutoff) and the index of the source that
        reaches it first (-1 if none).
    """
    speed = kph_to_mps(speed_kph)
    snapped = _as_snapped(network, sources)
    dist, src = _multi_source(network.length_csr, snapped, _limit_m(cutoff_min, speed))
    return dist / speed, src


def od_matrix(
    network: WalkNetwork,
    origins: Points,
    destinations: Points,
    *,
    speed_kph: float = WALK_SPEED_KPH,
    cutoff_min: float | None = None,
    block_size: int = 64,
) -> np.ndarray:
    """Door-to-door walking times between every origin and every destination.

    One single-source search per destination on the reversed graph (in blocks, so memory stays
    ``block_size x n_nodes``), read at the origins' nodes.

    Parameters
    ----------
    network
        The walk network.
    origins, destinations
        Points (or snapped points).
    speed_kph
        Walking speed.
    cutoff_min
        Times above this many minutes are ``inf``.
    block_size
        Destinations routed per scipy call.

    Returns
    -------
    numpy.ndarray
        ``(n_origins, n_destinations)`` seconds, ``inf`` where beyond the cutoff.

    Examples
    --------
    >>> import numpy as np, pyproj
    >>> from isochrones import WalkNetwork, od_matrix
    >>> net = WalkNetwork.from_arrays(  # three corners 80 m apart: a minute at 4.8 km/h
    ...     node_ids=[1, 2, 3], x=[0, 80, 160], y=[0, 0, 0], crs=pyproj.CRS("EPSG:27700"),
    ...     edge_u=[0, 1, 1, 2], edge_v=[1, 0, 2, 1], edge_length_m=[80, 80, 80, 80])
    >>> od_matrix(net, np.array([[0.0, 0.0]]), np.array([[160.0, 0.0], [80.0, 0.0]]))
    array([[120.,  60.]])
    >>> od_matrix(net, np.array([[0.0, 0.0]]), np.array([[160.0, 0.0]]), cutoff_min=1)
    array([[inf]])
    """
    speed = kph_to_mps(speed_kph)
    orig = _as_snapped(network, origins)
    dest = _as_snapped(network, destinations)
    limit = _limit_m(cutoff_min, speed)
    n = network.n_nodes
    # Destinations become virtual nodes (their snap offsets on the links), origins are read at
    # their attachment nodes plus their own offsets.
    graph = _with_virtual_sources(network.reverse_length_csr, dest)
    out = np.full((len(orig.node_index), len(dest.node_index)), np.inf)
    for start in range(0, len(dest.node_index), block_size):
        stop = min(start + block_size, len(dest.node_index))
        block = dijkstra(graph, directed=True, indices=np.arange(n + start, n + stop), limit=limit)
        metres = np.full((len(orig.node_index), stop - start), np.inf)
        for nodes, offsets in orig.attachments():
            metres = np.minimum(metres, block[:, nodes].T + offsets[:, None])
        out[:, start:stop] = metres / speed
    if cutoff_min is not None:
        out[out > cutoff_min * 60.0] = np.inf
    return out


def k_nearest(times_s: np.ndarray, *, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick the k quickest destinations of each origin from an origin-destination matrix.

    Parameters
    ----------
    times_s
        ``(n_origins, n_destinations)`` seconds, as from :func:`od_matrix`.
    k
        How many destinations to keep (at most the number of destinations).

    Returns
    -------
    tuple of numpy.ndarray
        ``(n_origins, k)`` seconds (ascending, ``inf`` padding) and destination indices
        (-1 where unreachable).
    """
    if k < 1:
        raise RoutingInputError(f"k must be at least 1, got {k}.")
    k = min(k, times_s.shape[1])
    idx = np.argsort(times_s, axis=1, kind="stable")[:, :k]
    t = np.take_along_axis(times_s, idx, axis=1)
    idx = np.where(np.isfinite(t), idx, -1)
    return t, idx


def count_within(times_s: np.ndarray, *, bands_min: Sequence[float] = JTS_BANDS_MIN) -> np.ndarray:
    """Count the destinations each origin reaches within each time band.

    Parameters
    ----------
    times_s
        ``(n_origins, n_destinations)`` seconds, as from :func:`od_matrix`.
    bands_min
        Band limits in minutes (inclusive).

    Returns
    -------
    numpy.ndarray
        ``(n_origins, n_bands)`` integer counts.
    """
    limits = np.asarray(bands_min, dtype=np.float64) * 60.0
    return (times_s[:, :, None] <= limits[None, None, :]).sum(axis=1)
