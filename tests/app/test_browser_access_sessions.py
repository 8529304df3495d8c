"""In a real browser: scheme A then scheme B in one session, and both at once in two sessions.

Each page must show its own scheme's walking numbers, equal to the CLI's for that scheme
(``hiap access walk --area <the scheme's boundary>``). The indicator row is also written as a
sentence under its table (a text alternative), which is what the browser reads here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from tests.app.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, indicator_sentence, running_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (get_settings().data_dir / "osm" / "peterborough_hampton_2012.osm").is_file(),
        reason="Hampton OSM missing",
    ),
]
WAIT_MS = 240_000


def _sentence(boundary: Path, out: Path) -> str:
    """The CLI's overall walking row, written as the Access page writes it."""
    result = CliRunner().invoke(app, ["access", "walk", "--to", "gp", "--area", str(boundary),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return indicator_sentence(out, "walk")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("browser_ab")
    hampton = tmp / "hampton.geojson"
    load_sample_scheme("hampton", get_settings()).boundary.to_crs(4326).to_file(hampton)
    north = tmp / "hampton_north.geojson"
    gpd.GeoDataFrame(geometry=[box(-0.275, 52.535, -0.266, 52.541)], crs=4326).to_file(north)
    return {"A": hampton, "B": north}


@pytest.fixture(scope="module")
def cli(files: dict[str, Path]) -> dict[str, str]:
    return {k: _sentence(path, path.with_suffix(".gpkg")) for k, path in files.items()}


def _use_sample(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_placeholder("Pick a scheme").first.click(timeout=WAIT_MS)
    page.get_by_role("option", name=re.compile("Hampton, Peterborough")).first.click()
    page.get_by_role("button", name="Use this scheme").click()
    expect(page.get_by_role("heading", name="Hampton, Peterborough")).to_be_visible(timeout=WAIT_MS)


def _upload(page: Any, path: Path) -> None:
    page.get_by_role("tab", name="Upload your own").click()
    page.get_by_label("Scheme name").fill("Hampton north (test)")
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_role("button", name="Check and use this file").click(timeout=WAIT_MS)
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Hampton north (test)")).to_be_visible(timeout=WAIT_MS)


def _start_access(page: Any) -> None:
    page.get_by_role("link", name="Access to healthcare").click()
    page.get_by_role("button", name="Run access").click(timeout=WAIT_MS)


def _read_access(page: Any) -> str:
    from playwright.sync_api import expect

    line = page.get_by_text(re.compile(r"^Surrounding area \(\d+ areas\): mean")).first
    expect(line).to_be_visible(timeout=WAIT_MS)
    return str(line.inner_text())


def _run_access(page: Any) -> str:
    _start_access(page)
    return _read_access(page)


def test_each_session_sees_its_own_scheme(files: dict[str, Path], cli: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert cli["A"] != cli["B"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    with running_app(env) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        one = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        two = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        for page in (one, two):
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
            page.goto(url, wait_until="domcontentloaded")
            expect(page.get_by_text("hiap: health in all policies").first).to_be_visible(timeout=WAIT_MS)

        # One session: scheme A, then scheme B.
        _use_sample(one)
        assert cli["A"] in _run_access(one)
        one.get_by_role("link", name="Scheme", exact=True).first.click()
        _upload(one, files["B"])
        assert cli["B"] in _run_access(one)
        one.screenshot(path=str(SCREENSHOTS / "access_scheme_b.png"))

        # Two sessions at once: B in the first, A in the second, both run before either is read.
        _use_sample(two)
        _start_access(two)
        one.get_by_role("link", name="Scheme", exact=True).first.click()
        _upload(one, files["B"])
        _start_access(one)
        assert cli["A"] in _read_access(two)
        assert cli["B"] in _read_access(one)
        browser.close()
