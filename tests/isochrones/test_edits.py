"""Proposed paths added to a copy of a walk network, checked against distances by hand.

Baseline graph (metres, British National Grid), a U of streets::

    B(0,400) --400-- C(400,400)
      |                 |
     400               400
      |                 |
    A(0,0)            D(400,0)

Walking A -> D goes round the U: 1,200 m. A proposed footpath drawn from (0,-10) to (400,-10)
has its ends 10 m from A and D (each joined to the street there; the path is split into 25 m
pieces, whose other vertices are more than 25 m from any street), so A -> D becomes
10 + 400 + 10 = 420 m: 780 m shorter.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse import csgraph

from isochrones import RoutingInputError, WalkNetwork
from isochrones.edits import DEFAULT_JOIN_M, add_paths
from isochrones.network import build_walk_graph

NODES = {1: (0.0, 0.0), 2: (0.0, 400.0), 3: (400.0, 400.0), 4: (400.0, 0.0)}


def u_network() -> WalkNetwork:
    g = nx.MultiDiGraph(crs="EPSG:27700")
    for n, (x, y) in NODES.items():
        g.add_node(n, x=x, y=y)
    for u, v in ((1, 2), (2, 3), (3, 4)):
        g.add_edge(u, v, length=400.0)
        g.add_edge(v, u, length=400.0)
    return WalkNetwork.from_graph(g)


def walk_m(network: WalkNetwork, a: int, b: int) -> float:
    pos = network.node_positions([a, b])
    dist = csgraph.dijkstra(network.length_csr, directed=True, indices=int(pos[0]))
    return float(dist[pos[1]])


def snapshot(network: WalkNetwork) -> dict[str, np.ndarray]:
    return {
        "node_ids": network.node_ids.copy(),
        "x": network.x.copy(),
        "edge_u": network.edge_u.copy(),
        "edge_length_m": network.edge_length_m.copy(),
        "csr": network.length_csr.toarray(),
    }


def test_a_new_footpath_shortens_the_walk_by_the_computed_amount() -> None:
    base = u_network()
    assert walk_m(base, 1, 4) == pytest.approx(1200.0)
    edit = add_paths(base, [shapely.LineString([(0, -10), (400, -10)])])
    assert walk_m(edit.network, 1, 4) == pytest.approx(420.0)
    assert walk_m(base, 1, 4) - walk_m(edit.network, 1, 4) == pytest.approx(780.0)
    assert edit.joined_vertices == 2  # the ends: the next vertices, 25 m in, are 27 m away
    assert edit.new_nodes == 17  # 400 m in 25 m pieces
    # Junctions as drawn: each end meets the street (1 piece + the street's 2); the 15 split
    # vertices between are not junctions.
    assert sorted(edit.street_count.tolist()) == [2] * 15 + [3, 3]
    assert edit.proposed_m == pytest.approx(400.0)
    assert edit.unconnected_m == 0.0
    assert f"{DEFAULT_JOIN_M:g} m" in edit.rule


def test_the_baseline_network_is_unchanged() -> None:
    base = u_network()
    before = snapshot(base)
    add_paths(base, [shapely.LineString([(0, -10), (400, -10)])])
    after = snapshot(base)
    for key, arr in before.items():
        np.testing.assert_array_equal(arr, after[key], err_msg=key)
    assert base.n_nodes == 4


def test_a_vertex_beside_the_middle_of_a_street_joins_both_its_ends() -> None:
    # A path from the middle of B-C (vertex 10 m above it) up to a new node: 210 m to B or C.
    base = u_network()
    edit = add_paths(base, [shapely.LineString([(200, 410), (200, 600)])])
    net = edit.network
    top = int(np.flatnonzero((net.x == 200) & (net.y == 600))[0])
    dist = csgraph.dijkstra(net.length_csr, indices=top)
    b, c = net.node_positions([2, 3])
    assert dist[b] == pytest.approx(190 + 10 + 200)
    assert dist[c] == pytest.approx(190 + 10 + 200)
    # The connector geometry follows the street: it is as long as its routing length.
    conn = np.flatnonzero((net.edge_u >= base.n_nodes) & (net.edge_v == b))
    assert shapely.length(net.edge_geometry[conn[0]]) == pytest.approx(210.0)


def test_lines_drawn_to_meet_are_joined_and_far_lines_are_reported() -> None:
    base = u_network()
    # Two lines meeting within 0.5 m at (200, 200), reaching the street at A's side only,
    # where the vertices at x = -5 and x = 20 (after splitting) are within 25 m of A-B.
    edit = add_paths(
        base,
        [
            shapely.LineString([(-5, 200), (200, 200)]),
            shapely.LineString([(200.3, 200.2), (200, 300)]),
            shapely.LineString([(3000, 3000), (3100, 3000)]),  # far from every street
        ],
    )
    # 205 m in 9 pieces (10 vertices) + 100 m in 4 pieces (5, one shared) + the far 5.
    assert edit.new_nodes == 10 + 5 - 1 + 5
    assert edit.joined_vertices == 2
    assert edit.unconnected_m == pytest.approx(100.0)
    assert "0.10 km reaches no existing street" in edit.rule
    net = edit.network
    far = int(np.flatnonzero(net.y == 300)[0])
    a = int(net.node_positions([1])[0])
    # (200,300) -> (200,200) -> (20,200) -> 20 m to A-B's edge, 200 m along it -> A (the
    # merged vertex stands within 0.4 m of both drawn ones).
    expected = 100 + 180 + 20 + 200
    assert csgraph.dijkstra(net.length_csr, indices=far)[a] == pytest.approx(expected, abs=0.5)


def test_no_join_beyond_the_distance() -> None:
    base = u_network()
    edit = add_paths(base, [shapely.LineString([(0, -30), (400, -30)])], join_within_m=25.0)
    assert edit.joined_vertices == 0
    assert walk_m(edit.network, 1, 4) == pytest.approx(1200.0)
    wider = add_paths(base, [shapely.LineString([(0, -30), (400, -30)])], join_within_m=40.0)
    # Within 40 m, the vertices 25 m in (39.05 m from A and from D) are the shortest joins.
    assert walk_m(wider.network, 1, 4) == pytest.approx(2 * np.hypot(25, 30) + 350)


def test_bad_input_is_refused() -> None:
    base = u_network()
    with pytest.raises(RoutingInputError, match="LineStrings"):
        add_paths(base, [shapely.box(0, 0, 1, 1)])
    with pytest.raises(RoutingInputError, match="join_within_m"):
        add_paths(base, [shapely.LineString([(0, 0), (1, 1)])], join_within_m=-1)
    with pytest.raises(RoutingInputError, match="densify_m"):
        add_paths(base, [shapely.LineString([(0, 0), (1, 1)])], densify_m=0)
    assert add_paths(base, []).network is base


@pytest.mark.slow
def test_hampton_cached_network_is_unchanged_by_an_edit(
    hampton_osm: Path, graph_cache: Path
) -> None:
    graph = build_walk_graph(hampton_osm, cache_dir=graph_cache)
    base = WalkNetwork.from_graph(graph)
    before = snapshot(base)
    x0, y0 = float(np.median(base.x)), float(np.median(base.y))
    edit = add_paths(base, [shapely.LineString([(x0, y0), (x0 + 500, y0 + 500)])])
    assert edit.network.n_nodes > base.n_nodes
    for key, arr in before.items():
        np.testing.assert_array_equal(arr, snapshot(base)[key], err_msg=key)
    again = WalkNetwork.from_graph(build_walk_graph(hampton_osm, cache_dir=graph_cache))
    np.testing.assert_array_equal(again.edge_length_m, before["edge_length_m"])
