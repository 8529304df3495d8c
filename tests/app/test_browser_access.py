"""End to end in a real browser: walk access around Hampton, public transport on Porto Alegre.

Screenshots go to test-output/screenshots (access_walk_hampton.png, access_pt_porto_alegre.png,
scenario_porto_alegre.png).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.app.browser import CHROMIUM, SCREENSHOTS, app_pages
from tests.app.web_assets import ensure_web_assets, route_web_assets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

WAIT_MS = 180_000
def _picture(page: Any, name: str) -> None:
    # Streamlit scrolls inside its own container, so a full-page shot stops at the viewport:
    # grow the viewport to the content for the picture, then shrink it back.
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('section, [data-testid=stMain]')]"
        ".map(e => e.scrollHeight), 1000)"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 6000)})
    page.wait_for_timeout(2000)  # let the map and the chart redraw at the new size
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_walk_and_public_transport_access_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    modules = ensure_web_assets()  # without npm the maps draw nothing, the figures still show
    prepare = None if modules is None else partial(route_web_assets, modules=modules)
    with app_pages(env, prepare=prepare, timeout_ms=WAIT_MS) as (page,):
        page.get_by_placeholder("Pick a scheme").first.click(timeout=WAIT_MS)
        page.get_by_role("option", name=re.compile("Hampton, Peterborough")).first.click()
        page.get_by_role("button", name="Use this scheme").click()
        expect(page.get_by_text("Area").first).to_be_visible(timeout=30_000)

        # Walk access around the scheme
        page.get_by_role("link", name="Access to healthcare").click()
        expect(page.get_by_role("heading", name="Access to healthcare")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Run access").click()
        expect(page.get_by_role("heading", name="Indicators")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Scheme (20,060 new residents)").first).to_be_attached(timeout=WAIT_MS)
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=WAIT_MS)
        expect(frame.get_by_text("GP surgeries").first).to_be_attached(timeout=WAIT_MS)
        expect(frame.get_by_text("OpenStreetMap").first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Equity: walking time by deprivation")).to_be_visible()
        _picture(page, "access_walk_hampton.png")

        # Public transport on the Porto Alegre demo
        page.get_by_text("Porto Alegre demo (public-transport sample)").first.click()
        page.get_by_text("Public transport", exact=True).first.click()
        expect(page.get_by_role("heading", name=re.compile("Porto Alegre \\(demo\\)"))).to_be_visible(
            timeout=WAIT_MS
        )
        expect(page.get_by_text("Public transport to the nearest").first).to_be_attached(timeout=WAIT_MS)
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=WAIT_MS)
        expect(frame.get_by_text("Bus stops").first).to_be_attached(timeout=WAIT_MS)
        expect(page.get_by_text("Share within 30 min").first).to_be_attached(timeout=WAIT_MS)
        _picture(page, "access_pt_porto_alegre.png")

        # A bus scenario on the same demo: route T12 every 4 minutes
        page.get_by_role("link", name="Transport scenario").click()
        expect(page.get_by_role("heading", name="Transport scenario")).to_be_visible(timeout=30_000)
        page.get_by_text("Porto Alegre demo (public-transport sample)").first.click()
        page.get_by_text("Draw a new route", exact=True).first.click()
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-draw-draw-polyline").first).to_be_attached(timeout=WAIT_MS)
        page.screenshot(path=str(SCREENSHOTS / "scenario_draw.png"))
        page.get_by_text("Change a route's frequency", exact=True).first.click()
        route = page.get_by_role("combobox", name="Route")
        route.click(timeout=WAIT_MS)
        route.fill("T12")
        page.get_by_role("option", name=re.compile(r"\(T12\)")).first.click()
        expect(page.get_by_text(re.compile(r"Scenario: .*T12|RESTINGA / CAIRU every")).first).to_be_visible(
            timeout=WAIT_MS
        )
        page.get_by_role("button", name="Run baseline and scenario").click()
        expect(page.get_by_role("heading", name="What changed")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Areas with a faster trip")).to_be_visible(timeout=WAIT_MS)
        frame = page.frame_locator("iframe").last
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=WAIT_MS)
        expect(frame.get_by_text("Faster").first).to_be_attached(timeout=WAIT_MS)
        _picture(page, "scenario_porto_alegre.png")
