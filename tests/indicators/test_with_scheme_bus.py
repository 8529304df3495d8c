"""A proposed bus route applied as a timetable scenario, on a street whose answer is known.

One straight street runs 3,000 m east from a home at its west end to a GP practice at its
east end. Today's timetable has one route, from a stop 150 m south of the home to a stop
500 m west of it (no use for the GP), so the quickest way to the GP by public transport is to
walk: 3,000 m at 80 m a minute = 37.5 min. The proposal adds a stop at the home and one at
the GP, and a bus route along the street every 10 minutes from 06:00. By bus: the ride is
3,000 m at 20 km/h = 9 min, and leaving every 2 minutes of 07:00-10:00 the wait cycles
0, 8, 6, 4, 2 min, a median of 4 min: 13 min door to door.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.indicators.compare import Comparison, assess_proposal
from hiap.indicators.with_scheme import BUS_HEADWAY_MIN, bus_route_scenario
from hiap.schemes.proposal import read_proposal
from hiap.settings import get_settings
from isochrones.gtfs import Feed, load_feed
from isochrones.scenarios import AddRoute, NewStop

from .conftest import TO_LL, OsmWriter

X0, Y0 = 520_000.0, 260_000.0
LENGTH_M = 3000.0
WALK_MIN = LENGTH_M / 80.0
BUS_MIN = 4.0 + LENGTH_M / (20.0 / 3.6) / 60.0


def _ll(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_LL.transform(X0 + x, Y0 + y)
    return lon, lat


def _write_osm(path: Path) -> None:
    osm = OsmWriter()
    street = [osm.node(X0 + x, Y0) for x in range(-1000, int(LENGTH_M) + 1, 250)]
    osm.way(1, street, {"highway": "residential"})
    osm.way(2, [street[4], osm.node(X0, Y0 - 150)], {"highway": "footway"})
    osm.write(path)


def _write_gp(path: Path) -> None:
    lon, lat = _ll(LENGTH_M, 0)
    path.write_text(
        "org_code,name,postcode,status_code,prescribing_setting,lat,lon\n"
        f"Z00002,EAST END SURGERY,CB2 2BB,A,4,{lat:.9f},{lon:.9f}\n"
    )


def _write_feed(folder: Path) -> Path:
    """Today's timetable: an hourly route from 150 m south of the home to 500 m west."""
    folder.mkdir()
    (olon, olat), (wlon, wlat) = _ll(0, -150), _ll(-500, 0)
    tables = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,Test,http://x,Europe/London\n",
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\nOLD,Old stop,{olat},{olon}\nWEST,West,{wlat},{wlon}\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,X,1,3\n",
        "trips.txt": "route_id,service_id,trip_id\n" + "".join(f"R1,WK,T{h}\n" for h in range(6, 20)),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(f"T{h},{h:02d}:00:00,{h:02d}:00:00,OLD,1\nT{h},{h:02d}:05:00,{h:02d}:05:00,WEST,2\n" for h in range(6, 20)),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,1,1,1,1,1,0,0,20240101,20241231\n",
    }
    for name, text in tables.items():
        (folder / name).write_text(text)
    return folder


def _write_proposal(path: Path, **route: object) -> None:
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Street scheme"]}, geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100)], crs=27700
        ),
        "homes": gpd.GeoDataFrame({"dwellings": [50]}, geometry=[shapely.Point(X0, Y0)], crs=27700),
        "bus_stops": gpd.GeoDataFrame(
            {"name": ["Home stop", "GP stop"]},
            geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + LENGTH_M, Y0)],
            crs=27700,
        ),
        "bus_route": gpd.GeoDataFrame(
            {"name": ["Street bus"], **{k: [v] for k, v in route.items()}},
            geometry=[shapely.LineString([(X0, Y0), (X0 + LENGTH_M, Y0)])],
            crs=27700,
        ),
    }
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bus_route")
    (tmp / "data" / "osm").mkdir(parents=True)
    (tmp / "data" / "health").mkdir()
    _write_osm(tmp / "data" / "osm" / "street.osm")
    _write_gp(tmp / "data" / "health" / "gp_practices_test_geocoded.csv")
    _write_feed(tmp / "feed")
    _write_proposal(tmp / "proposal.gpkg", headway_min=10.0, first_bus="06:00", last_bus="22:00")
    _write_proposal(tmp / "defaults.gpkg")
    return tmp


@pytest.fixture(scope="module")
def feed(street: Path) -> Feed:
    return load_feed(street / "feed")


@pytest.fixture(scope="module")
def comparison(street: Path, feed: Feed) -> Comparison:
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(street / "data"), "HIAP_CACHE_DIR": str(street / "cache")}
    )
    proposal = read_proposal(street / "proposal.gpkg", settings=settings)
    return assess_proposal(
        proposal, settings=settings, osm_path=street / "data" / "osm" / "street.osm",
        feed=feed, neighbours=False,
    )


def test_the_proposed_route_takes_the_bus_time_worked_out_by_hand(comparison: Comparison) -> None:
    row = comparison.table().set_index("id").loc["gp_pt_min"]
    assert row["baseline"] == pytest.approx(WALK_MIN, rel=0.01)
    assert row["with scheme"] == pytest.approx(BUS_MIN, abs=0.1)
    assert row["for health"] == "better"
    walk = comparison.table().set_index("id").loc["gp_walk_min"]
    assert walk["for health"] == "no change"  # the route changes buses, not the streets
    assert any("Street bus added to the timetable: 2 stops" in n for n in comparison.notes)


def test_the_baseline_timetable_is_not_changed(comparison: Comparison, feed: Feed) -> None:
    assert set(feed.routes["route_id"]) == {"R1"}
    assert len(feed.stops) == 2


