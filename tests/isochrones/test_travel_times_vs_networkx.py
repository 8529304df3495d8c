"""Multi-source travel times against networkx's Dijkstra on the real Hampton and Rutland networks."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from isochrones import WalkNetwork
from isochrones.travel_times import nearest_destination, od_matrix, time_from_sources

SPEED_MPS = 4.8 / 3.6


def _random_points(net: WalkNetwork, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, size=count, replace=False)
    return np.column_stack([net.x[nodes], net.y[nodes]]) + rng.normal(0.0, 40.0, (count, 2))


def _with_virtual_sources(
    graph: nx.MultiDiGraph, net: WalkNetwork, points: np.ndarray, *, reverse: bool, to: str = "node"
) -> tuple[nx.MultiDiGraph, list[tuple[str, int]]]:
    """networkx graph with one virtual node per point, linked by its snap offset(s)."""
    g = graph.reverse(copy=True) if reverse else graph.copy()
    snapped = net.snap(points, to=to)  # type: ignore[arg-type]
    sources = []
    for nodes, offsets in snapped.attachments():
        for i, (node, dist) in enumerate(zip(net.node_ids[nodes], offsets, strict=True)):
            g.add_edge(("src", i), int(node), length=float(dist))
    sources = [("src", i) for i in range(len(points))]
    return g, sources


@pytest.mark.parametrize("which", ["hampton", pytest.param("rutland", marks=pytest.mark.slow)])
def test_nearest_destination_equals_networkx(which: str, request: pytest.FixtureRequest) -> None:
    graph: nx.MultiDiGraph = request.getfixturevalue(f"{which}_graph")
    net: WalkNetwork = request.getfixturevalue(f"{which}_net")
    dests = _random_points(net, 12, seed=1)
    result = nearest_destination(net, dests)
    g, sources = _with_virtual_sources(graph, net, dests, reverse=True)
    rng = np.random.default_rng(2)
    sample = rng.choice(net.n_nodes, size=min(net.n_nodes, 400), replace=False)
    # One networkx search per destination; the nearest is the minimum over them.
    per_dest = [nx.single_source_dijkstra_path_length(g, s, weight="length") for s in sources]
    for p in sample:
        node = int(net.node_ids[p])
        metres = np.array([d.get(node, np.inf) for d in per_dest])
        assert result.time_s[p] == pytest.approx(metres.min() / SPEED_MPS, abs=1e-6)
        assert metres[result.destination[p]] == pytest.approx(metres.min(), abs=1e-6)
    # and the whole surface equals networkx's own multi-source search
    multi = nx.multi_source_dijkstra_path_length(g, sources, weight="length")
    expected = np.array([multi.get(int(n), np.inf) for n in net.node_ids]) / SPEED_MPS
    np.testing.assert_allclose(result.time_s, expected, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_time_from_sources_and_od_matrix_equal_networkx(
    rutland_graph: nx.MultiDiGraph, rutland_net: WalkNetwork
) -> None:
    origins = _random_points(rutland_net, 5, seed=3)
    dests = _random_points(rutland_net, 7, seed=4)
    g, sources = _with_virtual_sources(rutland_graph, rutland_net, origins, reverse=False)
    time_s, _ = time_from_sources(rutland_net, origins[:1], cutoff_min=20)
    single = nx.single_source_dijkstra_path_length(
        g, sources[0], cutoff=20 * 60 * SPEED_MPS, weight="length"
    )
    expected = np.array([single.get(int(n), np.inf) for n in rutland_net.node_ids]) / SPEED_MPS
    np.testing.assert_allclose(time_s, expected, rtol=0, atol=1e-6)

    od = od_matrix(rutland_net, origins, dests)
    d_snap = rutland_net.snap(dests)
    for i, src in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(g, src, weight="length")
        for j in range(len(dests)):
            metres = lengths.get(int(d_snap.node_id[j]), np.inf) + d_snap.distance_m[j]
            assert od[i, j] == pytest.approx(metres / SPEED_MPS, abs=1e-6)


@pytest.mark.parametrize("to", ["node", "edge"])
def test_edge_and_node_snapping_equal_networkx(
    to: str, hampton_graph: nx.MultiDiGraph, hampton_net: WalkNetwork
) -> None:
    points = _random_points(hampton_net, 25, seed=9)
    dests = points[:6]
    origins = points[6:]
    g, sources = _with_virtual_sources(hampton_graph, hampton_net, dests, reverse=True, to=to)
    multi = nx.multi_source_dijkstra_path_length(g, sources, weight="length")
    result = nearest_destination(hampton_net, hampton_net.snap(dests, to=to))  # type: ignore[arg-type]
    expected = np.array([multi.get(int(n), np.inf) for n in hampton_net.node_ids]) / SPEED_MPS
    np.testing.assert_allclose(result.time_s, expected, rtol=0, atol=1e-6)
    # origins: door to door through either end of their edge, against networkx per pair
    o_snap = hampton_net.snap(origins, to=to)  # type: ignore[arg-type]
    t, _ = result.for_points(o_snap)
    od = od_matrix(hampton_net, o_snap, hampton_net.snap(dests, to=to))  # type: ignore[arg-type]
    np.testing.assert_allclose(od.min(axis=1), t, rtol=0, atol=1e-6)
    for i in range(len(origins)):
        best = min(
            multi.get(int(hampton_net.node_ids[nodes[i]]), np.inf) + offsets[i]
            for nodes, offsets in o_snap.attachments()
        )
        assert t[i] == pytest.approx(best / SPEED_MPS, abs=1e-6)


@pytest.mark.slow
def test_cutoff_drops_exactly_the_far_nodes(rutland_net: WalkNetwork) -> None:
    dests = _random_points(rutland_net, 6, seed=5)
    full = nearest_destination(rutland_net, dests)
    capped = nearest_destination(rutland_net, dests, cutoff_min=10)
    inside = full.time_s <= 600
    np.testing.assert_allclose(capped.time_s[inside], full.time_s[inside], rtol=0, atol=1e-9)
    assert np.isinf(capped.time_s[~inside]).all()
    assert (capped.destination[~inside] == -1).all()
