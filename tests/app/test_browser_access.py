"""End to end in a real browser: walk access around Hampton, public transport on Porto Alegre.

Screenshots go to test-output/screenshots (access_walk_hampton.png, access_pt_porto_alegre.png,
scenario_porto_alegre.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, running_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

WAIT_MS = 180_000


def test_walk_and_public_transport_access_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(env) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="domcontentloaded")
        expect(page.get_by_text("hiap: health in all policies").first).to_be_visible(timeout=WAIT_MS)
        page.get_by_placeholder("Pick a scheme").first.click(timeout=WAIT_MS)
        page.get_by_role("option", name=re.compile("Hampton, Peterborough")).first.click()
        page.get_by_role("button", name="Use this scheme").click()
        expect(page.get_by_text("Area").first).to_be_visible(timeout=30_000)

        # Walk access around the scheme
        page.get_by_role("link", name="Access to healthcare").click()
        expect(page.get_by_role("heading", name="Access to healthcare")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Run access").click()
        expect(page.get_by_role("heading", name="Indicators")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Scheme (20,060 new residents)").first).to_be_visible(timeout=WAIT_MS)
        frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=WAIT_MS)
        expect(frame.get_by_text("GP surgeries").first).to_be_attached(timeout=WAIT_MS)
        expect(frame.get_by_text("OpenStreetMap").first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Equity: walking time by deprivation")).to_be_visible()
        page.wait_for_timeout(1500)  # let the tiles and the chart settle for the picture
        page.screenshot(path=str(SCREENSHOTS / "access_walk_hampton.png"), full_page=True)

        # Public transport on the Porto Alegre demo
        page.get_by_text("Porto Alegre demo (public-transport sample)").first.click()
        page.get_by_text("Public transport", exact=True).first.click()
        expect(page.get_by_role("heading", name=re.compile("Porto Alegre \\(demo\\)"))).to_be_visible(
            timeout=WAIT_MS
        )
        expect(page.get_by_text("Public-transport routing: done")).to_be_attached(timeout=WAIT_MS)
        frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=WAIT_MS)
        expect(frame.get_by_text("Bus stops").first).to_be_attached(timeout=WAIT_MS)
        expect(page.get_by_text("Share within 30 min").first).to_be_visible(timeout=WAIT_MS)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SCREENSHOTS / "access_pt_porto_alegre.png"), full_page=True)
        browser.close()
