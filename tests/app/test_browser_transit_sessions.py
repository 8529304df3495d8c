"""In a real browser, on the public-transport path: scheme A then scheme B in one session, and
both at once in two sessions; each page shows its own scheme's numbers, equal to the CLI's.

A is the Alconbury Weald sample (by Huntingdon, on Busway B's corridor), B an uploaded site in
St Ives town centre (Busway B and the 1A). Both run on Cambridgeshire's own TransXChange folder
(data dir ``transit/tnds_txc_ea``) with the labelled straight-line walking fallback, as no
offline walk network covers them, departures every 15 minutes from 07:00 to 08:00 (the page's
window) on the page's default day. The CLI (``hiap access transit --feed <folder>
--fallback-walk`` over the scheme's boundary with the same options) gives the expected numbers;
the page writes its indicator row as a sentence under the table (a text alternative), which is
what the browser reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.data.choices import data_file_choices
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from tests.app.browser import CHROMIUM, SCREENSHOTS, indicator_sentence
from tests.app.browser_sessions import read_surrounding_row, two_sessions, upload_scheme, use_sample

DATA = get_settings().data_dir
TXC_DIR = DATA / "transit" / "tnds_txc_ea"
ST_IVES_BUS_STATION = (531_250.0, 271_300.0)  # EPSG:27700, as tests/app/test_access_txc.py
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not TXC_DIR.is_dir() or not list((DATA / "transit").glob("naptan/*Stops*.csv")),
        reason="Cambridgeshire TransXChange or NaPTAN files missing",
    ),
]
WAIT_MS = 300_000
SAMPLE = ("alconbury-weald", "Alconbury Weald")
UPLOAD_NAME = "St Ives centre (test)"
TIMETABLE = "timetable (GTFS feed or TransXChange)"


def _sentence(boundary: Path, out: Path) -> str:
    """The CLI's overall public-transport row, written as the Access page writes it."""
    result = CliRunner().invoke(app, [
        "access", "transit", "--feed", str(TXC_DIR), "--to", "gp", "--area", str(boundary),
        "--window", "07:00-08:00", "--step-min", "15", "--fallback-walk", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    return indicator_sentence(out, "transit")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("browser_pt")
    sample = tmp / "sample.geojson"
    load_sample_scheme(SAMPLE[0], get_settings()).boundary.to_crs(4326).to_file(sample)
    site = gpd.GeoSeries(gpd.points_from_xy(*[[v] for v in ST_IVES_BUS_STATION]), crs=27700)
    st_ives = tmp / "st_ives.geojson"
    gpd.GeoDataFrame(geometry=site.buffer(600), crs=27700).to_crs(4326).to_file(st_ives)
    return {"A": sample, "B": st_ives}


@pytest.fixture(scope="module")
def cli(files: dict[str, Path]) -> dict[str, str]:
    return {k: _sentence(path, path.with_suffix(".gpkg")) for k, path in files.items()}


def _step(page: Any, step_min: int) -> None:
    """Move the departure-step slider (1, 2, 5, 10, 15 minutes) to ``step_min`` by keyboard."""
    from playwright.sync_api import expect

    options = [1, 2, 5, 10, 15]
    thumb = page.get_by_role("slider").last
    thumb.focus()
    now = options.index(int(str(thumb.get_attribute("aria-valuetext") or "5").strip() or 5))
    key = "ArrowRight" if options.index(step_min) > now else "ArrowLeft"
    for _ in range(abs(options.index(step_min) - now)):
        thumb.press(key)
    expect(thumb).to_have_attribute("aria-valuetext", str(step_min), timeout=WAIT_MS)


def _start_transit(page: Any) -> None:
    """On the Access page: public transport on the TransXChange folder with the fallback, run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    [folder] = [c.label for c in data_file_choices(get_settings(), "gtfs") if c.path == TXC_DIR]
    page.get_by_role("link", name="Access to healthcare").click()
    page.get_by_role("radiogroup", name="Mode").get_by_text("Public transport").click(timeout=WAIT_MS)
    expect(page.get_by_text("Minutes between departures")).to_be_visible(timeout=WAIT_MS)
    timetable = page.get_by_role("combobox", name=TIMETABLE)
    if not timetable.is_visible():
        page.get_by_text("Use other data (OSM extract, timetable)").click()
    for _ in range(3):  # the list re-renders while a rerun (from the Mode radio) finishes
        try:
            timetable.click(timeout=WAIT_MS)
            timetable.fill("tnds_txc_ea/ (")
            page.get_by_role("option", name=folder, exact=True).click(timeout=20_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(timetable).to_have_value(folder, timeout=WAIT_MS)
    page.get_by_role("checkbox", name=re.compile("^Where no OSM extract covers the area")).check(
        force=True)  # Streamlit hides the input under its own box
    _step(page, 15)
    page.get_by_role("button", name="Run access").click(timeout=WAIT_MS)


def test_each_public_transport_session_sees_its_own_scheme(
    files: dict[str, Path], cli: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    assert cli["A"] != cli["B"]
    with two_sessions(tmp_path / "db.sqlite", timeout_ms=WAIT_MS) as (one, two):
        # One session: scheme A, then scheme B.
        use_sample(one, SAMPLE[1], timeout_ms=WAIT_MS)
        _start_transit(one)
        assert cli["A"] in read_surrounding_row(one, timeout_ms=WAIT_MS)
        upload_scheme(one, files["B"], UPLOAD_NAME, timeout_ms=WAIT_MS)
        _start_transit(one)
        assert cli["B"] in read_surrounding_row(one, timeout_ms=WAIT_MS)
        expect(one.get_by_text(cli["A"])).to_have_count(0)
        one.get_by_role("heading", name="Indicators").first.scroll_into_view_if_needed()
        one.screenshot(path=str(SCREENSHOTS / "access_transit_scheme_b.png"))

        # Two sessions at once: A in the second, B again in the first, both run before either
        # is read.
        use_sample(two, SAMPLE[1], timeout_ms=WAIT_MS)
        _start_transit(two)
        upload_scheme(one, files["B"], UPLOAD_NAME, timeout_ms=WAIT_MS)
        _start_transit(one)
        assert cli["A"] in read_surrounding_row(two, timeout_ms=WAIT_MS)
        assert cli["B"] in read_surrounding_row(one, timeout_ms=WAIT_MS)
        expect(two.get_by_text(cli["B"])).to_have_count(0)
        expect(one.get_by_text(cli["A"])).to_have_count(0)
