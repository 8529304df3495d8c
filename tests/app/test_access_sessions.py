"""One engine, one cache keyed by content: every session sees its own scheme's numbers.

Scheme A (the Hampton sample) then scheme B (a smaller site in the north of Hampton) run in
one session, and in two sessions side by side, on the walk path; on the public-transport path
(the Porto Alegre sample, the only timetable offline here) two departure windows. Each page
must show the numbers the CLI gives for the same inputs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import load_sample_scheme
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.settings import get_settings
from hiap.ui.access import ACCESS_RESULT_KEY
from hiap.ui.state import SCHEME_KEY

APP = "../../streamlit_app.py"
ACCESS = "pages/access.py"
DEMO = "Porto Alegre demo (public-transport sample)"
DATA = get_settings().data_dir
POA = DATA / "transit" / "porto_alegre"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("module_app_state"),
    pytest.mark.skipif(
        not (DATA / "osm" / "peterborough_hampton_2012.osm").is_file()
        or not (POA / "poa_eptc.zip").is_file(),
        reason="Hampton OSM or Porto Alegre sample missing",
    ),
]
COLUMNS = {
    "Mean time (min, pop-weighted)": "pop_weighted_mean_time_min",
    "Share within 15 min": "pop_share_within_15min",
    "Share within 30 min": "pop_share_within_30min",
}


def _scheme_b() -> Scheme:
    site = gpd.GeoDataFrame(geometry=[box(-0.275, 52.535, -0.266, 52.541)], crs=4326)
    return Scheme(
        metadata=SchemeMetadata(name="Hampton north (test)", dwellings=400, source="test"),
        boundary=site.to_crs(27700),
    )


@pytest.fixture(scope="module")
def schemes() -> dict[str, Scheme]:
    return {"A": load_sample_scheme("hampton", get_settings()), "B": _scheme_b()}


def _cli_walk(scheme: Scheme, tmp: Path) -> pd.Series:
    """The CLI's overall walking indicators around a scheme's boundary."""
    area = tmp / f"{abs(hash(scheme.name))}.geojson"
    scheme.boundary.to_file(area)
    out = tmp / f"{area.stem}.gpkg"
    result = CliRunner().invoke(app, ["access", "walk", "--to", "gp", "--area", str(area),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    ind = gpd.read_file(out, layer="indicators")
    return ind[(ind["mode"] == "walk") & (ind["grouping"] == "all")].iloc[0]


@pytest.fixture(scope="module")
def cli_numbers(schemes: dict[str, Scheme], tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.Series]:
    tmp = tmp_path_factory.mktemp("cli")
    return {name: _cli_walk(scheme, tmp) for name, scheme in schemes.items()}


def _session(scheme: Scheme) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[SCHEME_KEY] = scheme
    at.switch_page(ACCESS).run()
    return at


def _surrounding_row(at: AppTest) -> pd.Series:
    assert not at.exception, [e.value for e in at.exception]
    for frame in at.dataframe:
        table = frame.value
        rows = [i for i in table.index if str(i).startswith("Surrounding area (")]
        if rows:
            return table.loc[rows[0]]
    raise AssertionError(f"no indicator table; warnings: {[w.value for w in at.warning]}")


def _assert_same(page: pd.Series, cli: pd.Series) -> None:
    for shown, column in COLUMNS.items():
        assert page[shown] == pytest.approx(float(cli[column]), rel=1e-9), shown


def test_scheme_a_then_b_in_one_session(schemes: dict[str, Scheme], cli_numbers: dict[str, pd.Series]) -> None:
    assert cli_numbers["A"]["pop_weighted_mean_time_min"] != cli_numbers["B"]["pop_weighted_mean_time_min"]
    at = _session(schemes["A"])
    at.button(key="access.run").click().run()
    _assert_same(_surrounding_row(at), cli_numbers["A"])
    assert at.session_state[ACCESS_RESULT_KEY].scheme_name == schemes["A"].name
    at.session_state[SCHEME_KEY] = schemes["B"]
    at.run()
    _assert_same(_surrounding_row(at), cli_numbers["B"])
    kept = at.session_state[ACCESS_RESULT_KEY]
    assert kept.scheme_name == schemes["B"].name  # the report will show B's run, as seen


def test_two_sessions_at_once(schemes: dict[str, Scheme], cli_numbers: dict[str, pd.Series]) -> None:
    one, two = _session(schemes["B"]), _session(schemes["A"])
    one.button(key="access.run").click()
    two.button(key="access.run").click()
    one.run()
    two.run()
    _assert_same(_surrounding_row(one), cli_numbers["B"])
    _assert_same(_surrounding_row(two), cli_numbers["A"])
    one.run()  # served from the shared cache, still its own scheme's answer
    _assert_same(_surrounding_row(one), cli_numbers["B"])


def _cli_transit(window: str, tmp: Path) -> pd.Series:
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    origins = tmp / "origins.csv"
    hexes.loc[hexes["population"] > 0].to_csv(origins, index=False)
    out = tmp / f"pt_{window.replace(':', '')}.gpkg"
    result = CliRunner().invoke(app, [
        "access", "transit", "--to", str(POA / "poa_hexgrid.csv"), "--origins", str(origins),
        "--gtfs", str(POA / "poa_eptc.zip"), "--osm", str(POA / "poa_osm.pbf"),
        "--date", "2019-04-16", "--window", window, "--step-min", "15", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    ind = gpd.read_file(out, layer="indicators")
    return ind[(ind["mode"] == "transit") & (ind["grouping"] == "all")].iloc[0]


def test_public_transport_windows_in_one_session_and_two(tmp_path: Path) -> None:
    cli = {w: _cli_transit(w, tmp_path) for w in ("13:00-13:30", "15:00-15:30")}
    assert cli["13:00-13:30"]["pop_weighted_mean_time_min"] != cli["15:00-15:30"]["pop_weighted_mean_time_min"]

    def demo(start: int) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=300)
        at.switch_page(ACCESS).run()
        at.radio(key="access.area").set_value(DEMO).run()
        at.radio(key="access.mode").set_value("Public transport").run()
        at.date_input(key="access.date").set_value(dt.date(2019, 4, 16))
        at.time_input(key="access.start").set_value(dt.time(start, 0))
        at.time_input(key="access.end").set_value(dt.time(start, 30))
        at.select_slider(key="access.step").set_value(15)
        at.button(key="access.run").click().run()
        return at

    first, second = demo(13), demo(15)
    _assert_same(_surrounding_row(first), cli["13:00-13:30"])
    _assert_same(_surrounding_row(second), cli["15:00-15:30"])
    # the first session moves to the other window: the other window's numbers, from the cache
    first.time_input(key="access.start").set_value(dt.time(15, 0))
    first.time_input(key="access.end").set_value(dt.time(15, 30))
    first.run()
    _assert_same(_surrounding_row(first), cli["15:00-15:30"])
