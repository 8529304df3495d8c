import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hiap.settings import get_settings
from isochrones.gtfs import ScenarioError, load_feed
from isochrones.raptor import Legs, build_timetable, earliest_arrival
from isochrones.scenarios import (
    AddFeed,
    AddRoute,
    ChangeFrequency,
    NewStop,
    RemoveRoute,
    Scenario,
    apply_scenario,
    load_scenario,
    save_scenario,
)
from tests.isochrones.gtfs.tiny import TINY, write_feed

TUE = dt.date(2024, 1, 2)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory):
    return load_feed(write_feed(tmp_path_factory.mktemp("tiny")))


def test_add_route_with_new_stop_and_times(feed) -> None:
    scen = Scenario(
        name="s",
        edits=[
            AddRoute(
                route_id="N",
                stops=["A", NewStop(stop_id="M", lat=52.015, lon=0.0), "D"],
                headway_min=15,
                start=dt.time(8),
                end=dt.time(9),
                stop_to_stop_min=[5, 6],
                both_directions=False,
            )
        ],
    )
    out = apply_scenario(feed, scen)
    assert "M" in set(out.stops["stop_id"]) and "M" not in set(feed.stops["stop_id"])
    assert len(out.trips) == len(feed.trips) + 5  # 08:00, 08:15, ... 09:00
    tt = build_timetable(out, TUE)
    n = tt.n_stops
    idx = {s: i for i, s in enumerate(tt.stop_ids)}
    one, empty, every = np.zeros(1, np.int64), np.zeros(0, np.int64), np.arange(n)
    access = Legs.from_pairs(one, one + idx["A"], one, n_sources=1, n_targets=n)
    none = Legs.from_pairs(empty, empty, empty, n_sources=n, n_targets=n)
    ident = Legs.from_pairs(every, every, every * 0, n_sources=n, n_targets=n)
    # leave A at 07:55: new route at 08:00 reaches D at 08:11, before the baseline's 08:28+
    assert (
        earliest_arrival(tt, access, none, ident, 7 * 3600 + 55 * 60)[0, idx["D"]]
        == 8 * 3600 + 11 * 60
    )


def test_line_route_change_and_remove(feed) -> None:
    scen = Scenario(
        name="s",
        edits=[
            AddRoute(
                route_id="L",
                line=[(0.0, 52.0), (0.0, 52.03)],
                stop_spacing_m=1000,
                headway_min=30,
                speed_kph=20,
            ),
            ChangeFrequency(route_id="R1", headway_min=20, start=dt.time(7), end=dt.time(8)),
            RemoveRoute(route_id="R2"),
        ],
    )
    out = apply_scenario(feed, scen)
    new_stops = out.stops.loc[out.stops["stop_id"].str.startswith("L:")]
    assert len(new_stops) == 5  # ~3.3 km at 1 km spacing -> 5 stops
    r1 = out.trips.loc[out.trips["route_id"] == "R1"]
    assert len(r1) == 4  # 07:00, 07:20, 07:40, 08:00
    assert "R2" not in set(out.routes["route_id"])
    assert "R2" in set(feed.routes["route_id"])  # input untouched


def test_scenario_round_trip_and_errors(tmp_path: Path, feed) -> None:
    scen = Scenario(name="x", edits=[RemoveRoute(route_id="R9")])
    for name in ("s.json", "s.yaml"):
        assert load_scenario(save_scenario(scen, tmp_path / name)) == scen
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "name": "b",
                "edits": [
                    {"kind": "add_route", "route_id": "Q", "headway_min": -1, "colour": "red"}
                ],
            }
        )
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert len(info.value.problems) >= 2
    with pytest.raises(ScenarioError, match="not in the feed"):
        apply_scenario(feed, Scenario(name="y", edits=[RemoveRoute(route_id="nope")]))
    with pytest.raises(ScenarioError, match="'ZZ' is not in the feed"):
        apply_scenario(
            feed,
            Scenario(name="z", edits=[AddRoute(route_id="Q", stops=["A", "ZZ"], headway_min=10)]),
        )


def test_add_transxchange_proposal(tmp_path: Path, feed) -> None:
    txc = get_settings().data_dir / "transit" / "tnds_txc_ea_20-12_St_Ives_Town_Circular.xml"
    base = load_feed(write_feed(tmp_path / "b"))
    codes = [f"0500HSTIV{n:03d}" for n in range(1, 80)]
    scen = Scenario(
        name="st-ives",
        edits=[
            AddFeed(
                path=str(txc),
                stop_coordinates={c: (52.33, -0.07 + i / 1000) for i, c in enumerate(codes)},
            )
        ],
    )
    out = apply_scenario(base, scen)
    assert len(out.trips) == len(base.trips) + 5
    assert out.trips["trip_id"].str.startswith("scenario:VJ_").sum() == 5
    path = save_scenario(scen, tmp_path / "s.yaml")
    assert load_scenario(path) == scen
    bad = Scenario(name="x", edits=[AddFeed(path="missing.xml")])
    with pytest.raises(ScenarioError, match="does not exist"):
        apply_scenario(base, bad, base_dir=tmp_path)


