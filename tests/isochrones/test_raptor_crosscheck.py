"""RAPTOR against an independent time-expanded Dijkstra on real Porto Alegre sub-feeds,
and the properties every answer must have."""

import datetime as dt
import heapq
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiap.settings import get_settings
from isochrones import raptor
from isochrones.gtfs import Feed, empty_feed, load_feed, merge_feeds, validate_feed
from isochrones.gtfs.calendar import trips_on_date
from isochrones.raptor import (
    INF,
    Legs,
    Timetable,
    build_timetable,
    earliest_arrival,
    range_raptor,
)
from isochrones.scenarios import AddRoute, Scenario, apply_scenario
from isochrones.transit import _to_xy, build_transit_network, walk_legs, window_travel_times

POA = get_settings().data_dir / "transit" / "porto_alegre"
DATE = dt.date(2019, 5, 13)  # a Monday inside both feeds
SLACK = 60

pytestmark = pytest.mark.slow


def sub_feed(feed: Feed, route_ids: set[str]) -> Feed:
    trips = feed.trips.loc[feed.trips["route_id"].isin(route_ids)]
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    return Feed(
        stops=feed.stops.loc[feed.stops["stop_id"].isin(st["stop_id"])].reset_index(drop=True),
        routes=feed.routes.loc[feed.routes["route_id"].isin(route_ids)],
        trips=trips,
        stop_times=st,
        calendar=feed.calendar,
        calendar_dates=feed.calendar_dates,
        frequencies=feed.frequencies,
        source="sub-feed",
    )


@pytest.fixture(scope="module")
def poa() -> Feed:
    eptc = load_feed(POA / "poa_eptc.zip")
    trensurb = load_feed(POA / "poa_trensurb.zip")
    return merge_feeds([eptc, trensurb], prefixes=["bus:", "train:"])


def dijkstra_arrivals(feed, date, stop_xy, origin, t0, transfers):
    """Earliest ride arrival at every stop: Dijkstra over (stop, trip-position) events.

    Written from the GTFS tables directly (no patterns, no rounds): independent of RAPTOR.
    """
    running = trips_on_date(feed, date)
    st = feed.stop_times.merge(running, on="trip_id")
    st = st.assign(
        a=st["arrival_s"] + st["offset_s"],
        d=st["departure_s"] + st["offset_s"],
        key=st["trip_id"] + "@" + st["offset_s"].astype(str),
    )
    st = st.sort_values(["key", "stop_sequence"])
    trips = {
        k: (g["stop_id"].tolist(), g["a"].tolist(), g["d"].tolist()) for k, g in st.groupby("key")
    }
    at_stop = defaultdict(list)
    for k, (stops, _, deps) in trips.items():
        for i, (s, d) in enumerate(zip(stops, deps, strict=False)):
            if i < len(stops) - 1:
                at_stop[s].append((d, k, i))
    for v in at_stop.values():
        v.sort()
    ready = {origin: t0}
    ride = {}
    on = set()
    heap = [(t0, 0, origin, None, 0)]  # (time, kind 0=ready 1=on-trip 2=arrived, stop, trip, pos)
    while heap:
        t, kind, s, k, i = heapq.heappop(heap)
        if kind == 0:
            if t > ready.get(s, INF):
                continue
            for d, k2, i2 in at_stop.get(s, []):
                if d >= t and (k2, i2) not in on:
                    heapq.heappush(heap, (d, 1, s, k2, i2))
        elif kind == 1:
            if (k, i) in on:
                continue
            on.add((k, i))
            stops, arr, _ = trips[k]
            if i + 1 < len(stops):
                heapq.heappush(heap, (arr[i + 1], 2, stops[i + 1], k, i + 1))
        else:
            # arrived at stops[i] on trip k: alight here, or stay on
            stops, arr, _dep = trips[k]
            if (k, i) not in on:
                on.add((k, i))
                if i + 1 < len(stops):
                    heapq.heappush(heap, (arr[i + 1], 2, stops[i + 1], k, i + 1))
            if t < ride.get(s, INF):
                ride[s] = t
                for s2, w in [(s, 0), *transfers.get(s, [])]:
                    r = t + w + SLACK
                    if r < ready.get(s2, INF):
                        ready[s2] = r
                        heapq.heappush(heap, (r, 0, s2, None, 0))
    return ride


