"""The Access page's public-transport path on Cambridgeshire's own TransXChange timetables.

A new user picks the TNDS folder from the timetable select box (data-directory files only),
switches on the labelled straight-line walking fallback (no offline walk network covers St
Ives) and gets the number `hiap access transit --feed <folder> --fallback-walk` gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.data.choices import data_file_choices
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.settings import get_settings
from hiap.ui.state import SCHEME_KEY
from tests.app.apptest import APP

DATA = get_settings().data_dir
TXC_DIR = DATA / "transit" / "tnds_txc_ea"
DAY = dt.date(2020, 3, 31)  # the normal timetable (the 2020 files start in the COVID week)
ST_IVES_BUS_STATION = (531_250.0, 271_300.0)  # EPSG:27700, St Ives town centre
pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("module_app_state"),
    pytest.mark.skipif(
        not TXC_DIR.is_dir() or not list((DATA / "transit").glob("naptan/*Stops*.csv")),
        reason="Cambridgeshire TransXChange or NaPTAN files missing",
    ),
]


def _scheme() -> Scheme:
    site = gpd.GeoSeries(gpd.points_from_xy(*[[v] for v in ST_IVES_BUS_STATION]), crs=27700)
    return Scheme(
        metadata=SchemeMetadata(name="St Ives centre (test)", dwellings=200, source="test"),
        boundary=gpd.GeoDataFrame(geometry=site.buffer(600), crs=27700),
    )


def _cli(scheme: Scheme, tmp: Path) -> pd.Series:
    area = tmp / "st_ives.geojson"
    scheme.boundary.to_file(area)
    out = tmp / "st_ives.gpkg"
    result = CliRunner().invoke(app, [
        "access", "transit", "--feed", str(TXC_DIR), "--to", "hospital", "--area", str(area),
        "--buffer-km", "10", "--date", DAY.isoformat(), "--window", "09:00-09:30",
        "--step-min", "5", "--fallback-walk", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    ind = gpd.read_file(out, layer="indicators")
    return ind[(ind["mode"] == "transit") & (ind["grouping"] == "all")].iloc[0]


def test_public_transport_on_the_txc_folder_equals_the_cli(tmp_path: Path) -> None:
    scheme = _scheme()
    [folder] = [c.label for c in data_file_choices(get_settings(), "gtfs")
                if c.path == TXC_DIR]
    assert "TransXChange files" in folder and str(DATA) not in folder
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[SCHEME_KEY] = scheme
    at.switch_page("pages/access.py").run()
    at.radio(key="access.mode").set_value("Public transport").run()  # shows the date and window
    at.radio(key="access.to").set_value("Hospitals")
    at.slider(key="access.buffer").set_value(10.0)
    at.selectbox(key="access.gtfs.choice").set_value(folder)
    at.checkbox(key="access.fallback").check()
    at.date_input(key="access.date").set_value(DAY)
    at.time_input(key="access.start").set_value(dt.time(9, 0))
    at.time_input(key="access.end").set_value(dt.time(9, 30))
    at.select_slider(key="access.step").set_value(5)
    at.run()
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning or all("No result" not in w.value for w in at.warning), [
        w.value for w in at.warning]
    rows = [frame.value for frame in at.dataframe
            if any(str(i).startswith("Surrounding area (") for i in frame.value.index)]
    assert rows, [w.value for w in at.warning]
    page = rows[0].loc[next(i for i in rows[0].index if str(i).startswith("Surrounding area ("))]
    params = next(t.value for t in at.table if "Walking fallback" in t.value.index)
    assert "of walking legs used it" in params.loc["Walking fallback", "Value"]
    assert params.loc["Stops placed by", "Value"].startswith("naptan_")
    cli = _cli(scheme, tmp_path)
    assert page["Mean time (min, pop-weighted)"] == pytest.approx(
        float(cli["pop_weighted_mean_time_min"]), rel=1e-9)
    assert page["Share within 30 min"] == pytest.approx(float(cli["pop_share_within_30min"]))
