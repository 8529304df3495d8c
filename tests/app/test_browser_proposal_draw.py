"""End to end in a real browser: draw a proposal's boundary and a GP on the map, and keep them.

The planner's path through pages/proposal.py: the folium Draw plugin's polygon and marker
tools, streamlit-folium handing the shapes back, the attributes typed beside the map, and the
shapes added through the same checks as an uploaded proposal. Screenshot:
test-output/screenshots/proposal_drawn.png.
"""

from __future__ import annotations

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

WAIT_MS = 60_000


def _map(page: Any) -> tuple[Any, Any, dict[str, float]]:
    """The draw map's frame, its Leaflet container and the container's box on the page."""
    from playwright.sync_api import expect

    frame = page.frame_locator("iframe").first
    container = frame.locator(".leaflet-container").first
    expect(container).to_be_visible(timeout=WAIT_MS)
    container.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = container.bounding_box()
    assert box is not None
    return frame, container, box


def test_draw_a_boundary_and_a_gp(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    modules = ensure_web_assets()
    if modules is None:
        pytest.skip("npm could not install Leaflet for the offline map (npm registry unreachable)")
    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "HIAP_CACHE_DIR": str(tmp_path / "cache")}
    prepare = partial(route_web_assets, modules=modules)
    with app_pages(env, prepare=prepare, timeout_ms=WAIT_MS) as (page,):
        page.get_by_role("link", name="What the scheme changes").click()
        expect(page.get_by_role("heading", name="What the scheme changes")).to_be_visible(timeout=WAIT_MS)
        page.get_by_text("Draw on the map", exact=True).first.click()
        expect(page.get_by_text("0 shape(s) drawn")).to_be_visible(timeout=WAIT_MS)

        # The site: a square of four clicks around the map's middle, then Finish. The map shows
        # the county (about 190 m a pixel), so 24 pixels a side is a 4.5 km square: a new town.
        frame, container, box = _map(page)
        frame.locator(".leaflet-draw-draw-polygon").first.click()
        w, h = box["width"], box["height"]
        for dx, dy in ((-12, -12), (12, -12), (12, 12), (-12, 12)):
            container.click(position={"x": w / 2 + dx, "y": h / 2 + dy})
            page.wait_for_timeout(200)  # Leaflet.draw ignores clicks that come as a double-click
        frame.get_by_role("link", name="Finish").click()
        expect(page.get_by_text("1 shape(s) drawn and not yet added to site boundary")).to_be_visible(
            timeout=WAIT_MS
        )
        page.get_by_label("Scheme name").fill("Browser drawn site")
        page.get_by_label("Scheme name").press("Enter")
        page.get_by_role("button", name="Add the drawn shapes to site boundary").click()
        expect(page.get_by_role("heading", name="Browser drawn site")).to_be_visible(timeout=WAIT_MS)

        # A GP: the marker tool, one click in the middle of the (now fitted) site.
        page.get_by_text("Facilities (GP, schools, shops...)", exact=True).first.click()
        expect(page.get_by_text("0 shape(s) drawn and not yet added to facilities")).to_be_visible(
            timeout=WAIT_MS
        )
        frame, container, box = _map(page)
        frame.locator(".leaflet-draw-draw-marker").first.click()
        container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        expect(page.get_by_text("1 shape(s) drawn and not yet added to facilities")).to_be_visible(
            timeout=WAIT_MS
        )
        page.get_by_role("button", name="Add the drawn shapes to facilities").click()
        expect(page.get_by_text("1 facilities", exact=False).first).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_text("Not added")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "proposal_drawn.png"), full_page=True)
