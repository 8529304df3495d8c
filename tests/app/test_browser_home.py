"""End to end in a real browser: the home page, a sample scheme on the map."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest

from tests.app.browser import CHROMIUM, SCREENSHOTS, app_pages
from tests.app.web_assets import ensure_web_assets, route_web_assets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_pick_hampton_and_see_it_on_the_map(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    modules = ensure_web_assets()
    if modules is None:
        pytest.skip("npm could not install Leaflet for the offline map (npm registry unreachable)")
    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    prepare = partial(route_web_assets, modules=modules)
    with app_pages(env, prepare=prepare, timeout_ms=30_000) as (page,):
        page.get_by_role("combobox", name="Scheme").click()
        page.get_by_role("option", name=re.compile("Hampton")).first.click()
        page.get_by_role("button", name="Use this scheme").click()
        expect(page.get_by_text("Area").first).to_be_visible(timeout=30_000)
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=30_000)
        expect(frame.get_by_text("OpenStreetMap").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "home_hampton.png"), full_page=True)
