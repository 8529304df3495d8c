"""Window summaries, walking legs on a street grid, PT isochrones (synthetic, hand-checked)."""

import datetime as dt
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from isochrones.errors import RoutingInputError
from isochrones.gtfs import load_feed
from isochrones.network import WalkNetwork
from isochrones.raptor import INF
from isochrones.transit import (
    _summarise_window,
    build_transit_network,
    local_utm_crs,
    transit_indicators,
    transit_isochrones,
    walk_legs,
    walk_legs_groups,
    window_travel_times,
)
from tests.isochrones.gtfs.tiny import TINY, write_feed

SPEED = 4.8 / 3.6


def grid_network(n: int = 12, step_m: float = 100.0, crs: str = "EPSG:32631") -> WalkNetwork:
    g = nx.MultiDiGraph(crs=crs)
    x0, y0 = 300_000.0, 5_760_000.0
    for i in range(n):
        for j in range(n):
            g.add_node(i * n + j, x=x0 + i * step_m, y=y0 + j * step_m)
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n:
                    a, b = i * n + j, (i + di) * n + (j + dj)
                    g.add_edge(a, b, length=step_m)
                    g.add_edge(b, a, length=step_m)
    return WalkNetwork.from_graph(g)


def test_summarise_window_by_hand() -> None:
    deps = np.array([0, 60, 120, 180])
    # arrivals 600, 600, 600, 700 -> travel 600, 540, 480, 520; one unreachable pair
    times = np.array([[[600, INF], [540, INF], [480, INF], [520, INF]]], dtype=np.int32)
    mins, pct, plan = _summarise_window(times, deps, (50, 100))
    assert mins[0, 0] == 480 and np.isinf(mins[0, 1])
    assert pct[0, 0, 1] == 600
    # planned departure: leave at 120 for the 600 arrival -> 480, and 520 for the last
    assert plan[0, 0, 1] == 520 and plan[0, 0, 0] == 480
    assert np.isinf(pct[0, 1]).all()


def test_walk_legs_on_grid_follow_streets() -> None:
    net = grid_network()
    a = np.array([[300_000.0, 5_760_000.0]])
    b = np.array([[300_300.0, 5_760_400.0], [300_000.0, 5_760_100.0]])
    legs = walk_legs(a, b, max_min=10, network=net).to_frame()
    # Manhattan distance on the grid: 700 m and 100 m
    assert legs["seconds"].tolist() == [round(700 / SPEED), round(100 / SPEED)]
    straight = walk_legs(a, b, max_min=10).to_frame()
    assert straight["seconds"].iloc[0] == round(500 / SPEED)
    short = walk_legs(a, b, max_min=5, network=net).to_frame()
    assert short["target"].tolist() == [1]  # 700 m is beyond 5 minutes


def test_transit_network_on_grid_and_isochrones(tmp_path: Path) -> None:
    net = grid_network()
    # Put the tiny feed's stops on the grid (in WGS84) so the walk network links them.
    crs = net.crs
    from pyproj import Transformer

    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xy = {
        "A": (300_000, 5_760_000),
        "B": (300_000, 5_760_500),
        "C": (300_500, 5_760_500),
        "D": (301_100, 5_761_100),
        "E": (300_100, 5_760_500),
    }
    lines = ["stop_id,stop_name,stop_lat,stop_lon"]
    for sid, (x, y) in xy.items():
        lon, lat = back.transform(x, y)
        lines.append(f"{sid},{sid},{lat:.8f},{lon:.8f}")
    feed = load_feed(write_feed(tmp_path / "g", TINY, stops="\n".join(lines) + "\n"))
    tn = build_transit_network(feed, dt.date(2024, 1, 2), walk=net, max_transfer_min=5)
    frame = tn.transfers.to_frame()
    ids = list(tn.timetable.stop_ids)
    be = frame[(frame["source"] == ids.index("B")) & (frame["target"] == ids.index("E"))]
    assert be["seconds"].item() == round(100 / SPEED)
    # D is 1.1 km from C along the streets: no transfer within 5 minutes
    assert not ((frame["source"] == ids.index("C")) & (frame["target"] == ids.index("D"))).any()
    origin = np.array([xy["A"]], float)
    res = window_travel_times(
        tn,
        origin,
        np.array([xy["D"]], float),
        window=(dt.time(7, 55), dt.time(8, 0)),
        max_walk_min=60,
    )
    # walk all the way: 2200 m = 27.5 min; the bus: leave 08:00, D at 08:28 -> 28 min at 08:00
    walk_s = 2200 / SPEED
    assert res.min_s[0, 0] == pytest.approx(min(walk_s, 28 * 60), abs=1)
    assert (res.travel_s <= walk_s + 1).all()
    iso = transit_isochrones(
        tn, origin, bands_min=(5, 10), window=(dt.time(8), dt.time(8, 5)), step_min=1
    )
    assert list(iso["band_min"]) == [5.0, 10.0]
    assert iso.geometry.iloc[1].contains(iso.geometry.iloc[0])
    # within 5 minutes only walking (400 m of street each way from A at the corner)
    assert 0 < iso.geometry.iloc[0].area < 500 * 500