def test_raptor_matches_time_expanded_dijkstra(poa: Feed) -> None:
    rng = np.random.default_rng(5)
    routes = sorted(poa.routes["route_id"])
    bus = [r for r in routes if r.startswith("bus:")]
    pairs = total = 0
    for _sample in range(4):
        chosen = set(rng.choice(bus, size=12, replace=False)) | {
            r for r in routes if r.startswith("train:")
        }
        feed = sub_feed(poa, chosen)
        tt = build_timetable(feed, DATE)
        xy = _to_xy(feed.stops["stop_lon"], feed.stops["stop_lat"], "EPSG:32722")
        n = len(xy)
        trf = walk_legs(xy, xy, max_min=5, exclude_self=True)
        trf_map = defaultdict(list)
        ids = tt.stop_ids
        for s, t, w in trf.to_frame().itertuples(index=False):
            trf_map[ids[s]].append((ids[t], int(w)))
        egress = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
        for _ in range(25):
            o = int(rng.integers(n))
            t0 = int(rng.integers(11 * 3600, 16 * 3600))
            access = Legs.from_pairs([0], [o], [0], n_sources=1, n_targets=n)
            got = earliest_arrival(
                tt, access, trf, egress, t0, max_rounds=40, min_transfer_s=SLACK
            )[0]
            want = dijkstra_arrivals(feed, DATE, xy, ids[o], t0, trf_map)
            expect = np.array([want.get(s, INF) for s in ids])
            np.testing.assert_array_equal(got, expect)
            pairs += 1
            total += int((expect < INF).sum())
    print(f"cross-check: {pairs} origin/time pairs, {total} reachable stop arrivals identical")
    assert pairs == 100 and total > 5000


@pytest.fixture(scope="module")
def small_net(poa: Feed):
    bus = sorted(r for r in poa.routes["route_id"] if r.startswith("bus:"))[:30]
    feed = sub_feed(poa, set(bus) | {"train:LINHA1"})
    net = build_transit_network(feed, DATE, crs="EPSG:32722")
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    xy = _to_xy(hexes["lon"], hexes["lat"], net.crs)
    rng = np.random.default_rng(1)
    origins = xy[rng.choice(len(xy), 60, replace=False)]
    dests = xy[rng.choice(len(xy), 40, replace=False)]
    return feed, net, origins, dests


def test_later_departure_never_arrives_earlier(small_net) -> None:
    _, net, origins, dests = small_net
    deps = np.arange(13 * 3600, 14 * 3600 + 1, 60)
    egress = net.legs(net.stop_xy, dests, 10)
    access = net.legs(origins, net.stop_xy, 10)
    # independent runs per minute, so the property is not built in by label reuse
    tt = range_raptor(net.timetable, access, net.transfers, egress, deps, reuse_labels=False)
    arrival = np.where(tt < INF, tt.astype(np.int64) + deps[None, :, None], np.iinfo(np.int64).max)
    assert (np.diff(arrival, axis=1) >= 0).all()
    assert (tt < INF).mean() > 0.2


def test_pt_plus_walk_never_worse_than_walk(small_net) -> None:
    _, net, origins, dests = small_net
    res = window_travel_times(
        net, origins, dests, window=(dt.time(13), dt.time(14)), max_walk_min=60
    )
    walk = net.legs(origins, dests, 60).to_frame()
    walk_s = np.full((len(origins), len(dests)), np.inf)
    walk_s[walk["source"], walk["target"]] = walk["seconds"]
    assert (res.min_s <= walk_s).all()
    assert (res.travel_s[:, :, -1] <= walk_s).all()
    assert (res.min_s < walk_s).any()  # the bus helps somewhere


