import numpy as np
import pytest

from hiap.indicators.homes import snap_destinations, weighted_quantile
from hiap.indicators.walkgraph import WalkGraph, metres_to_minutes, minutes_to_metres

from .conftest import build_grid_graph, grid_xy, homes_at, points_at


def test_street_counts_match_grid(grid: WalkGraph) -> None:
    counts = grid.street_count.reshape(7, 7)
    assert counts[0, 0] == 2 and counts[0, 3] == 3 and counts[3, 3] == 4


def test_from_network_counts_neighbours_like_osmnx(grid: WalkGraph) -> None:
    again = WalkGraph.from_network(grid.network)
    np.testing.assert_array_equal(again.street_count, grid.street_count)


def test_nearest_distance_is_manhattan_on_grid(grid: WalkGraph) -> None:
    node, _ = grid.snap(*map(np.array, zip(grid_xy(6, 6), strict=True)))
    dist = grid.nearest_distance(node, offset_m=np.array([25.0]))
    homes = homes_at(grid, (0, 0), (3, 4))
    assert dist[homes.node].tolist() == pytest.approx([1225.0, 525.0])


def test_nearest_distance_respects_limit(grid: WalkGraph) -> None:
    homes = homes_at(grid, (0, 0), (5, 5))
    dest = snap_destinations(grid, points_at((6, 6)).geometry)
    dist = grid.nearest_distance(dest.node, limit_m=300.0)
    assert np.isinf(dist[homes.node[0]])
    assert dist[homes.node[1]] == pytest.approx(200.0)


def test_off_network_destinations_are_dropped(grid: WalkGraph) -> None:
    far = points_at((6, 6), (20, 20))  # 1.4 km beyond the grid's corner
    dest = snap_destinations(grid, far.geometry)
    assert len(dest.node) == 1 and dest.dropped == 1


def test_speed_conversions_use_4_8_kph() -> None:
    assert minutes_to_metres(15) == pytest.approx(1200.0)
    assert float(metres_to_minutes(800.0)) == pytest.approx(10.0)


def test_weighted_quantile_returns_a_member() -> None:
    assert weighted_quantile(np.array([3.0, 1.0, 2.0]), np.ones(3), 0.5) == 2.0
    assert weighted_quantile(np.array([1.0, 5.0]), np.array([0.8, 0.2]), 0.5) == 1.0
    assert weighted_quantile(np.array([1.0, np.inf]), np.array([0.2, 0.8]), 0.5) == np.inf


def test_graph_is_not_mutated() -> None:
    g = build_grid_graph(3)
    before = dict(g.nodes(data=True))
    WalkGraph.from_graph(g)
    assert dict(g.nodes(data=True)) == before