def test_indicators_and_utm() -> None:
    ind = transit_indicators(
        np.array([10.0, 20.0, np.inf]),
        np.array([100, 300, 100]),
        reachable_counts={30: np.array([2, 1, 0])},
    )
    assert ind["pop_weighted_mean_time_min"] == pytest.approx(17.5)
    assert ind["pop_share_within_15min"] == pytest.approx(0.2)
    assert ind["pop_weighted_reachable_30min"] == pytest.approx((200 + 300) / 500)
    assert local_utm_crs(-51.2, -30.0).to_epsg() == 32722
    assert local_utm_crs(0.1, 52.2).to_epsg() == 32631
    assert local_utm_crs(180.0, 10.0).to_epsg() == 32660  # the antimeridian is in zone 60
    # British eastings/northings taken for degrees: a clear error, not pyproj's CRSError.
    with pytest.raises(RoutingInputError, match="not a longitude/latitude"):
        local_utm_crs(545000.0, 258000.0)
    with pytest.raises(RoutingInputError, match="1 missing or non-numeric populations"):
        transit_indicators(np.array([1.0]), np.array([np.nan]))


def test_walk_legs_groups_equal_one_search_per_set() -> None:
    """One search to two target sets gives each set's legs exactly as its own search."""
    net = grid_network()
    rng = np.random.default_rng(3)
    lo, hi = np.array([300_000.0, 5_760_000.0]), np.array([301_100.0, 5_761_100.0])
    origins = rng.uniform(lo, hi, size=(15, 2))
    stops = rng.uniform(lo, hi, size=(40, 2))
    dests = rng.uniform(lo, hi, size=(9, 2))
    for network in (net, None):
        to_stops, to_dests = walk_legs_groups(
            origins, [(stops, 6.0, None), (dests, 11.0, None)], network=network
        )
        for got, (xy, limit) in ((to_stops, (stops, 6.0)), (to_dests, (dests, 11.0))):
            want = walk_legs(origins, xy, max_min=limit, network=network)
            assert got.to_frame().equals(want.to_frame())
            assert got.n_targets == len(xy)
        assert len(to_stops.target) and len(to_dests.target)


def test_reversed_walk_legs_serve_as_egress_when_points_are_destinations() -> None:
    """Origins = destinations on a street grid walked alike both ways: the egress legs are
    the access legs reversed, and the matrix equals the one with a search per direction."""
    grid = grid_network()
    assert grid.is_symmetric
    g = nx.MultiDiGraph(crs="EPSG:32631")
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=100.0, y=0.0)
    g.add_edge(0, 1, length=100.0)  # one way only
    assert not WalkNetwork.from_graph(g).is_symmetric
    rng = np.random.default_rng(5)
    stops_xy = rng.uniform([300_000, 5_760_000], [301_100, 5_761_100], size=(30, 2))
    legs = walk_legs(stops_xy[:7], stops_xy, max_min=8, network=grid)
    back = legs.transposed()
    assert back.n_sources == 30 and back.n_targets == 7
    assert back.transposed().to_frame().equals(legs.to_frame())
    assert back.to_frame().equals(
        walk_legs(stops_xy, stops_xy[:7], max_min=8, network=grid).to_frame()
    )