def test_adding_a_route_never_makes_times_worse(small_net) -> None:
    feed, net, origins, dests = small_net
    stops = feed.stops.sample(6, random_state=3)["stop_id"].tolist()
    scen = Scenario(
        name="new",
        edits=[
            AddRoute(
                route_id="NEW",
                stops=stops,
                headway_min=10,
                start=dt.time(12),
                end=dt.time(15),
                speed_kph=25,
            )
        ],
    )
    net2 = build_transit_network(apply_scenario(feed, scen), DATE, crs="EPSG:32722")
    kw = dict(window=(dt.time(13), dt.time(14)), step_min=2, percentiles=(50, 90))
    base = window_travel_times(net, origins, dests, **kw)
    new = window_travel_times(net2, origins, dests, **kw)
    assert (new.min_s <= base.min_s).all()
    assert (new.travel_s <= base.travel_s).all()


@st.composite
def random_timetable(draw):
    n_stops = draw(st.integers(3, 8))
    stop_ids = [f"S{i}" for i in range(n_stops)]
    trips, rows = [], []
    for r in range(draw(st.integers(1, 4))):
        seq = draw(st.lists(st.sampled_from(stop_ids), min_size=2, max_size=5, unique=True))
        for k in range(draw(st.integers(1, 4))):
            t = draw(st.integers(0, 3600))
            trip_id = f"R{r}T{k}"
            trips.append(
                {
                    "trip_id": trip_id,
                    "route_id": f"R{r}",
                    "service_id": "ALL",
                    "direction_id": 0,
                    "shape_id": "",
                }
            )
            for i, s in enumerate(seq):
                if i:
                    t += draw(st.integers(0, 600))
                dwell = draw(st.integers(0, 60))
                rows.append(
                    {
                        "trip_id": trip_id,
                        "stop_sequence": i + 1,
                        "stop_id": s,
                        "arrival_s": t,
                        "departure_s": t + dwell,
                    }
                )
                t += dwell
    walks = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_stops - 1), st.integers(0, n_stops - 1), st.integers(0, 900)
            ),
            max_size=10,
        )
    )
    origin = draw(st.integers(0, n_stops - 1))
    t0 = draw(st.integers(0, 3600))
    return stop_ids, trips, rows, walks, origin, t0


def random_feed(stop_ids: list[str], trips: list[dict], rows: list[dict]) -> Feed:
    """A validated feed of the drawn trips, running every day from 2019 to 2029."""
    base = empty_feed("random")
    return validate_feed(
        Feed(
            stops=pd.DataFrame(
                {
                    "stop_id": stop_ids,
                    "stop_name": stop_ids,
                    "stop_lat": 10.0,
                    "stop_lon": np.arange(len(stop_ids)) / 100,
                }
            ),
            routes=pd.DataFrame(
                {
                    "route_id": sorted({t["route_id"] for t in trips}),
                    "agency_id": "",
                    "route_short_name": "",
                    "route_long_name": "",
                    "route_type": 3,
                }
            ),
            trips=pd.DataFrame(trips),
            stop_times=pd.DataFrame(rows),
            calendar=pd.DataFrame(
                [
                    {
                        "service_id": "ALL",
                        "monday": True,
                        "tuesday": True,
                        "wednesday": True,
                        "thursday": True,
                        "friday": True,
                        "saturday": True,
                        "sunday": True,
                        "start_date": pd.Timestamp("2019-01-01"),
                        "end_date": pd.Timestamp("2030-01-01"),
                    }
                ]
            ),
            calendar_dates=base.calendar_dates,
            frequencies=base.frequencies,
            source="random",
        )
    )


