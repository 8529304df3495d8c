import datetime as dt
import json
from pathlib import Path

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
from tests.isochrones.gtfs.tiny import write_feed

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
    access = Legs.from_pairs([0], [idx["A"]], [0], n_sources=1, n_targets=n)
    none = Legs.from_pairs([], [], [], n_sources=n, n_targets=n)
    ident = Legs.from_pairs(range(n), range(n), [0] * n, n_sources=n, n_targets=n)
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