# Route R in one direction: two full trips A-B-C-D (the second slower) and a short working
# A-E that the full pattern never serves.
TWO_PATTERNS = {
    **{k: v for k, v in TINY.items() if k not in ("calendar_dates.txt",)},
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR,X,R,3\n",
    "trips.txt": (
        "route_id,service_id,trip_id,direction_id\nR,WK,F1,0\nR,WK,F2,0\nR,WK,S1,0\nR,WK,S2,0\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "F1,08:00:00,08:00:00,A,1\nF1,08:10:00,08:10:00,B,2\n"
        "F1,08:20:00,08:20:00,C,3\nF1,08:30:00,08:30:00,D,4\n"
        "F2,08:30:00,08:30:00,A,1\nF2,08:42:00,08:42:00,B,2\n"
        "F2,08:54:00,08:54:00,C,3\nF2,09:06:00,09:06:00,D,4\n"
        "S1,08:05:00,08:05:00,A,1\nS1,08:12:00,08:13:00,E,2\n"
        "S2,08:45:00,08:45:00,A,1\nS2,08:53:00,08:53:00,E,2\n"
    ),
}


def _hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def test_change_frequency_keeps_every_pattern(tmp_path: Path) -> None:
    base = load_feed(write_feed(tmp_path / "two", TWO_PATTERNS))
    out = apply_scenario(
        base, Scenario(name="s", edits=[ChangeFrequency(route_id="R", headway_min=10)])
    )
    st = out.stop_times
    # every stop keeps its service (the old single-template rule dropped E) and no trip is lost
    assert set(st["stop_id"]) == {"A", "B", "C", "D", "E"}
    assert {"F1", "F2", "S1", "S2"} <= set(out.trips["trip_id"])
    added = out.trips.loc[~out.trips["trip_id"].isin(base.trips["trip_id"])]
    assert set(added["service_id"]) == {"WK"} and set(added["direction_id"]) == {0}
    patterns = {tuple(g["stop_id"]) for _, g in st.groupby("trip_id")}
    assert patterns == {("A", "B", "C", "D"), ("A", "E")}
    got = {
        trip: [
            (s, int(a), int(d))
            for s, a, d in g[["stop_id", "arrival_s", "departure_s"]].itertuples(index=False)
        ]
        for trip, g in st.loc[st["trip_id"].isin(added["trip_id"])].groupby("trip_id")
    }
    full = [
        # 08:00-08:30 split into 3: 08:10 copies F1 (nearer), 08:20 copies the slower F2
        ["A 08:10 08:10", "B 08:20 08:20", "C 08:30 08:30", "D 08:40 08:40"],
        ["A 08:20 08:20", "B 08:32 08:32", "C 08:44 08:44", "D 08:56 08:56"],
    ]
    short = [
        # 08:05-08:45 split into 4: 08:15 and 08:25 (a tie: the earlier) copy S1, 08:35 S2
        ["A 08:15 08:15", "E 08:22 08:23"],
        ["A 08:25 08:25", "E 08:32 08:33"],
        ["A 08:35 08:35", "E 08:43 08:43"],
    ]
    want = sorted(
        [(s, _hm(a), _hm(d)) for s, a, d in (x.split() for x in trip)] for trip in full + short
    )
    assert sorted(got.values()) == want
    # applying the edit again changes nothing
    again = apply_scenario(
        out, Scenario(name="s", edits=[ChangeFrequency(route_id="R", headway_min=10)])
    )
    assert set(again.trips["trip_id"]) == set(out.trips["trip_id"])
    # a cut to every 50 min: F2 leaves 30 min (< 3/4 x 50) after F1 and goes; S2 (40) stays
    cut = apply_scenario(
        base, Scenario(name="c", edits=[ChangeFrequency(route_id="R", headway_min=50)])
    )
    assert set(cut.trips["trip_id"]) == {"F1", "S1", "S2"}


@pytest.mark.slow
def test_more_frequent_routes_never_slow_a_real_journey() -> None:
    from scipy.spatial import cKDTree

    from isochrones.transit import _to_xy, build_transit_network, window_travel_times

    poa = get_settings().data_dir / "transit" / "porto_alegre"
    feed = load_feed(poa / "poa_eptc.zip")
    date = dt.date(2019, 4, 16)  # a Tuesday of the feed
    routes = ["T12", "T1", "T2"]
    hours = (12 * 3600, 16 * 3600)
    net = build_transit_network(feed, date, crs="EPSG:32722", time_window_s=hours)
    hexes = pd.read_csv(poa / "poa_hexgrid.csv")
    xy = _to_xy(hexes["lon"].to_numpy(), hexes["lat"].to_numpy(), net.crs)
    trips = feed.trips.loc[feed.trips["route_id"].isin(routes), "trip_id"]
    served = feed.stops["stop_id"].isin(
        feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips), "stop_id"]
    )
    dist_m, _ = cKDTree(net.stop_xy[served.to_numpy()]).query(xy)
    near = np.flatnonzero(dist_m < 800)  # origins these routes can matter to
    origins = xy[np.random.default_rng(0).choice(near, 300, replace=False)]
    dests = xy[hexes["healthcare"].to_numpy() > 0]
    window = (dt.time(13), dt.time(14))
    before = window_travel_times(net, origins, dests, window=window, nearest=True).min_s[:, 0]
    scen = Scenario(
        name="5 min", edits=[ChangeFrequency(route_id=r, headway_min=5) for r in routes]
    )
    after_net = build_transit_network(
        apply_scenario(feed, scen), date, crs="EPSG:32722", time_window_s=hours
    )
    after = window_travel_times(after_net, origins, dests, window=window, nearest=True).min_s[:, 0]
    assert (after <= before + 1e-9).all()
    assert (after < before - 1e-9).sum() >= 5  # and the change does help