def random_timetable_and_walks(
    stop_ids: list[str], trips: list[dict], rows: list[dict], walks: list[tuple[int, int, int]]
) -> tuple[Feed, Timetable, Legs]:
    """The drawn feed, its timetable and its stop-to-stop walks (walks to one stop dropped)."""
    feed = random_feed(stop_ids, trips, rows)
    tt = build_timetable(feed, DATE)
    n = tt.n_stops
    walks = [(a, b, w) for a, b, w in walks if a != b]
    trf = Legs.from_pairs(
        [a for a, _, _ in walks],
        [b for _, b, _ in walks],
        [w for _, _, w in walks],
        n_sources=n,
        n_targets=n,
    )
    return feed, tt, trf


@settings(max_examples=150, deadline=None)
@given(random_timetable())
def test_raptor_matches_dijkstra_on_random_timetables(case) -> None:
    stop_ids, trips, rows, walks, origin, t0 = case
    feed, tt, trf = random_timetable_and_walks(stop_ids, trips, rows, walks)
    n = tt.n_stops
    trf_map = defaultdict(list)
    for s, t, w in trf.to_frame().itertuples(index=False):
        trf_map[tt.stop_ids[s]].append((tt.stop_ids[t], int(w)))
    access = Legs.from_pairs([0], [origin], [0], n_sources=1, n_targets=n)
    ident = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
    got = earliest_arrival(tt, access, trf, ident, t0, max_rounds=30, min_transfer_s=SLACK)[0]
    want = dijkstra_arrivals(feed, DATE, None, tt.stop_ids[origin], t0, trf_map)
    np.testing.assert_array_equal(got, [want.get(s, INF) for s in tt.stop_ids])


def test_range_raptor_equals_separate_runs_on_real_feed(small_net) -> None:
    _, net, origins, _ = small_net
    n = net.timetable.n_stops
    ident = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
    access = net.legs(origins[:20], net.stop_xy, 10)
    deps = np.arange(13 * 3600, 13 * 3600 + 40 * 60 + 1, 60)
    fast = range_raptor(net.timetable, access, net.transfers, ident, deps)
    slow = range_raptor(net.timetable, access, net.transfers, ident, deps, reuse_labels=False)
    np.testing.assert_array_equal(fast, slow)
    assert (fast < INF).sum() > 10_000


def test_points_to_themselves_equal_with_and_without_reversed_legs(small_net, monkeypatch) -> None:
    """Origins = destinations: egress legs taken as the access legs reversed give the same
    matrix as a search per direction."""
    _, net, origins, _ = small_net
    kw = dict(window=(dt.time(13), dt.time(13, 20)), step_min=5, percentiles=(50,))
    assert net.walks_alike_both_ways
    fast = window_travel_times(net, origins, origins, **kw)
    monkeypatch.setattr(type(net), "walks_alike_both_ways", property(lambda self: False))
    slow = window_travel_times(net, origins, origins, **kw)
    np.testing.assert_array_equal(fast.travel_s, slow.travel_s)
    np.testing.assert_array_equal(fast.min_s, slow.min_s)
    assert np.isfinite(fast.min_s).mean() > 0.2


@settings(max_examples=100, deadline=None)
@given(random_timetable(), st.integers(1, 3), st.data())
def test_few_destinations_and_few_rides_equal_every_stop_then_egress(case, rides, data) -> None:
    """Arrivals at a few destinations (egress from some stops, a ride limit that binds) are
    the best ride arrival at each stop within that limit plus the egress walk: checks that
    the last round only scans as far as a stop with an egress leg, and egress is applied once
    per round."""
    stop_ids, trips, rows, walks, origin, t0 = case
    _, tt, trf = random_timetable_and_walks(stop_ids, trips, rows, walks)
    n = tt.n_stops
    access = Legs.from_pairs([0], [origin], [0], n_sources=1, n_targets=n)
    ident = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
    every = earliest_arrival(tt, access, trf, ident, t0, max_rounds=rides)[0].astype(np.int64)
    n_dest = data.draw(st.integers(1, 3))
    legs = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n_dest - 1), st.integers(0, 600)),
            max_size=6,
        )
    )
    egress = Legs.from_pairs(
        [s for s, _, _ in legs],
        [d for _, d, _ in legs],
        [w for _, _, w in legs],
        n_sources=n,
        n_targets=n_dest,
    )
    got = earliest_arrival(tt, access, trf, egress, t0, max_rounds=rides)[0]
    want = np.full(n_dest, INF, dtype=np.int64)
    for s, d, w in egress.to_frame().itertuples(index=False):
        if every[s] < INF:
            want[d] = min(want[d], every[s] + w)
    np.testing.assert_array_equal(got, want)


