"""Network edits: a copy of a walk network with proposed paths added.

Use :func:`add_paths` to assess a scheme's proposed streets, footpaths and cycleways: it
returns a NEW :class:`~isochrones.network.WalkNetwork` (the one given, which may be the cached
baseline shared by every user, is never changed) and a :class:`PathEdit` saying what was
joined.

How proposed lines are joined to the existing network (the rule is stated in
:attr:`PathEdit.rule`):

* proposed lines are split into pieces of at most ``densify_m`` (:data:`DEFAULT_DENSIFY_M`);
  every vertex becomes a node and every piece an edge walked both ways at its straight length
  (proposed paths are drawn, not surveyed);
* vertices of different proposed lines closer than :data:`MERGE_M` are one node (lines drawn
  to meet do meet);
* a vertex within ``join_within_m`` of an existing edge is joined to that edge: it gets edges
  to both ends of the existing edge, each the straight line to the edge plus the way along the
  edge to that end (as :meth:`WalkNetwork.snap` with ``to="edge"`` attaches points);
* so a proposed path is joined wherever it comes within ``join_within_m`` of a street (where
  it crosses one, or runs beside it), not only at its drawn ends: a path alongside a street
  is treated like its footway. Without this, a home or facility that snaps to the middle of a
  long proposed segment would have to walk along it to a drawn end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from shapely import ops

from isochrones.errors import RoutingInputError
from isochrones.network import WalkNetwork

__all__ = ["DEFAULT_DENSIFY_M", "DEFAULT_JOIN_M", "MERGE_M", "PathEdit", "add_paths"]

logger = logging.getLogger(__name__)

DEFAULT_JOIN_M = 25.0
"""Proposed vertices this close to an existing street are joined to it (a street's width plus
a drawing tolerance)."""

DEFAULT_DENSIFY_M = 25.0
"""Proposed lines are split into pieces no longer than this (as far apart as the joins reach)."""

MERGE_M = 1.0
"""Vertices of proposed lines closer than this are the same node."""


@dataclass(frozen=True)
class PathEdit:
    """What :func:`add_paths` did.

    Attributes
    ----------
    network
        The new network (baseline nodes and edges first, in their original positions).
    new_nodes, new_edges
        Nodes and directed edges added (connectors to existing streets included).
    joined_vertices
        Proposed vertices joined to an existing street.
    proposed_m
        Length of the proposed lines added, in metres (each line once, not per direction).
    unconnected_m
        Length of proposed lines in pieces that reach no existing street (usable only among
        themselves: homes snapped to them reach nothing else).
    join_within_m
        The joining distance used.
    densify_m
        The longest piece lines were split into.
    street_count
        For each new node (in network position order after the baseline's), the streets that
        meet there as DRAWN (OSMnx's ``street_count``): its proposed pieces, plus 2 where a
        drawn vertex joins an existing street (a path ending on or crossing a street). Joins of
        the extra vertices from splitting are for routing only and make no junction, so
        intersection density counts the junctions the designer drew.
    """

    network: WalkNetwork
    new_nodes: int
    new_edges: int
    joined_vertices: int
    proposed_m: float
    unconnected_m: float
    join_within_m: float
    densify_m: float = DEFAULT_DENSIFY_M
    street_count: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def rule(self) -> str:
        """One sentence saying how the proposed lines were joined, for methods text."""
        return (
            f"Proposed paths were added to a copy of the walk network, split into pieces of at "
            f"most {self.densify_m:g} m; each piece's end within {self.join_within_m:g} m of an "
            f"existing street joins it ({self.joined_vertices} joins, "
            f"{self.proposed_m / 1000:.2f} km of new path"
            + (
                f", of which {self.unconnected_m / 1000:.2f} km reaches no existing street"
                if self.unconnected_m > 0
                else ""
            )
            + ")."
        )


def _segments(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each line's vertices (n, 2) and, per vertex, the line part it belongs to."""
    parts = shapely.get_parts(lines)
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    return coords, owner


def add_paths(
    network: WalkNetwork,
    lines: np.ndarray | list[shapely.Geometry],
    *,
    join_within_m: float = DEFAULT_JOIN_M,
    densify_m: float = DEFAULT_DENSIFY_M,
) -> PathEdit:
    """Return a copy of ``network`` with proposed lines added and joined to it.

    Parameters
    ----------
    network
        The baseline walk network (not modified).
    lines
        LineStrings or MultiLineStrings in the network's CRS.
    join_within_m
        Proposed vertices within this distance of an existing edge are joined to it.
    densify_m
        Lines are split into pieces no longer than this before joining.

    Returns
    -------
    PathEdit
        The new network and counts of what was added.

    Raises
    ------
    RoutingInputError
        When ``lines`` holds something other than lines, or ``join_within_m`` is negative.
    """
    if not np.isfinite(join_within_m) or join_within_m < 0:
        raise RoutingInputError(f"join_within_m must be >= 0 metres, got {join_within_m!r}.")
    if not np.isfinite(densify_m) or densify_m <= 0:
        raise RoutingInputError(f"densify_m must be > 0 metres, got {densify_m!r}.")
    geoms = np.asarray(lines, dtype=object)
    if len(geoms) == 0:
        return PathEdit(network, 0, 0, 0, 0.0, 0.0, join_within_m, densify_m)
    types = shapely.get_type_id(geoms)
    if shapely.is_missing(geoms).any() or not np.isin(types, (1, 5)).all():
        raise RoutingInputError("Proposed paths must be LineStrings or MultiLineStrings.")
    drawn_xy = shapely.get_coordinates(geoms)
    coords, owner = _segments(shapely.segmentize(geoms, densify_m))
    # segmentize keeps the drawn vertices exactly; the rest were added by splitting.
    drawn_keys = {(float(x), float(y)) for x, y in drawn_xy}
    is_drawn = np.fromiter(
        ((float(x), float(y)) in drawn_keys for x, y in coords), dtype=bool, count=len(coords)
    )
    if len(coords) < 2:
        return PathEdit(network, 0, 0, 0, 0.0, 0.0, join_within_m, densify_m)

    # Vertices closer than MERGE_M are one node: pairs from a k-d tree, grouped by components.
    pairs = cKDTree(coords).query_pairs(MERGE_M, output_type="ndarray")
    close = sp.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(coords), len(coords))
    )
    n_new, vertex_node = csgraph.connected_components(close, directed=False)
    vertex_node = vertex_node.astype(np.int64)
    node_xy = np.zeros((n_new, 2))
    node_xy[vertex_node] = coords  # any member stands for its group: all within MERGE_M
    base_n = network.n_nodes

    # Segments between consecutive vertices of the same part.
    same = owner[1:] == owner[:-1]
    a = vertex_node[:-1][same]
    b = vertex_node[1:][same]
    keep = a != b
    a, b = a[keep], b[keep]
    seg_len = np.hypot(node_xy[a, 0] - node_xy[b, 0], node_xy[a, 1] - node_xy[b, 1])
    seg_geom = (
        shapely.linestrings(np.stack([node_xy[a], node_xy[b]], axis=1))
        if len(a)
        else np.empty(0, dtype=object)
    )

    # Join vertices to the nearest existing edge within join_within_m.
    pts = shapely.points(node_xy)
    # Join only to edges points may attach to (not those marked avoided for snapping).
    joinable = np.flatnonzero(~network.edge_avoided)
    tree = shapely.STRtree(network.edge_geometry[joinable])
    found, dist = tree.query_nearest(
        pts, max_distance=join_within_m, return_distance=True, all_matches=False
    )
    join_node = found[0]
    drawn_node = np.zeros(n_new, dtype=bool)
    drawn_node[vertex_node[is_drawn]] = True
    degree = np.zeros(n_new, dtype=np.int64)
    if len(a):
        pairs_ab = np.unique(np.sort(np.column_stack([a, b]), axis=1), axis=0)
        np.add.at(degree, pairs_ab.ravel(), 1)
    joined = np.zeros(n_new, dtype=bool)
    joined[join_node] = True
    street_count = degree + 2 * (joined & drawn_node)
    join_edge = joinable[found[1]]
    eu: list[np.ndarray] = [base_n + a, base_n + b]
    ev: list[np.ndarray] = [base_n + b, base_n + a]
    lengths: list[np.ndarray] = [seg_len, seg_len]
    geoms_out: list[np.ndarray] = [seg_geom, shapely.reverse(seg_geom) if len(a) else seg_geom]
    if len(join_node):
        edge_geom = network.edge_geometry[join_edge]
        geom_len = shapely.length(edge_geom)
        at = shapely.line_locate_point(edge_geom, pts[join_node])
        share = np.divide(at, geom_len, out=np.zeros(len(at)), where=geom_len > 0)
        along = share * network.edge_length_m[join_edge]
        full = network.edge_length_m[join_edge]
        tail, head = network.edge_u[join_edge], network.edge_v[join_edge]
        to_tail = dist + along
        to_head = dist + (full - along)
        here = base_n + join_node
        conn_tail = np.array(
            [
                shapely.linestrings(
                    [p.coords[0], *ops.substring(g, 0, s, normalized=True).coords[::-1]]
                )
                if s > 0
                else shapely.linestrings([p.coords[0], g.coords[0]])
                for p, g, s in zip(pts[join_node], edge_geom, share, strict=True)
            ],
            dtype=object,
        )
        conn_head = np.array(
            [
                shapely.linestrings([p.coords[0], *ops.substring(g, s, 1, normalized=True).coords])
                if s < 1
                else shapely.linestrings([p.coords[0], g.coords[-1]])
                for p, g, s in zip(pts[join_node], edge_geom, share, strict=True)
            ],
            dtype=object,
        )
        eu += [here, tail, here, head]
        ev += [tail, here, head, here]
        lengths += [to_tail, to_tail, to_head, to_head]
        geoms_out += [conn_tail, shapely.reverse(conn_tail), conn_head, shapely.reverse(conn_head)]

    new_u = np.concatenate(eu)
    new_v = np.concatenate(ev)
    new_len = np.concatenate(lengths)
    new_geom = np.concatenate(geoms_out)
    # New nodes get negative ids, which no OSM node has.
    new_ids = -1 - np.arange(n_new, dtype=np.int64)
    edited = WalkNetwork.from_arrays(
        node_ids=np.concatenate([network.node_ids, new_ids]),
        x=np.concatenate([network.x, node_xy[:, 0]]),
        y=np.concatenate([network.y, node_xy[:, 1]]),
        crs=network.crs,
        edge_u=np.concatenate([network.edge_u, new_u]),
        edge_v=np.concatenate([network.edge_v, new_v]),
        edge_length_m=np.concatenate([network.edge_length_m, new_len]),
        edge_geometry=np.concatenate([network.edge_geometry, new_geom]),
        # proposed paths are walkable: points may attach to them; existing flags are kept
        edge_avoided=np.concatenate([network.edge_avoided, np.zeros(len(new_u), dtype=bool)]),
    )
    # Pieces of proposed path reaching no existing street: components among the new nodes
    # that contain no joined vertex.
    unconnected_m = 0.0
    if len(a):
        adj = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(n_new, n_new))
        _, labels = csgraph.connected_components(adj, directed=False)
        joined_labels = np.unique(labels[join_node]) if len(join_node) else np.empty(0)
        loose = ~np.isin(labels[a], joined_labels)
        unconnected_m = float(seg_len[loose].sum())
    logger.info(
        "added %d proposed nodes and %d edges (%d joined within %.0f m)",
        n_new,
        len(new_u),
        len(join_node),
        join_within_m,
    )
    return PathEdit(
        network=edited,
        new_nodes=n_new,
        new_edges=len(new_u),
        joined_vertices=len(join_node),
        proposed_m=float(seg_len.sum()),
        unconnected_m=unconnected_m,
        join_within_m=join_within_m,
        densify_m=densify_m,
        street_count=street_count,
    )
