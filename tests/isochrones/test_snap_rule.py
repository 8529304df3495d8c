"""The snapping rule on a hand-built graph: avoided ways, the fallback distance, exclusions.

Graph (metres, British National Grid; every edge walkable both ways)::

    R0(0,60) ------- residential, 1000 m ------- R1(1000,60)
     |  footway 60 m
    T0(0,0)  ------- trunk (A1260-like), 1000 m - T1(1000,0)
                                                  |  lane, sidewalk=no, 200 m
                                                 S1(1000,-200)

Speed 3.6 km/h = 1 m/s, so seconds equal metres.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from isochrones import RoutingInputError, WalkNetwork
from isochrones.network import EXCLUDE_BEYOND_M, avoid_snapping
from isochrones.travel_times import nearest_destination

ONE_MPS_KPH = 3.6


def corridor_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs="EPSG:27700")
    nodes = {1: (0, 60), 2: (1000, 60), 3: (0, 0), 4: (1000, 0), 5: (1000, -200)}
    for node, (x, y) in nodes.items():
        g.add_node(node, x=float(x), y=float(y))
    edges = [
        (1, 2, 1000.0, {"highway": "residential"}),
        (1, 3, 60.0, {"highway": "footway"}),
        (3, 4, 1000.0, {"highway": "trunk", "ref": "A1260"}),
        (4, 5, 200.0, {"highway": "unclassified", "sidewalk": "no"}),
    ]
    for a, b, length, tags in edges:
        g.add_edge(a, b, length=length, **tags)
        g.add_edge(b, a, length=length, **tags)
    return g


@pytest.fixture(scope="module")
def net() -> WalkNetwork:
    return WalkNetwork.from_graph(corridor_graph())


@pytest.mark.parametrize(
    ("data", "avoided"),
    [
        ({"highway": "trunk"}, True),
        ({"highway": "trunk_link"}, True),
        ({"highway": "motorway_link"}, True),
        ({"highway": ["primary", "trunk"]}, True),  # merged by simplification
        ({"highway": "residential", "foot": "no"}, True),
        ({"highway": "residential", "sidewalk": "no"}, True),
        ({"highway": "residential", "sidewalk:both": "no"}, True),
        ({"highway": "primary", "sidewalk": "both"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "residential", "foot": "yes"}, False),
    ],
)
def test_avoid_snapping(data: dict[str, object], avoided: bool) -> None:
    assert avoid_snapping(data) is avoided


def test_edge_flags(net: WalkNetwork) -> None:
    highways = corridor_graph().edges(data="highway")
    expected = [h == "trunk" or h == "unclassified" for *_, h in highways]
    assert net.edge_avoided.tolist() == expected


def test_home_beside_the_trunk_road_attaches_to_its_street(net: WalkNetwork) -> None:
    # 10 m from the carriageway, 50 m from the residential street: the street wins
    snapped = net.snap(np.array([[500.0, 10.0]]), to="edge")
    edge = int(snapped.edge_index[0])
    assert not net.edge_avoided[edge]
    assert snapped.offset_m[0] == pytest.approx(50.0)
    assert {int(net.node_ids[net.edge_u[edge]]), int(net.node_ids[net.edge_v[edge]])} == {1, 2}
    assert not snapped.on_avoided[0]
    # door to R0: 50 m across + 500 m along the street
    assert sorted([snapped.distance_m[0], snapped.alt_distance_m[0]]) == pytest.approx(
        [550.0, 550.0]
    )


def test_nothing_else_within_the_fallback_uses_the_trunk_road(net: WalkNetwork) -> None:
    # 300 m south of the trunk road, the street 360 m away: within the 500 m fallback
    assert net.snap(np.array([[500.0, -300.0]]), to="edge").offset_m[0] == pytest.approx(360.0)
    # 480 m south: the street is 540 m away, beyond the fallback, so the trunk road is used
    snapped = net.snap(np.array([[500.0, -480.0]]), to="edge")
    assert net.edge_avoided[snapped.edge_index[0]]
    assert snapped.on_avoided[0]
    assert snapped.offset_m[0] == pytest.approx(480.0)
    # a wider fallback prefers the street again
    wide = net.snap(np.array([[500.0, -480.0]]), to="edge", fallback_m=600.0)
    assert not wide.on_avoided[0]
    assert wide.offset_m[0] == pytest.approx(540.0)


def test_sidewalk_no_lane_is_avoided(net: WalkNetwork) -> None:
    # 5 m east of the sidewalk-less lane, 60 m from the trunk road (also avoided), and the
    # street is 120 m away: the street wins
    point = np.array([[1005.0, -60.0]])
    assert net.snap(point, to="edge").offset_m[0] == pytest.approx(np.hypot(5.0, 120.0))
    # with a 100 m fallback nothing else is near enough, so it takes the nearest (the lane)
    snapped = net.snap(point, to="edge", fallback_m=100.0)
    assert snapped.on_avoided[0]
    assert snapped.offset_m[0] == pytest.approx(5.0)


def test_node_snapping_follows_the_same_rule(net: WalkNetwork) -> None:
    # T1 (1000, 0) has only avoided edges; R1 (1000, 60) is 50 m away
    snapped = net.snap(np.array([[1000.0, 10.0]]), to="node")
    assert int(snapped.node_id[0]) == 2
    assert snapped.distance_m[0] == pytest.approx(50.0)
    # T0 (0,0) has the footway, so it may take points
    assert int(net.snap(np.array([[0.0, -5.0]]), to="node").node_id[0]) == 3
    # far from any node but T1/S1: they are used, and flagged
    far = net.snap(np.array([[1000.0, -350.0]]), to="node", fallback_m=100.0)
    assert int(far.node_id[0]) == 5 and far.on_avoided[0]


def test_origins_beyond_the_limit_are_excluded_with_a_reason(net: WalkNetwork) -> None:
    points = np.array([[500.0, 10.0], [500.0, 700.0], [500.0, -20.0]])
    # (500, -20) is 20 m from the trunk road, 80 m from the street: it takes the street
    snapped = net.snap(points, to="edge", exclude_beyond_m=EXCLUDE_BEYOND_M)
    assert snapped.excluded.tolist() == [False, True, False]
    assert snapped.offset_m[2] == pytest.approx(80.0)
    table = snapped.exclusions()
    assert table["row"].tolist() == [1]
    assert table["distance_m"].tolist() == pytest.approx([640.0])
    assert "640 m" in table["reason"].iloc[0] and "500 m" in table["reason"].iloc[0]
    # an excluded origin is never routed: infinite time, no destination
    dest = nearest_destination(net, np.array([[0.0, 70.0]]), speed_kph=ONE_MPS_KPH)
    time_s, which = dest.for_points(snapped)
    assert np.isinf(time_s[1]) and which[1] == -1
    assert time_s[0] == pytest.approx(10.0 + 500.0 + 50.0)
    # the subset keeps the flags
    assert snapped.subset(np.array([1])).excluded.tolist() == [True]


def test_no_exclusions_without_a_limit(net: WalkNetwork) -> None:
    snapped = net.snap(np.array([[500.0, 700.0]]), to="edge")
    assert snapped.excluded is None
    assert snapped.exclusions().empty


def test_bad_distances_are_refused(net: WalkNetwork) -> None:
    with pytest.raises(RoutingInputError, match="fallback_m"):
        net.snap(np.array([[0.0, 0.0]]), fallback_m=-1.0)
    with pytest.raises(RoutingInputError, match="exclude_beyond_m"):
        net.snap(np.array([[0.0, 0.0]]), exclude_beyond_m=float("nan"))


def test_origin_access_lists_and_leaves_out_excluded_origins(net: WalkNetwork) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from isochrones import origin_access, summarise_access

    origins = gpd.GeoDataFrame(
        {"population": [100.0, 50.0]},
        geometry=[Point(500, 10), Point(500, 700)],
        crs="EPSG:27700",
    )
    gp = gpd.GeoDataFrame(geometry=[Point(0, 70)], crs="EPSG:27700")
    table = origin_access(
        net, origins, gp, speed_kph=ONE_MPS_KPH, snap_to="edge", exclude_beyond_m=500.0
    )
    assert table["excluded"].tolist() == [False, True]
    assert table["time_min"].iloc[0] == pytest.approx(560.0 / 60.0)
    assert np.isnan(table["time_min"].iloc[1])
    assert pd.isna(table["excluded_reason"].iloc[0])
    assert "outside the mapped network" in table["excluded_reason"].iloc[1]
    summary = summarise_access(origins.join(table), bands_min=[15]).iloc[0]
    assert summary["origins"] == 1 and summary["population"] == 100.0
    assert summary["excluded_origins"] == 1 and summary["excluded_population"] == 50.0
    assert summary["pop_share_within_15min"] == 1.0
