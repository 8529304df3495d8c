"""In a real browser with every non-loopback request refused (a locked-down council network):
the map, its layers, the legend and the draw toolbar still show, on a base drawn from the local
OpenStreetMap extract, and the GP and hospital markers draw without an icon font.

The app runs under ``server.baseUrlPath`` (``/hiap``, as behind a council's proxy): the map
libraries must come from ``/hiap/app/static``, since nothing answers at ``/app/static``.
Screenshots: test-output/screenshots/offline_home_hampton.png, offline_access_hampton.png.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest

from tests.app.browser import CHROMIUM, SCREENSHOTS, app_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _offline(page: object, refused: list[str]) -> None:
    """Refuse every request that leaves the machine, and remember which were tried."""

    def handle(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.context.route("**/*", handle)  # type: ignore[attr-defined]


def test_scheme_map_works_offline(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    refused: list[str] = []
    prepare = partial(_offline, refused=refused)
    with app_pages(env, base_url_path="hiap", prepare=prepare, timeout_ms=60_000) as (page,):
        page.get_by_role("combobox", name="Scheme").click()
        page.get_by_role("option", name=re.compile("Hampton")).first.click()
        page.get_by_role("button", name="Use this scheme").click()
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-container").first).to_be_visible(timeout=60_000)
        # Tiles refused: the local base replaces them, with a note that says so.
        expect(frame.get_by_text("Map tiles could not be loaded").first).to_be_visible(
            timeout=30_000
        )
        expect(frame.get_by_text("OpenStreetMap contributors").first).to_be_visible()
        # The scheme outline and the local streets are drawn (SVG paths in the overlay pane).
        paths = frame.locator(".leaflet-overlay-pane path")
        expect(paths.nth(20)).to_be_attached(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SCREENSHOTS / "offline_home_hampton.png"), full_page=True)

        # GP and hospital markers are plain-HTML badges: visible with no icon font to fetch.
        page.get_by_role("link", name="Access to healthcare").click()
        page.get_by_role("button", name="Run access").click()
        frame = page.frame_locator("iframe").first
        badges = frame.locator(".hiap-badge")
        expect(badges.first).to_be_visible(timeout=180_000)
        expect(frame.get_by_text("GP", exact=True).first).to_be_visible()
        box = badges.first.bounding_box()
        assert box is not None and box["width"] >= 16 and box["height"] >= 16
        badges.first.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        map_frame = page.locator("iframe").first  # the map itself, not the page above it
        map_frame.screenshot(path=str(SCREENSHOTS / "offline_access_hampton.png"))
    # Only tiles were wanted from outside: every library came from the app itself.
    assert refused, "expected the tile requests to be refused"
    assert all("tile.openstreetmap.org" in u for u in refused), [
        u for u in refused if "tile.openstreetmap.org" not in u
    ]
