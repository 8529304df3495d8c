"""Walking street networks: build an OSMnx-compatible graph from a local extract, and route on it.

Which function to use when:

* :func:`build_walk_graph` reads a PBF or ``.osm`` file (no internet), keeps the ways of the UK
  walk filter (OSMnx's ``"walk"`` rules plus shared-use paths and rights of way; see
  :mod:`isochrones.osm_reader`), optionally clips to an area, simplifies and projects with OSMnx
  and caches the result under a hash of its inputs. It returns a plain ``nx.MultiDiGraph`` that
  OSMnx functions accept.
* :class:`WalkNetwork` turns such a graph into read-only arrays (a CSR matrix of edge lengths,
  node coordinates, a k-d tree) for fast routing; build it once and share it (it is immutable,
  so one instance can serve every Streamlit session).
* :meth:`WalkNetwork.snap` attaches points (origins, destinations, stops) to the network and
  returns the straight-line snap distance, which the travel-time functions walk at the same
  speed as the network. One rule decides where a point may attach: never to a motorway or trunk
  road (links included) or a way tagged ``foot=no`` / ``sidewalk=no`` (:data:`AVOIDED_HIGHWAYS`,
  :func:`avoid_snapping`) unless no other street or path lies within ``fallback_m``
  (:data:`SNAP_FALLBACK_M`); and, when asked (``exclude_beyond_m``, typically
  :data:`EXCLUDE_BEYOND_M`), a point farther than that from the network is marked excluded with
  its reason (:meth:`Snapped.exclusions`) instead of being routed from across fields.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from isochrones import cache
from isochrones.errors import EmptyNetworkError, RoutingInputError
from isochrones.osm_reader import (
    AVOIDED_HIGHWAYS,
    DEFAULT_WALK_FILTER,
    WalkFilter,
    avoid_snapping,
    is_walkway,
    read_walk_ways,
)

__all__ = [
    "AVOIDED_HIGHWAYS",
    "BNG_CRS",
    "EXCLUDE_BEYOND_M",
    "SNAP_FALLBACK_M",
    "SYMMETRIC_WITHIN_M",
    "WALK_SPEED_KPH",
    "Snapped",
    "WalkNetwork",
    "WalkSegments",
    "avoid_snapping",
    "build_walk_graph",
    "graph_from_ways",
    "walk_segments",
]

logger = logging.getLogger(__name__)

WALK_SPEED_KPH = 4.8
"""Walking speed of the DfT Journey Time Statistics (4.8 km/h)."""

BNG_CRS = "EPSG:27700"
"""British National Grid, the projected CRS used throughout."""

SNAP_FALLBACK_M = 500.0
"""A point attaches to an avoided way only when no other edge lies within this many metres.

As wide as :data:`EXCLUDE_BEYOND_M`: a home whose own streets are mapped is never walked along
a dual carriageway. On Hampton (2012 map) the output areas beside the A1260 Nene Parkway are
250-350 m from the nearest estate path; a 100 m fallback still put them on the carriageway,
8 minutes slower to their GP than through the estate."""

EXCLUDE_BEYOND_M = 500.0
"""Origins farther than this from any walkable edge are excluded (the usual setting)."""

SYMMETRIC_WITHIN_M = 1e-6
"""Two directions of a street whose lengths differ by no more than this are walked alike.

