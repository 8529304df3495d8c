import numpy as np
import pytest

from hiap.indicators.homes import (
    Homes,
    nearest_walk_m,
    snap_destinations,
    walk_matrix_m,
    weighted_quantile,
)
from hiap.indicators.walkgraph import WalkGraph, metres_to_minutes, minutes_to_metres

from .conftest import build_grid_graph, homes_at, points_at


def test_street_counts_match_grid(grid: WalkGraph) -> None:
    counts = grid.street_count.reshape(7, 7)
    assert counts[0, 0] == 2 and counts[0, 3] == 3 and counts[3, 3] == 4


def test_from_network_counts_neighbours_like_osmnx(grid: WalkGraph) -> None:
    again = WalkGraph.from_network(grid.network)
    np.testing.assert_array_equal(again.street_count, grid.street_count)


def test_nearest_walk_is_manhattan_on_grid_with_edge_snapping(grid: WalkGraph) -> None:
    # A destination 25 m east of corner node (6,6), a home 30 m south of the middle of
    # (0,0)-(1,0): 30 m to the street, 50 m along it to (1,0), 1100 m of blocks, then 25 m.
    dest = snap_destinations(grid, points_at((6, 6)).geometry.translate(25.0, 0.0))
    assert len(dest) == 1
    homes = homes_at(grid, (3, 4))
    assert nearest_walk_m(grid, homes, dest).tolist() == pytest.approx([525.0])
    off_street = Homes.snap(grid, points_at((0, 0)).set_geometry(points_at((0, 0)).geometry.translate(50.0, -30.0)))
    assert off_street.offset_m.tolist() == pytest.approx([30.0])
    assert nearest_walk_m(grid, off_street, dest).tolist() == pytest.approx([1205.0])


def test_nearest_walk_respects_limit(grid: WalkGraph) -> None:
    homes = homes_at(grid, (0, 0), (5, 5))
    dest = snap_destinations(grid, points_at((6, 6)).geometry)
    dist = nearest_walk_m(grid, homes, dest, limit_m=300.0)
    assert np.isinf(dist[0]) and dist[1] == pytest.approx(200.0)
    matrix = walk_matrix_m(grid, homes.snapped, dest.snapped, limit_m=300.0)
    assert matrix.shape == (2, 1) and np.isinf(matrix[0, 0]) and matrix[1, 0] == pytest.approx(200.0)


def test_off_network_destinations_are_dropped(grid: WalkGraph) -> None:
    far = points_at((6, 6), (20, 20))  # 1.4 km beyond the grid's corner
    dest = snap_destinations(grid, far.geometry)
    assert len(dest) == 1 and dest.dropped == 1


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