def _one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raptor, "MIN_LANES", 10**9)


def _batched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raptor, "MIN_LANES", 1)


@settings(max_examples=120, deadline=None)
@given(random_timetable(), st.data())
def test_batched_origins_equal_one_origin_at_a_time(case, data) -> None:
    """Origins routed in lanes of a batch get exactly the answers each gets on its own:
    one departure and independent departures, every ride limit, slack, cutoff, walks all
    the way, and few destinations."""
    stop_ids, trips, rows, walks, _, t0 = case
    _, tt, trf = random_timetable_and_walks(stop_ids, trips, rows, walks)
    n = tt.n_stops
    n_orig = data.draw(st.integers(1, 24))
    legs = data.draw(
        st.lists(
            st.tuples(st.integers(0, n_orig - 1), st.integers(0, n - 1), st.integers(0, 900)),
            max_size=3 * n_orig,
        )
    )
    access = Legs.from_pairs(
        [o for o, _, _ in legs],
        [s for _, s, _ in legs],
        [w for _, _, w in legs],
        n_sources=n_orig,
        n_targets=n,
    )
    n_dest = data.draw(st.sampled_from([1, 3, n]))
    egress = (
        Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
        if n_dest == n
        else Legs.from_pairs(
            np.arange(n),
            np.arange(n) % n_dest,
            np.arange(n) * 7 % 300,
            n_sources=n,
            n_targets=n_dest,
        )
    )
    direct = np.where(
        np.asarray(
            data.draw(st.lists(st.booleans(), min_size=n_orig * n_dest, max_size=n_orig * n_dest))
        ).reshape(n_orig, n_dest),
        np.int64(1800),
        INF,
    )
    deps = np.asarray(sorted({t0, *data.draw(st.lists(st.integers(0, 3600), max_size=2))}))
    kw = dict(
        direct_s=direct,
        cutoff_s=data.draw(st.sampled_from([None, 1200, 5400])),
        max_rounds=data.draw(st.integers(1, 5)),
        min_transfer_s=data.draw(st.sampled_from([0, 60])),
        reuse_labels=len(deps) > 1 and data.draw(st.booleans()),
    )
    with pytest.MonkeyPatch.context() as mp:
        _batched(mp)
        together = range_raptor(tt, access, trf, egress, deps, **kw)
    with pytest.MonkeyPatch.context() as mp:
        _one_at_a_time(mp)
        alone = range_raptor(tt, access, trf, egress, deps, **kw)
    np.testing.assert_array_equal(together, alone)


def test_batched_matrix_equals_one_origin_at_a_time_on_real_feed(small_net, monkeypatch) -> None:
    """60 x 40 one-departure matrix on a real sub-feed: the batched kernel (origins in
    lanes, sorted along the stops' curve) against one origin at a time."""
    _, net, origins, dests = small_net
    kw = dict(window=(dt.time(13), dt.time(13)), percentiles=(50,))
    _batched(monkeypatch)
    together = window_travel_times(net, origins, dests, **kw)
    _one_at_a_time(monkeypatch)
    alone = window_travel_times(net, origins, dests, **kw)
    np.testing.assert_array_equal(together.min_s, alone.min_s)
    assert np.isfinite(together.min_s).mean() > 0.3
    assert net.timetable.stop_rank is not None
