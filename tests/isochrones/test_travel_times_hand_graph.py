"""Travel times on a hand-built graph, checked against times computed by hand.

Graph (metres, British National Grid; speed 3.6 km/h = 1 m/s so seconds equal metres)::

    D(100,100)
     |  \\
    100   150
     |      \\
    A(0,0)-100-B(100,0)=100|80=C(200,0)-100->E(300,0)   (C->E is one-way)

B-C has two parallel edges (100 m and 80 m): routing must use the shorter.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from isochrones import RoutingInputError, WalkNetwork
from isochrones.travel_times import (
    count_within,
    k_nearest,
    nearest_destination,
    od_matrix,
    time_from_sources,
)

ONE_MPS_KPH = 3.6


def hand_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs="EPSG:27700")
    for name, (x, y) in {
        "A": (0, 0),
        "B": (100, 0),
        "C": (200, 0),
        "D": (100, 100),
        "E": (300, 0),
    }.items():
        g.add_node(ord(name), x=float(x), y=float(y))
    two_way = [
        ("A", "B", 100.0),
        ("B", "C", 100.0),
        ("B", "C", 80.0),
        ("B", "D", 100.0),
        ("C", "D", 150.0),
    ]
    for a, b, length in two_way:
        g.add_edge(ord(a), ord(b), length=length)
        g.add_edge(ord(b), ord(a), length=length)
    g.add_edge(ord("C"), ord("E"), length=100.0)
    return g


@pytest.fixture(scope="module")
def net() -> WalkNetwork:
    return WalkNetwork.from_graph(hand_graph())


def pos(net: WalkNetwork, name: str) -> int:
    return int(net.node_positions([ord(name)])[0])


DESTS = gpd.GeoSeries([Point(0, -10), Point(300, 5)], crs="EPSG:27700")


def test_snap_distances(net: WalkNetwork) -> None:
    snapped = net.snap(DESTS)
    assert list(snapped.node_id) == [ord("A"), ord("E")]
    np.testing.assert_allclose(snapped.distance_m, [10.0, 5.0])


def test_nearest_destination_by_hand(net: WalkNetwork) -> None:
    result = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH)
    expected = {"A": (10.0, 0), "B": (110.0, 0), "C": (105.0, 1), "D": (210.0, 0), "E": (5.0, 1)}
    for name, (seconds, dest) in expected.items():
        assert result.time_s[pos(net, name)] == pytest.approx(seconds, abs=1e-9)
        assert result.destination[pos(net, name)] == dest


def test_nearest_destination_respects_direction(net: WalkNetwork) -> None:
    # E can be reached from C but cannot be left: from E only dest 1 (at E itself) is reachable,
    # and C's nearest is E (105) only because C->E exists; routing forward from E would say 190.
    result = nearest_destination(
        net, gpd.GeoSeries([Point(0, -10)], crs="EPSG:27700"), speed_kph=ONE_MPS_KPH
    )
    assert np.isinf(result.time_s[pos(net, "E")])
    assert result.destination[pos(net, "E")] == -1
    assert result.time_s[pos(net, "C")] == pytest.approx(190.0)


def test_origin_snap_offset_and_speed(net: WalkNetwork) -> None:
    origin = net.snap(gpd.GeoSeries([Point(200, 20)], crs="EPSG:27700"))
    t, d = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH).for_points(origin)
    assert t[0] == pytest.approx(125.0) and d[0] == 1
    t48, _ = nearest_destination(net, DESTS).for_points(origin)
    assert t48[0] == pytest.approx(125.0 / (4.8 / 3.6))


def test_cutoff(net: WalkNetwork) -> None:
    result = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH, cutoff_min=150 / 60)
    assert np.isinf(result.time_s[pos(net, "D")]) and result.destination[pos(net, "D")] == -1
    assert result.time_s[pos(net, "B")] == pytest.approx(110.0)
    # the origin's own snap distance can push it over the cutoff
    far = net.snap(np.array([[100.0, 145.0]]))  # 45 m from D
    t, d = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH, cutoff_min=4.5).for_points(far)
    assert t[0] == pytest.approx(210.0 + 45.0) and d[0] == 0
    t, d = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH, cutoff_min=4.0).for_points(
        far
    )  # node 210 s fits, 255 s does not
    assert np.isinf(t[0]) and d[0] == -1


def test_time_from_sources_forward(net: WalkNetwork) -> None:
    t, src = time_from_sources(net, DESTS.iloc[:1], speed_kph=ONE_MPS_KPH)
    expected = {"A": 10.0, "B": 110.0, "C": 190.0, "D": 210.0, "E": 290.0}
    for name, seconds in expected.items():
        assert t[pos(net, name)] == pytest.approx(seconds)
    assert set(src) == {0}


def test_od_matrix_k_nearest_and_counts(net: WalkNetwork) -> None:
    origins = gpd.GeoSeries([Point(200, 20), Point(0, 0)], crs="EPSG:27700")
    od = od_matrix(net, origins, DESTS, speed_kph=ONE_MPS_KPH)
    np.testing.assert_allclose(od, [[210.0, 125.0], [10.0, 285.0]])
    times, idx = k_nearest(od, k=2)
    np.testing.assert_allclose(times, [[125.0, 210.0], [10.0, 285.0]])
    assert idx.tolist() == [[1, 0], [0, 1]]
    counts = count_within(od, bands_min=[1, 3, 5])
    assert counts.tolist() == [[0, 1, 2], [1, 1, 2]]
    capped = od_matrix(net, origins, DESTS, speed_kph=ONE_MPS_KPH, cutoff_min=3)
    assert (
        np.isinf(capped[0, 0]) and np.isinf(capped[1, 1]) and capped[0, 1] == pytest.approx(125.0)
    )


def test_bad_inputs_raise_clear_errors(net: WalkNetwork) -> None:
    with pytest.raises(RoutingInputError, match="EPSG:4326"):
        net.snap(gpd.GeoSeries([Point(0, 0)], crs="EPSG:4326"))
    with pytest.raises(RoutingInputError, match="speed_kph"):
        nearest_destination(net, DESTS, speed_kph=0)
    with pytest.raises(RoutingInputError, match="cutoff_min"):
        nearest_destination(net, DESTS, cutoff_min=-1)
    with pytest.raises(RoutingInputError, match="more than 20 m"):
        net.snap(np.array([[0.0, -50.0]]), max_snap_m=20)
    with pytest.raises(RoutingInputError, match="geographic"):
        WalkNetwork.from_graph(nx.MultiDiGraph(hand_graph(), crs="EPSG:4326"))


def test_network_arrays_are_read_only(net: WalkNetwork) -> None:
    with pytest.raises(ValueError, match="read-only"):
        net.x[0] = 1.0


def test_edge_snapping_by_hand(net: WalkNetwork) -> None:
    origin = net.snap(np.array([[50.0, 10.0]]), to="edge")  # 10 m off A-B, halfway along
    assert origin.alt_node_index is not None and origin.alt_distance_m is not None
    ends = {
        int(origin.node_id[0]): float(origin.distance_m[0]),
        int(net.node_ids[origin.alt_node_index[0]]): float(origin.alt_distance_m[0]),
    }
    assert ends == {ord("A"): pytest.approx(60.0), ord("B"): pytest.approx(60.0)}
    t, d = nearest_destination(net, DESTS, speed_kph=ONE_MPS_KPH).for_points(origin)
    assert t[0] == pytest.approx(70.0) and d[0] == 0
    # a destination beside B-D, 60 m from B and 40 m from D
    dest = net.snap(np.array([[100.0, 60.0]]), to="edge")
    result = nearest_destination(net, dest, speed_kph=ONE_MPS_KPH)
    assert result.time_s[pos(net, "A")] == pytest.approx(160.0)
    assert result.time_s[pos(net, "C")] == pytest.approx(140.0)
    assert result.time_s[pos(net, "D")] == pytest.approx(40.0)
    assert np.isinf(result.time_s[pos(net, "E")])
    od = od_matrix(net, origin, dest, speed_kph=ONE_MPS_KPH)
    assert od[0, 0] == pytest.approx(120.0)
    with pytest.raises(RoutingInputError, match="'node' or 'edge'"):
        net.snap(np.array([[0.0, 0.0]]), to="street")  # type: ignore[arg-type]
