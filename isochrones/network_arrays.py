"""Build a :class:`~isochrones.network.WalkNetwork` straight from an OSM extract, on arrays.

:func:`build_walk_network` is the fast path from a ``.osm.pbf``/``.osm`` file to the routing
arrays: pyosmium reads the walkable ways (:func:`isochrones.osm_reader.read_walk_ways`, the
same walk filter as everywhere), the largest connected component is kept
(:func:`isochrones.network.walk_segments`, shared with :func:`~isochrones.network.build_walk_graph`),
and degree-2 chains are collapsed here, on arrays, by the rules of ``osmnx.simplify_graph``
(OSMnx 2): a node is kept when it has a self-loop or does not have exactly two distinct
neighbours joined by one way segment each; every chain between kept nodes becomes one edge
whose length is the sum of its segments' great-circle lengths (added in path order, as OSMnx
does) and whose geometry runs through the chain's nodes. No networkx graph is built, which is
what made county- and national-scale builds slow and memory-hungry.

The result matches :func:`~isochrones.network.build_walk_graph` followed by
:meth:`WalkNetwork.from_graph` (same node set, same edges and lengths; tested on real
extracts). Use :func:`build_walk_graph` when an OSMnx/networkx graph is wanted for its own sake.

Built networks are cached as one ``.npz`` of arrays under a hash of the extract and options;
a reload rebuilds the immutable network from them without touching the extract. The cache
also holds :attr:`WalkNetwork.is_symmetric <isochrones.network.WalkNetwork.is_symmetric>`,
computed once when the network is built, so a reload need not compare the length matrix with
its transpose again.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pyproj
from shapely.geometry.base import BaseGeometry

from isochrones import cache
from isochrones.network import BNG_CRS, WalkNetwork, WalkSegments, walk_segments
from isochrones.osm_reader import (
    DEFAULT_WALK_FILTER,
    WalkFilter,
    read_walk_ways,
)

__all__ = ["SimplifiedArrays", "build_walk_network", "simplify_segments"]

logger = logging.getLogger(__name__)

_CACHE_FORMAT = 3  # bump when the cached arrays change meaning (2: symmetry flag; 3: walkways)


@numba.njit(cache=True)
def _simplify(n_nodes, seg_u, seg_v, seg_len):  # pragma: no cover - compiled
    m = seg_u.shape[0]
    # Undirected adjacency: every segment is walked both ways.
    deg = np.zeros(n_nodes + 1, dtype=np.int64)
    for i in range(m):
        deg[seg_u[i] + 1] += 1
        deg[seg_v[i] + 1] += 1
    ptr = np.cumsum(deg)
    fill = ptr[:-1].copy()
    nbr = np.empty(2 * m, dtype=np.int64)
    seg = np.empty(2 * m, dtype=np.int64)
    for i in range(m):
        a = seg_u[i]
        b = seg_v[i]
        nbr[fill[a]] = b
        seg[fill[a]] = i
        fill[a] += 1
        nbr[fill[b]] = a
        seg[fill[b]] = i
        fill[b] += 1
    used = np.zeros(n_nodes, dtype=np.bool_)
    endpoint = np.zeros(n_nodes, dtype=np.bool_)
    for x in range(n_nodes):
        lo = ptr[x]
        hi = ptr[x + 1]
        if hi == lo:
            continue
        used[x] = True
        # OSMnx: an endpoint self-loops, or lacks exactly two neighbours with degree 2 or 4
        # (in + out); with both directions of every segment, that is two segments to two
        # distinct neighbours.
        if hi - lo != 2 or nbr[lo] == nbr[lo + 1] or nbr[lo] == x or nbr[lo + 1] == x:
            endpoint[x] = True
    # Each directed edge out of an endpoint: either to an endpoint (kept as it is) or into a
    # chain of interior nodes, followed to the next endpoint.
    n_out = 0
    for x in range(n_nodes):
        if endpoint[x]:
            n_out += ptr[x + 1] - ptr[x]
    e_u = np.empty(n_out, dtype=np.int64)
    e_v = np.empty(n_out, dtype=np.int64)
    e_len = np.empty(n_out, dtype=np.float64)
    e_seg = np.full(n_out, -1, dtype=np.int64)
    chain_ptr = np.zeros(n_out + 1, dtype=np.int64)
    chain = np.empty(2 * m + n_out, dtype=np.int64)
    n_chain = 0
    k = 0
    for x in range(n_nodes):
        if not endpoint[x]:
            continue
        for q in range(ptr[x], ptr[x + 1]):
            s = nbr[q]
            e_u[k] = x
            if endpoint[s]:
                e_v[k] = s
                e_len[k] = seg_len[seg[q]]
                e_seg[k] = seg[q]
            else:
                chain[n_chain] = x
                n_chain += 1
                total = seg_len[seg[q]]
                prev = x
                cur = s
                while not endpoint[cur]:
                    chain[n_chain] = cur
                    n_chain += 1
                    lo = ptr[cur]
                    nxt_q = lo if nbr[lo] != prev else lo + 1
                    total += seg_len[seg[nxt_q]]
                    prev = cur
                    cur = nbr[nxt_q]
                chain[n_chain] = cur
                n_chain += 1
                e_v[k] = cur
                e_len[k] = total
            chain_ptr[k + 1] = n_chain
            k += 1
    return used, endpoint, e_u, e_v, e_len, e_seg, chain_ptr, chain[:n_chain]


class SimplifiedArrays:
    """Degree-2 chains of a segment list collapsed (see :func:`simplify_segments`).

    Attributes
    ----------
    keep
        Boolean mask over the input nodes: the nodes left after simplification.
    edge_u, edge_v
        Input node positions at both ends of every directed edge.
    edge_length_m
        Length of every edge (sum of its segments).
    edge_segment
        The input segment of an unmerged edge, -1 for a merged chain.
    chain_ptr, chain_nodes
        Nodes along merged edge ``e``: ``chain_nodes[chain_ptr[e]:chain_ptr[e+1]]`` (empty
        for unmerged edges).
    """

    def __init__(self, parts: tuple[np.ndarray, ...]) -> None:
        used, endpoint, e_u, e_v, e_len, e_seg, chain_ptr, chain = parts
        self.keep = used & endpoint
        self.edge_u, self.edge_v, self.edge_length_m, self.edge_segment = e_u, e_v, e_len, e_seg
        self.chain_ptr, self.chain_nodes = chain_ptr, chain


def simplify_segments(
    n_nodes: int, seg_u: np.ndarray, seg_v: np.ndarray, seg_length_m: np.ndarray
) -> SimplifiedArrays:
    """Collapse degree-2 chains of an undirected segment list, as ``osmnx.simplify_graph``.

    Parameters
    ----------
    n_nodes
        Number of nodes (segment ends are positions ``0..n_nodes-1``).
    seg_u, seg_v
        Ends of every way segment; each is walkable both ways.
    seg_length_m
        Length of every segment.

    Returns
    -------
    SimplifiedArrays
        Kept nodes and directed edges (both directions of everything), merged lengths and
        the chain of nodes each merged edge runs through.
    """
    return SimplifiedArrays(
        _simplify(
            int(n_nodes),
            np.asarray(seg_u, dtype=np.int64),
            np.asarray(seg_v, dtype=np.int64),
            np.asarray(seg_length_m, dtype=np.float64),
        )
    )


def _network_from_cache(data: dict[str, np.ndarray], crs: pyproj.CRS) -> WalkNetwork:
    # Merged edges keep their chain's coordinates; WalkNetwork draws the LineStrings on first
    # use (edge snapping, polygons), so a build or reload that only routes never pays for it.
    # The symmetry flag was computed from these very arrays when they were built; a file
    # without it is computed on first use.
    stored = data.get("symmetric")
    return WalkNetwork.from_arrays(
        node_ids=data["node_ids"],
        x=data["x"],
        y=data["y"],
        crs=crs,
        edge_u=data["edge_u"],
        edge_v=data["edge_v"],
        edge_length_m=data["edge_length_m"],
        edge_shapes=(data["chain_ptr"], data["chain_xy"]),
        edge_avoided=data.get("edge_avoided"),
        edge_walkway=data.get("edge_walkway"),
        symmetric=None if stored is None else bool(stored),
    )


def _save_network(file: Path, data: dict[str, np.ndarray], net: WalkNetwork) -> None:
    """Write a network's arrays, and its symmetry flag computed once here, atomically."""
    # why: a reload then need not compare the length matrix with its transpose again
    stored: dict[str, Any] = {**data, "symmetric": np.array(net.is_symmetric)}
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp.npz")
    np.savez(tmp, **stored)
    tmp.replace(file)