An edge's two directions are measured along reversed copies of one line, so their lengths
can differ in the last bits (1e-13 m); a micrometre is no difference."""


def kph_to_mps(speed_kph: float) -> float:
    """Convert a speed in km/h to m/s, rejecting a speed that is not a positive number.

    Parameters
    ----------
    speed_kph
        Speed in kilometres per hour.

    Returns
    -------
    float
        Speed in metres per second.
    """
    if not np.isfinite(speed_kph) or speed_kph <= 0:
        raise RoutingInputError(f"speed_kph must be a positive number, got {speed_kph!r}.")
    return speed_kph * 1000.0 / 3600.0


def build_walk_graph(
    osm_path: str | Path,
    *,
    area: BaseGeometry | None = None,
    area_crs: str = BNG_CRS,
    margin_m: float = 0.0,
    to_crs: str = BNG_CRS,
    cache_dir: str | Path | None = None,
    walk_filter: WalkFilter = DEFAULT_WALK_FILTER,
) -> nx.MultiDiGraph:
    """Build (or load from cache) the walking network of a local OSM extract.

    The steps follow OSMnx's ``graph_from_xml`` for the ``"walk"`` network type: ways kept by
    the walk filter (``walk_filter``), both directions of every way (walking ignores ``oneway``), great-circle
    edge lengths in metres, the largest strongly connected component, then
    ``osmnx.simplify_graph`` and ``osmnx.project_graph``.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf`` or ``.osm`` extract.
    area
        Optional polygon to clip to (in ``area_crs``). Nodes outside ``area`` buffered by
        ``margin_m`` are dropped before the graph is built, which keeps the build cheap.
    area_crs
        CRS of ``area``; must be projected in metres when ``margin_m`` is non-zero.
    margin_m
        Extra distance kept around ``area`` (so walks may leave the area and come back).
    to_crs
        CRS of the returned graph (British National Grid by default).
    cache_dir
        Folder for the parquet cache; ``None`` disables caching.
    walk_filter
        ``"uk"`` (default: shared-use cycleways and rights of way kept, ``foot=private``
        dropped) or ``"osmnx"`` (OSMnx's own walk filter); see
        :func:`isochrones.osm_reader.keeps_for_walking`.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by OSM id with ``x``/``y`` (in ``to_crs``), ``lon``/``lat`` and
        ``street_count``; edges with ``osmid``, ``highway``, ``name``, ``length`` (metres),
        ``oneway``, ``reversed`` and, for merged edges, ``geometry``. ``graph["crs"]`` is set.

    Raises
    ------
    OsmFileError
        When the extract is missing or unreadable.
    EmptyNetworkError
        When no walkable way is left (for example the area misses the extract).
    """
    if margin_m < 0:
        raise RoutingInputError(f"margin_m must be >= 0, got {margin_m}.")
    if area is not None and margin_m > 0 and pyproj.CRS.from_user_input(area_crs).is_geographic:
        raise RoutingInputError(
            f"margin_m is in metres but area_crs {area_crs!r} is in degrees; pass the area in a "
            "projected CRS such as EPSG:27700."
        )
    if area is not None and (area.is_empty or not area.is_valid):
        raise RoutingInputError(
            "The clip area is empty or invalid; pass a valid polygon (try shapely.make_valid)."
        )
    folder: Path | None = None
    if cache_dir is not None:
        options = {"area_crs": area_crs, "margin_m": margin_m, "to_crs": to_crs}
        key = cache.walk_cache_key(osm_path, "walk", area, {**options, "walk_filter": walk_filter})
        folder = Path(cache_dir) / "walk_graphs" / key
        if (folder / "edges.parquet").is_file():
            start = time.perf_counter()
            graph = cache.load_graph(folder)
            logger.info(
                "walk graph loaded from cache %s in %.2f s", folder, time.perf_counter() - start
            )
            return graph
    ways = read_walk_ways(osm_path, rules=walk_filter)
    graph = graph_from_ways(ways, area=area, area_crs=area_crs, margin_m=margin_m)
    lonlat = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    graph = ox.simplify_graph(graph)
    graph = ox.project_graph(graph, to_crs=to_crs)
    # Keep WGS84 coordinates (for web maps) and OSMnx's street_count on every node.
    nx.set_node_attributes(graph, {n: lonlat[n][0] for n in graph.nodes}, name="lon")
    nx.set_node_attributes(graph, {n: lonlat[n][1] for n in graph.nodes}, name="lat")
    nx.set_node_attributes(graph, ox.stats.count_streets_per_node(graph), name="street_count")
    if folder is not None:
        cache.save_graph(graph, folder)
    return graph


@dataclass(frozen=True)
class WalkSegments:
    """The way segments of the largest connected walk component, by node position.

    Attributes
    ----------
    pos_u, pos_v
        Positions (in ``ways.node_ids``) of the two ends of each segment.
    way
        Index of the way each segment belongs to.
    length_m
        Great-circle length of each segment in metres (OSMnx's formula).
    """

    pos_u: np.ndarray
    pos_v: np.ndarray
    way: np.ndarray
    length_m: np.ndarray


def walk_segments(
    ways: Any,
    *,
    area: BaseGeometry | None = None,
    area_crs: str = BNG_CRS,
    margin_m: float = 0.0,
) -> WalkSegments:
    """Clip the walkable segments, measure them and keep the largest connected component.

    Shared by the networkx build (:func:`graph_from_ways`) and the array build
    (:func:`isochrones.network_arrays.build_walk_network`), so both start from the same
    segments.

    Parameters
    ----------
    ways
        A :class:`isochrones.osm_reader.WalkWays`.
    area, area_crs, margin_m
        Optional clip, as in :func:`build_walk_graph`.

    Returns
    -------
    WalkSegments
        The segments kept, each once (walkable both ways).

    Raises
    ------
    EmptyNetworkError
        When no walkable segment is left inside the area.
    """
    node_ids: np.ndarray = ways.node_ids
    keep_node = np.ones(len(node_ids), dtype=bool)
    if area is not None:
        to_area = pyproj.Transformer.from_crs("EPSG:4326", area_crs, always_xy=True)
        ax, ay = to_area.transform(ways.lon, ways.lat)
        clip = area.buffer(margin_m) if margin_m > 0 else area
        shapely.prepare(clip)
        keep_node = shapely.contains_xy(clip, ax, ay)
    pos_u = np.searchsorted(node_ids, ways.seg_u)
    pos_v = np.searchsorted(node_ids, ways.seg_v)
    keep_seg = keep_node[pos_u] & keep_node[pos_v]
    if not keep_seg.any():
        raise EmptyNetworkError(
            "No walkable street is left: the OSM extract has no ways kept by the walk filter "
            "inside the area. Check that the area lies within the extract (same CRS?)."
        )
    pos_u, pos_v, seg_way = pos_u[keep_seg], pos_v[keep_seg], ways.seg_way[keep_seg]
    lengths = ox.distance.great_circle(
        ways.lat[pos_u], ways.lon[pos_u], ways.lat[pos_v], ways.lon[pos_v]
    )
    lengths = np.where(np.isnan(lengths), 0.0, lengths)

    # Components first (on an index-based sparse graph, much faster than networkx): the largest
    # strong component of a bidirectional graph is its largest weak one, and simplification is
    # local, so doing this before simplify gives the same graph as OSMnx's order.
    n = len(node_ids)
    adj = sp.coo_matrix((np.ones(len(pos_u)), (pos_u, pos_v)), shape=(n, n)).tocsr()
    # Every way is walked both ways, so weak components of the forward segments are the
    # strong components of the walk graph.
    _, labels = sp.csgraph.connected_components(adj, directed=True, connection="weak")
    used = np.zeros(n, dtype=bool)
    used[pos_u] = True
    used[pos_v] = True
    counts = np.bincount(labels[used], minlength=labels.max() + 1)
    biggest = int(np.argmax(counts))
    in_comp = labels == biggest
    keep = in_comp[pos_u] & in_comp[pos_v]
    return WalkSegments(
        pos_u=pos_u[keep], pos_v=pos_v[keep], way=seg_way[keep], length_m=lengths[keep]
    )


def graph_from_ways(
    ways: Any,
    *,
    area: BaseGeometry | None = None,
    area_crs: str = BNG_CRS,
    margin_m: float = 0.0,
) -> nx.MultiDiGraph:
    """Build the unsimplified, unprojected walk graph (largest strong component) from ways.

    Parameters
    ----------
    ways
        A :class:`isochrones.osm_reader.WalkWays`.
    area, area_crs, margin_m
        Optional clip, as in :func:`build_walk_graph`.

    Returns
    -------
    networkx.MultiDiGraph
        Graph in EPSG:4326 (``x`` = lon, ``y`` = lat) with bidirectional edges.
    """
    segs = walk_segments(ways, area=area, area_crs=area_crs, margin_m=margin_m)
    node_ids: np.ndarray = ways.node_ids
    pos_u, pos_v, seg_way, lengths = segs.pos_u, segs.pos_v, segs.way, segs.length_m
    graph = nx.MultiDiGraph(crs="epsg:4326", created_with=f"isochrones (OSMnx {ox.__version__})")
    node_pos = np.unique(np.concatenate([pos_u, pos_v]))
    graph.add_nodes_from(
        (
            int(node_ids[p]),
            {
                "y": float(ways.lat[p]),
                "x": float(ways.lon[p]),
                **ways.node_tags.get(int(node_ids[p]), {}),
            },
        )
        for p in node_pos
    )
    way_attrs = ways.ways
    forward = [
        (
            int(node_ids[a]),
            int(node_ids[b]),
            {**way_attrs[w], "oneway": False, "reversed": False, "length": float(d)},
        )
        for a, b, w, d in zip(pos_u, pos_v, seg_way, lengths, strict=True)
    ]
    graph.add_edges_from(forward)
    # OSMnx adds each way's reverse after the way itself; the key order does not matter for
    # routing but this keeps edge keys the same as graph_from_xml's.
    backward = [(v, u, {**d, "reversed": True}) for u, v, d in forward]
    graph.add_edges_from(backward)
    return graph


@dataclass(frozen=True)
class Snapped:
    """Points attached to the network.

    A point snapped to a node is attached to that node only. A point snapped to an edge is
    attached to both its ends: to ``node_index`` at ``distance_m`` (the straight line to the
    edge plus the way along it to that end) and to ``alt_node_index`` at ``alt_distance_m``.
    Every offset is walked at the network's speed. An excluded point keeps its nearest
    attachment (for display) but its offsets are infinite, so routing never reaches it.

    Attributes
    ----------
    node_index
        Position of the (first) attachment node in :attr:`WalkNetwork.node_ids` (int64).
    node_id
        Its OSM id.
    distance_m
        Metres walked between the point and that node.
    alt_node_index, alt_distance_m
        Second attachment (edge snapping only), else None.
    edge_index, along_m, offset_m
        Edge snapping only: the snapped edge's position in the network's edge arrays, the
        distance along it from its tail (network metres) and the straight-line distance from
        the point to the edge.
    on_avoided
        True where the point is attached to an avoided way (motorway/trunk, ``foot=no``,
        ``sidewalk=no``) because nothing else lay within the fallback distance.
    excluded
        True where the point lies farther than ``exclude_beyond_m`` from the network.
    straight_m
        Straight-line distance from each point to the network (to the nearest edge or node
        it may attach to); the basis of ``excluded``.
    exclude_beyond_m
        The exclusion distance used (None when no point was excluded by distance).
    """

    node_index: np.ndarray
    node_id: np.ndarray
    distance_m: np.ndarray
    alt_node_index: np.ndarray | None = None
    alt_distance_m: np.ndarray | None = None
    edge_index: np.ndarray | None = None
    along_m: np.ndarray | None = None
    offset_m: np.ndarray | None = None
    on_avoided: np.ndarray | None = None
    excluded: np.ndarray | None = None
    straight_m: np.ndarray | None = None
    exclude_beyond_m: float | None = None

    def exclusions(self) -> pd.DataFrame:
        """List the excluded points with the reason, for callers to show.

        Returns
        -------
        pandas.DataFrame
            One row per excluded point: ``row`` (its position in the snapped points),
            ``distance_m`` (to the nearest walkable edge) and ``reason`` (plain words).
        """
        if self.excluded is None or not self.excluded.any():
            return pd.DataFrame(
                {
                    "row": pd.Series(dtype="int64"),
                    "distance_m": pd.Series(dtype="float64"),
                    "reason": pd.Series(dtype="string"),
                }
            )
        rows = np.flatnonzero(self.excluded)
        straight = self.straight_m if self.straight_m is not None else self.distance_m
        limit = self.exclude_beyond_m
        reasons = [
            f"{straight[r]:,.0f} m from the nearest walkable street or path "
            f"(more than {limit:g} m): outside the mapped network"
            for r in rows
        ]
        return pd.DataFrame(
            {
                "row": rows.astype(np.int64),
                "distance_m": straight[rows].astype(np.float64),
                "reason": pd.Series(reasons, dtype="string"),
            }
        )

    def attachments(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Return the (node positions, offsets in metres) pairs, one or two of them.

        Returns
        -------
        list of tuple
            ``[(node_index, distance_m)]`` or, for edge snapping, also the second end.
        """
        pairs = [(self.node_index, self.distance_m)]
        if self.alt_node_index is not None and self.alt_distance_m is not None:
            pairs.append((self.alt_node_index, self.alt_distance_m))
        return pairs

    def subset(self, rows: np.ndarray) -> Snapped:
        """Return the snapped points at some row positions.

        Parameters
        ----------
        rows
            Integer positions.

        Returns
        -------
        Snapped
            The same attachments for those points only.
        """

        def take(arr: np.ndarray | None) -> np.ndarray | None:
            return None if arr is None else arr[rows]

        return Snapped(
            node_index=self.node_index[rows],
            node_id=self.node_id[rows],
            distance_m=self.distance_m[rows],
            alt_node_index=take(self.alt_node_index),
            alt_distance_m=take(self.alt_distance_m),
            edge_index=take(self.edge_index),
            along_m=take(self.along_m),
            offset_m=take(self.offset_m),
            on_avoided=take(self.on_avoided),
            excluded=take(self.excluded),
            straight_m=take(self.straight_m),
            exclude_beyond_m=self.exclude_beyond_m,
        )


def _query_nearest(tree: shapely.STRtree, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One nearest geometry per point: (its position in the tree, distance), in point order."""
    found, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    nearest = np.empty(len(pts), dtype=np.int64)
    nearest[found[0]] = found[1]
    out = np.empty(len(pts), dtype=np.float64)
    out[found[0]] = dist
    return nearest, out


def _orient_geometry(
    geoms: np.ndarray, x: np.ndarray, y: np.ndarray, eu: np.ndarray, ev: np.ndarray
) -> None:
    """Draw missing (straight) edges between their nodes and make every edge run u -> v.

    Straight edges carry no geometry in OSMnx graphs; OSMnx's geometries run from u to v, but
    a reversed copy would not. ``geoms`` is changed in place.
    """
    missing = shapely.is_missing(geoms)
    if missing.any():
        coords = np.stack(
            [
                np.column_stack([x[eu[missing]], y[eu[missing]]]),
                np.column_stack([x[ev[missing]], y[ev[missing]]]),
            ],
            axis=1,
        )
        geoms[missing] = shapely.linestrings(coords)
    given = np.flatnonzero(~missing)
    if len(given) == 0:
        return
    coords, owner = shapely.get_coordinates(geoms[given], return_index=True)
    counts = np.bincount(owner, minlength=len(given))
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    u = eu[given]
    d_start = np.hypot(coords[first, 0] - x[u], coords[first, 1] - y[u])
    d_end = np.hypot(coords[last, 0] - x[u], coords[last, 1] - y[u])
    flip = given[d_end < d_start]
    if len(flip):
        geoms[flip] = shapely.reverse(geoms[flip])


def _lengths_symmetric(length_csr: sp.csr_matrix, reverse_csr: sp.csr_matrix) -> bool:
    """Whether a length matrix equals its transpose to :data:`SYMMETRIC_WITHIN_M`.

    Parameters
    ----------
    length_csr
        Edge lengths in metres (row = from, column = to).
    reverse_csr
        Its transpose, as CSR.

    Returns
    -------
    bool
        True when every edge has a reverse edge of the same length (to a micrometre).
    """
    if length_csr.nnz != reverse_csr.nnz:
        return False
    diff = (length_csr - reverse_csr).tocsr()
    return bool(np.all(np.abs(diff.data) <= SYMMETRIC_WITHIN_M))


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """Read-only routing arrays of a projected street graph.

    Build it with :meth:`from_graph`. Node positions (``0..n-1``) index every array; the CSR
    matrix holds, for each directed node pair, the shortest parallel edge length in metres.

    Attributes
    ----------
    node_ids
        OSM ids of the nodes, by position.
    x, y
        Node coordinates in :attr:`crs` (metres).
    crs
        The graph's projected CRS.
    length_csr
        ``n x n`` CSR matrix of edge lengths in metres (row = from, column = to).
    edge_u, edge_v
        Positions of the two ends of every directed edge (parallel edges kept).
    edge_length_m
        Length of every directed edge.
    edge_geometry
        Shapely LineString of every directed edge, running from ``edge_u`` to ``edge_v``
        (drawn on first use when the network was built from coordinate arrays: routing and
        node snapping never need it).
    edge_avoided
        True for edges points should not attach to (:func:`avoid_snapping`).
    edge_walkway
        True for edges on a footway, path or other walkway
        (:func:`~isochrones.osm_reader.is_walkway`), or None when not known (a network built
        from bare arrays): what tells a drive-only extract.

    Examples
    --------
    Usually built from an extract (:func:`isochrones.build_walk_network`); here from arrays:

    >>> import numpy as np, pyproj
    >>> from isochrones import WalkNetwork
    >>> net = WalkNetwork.from_arrays(  # three corners 80 m apart, streets both ways
    ...     node_ids=[1, 2, 3], x=[0, 80, 160], y=[0, 0, 0], crs=pyproj.CRS("EPSG:27700"),
    ...     edge_u=[0, 1, 1, 2], edge_v=[1, 0, 2, 1], edge_length_m=[80, 80, 80, 80])
    >>> net.n_nodes
    3
    >>> home = net.snap(np.array([[70.0, 5.0]]), to="edge")  # 5 m off the first street
    >>> home.node_id, home.distance_m, home.alt_distance_m  # walk to either end of it
    (array([1]), array([75.]), array([15.]))
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    crs: pyproj.CRS
    length_csr: sp.csr_matrix
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_avoided: np.ndarray
    _tree: cKDTree = field(repr=False)
    _reverse_csr: sp.csr_matrix = field(repr=False)
    # Edge geometry, either drawn (an object array) or as coordinates to draw on first use:
    # the coordinates of edge e, running from edge_u to edge_v, are
    # _shape_xy[_shape_ptr[e]:_shape_ptr[e + 1]]; an empty range is a straight edge.
    _geometry: np.ndarray | None = field(repr=False, default=None)
    _shape_ptr: np.ndarray | None = field(repr=False, default=None)
    _shape_xy: np.ndarray | None = field(repr=False, default=None)
    # the same indexes over the nodes and edges points may attach to (None: all may)
    _ok_nodes: np.ndarray | None = field(repr=False, default=None)
    _ok_tree: cKDTree | None = field(repr=False, default=None)
    _ok_edges: np.ndarray | None = field(repr=False, default=None)
    # whether length_csr equals its transpose, as stored with a cached network (None: not
    # known, computed on first use of is_symmetric)
    _symmetric: bool | None = field(repr=False, default=None)
    edge_walkway: np.ndarray | None = field(repr=False, default=None)

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> WalkNetwork:
        """Build the routing arrays from a projected graph (not modified).

        Parameters
        ----------
        graph
            A MultiDiGraph with node ``x``/``y`` in a projected CRS (``graph["crs"]``) and edge
            ``length`` in metres, such as :func:`build_walk_graph` returns.

        Returns
        -------
        WalkNetwork
            The immutable routing arrays.

        Raises
        ------
        RoutingInputError
            When the graph is empty, unprojected, or an edge lacks a valid length.
        """
        m = graph.number_of_edges()
        if graph.number_of_nodes() == 0 or m == 0:
            raise RoutingInputError("The street graph is empty: build it from a larger area.")
        crs = pyproj.CRS.from_user_input(graph.graph.get("crs", "epsg:4326"))
        if crs.is_geographic:
            raise RoutingInputError(
                f"The street graph is in a geographic CRS ({crs.to_string()}); project it first "
                "(osmnx.project_graph(G, to_crs='EPSG:27700')) so distances are in metres."
            )
        node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
        x = np.fromiter((d["x"] for _, d in graph.nodes(data=True)), dtype=np.float64)
        y = np.fromiter((d["y"] for _, d in graph.nodes(data=True)), dtype=np.float64)
        order = np.argsort(node_ids)
        sorted_ids = node_ids[order]
        eu = np.empty(m, dtype=np.int64)
        ev = np.empty(m, dtype=np.int64)
        length = np.empty(m, dtype=np.float64)
        geoms = np.empty(m, dtype=object)
        avoided = np.zeros(m, dtype=bool)
        walkway = np.zeros(m, dtype=bool)
        for i, (u, v, d) in enumerate(graph.edges(data=True)):
            eu[i] = u
            ev[i] = v
            length[i] = d.get("length", np.nan)
            geoms[i] = d.get("geometry")
            avoided[i] = avoid_snapping(d)
            walkway[i] = is_walkway(d)
        eu = order[np.searchsorted(sorted_ids, eu)]
        ev = order[np.searchsorted(sorted_ids, ev)]
        return cls.from_arrays(
            node_ids=node_ids,
            x=x,
            y=y,
            crs=crs,
            edge_u=eu,
            edge_v=ev,
            edge_length_m=length,
            edge_geometry=geoms,
            edge_avoided=avoided,
            edge_walkway=walkway,
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        node_ids: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        crs: pyproj.CRS,
        edge_u: np.ndarray,
        edge_v: np.ndarray,
        edge_length_m: np.ndarray,
        edge_geometry: np.ndarray | None = None,
        edge_avoided: np.ndarray | None = None,
        edge_shapes: tuple[np.ndarray, np.ndarray] | None = None,
        symmetric: bool | None = None,
        edge_walkway: np.ndarray | None = None,
    ) -> WalkNetwork:
        """Build the routing arrays from node and edge arrays (inputs are copied, not changed).

        :meth:`from_graph` reads a graph into these arrays; network edits
        (:func:`isochrones.edits.add_paths`) extend a network's own arrays and call this.

        Parameters
        ----------
        node_ids
            Unique int64 node ids, by position.
        x, y
            Node coordinates in ``crs`` (metres).
        crs
            A projected CRS.
        edge_u, edge_v
            Node positions of the two ends of every directed edge.
        edge_length_m
            Length of every edge in metres (finite, >= 0).
        edge_geometry
            LineString of every edge, or None for a straight edge between its nodes (``None``
            for the whole argument: every edge is straight, or see ``edge_shapes``).
        edge_avoided
            True for edges points should not attach to (:func:`avoid_snapping`); None: none.
        edge_shapes
            Instead of ``edge_geometry``: ``(ptr, xy)``, the coordinates of every edge as
            ``xy[ptr[e]:ptr[e + 1]]`` running from ``edge_u`` to ``edge_v`` (an empty range:
            straight). The LineStrings are then drawn on first use of
            :attr:`edge_geometry` or edge snapping, which keeps large builds and cache reloads
            fast.
        symmetric
            :attr:`is_symmetric` of exactly these arrays, as computed when they were built and
            stored with them (a cached network reloaded by
            :func:`~isochrones.network_arrays.build_walk_network`); ``None`` (the default):
            computed on first use. An edit that changes the arrays passes ``None``, so its
            network is checked afresh.
        edge_walkway
            True for edges on a walkway (:func:`~isochrones.osm_reader.is_walkway`); None:
            not known.

        Returns
        -------
        WalkNetwork
            The immutable routing arrays.

        Raises
        ------
        RoutingInputError
            When an edge lacks a valid length, or both geometry forms are given.
        """
        if edge_geometry is not None and edge_shapes is not None:
            raise RoutingInputError("Give edge_geometry or edge_shapes, not both.")
        node_ids = np.array(node_ids, dtype=np.int64)
        x = np.array(x, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        eu = np.array(edge_u, dtype=np.int64)
        ev = np.array(edge_v, dtype=np.int64)
        length = np.array(edge_length_m, dtype=np.float64)
        avoided = (
            np.zeros(len(eu), dtype=bool)
            if edge_avoided is None
            else np.array(edge_avoided, dtype=bool)
        )
        if len(avoided) != len(eu):
            raise RoutingInputError(
                f"edge_avoided has {len(avoided)} flags for {len(eu)} edges; give one per edge."
            )
        walkway = None if edge_walkway is None else np.array(edge_walkway, dtype=bool)
        if walkway is not None and len(walkway) != len(eu):
            raise RoutingInputError(
                f"edge_walkway has {len(walkway)} flags for {len(eu)} edges; give one per edge."
            )
        if not np.all(np.isfinite(length) & (length >= 0)):
            raise RoutingInputError(
                "Some edges have no valid 'length' (metres); add it with "
                "osmnx.distance.add_edge_lengths before routing."
            )
        geoms: np.ndarray | None = None
        shape_ptr = shape_xy = None
        if edge_shapes is not None:
            shape_ptr = np.array(edge_shapes[0], dtype=np.int64)
            shape_xy = np.array(edge_shapes[1], dtype=np.float64).reshape(-1, 2)
            if len(shape_ptr) != len(eu) + 1 or shape_ptr[-1] != len(shape_xy):
                raise RoutingInputError(
                    f"edge_shapes has {len(shape_ptr) - 1} edges and {len(shape_xy)} "
                    f"coordinates for {len(eu)} edges; give ptr of length edges + 1."
                )
        else:
            geoms = (
                np.full(len(eu), None, dtype=object)
                if edge_geometry is None
                else np.array(edge_geometry, dtype=object)
            )
            _orient_geometry(geoms, x, y, eu, ev)
        n = len(node_ids)
        # Keep the shortest of parallel edges: sort by (row, col, length), take the first.
        idx = np.lexsort((length, ev, eu))
        su, sv, sl = eu[idx], ev[idx], length[idx]
        first = np.ones(len(su), dtype=bool)
        first[1:] = (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])
        csr = sp.csr_matrix((sl[first], (su[first], sv[first])), shape=(n, n))
        csr.sort_indices()
        reverse = csr.transpose().tocsr()
        reverse.sort_indices()
        tree = cKDTree(np.column_stack([x, y]))
        for matrix in (csr, reverse):
            for arr in (matrix.data, matrix.indices, matrix.indptr):
                arr.setflags(write=False)
        ok_nodes = ok_tree = ok_edges = None
        if avoided.any():
            ok_edges = np.flatnonzero(~avoided)
            # a node may take points when any edge at it is not avoided
            node_ok = np.zeros(n, dtype=bool)
            node_ok[eu[ok_edges]] = True
            node_ok[ev[ok_edges]] = True
            ok_nodes = np.flatnonzero(node_ok)
            if len(ok_edges):
                ok_tree = cKDTree(np.column_stack([x[ok_nodes], y[ok_nodes]]))
        return cls(
            node_ids=_readonly(node_ids),
            x=_readonly(x),
            y=_readonly(y),
            crs=crs,
            length_csr=csr,
            edge_u=_readonly(eu),
            edge_v=_readonly(ev),
            edge_length_m=_readonly(length),
            edge_avoided=_readonly(avoided),
            _tree=tree,
            _reverse_csr=reverse,
            _geometry=None if geoms is None else _readonly(geoms),
            _shape_ptr=None if shape_ptr is None else _readonly(shape_ptr),
            _shape_xy=None if shape_xy is None else _readonly(shape_xy),
            _ok_nodes=None if ok_nodes is None else _readonly(ok_nodes),
            _ok_tree=ok_tree,
            _ok_edges=None if ok_edges is None else _readonly(ok_edges),
            _symmetric=None if symmetric is None else bool(symmetric),
            edge_walkway=None if walkway is None else _readonly(walkway),
        )

    @cached_property
    def edge_geometry(self) -> np.ndarray:
        """LineString of every directed edge, running from ``edge_u`` to ``edge_v``."""
        if self._geometry is not None:
            return self._geometry
        assert self._shape_ptr is not None and self._shape_xy is not None
        counts = np.diff(self._shape_ptr)
        geoms = np.full(len(counts), None, dtype=object)
        shaped = np.flatnonzero(counts > 0)
        if len(shaped):
            owner = np.repeat(np.arange(len(shaped)), counts[shaped])
            geoms[shaped] = shapely.linestrings(self._shape_xy, indices=owner)
        _orient_geometry(geoms, self.x, self.y, self.edge_u, self.edge_v)
        return _readonly(geoms)

    @cached_property
    def _edge_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.edge_geometry)

    @cached_property
    def _ok_edge_tree(self) -> shapely.STRtree | None:
        if self._ok_edges is None or len(self._ok_edges) == 0:
            return None
        return shapely.STRtree(self.edge_geometry[self._ok_edges])

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def reverse_length_csr(self) -> sp.csr_matrix:
        """The transposed CSR (row = to, column = from), for routing towards destinations."""
        return self._reverse_csr

    @cached_property
    def is_symmetric(self) -> bool:
        """Whether every street is walked both ways at the same length (to a micrometre).

        Then the walk from a to b is as long as the walk from b to a, and one search from a
        set of points serves legs in both directions (:func:`isochrones.transit.window_travel_times`
        computes egress legs as the transposed access legs when origins are destinations).
        Differences up to :data:`SYMMETRIC_WITHIN_M` are no difference. A cached network
        carries the answer computed when it was built; otherwise it is computed on first use.
        """
        if self._symmetric is not None:
            return self._symmetric
        return _lengths_symmetric(self.length_csr, self._reverse_csr)

    def node_positions(self, node_ids: np.ndarray | list[int]) -> np.ndarray:
        """Map OSM node ids to positions.

        Parameters
        ----------
        node_ids
            OSM ids present in the network.

        Returns
        -------
        numpy.ndarray
            Positions (int64).

        Raises
        ------
        RoutingInputError
            When an id is not a node of the network.
        """
        ids = np.asarray(node_ids, dtype=np.int64)
        order = np.argsort(self.node_ids)
        sorted_ids = self.node_ids[order]
        pos = np.searchsorted(sorted_ids, ids).clip(0, len(sorted_ids) - 1)
        bad = sorted_ids[pos] != ids
        if bad.any():
            raise RoutingInputError(
                f"{int(bad.sum())} node ids are not in the network (first: {int(ids[bad][0])})."
            )
        return order[pos]

    def snap(
        self,
        points: gpd.GeoSeries | gpd.GeoDataFrame | np.ndarray,
        *,
        to: Literal["node", "edge"] = "node",
        max_snap_m: float | None = None,
        fallback_m: float = SNAP_FALLBACK_M,
        exclude_beyond_m: float | None = None,
    ) -> Snapped:
        """Attach points to the network: to the nearest node, or to both ends of the nearest edge.

        Snapping to edges is more exact where simplified edges are long (rural lanes): a point
        beside the middle of a 1 km lane is 500 m from either end along the lane, which is what
        it walks, rather than the straight line to the nearer end. It treats the snapped edge as
        walkable both ways, which every edge of a walk graph is.

        The attachment rule: a point never attaches to an avoided edge (motorway/trunk and
        their links, ``foot=no``, ``sidewalk=no``; see :func:`avoid_snapping`) or, snapping to
        nodes, to a node all of whose edges are avoided, unless no other edge (node) lies
        within ``fallback_m``; then it takes the nearest one of any kind and ``on_avoided``
        says so. Homes beside a dual carriageway are thus attached to their estate road, not
        to the carriageway.

        Parameters
        ----------
        points
            Points in the network's CRS: a GeoSeries/GeoDataFrame (its CRS is checked), or an
            ``(n, 2)`` array of x, y.
        to
            ``"node"`` (k-d tree, nearest node) or ``"edge"`` (nearest edge geometry).
        max_snap_m
            If given, points farther than this from the network raise an error (they are
            probably outside the network's area).
        fallback_m
            Distance within which an edge (node) that is not avoided is preferred to a nearer
            avoided one.
        exclude_beyond_m
            If given, points farther than this from their attachment are marked ``excluded``
            (offsets set to infinity, reason in :meth:`Snapped.exclusions`) rather than routed;
            :data:`EXCLUDE_BEYOND_M` (500 m) is the usual setting for origins.

        Returns
        -------
        Snapped
            Attachment nodes and offsets in metres.

        Raises
        ------
        RoutingInputError
            On a CRS mismatch, empty or non-point geometries, bad distances, or points beyond
            ``max_snap_m``.
        """
        if to not in ("node", "edge"):
            raise RoutingInputError(f"to must be 'node' or 'edge', got {to!r}.")
        for name, value in (("fallback_m", fallback_m), ("exclude_beyond_m", exclude_beyond_m)):
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise RoutingInputError(f"{name} must be a distance >= 0 in metres, got {value!r}.")
        xy = self._points_xy(points)
        if to == "node":
            pos, straight, on_avoided = self._nearest_nodes(xy, fallback_m)
            snapped = Snapped(
                node_index=pos,
                node_id=self.node_ids[pos],
                distance_m=straight.copy(),
                on_avoided=on_avoided,
                straight_m=straight,
            )
        else:
            pts = shapely.points(xy)
            edge, straight, on_avoided = self._nearest_edges(pts, fallback_m)
            geoms = self.edge_geometry[edge]
            geom_len = shapely.length(geoms)
            share = np.divide(
                shapely.line_locate_point(geoms, pts),
                geom_len,
                out=np.zeros(len(xy)),
                where=geom_len > 0,
            )
            along = share * self.edge_length_m[edge]
            tail, head = self.edge_u[edge], self.edge_v[edge]
            snapped = Snapped(
                node_index=tail,
                node_id=self.node_ids[tail],
                distance_m=straight + along,
                alt_node_index=head,
                alt_distance_m=straight + (self.edge_length_m[edge] - along),
                edge_index=edge,
                along_m=along,
                offset_m=straight,
                on_avoided=on_avoided,
                straight_m=straight,
            )
        if max_snap_m is not None and len(straight) and straight.max() > max_snap_m:
            far = np.flatnonzero(straight > max_snap_m)
            raise RoutingInputError(
                f"{len(far)} points are more than {max_snap_m:g} m from the walk network "
                f"(first at row {int(far[0])}, {straight[far[0]]:.0f} m away). Build the network "
                "for a larger area or drop points outside it."
            )
        if exclude_beyond_m is not None:
            excluded = straight > exclude_beyond_m
            unreachable = np.where(excluded, np.inf, 0.0)
            snapped = Snapped(
                node_index=snapped.node_index,
                node_id=snapped.node_id,
                distance_m=snapped.distance_m + unreachable,
                alt_node_index=snapped.alt_node_index,
                alt_distance_m=(
                    None if snapped.alt_distance_m is None else snapped.alt_distance_m + unreachable
                ),
                edge_index=snapped.edge_index,
                along_m=snapped.along_m,
                offset_m=snapped.offset_m,
                on_avoided=snapped.on_avoided,
                excluded=excluded,
                straight_m=straight,
                exclude_beyond_m=float(exclude_beyond_m),
            )
        return snapped

    def _nearest_nodes(
        self, xy: np.ndarray, fallback_m: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest node under the attachment rule: (positions, distances, on avoided node)."""
        dist, pos = self._tree.query(xy, k=1)
        pos = np.asarray(pos, dtype=np.int64).reshape(-1)
        dist = np.asarray(dist, dtype=np.float64).reshape(-1)
        on_avoided = np.zeros(len(pos), dtype=bool)
        if self._ok_nodes is None:
            return pos, dist, on_avoided
        if self._ok_tree is None:  # every edge is avoided: nothing better to offer
            return pos, dist, np.ones(len(pos), dtype=bool)
        ok_dist, ok_i = self._ok_tree.query(xy, k=1)
        ok_dist = np.asarray(ok_dist, dtype=np.float64).reshape(-1)
        ok_pos = self._ok_nodes[np.asarray(ok_i, dtype=np.int64).reshape(-1)]
        use_ok = ok_dist <= np.maximum(fallback_m, dist)
        on_avoided = ~use_ok & ~np.isin(pos, self._ok_nodes)
        return np.where(use_ok, ok_pos, pos), np.where(use_ok, ok_dist, dist), on_avoided

    def _nearest_edges(
        self, pts: np.ndarray, fallback_m: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest edge under the attachment rule: (edge positions, distances, avoided)."""
        edge, straight = _query_nearest(self._edge_tree, pts)
        if self._ok_edges is None:
            return edge, straight, np.zeros(len(edge), dtype=bool)
        if self._ok_edge_tree is None:
            return edge, straight, np.ones(len(edge), dtype=bool)
        ok_i, ok_dist = _query_nearest(self._ok_edge_tree, pts)
        ok_edge = self._ok_edges[ok_i]
        use_ok = ok_dist <= np.maximum(fallback_m, straight)
        chosen = np.where(use_ok, ok_edge, edge)
        return chosen, np.where(use_ok, ok_dist, straight), self.edge_avoided[chosen]

    def _points_xy(self, points: gpd.GeoSeries | gpd.GeoDataFrame | np.ndarray) -> np.ndarray:
        if isinstance(points, gpd.GeoDataFrame):
            points = points.geometry
        if isinstance(points, gpd.GeoSeries):
            if points.crs is not None and not pyproj.CRS(points.crs).equals(self.crs):
                raise RoutingInputError(
                    f"Points are in {points.crs.to_string()} but the network is in "
                    f"{self.crs.to_string()}; call .to_crs({self.crs.to_string()!r}) first."
                )
            geoms = points.values
            if len(geoms) and (
                shapely.is_missing(geoms).any()
                or shapely.is_empty(geoms).any()
                or (shapely.get_type_id(geoms) != 0).any()
            ):
                raise RoutingInputError(
                    "Every geometry to snap must be a non-empty Point (use .centroid or "
                    ".representative_point() for polygons)."
                )
            return np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
        xy = np.asarray(points, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2 or not np.isfinite(xy).all():
            raise RoutingInputError("Coordinates to snap must be a finite (n, 2) array of x, y.")
        return xy

    def speed_mps(self, speed_kph: float) -> float:
        """Convert a walking speed to metres per second (validated).

        Parameters
        ----------
        speed_kph
            Speed in km/h.

        Returns
        -------
        float
            Speed in m/s.
        """
        return kph_to_mps(speed_kph)