def test_the_layer_defaults_are_stated(street: Path, feed: Feed) -> None:
    settings = get_settings(environ={"HIAP_DATA_DIR": str(street / "data")})
    proposal = read_proposal(street / "defaults.gpkg", settings=settings)
    scenario, notes = bus_route_scenario(proposal, feed)
    assert scenario is not None
    (edit,) = scenario.edits
    assert isinstance(edit, AddRoute)
    assert edit.headway_min == BUS_HEADWAY_MIN
    assert [s.name for s in edit.stops or [] if isinstance(s, NewStop)] == ["Home stop", "GP stop"]
    assert "assumed: every 30 min, from 06:00, until 22:00" in notes[0]


def test_a_route_past_one_stop_is_left_out_and_said(street: Path, feed: Feed) -> None:
    settings = get_settings(environ={"HIAP_DATA_DIR": str(street / "data")})
    proposal = read_proposal(street / "defaults.gpkg", settings=settings)
    one_stop = proposal.bus_stops.iloc[:1]
    from dataclasses import replace

    scenario, notes = bus_route_scenario(replace(proposal, bus_stops=one_stop), feed)
    assert scenario is None
    assert "fewer than two stops" in notes[0]


def test_bad_bus_times_are_refused(tmp_path: Path) -> None:
    from hiap.errors import SchemeError

    _write_proposal(tmp_path / "bad.gpkg", first_bus="7 am", last_bus="05:00")
    with pytest.raises(SchemeError, match="'first_bus' must be a time of day as HH:MM"):
        read_proposal(tmp_path / "bad.gpkg", settings=get_settings(environ={}))


def test_the_cli_compares_with_the_given_timetable(
    street: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hiap.cli.main import app

    monkeypatch.setenv("HIAP_DATA_DIR", str(street / "data"))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(street / "cache"))
    csv = tmp_path / "change.csv"
    result = CliRunner().invoke(app, [
        "scheme", "assess", str(street / "proposal.gpkg"), "--compare", "--no-neighbours",
        "--gtfs", str(street / "feed"), "--osm", str(street / "data" / "osm" / "street.osm"),
        "--csv", str(csv),
    ])
    assert result.exit_code == 0, result.output
    assert "Street bus added to the timetable" in result.output
    import pandas as pd

    row = pd.read_csv(csv).set_index("id").loc["gp_pt_min"]
    assert row["with scheme"] == pytest.approx(BUS_MIN, abs=0.1)


def test_both_worlds_stand_on_one_network_built_once(
    street: Path, feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hiap.indicators.run as run_module

    calls: list[Path] = []
    build = run_module.build_walk_graph

    def counting(path: Path, **kwargs: object) -> object:
        calls.append(Path(path))
        return build(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "build_walk_graph", counting)
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(street / "data"), "HIAP_CACHE_DIR": str(street / "cache")}
    )
    proposal = read_proposal(street / "proposal.gpkg", settings=settings)
    # No extract given: the runner's rule (walk-network coverage) chooses it, once.
    comparison = assess_proposal(proposal, settings=settings, feed=feed, neighbours=False)
    assert calls == [street / "data" / "osm" / "street.osm"]
    assert comparison.table().set_index("id").loc["gp_pt_min", "for health"] == "better"


def test_public_transport_is_compared_under_the_walking_fallback(
    tmp_path: Path, street: Path, feed: Feed
) -> None:
    """No OSM extract: walks to and from stops are the straight line x 1.3, labelled.

    Today the only stops are no use for the GP, so the quickest way is to walk the straight
    line: 3,000 m x 1.3 at 80 m a minute = 48.75 min. With the scheme, its stops stand at the
    home and the GP (no walk at either end): the 13 min of the hand-worked bus ride.
    """
    (tmp_path / "osm").mkdir()  # a data directory with no extract at all
    (tmp_path / "health").mkdir()
    _write_gp(tmp_path / "health" / "gp_practices_test_geocoded.csv")
    settings = get_settings(environ={
        "HIAP_DATA_DIR": str(tmp_path), "HIAP_CACHE_DIR": str(tmp_path / "cache"),
        "HIAP_FALLBACK_WALK": "1",
    })
    proposal = read_proposal(street / "proposal.gpkg", settings=settings)
    comparison = assess_proposal(proposal, settings=settings, feed=feed, neighbours=False)
    row = comparison.table().set_index("id").loc["gp_pt_min"]
    assert row["baseline"] == pytest.approx(LENGTH_M * 1.3 / 80.0, abs=0.05)
    assert row["with scheme"] == pytest.approx(BUS_MIN, abs=0.1)
    assert row["for health"] == "better"
    result = next(r for r in comparison.with_scheme.results if r.id == "gp_pt_min")
    assert "labelled fallback (straight line x 1.3 at 4.8 km/h, access/egress at most 1,600 m" in result.method
    assert "no OSM walk network" in result.source
    # The day is chosen as hiap buses chooses it (a Tuesday of the normal timetable), stated.
    assert "Public transport is timed on Tuesday 02 January 2024" in " ".join(comparison.notes)
    walk = next(r for r in comparison.with_scheme.results if r.id == "gp_walk_min")
    assert walk.value == pytest.approx(LENGTH_M * 1.3 / 80.0, abs=0.05)  # walks stay straight
    # No timetable near the site: public transport is listed with what to do, not guessed.
    none = assess_proposal(proposal, settings=settings, feed=None, neighbours=False)
    reason = none.table().set_index("id").loc["gp_pt_min", "reason"]
    assert "No timetable (a GTFS feed, or TransXChange files with NaPTAN stops)" in reason