def _load_network(file: Path, crs: pyproj.CRS) -> WalkNetwork:
    """Read a network written by :func:`_save_network`."""
    with np.load(file) as npz:
        return _network_from_cache(dict(npz), crs)


def _edge_any(
    way_flag: np.ndarray, segs: WalkSegments, simple: SimplifiedArrays, n_nodes: int
) -> np.ndarray:
    """Flag the edges along which any way is flagged, as ``WalkNetwork.from_graph`` does.

    A merged edge is flagged when any way along it is (as a simplified graph edge whose
    ``highway`` list holds a trunk road is avoided, or one holding a footway is a walkway);
    its segments all touch one of its interior nodes, which belong to no other edge.
    """
    if len(way_flag) == 0:
        return np.zeros(len(simple.edge_u), dtype=bool)
    seg_avoided = way_flag[segs.way]
    touches = np.zeros(n_nodes, dtype=bool)
    touches[segs.pos_u[seg_avoided]] = True
    touches[segs.pos_v[seg_avoided]] = True
    out = np.zeros(len(simple.edge_u), dtype=bool)
    single = simple.edge_segment >= 0
    out[single] = seg_avoided[simple.edge_segment[single]]
    ptr = simple.chain_ptr
    counts = np.diff(ptr)
    merged = np.flatnonzero(counts > 0)
    if len(merged):
        flag = touches[simple.chain_nodes].astype(np.int64)
        starts, ends = ptr[merged], ptr[merged + 1] - 1
        flag[starts] = 0  # the chain's end nodes are junctions shared with other edges
        flag[ends] = 0
        out[merged] = np.add.reduceat(flag, starts) > 0
    return out


