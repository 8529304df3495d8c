"""In a real browser, on the public-transport path: run A then run B in one session, and both
at once in two sessions; each page shows its own numbers, equal to the CLI's.

Offline, the only timetable the Access page can route a whole area on is r5r's Porto Alegre
sample (its demo), so A and B are two runs of it that differ in one option: departures every
15 minutes (A) or every 10 minutes (B) over the default window, 13:00-14:00 on Tuesday
16 April 2019. The CLI (``hiap access transit`` with the same points, feed, extract, date,
window and step) gives the expected numbers; the page writes its indicator row as a sentence
under the table (a text alternative), which is what the browser reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.settings import get_settings
from tests.app.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, indicator_sentence, running_app

POA = get_settings().data_dir / "transit" / "porto_alegre"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not (POA / "poa_eptc.zip").is_file(), reason="Porto Alegre sample missing"),
]
WAIT_MS = 300_000
STEPS_MIN = {"A": 15, "B": 10}


def _sentence(step_min: int, tmp: Path) -> str:
    """The CLI's overall public-transport row, written as the Access page writes it."""
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    origins = tmp / "origins.csv"
    hexes.loc[hexes["population"] > 0].to_csv(origins, index=False)
    out = tmp / f"pt_{step_min}.gpkg"
    result = CliRunner().invoke(app, [
        "access", "transit", "--to", str(POA / "poa_hexgrid.csv"), "--origins", str(origins),
        "--gtfs", str(POA / "poa_eptc.zip"), "--osm", str(POA / "poa_osm.pbf"),
        "--date", "2019-04-16", "--window", "13:00-14:00", "--step-min", str(step_min),
        "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    return indicator_sentence(out, "transit")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("browser_pt")
    return {run: _sentence(step, tmp) for run, step in STEPS_MIN.items()}


def _open_demo(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("link", name="Access to healthcare").click(timeout=WAIT_MS)
    page.get_by_text("Porto Alegre demo (public-transport sample)").click(timeout=WAIT_MS)
    page.get_by_role("radiogroup", name="Mode").get_by_text("Public transport").click()
    expect(page.get_by_text("Minutes between departures")).to_be_visible(timeout=WAIT_MS)


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


def _shows(page: Any, sentence: str) -> None:
    from playwright.sync_api import expect

    line = page.get_by_text(re.compile(r"^Surrounding area \(\d+ areas\): " + re.escape(sentence)))
    expect(line.first).to_be_visible(timeout=WAIT_MS)


def test_each_public_transport_session_sees_its_own_run(cli: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert cli["A"] != cli["B"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    with running_app(env) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        one = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        two = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()

        # One session: run A, then run B.
        _open_demo(one, url)
        _step(one, STEPS_MIN["A"])
        one.get_by_role("button", name="Run access").click(timeout=WAIT_MS)
        _shows(one, cli["A"])
        _step(one, STEPS_MIN["B"])  # the page reruns with the new option
        _shows(one, cli["B"])
        expect(one.get_by_text(cli["A"])).to_have_count(0)
        one.screenshot(path=str(SCREENSHOTS / "access_transit_run_b.png"))

        # Two sessions at once: A in the second while the first reruns B; neither is read
        # before both have started.
        _open_demo(two, url)
        _step(two, STEPS_MIN["A"])
        two.get_by_role("button", name="Run access").click(timeout=WAIT_MS)
        one.get_by_role("button", name="Run access").click(timeout=WAIT_MS)
        _shows(two, cli["A"])
        _shows(one, cli["B"])
        expect(two.get_by_text(cli["B"])).to_have_count(0)
        expect(one.get_by_text(cli["A"])).to_have_count(0)
        browser.close()