def build_walk_network(
    osm_path: str | Path,
    *,
    area: BaseGeometry | None = None,
    area_crs: str = BNG_CRS,
    margin_m: float = 0.0,
    to_crs: str = BNG_CRS,
    walk_filter: WalkFilter = DEFAULT_WALK_FILTER,
    cache_dir: str | Path | None = None,
) -> WalkNetwork:
    """Build (or reload from cache) the walking network of an OSM extract, without networkx.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf`` or ``.osm`` extract.
    area, area_crs, margin_m
        Optional clip, as :func:`~isochrones.network.build_walk_graph`.
    to_crs
        Projected CRS of the network (British National Grid by default).
    walk_filter
        Rule set of :func:`isochrones.osm_reader.keeps_for_walking` (``"uk"`` by default).
    cache_dir
        Folder for the array cache; ``None`` disables caching.

    Returns
    -------
    WalkNetwork
        The same network as ``WalkNetwork.from_graph(build_walk_graph(...))``.

    Raises
    ------
    OsmFileError
        When the extract is missing or unreadable.
    EmptyNetworkError
        When no walkable way is left.
    RoutingInputError
        When ``to_crs`` is geographic or the clip options are invalid.

    Examples
    --------
    >>> from isochrones import build_walk_network
    >>> net = build_walk_network("poa_osm.pbf", to_crs="EPSG:32722")  # Porto Alegre, UTM 22S
    >>> net.n_nodes, len(net.edge_u)  # junctions and directed street edges after simplifying
    (17241, 49888)

    British extracts keep the default British National Grid; give ``cache_dir`` to reload
    the arrays in a fraction of the build time next time.
    """
    crs = pyproj.CRS.from_user_input(to_crs)
    file: Path | None = None
    if cache_dir is not None:
        options = {"area_crs": area_crs, "margin_m": margin_m, "to_crs": to_crs}
        # editing this builder invalidates its cached networks
        builder = cache.source_digest(Path(__file__))
        key = cache.walk_cache_key(
            osm_path,
            "walk_arrays",
            area,
            {**options, "walk_filter": walk_filter, "format": _CACHE_FORMAT, "builder": builder},
        )
        file = Path(cache_dir) / "walk_networks" / f"{key}.npz"
        if file.is_file():
            start = time.perf_counter()
            net = _load_network(file, crs)
            logger.info("walk network loaded from %s in %.2f s", file, time.perf_counter() - start)
            return net
    ways = read_walk_ways(osm_path, rules=walk_filter, with_tags=False)
    segs = walk_segments(ways, area=area, area_crs=area_crs, margin_m=margin_m)
    simple = simplify_segments(len(ways.node_ids), segs.pos_u, segs.pos_v, segs.length_m)
    to_xy = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    # Project only the nodes that are kept or lie along a merged edge.
    need = simple.keep.copy()
    need[simple.chain_nodes] = True
    where = np.flatnonzero(need)
    px, py = to_xy.transform(ways.lon[where], ways.lat[where])
    x_all = np.full(len(need), np.nan)
    y_all = np.full(len(need), np.nan)
    x_all[where], y_all[where] = px, py
    kept = np.flatnonzero(simple.keep)
    new_pos = np.full(len(need), -1, dtype=np.int64)
    new_pos[kept] = np.arange(len(kept))
    data = {
        "node_ids": ways.node_ids[kept],
        "x": x_all[kept],
        "y": y_all[kept],
        "edge_u": new_pos[simple.edge_u],
        "edge_v": new_pos[simple.edge_v],
        "edge_length_m": simple.edge_length_m,
        "chain_ptr": simple.chain_ptr,
        "chain_xy": np.column_stack([x_all[simple.chain_nodes], y_all[simple.chain_nodes]]),
        "edge_avoided": _edge_any(ways.way_avoided, segs, simple, len(ways.node_ids)),
        "edge_walkway": _edge_any(ways.way_walkway, segs, simple, len(ways.node_ids)),
    }
    net = _network_from_cache(data, crs)
    if file is not None:
        _save_network(file, data, net)
    return net
