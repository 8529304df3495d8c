"""End to end in a real browser: draw a new bus route on the Porto Alegre demo and run it.

The transport officer's path through pages/scenario.py: the folium Draw plugin's polyline tool,
streamlit-folium handing the drawing back to Streamlit, ``route_from_drawings`` and ``new_route``
turning it into a scenario, then baseline and scenario routed and compared. Screenshot:
test-output/screenshots/scenario_drawn_route.png.
"""

from __future__ import annotations

import math
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from hiap.access.demo import porto_alegre_demo
from hiap.settings import get_settings
from hiap.viz.access_maps import NEW_ROUTE_COLOUR
from tests.app.browser import CHROMIUM, SCREENSHOTS, app_pages
from tests.app.web_assets import ensure_web_assets, route_web_assets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

WAIT_MS = 60_000
# Vertices (lon, lat): from the populated south-east edge of the demo, where the nearest
# healthcare is a 35-45 min trip, west to the hexagon with the nearest facilities.
ROUTE_LON_LAT = [(-51.146, -30.104), (-51.152, -30.099), (-51.160, -30.095),
                 (-51.168, -30.093), (-51.175, -30.0925)]
TILE_PX = 256


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator at zoom 0, in pixels (y grows southwards, as on screen)."""
    x = (lon + 180.0) / 360.0 * TILE_PX
    y = (1.0 - math.log(math.tan(math.radians(lat)) + 1.0 / math.cos(math.radians(lat))) / math.pi)
    return x, y / 2.0 * TILE_PX


def _route_pixels(
    bounds_wgs84: tuple[float, float, float, float], width: float, height: float
) -> list[tuple[float, float]]:
    """Where the route's vertices fall in a map box fitted to ``bounds_wgs84``.

    Mirrors Leaflet's ``fitBounds``: the largest whole zoom at which the bounds fit the box,
    centred on the bounds' projected middle.
    """
    minx, miny, maxx, maxy = bounds_wgs84
    west, north = _mercator(minx, maxy)
    east, south = _mercator(maxx, miny)
    zoom = math.floor(math.log2(min(width / (east - west), height / (south - north))))
    scale = 2.0**zoom
    middle_x, middle_y = (west + east) / 2, (north + south) / 2
    pixels = []
    for lon, lat in ROUTE_LON_LAT:
        x, y = _mercator(lon, lat)
        pixels.append((width / 2 + (x - middle_x) * scale, height / 2 + (y - middle_y) * scale))
    return pixels


def _picture(page: Any, name: str) -> None:
    # Streamlit scrolls inside its own container, so a full-page shot stops at the viewport:
    # grow the viewport to the content for the picture.
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('section, [data-testid=stMain]')]"
        ".map(e => e.scrollHeight), 1000)"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 400, 6000)})
    page.wait_for_timeout(2000)  # let the maps redraw at the new size
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_draw_a_new_bus_route_and_compare_with_the_baseline(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    modules = ensure_web_assets()
    if modules is None:
        pytest.skip("npm could not install Leaflet for the offline map (npm registry unreachable)")
    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    prepare = partial(route_web_assets, modules=modules)
    with app_pages(env, prepare=prepare, timeout_ms=WAIT_MS) as (page,):
        page.get_by_role("link", name="Transport scenario").click()
        expect(page.get_by_role("heading", name="Transport scenario")).to_be_visible(timeout=WAIT_MS)
        page.get_by_text("Porto Alegre demo (public-transport sample)").first.click()
        page.get_by_text("Draw a new route", exact=True).first.click()
        expect(page.get_by_text("No route yet")).to_be_visible(timeout=WAIT_MS)

        frame = page.frame_locator("iframe").first
        tool = frame.locator(".leaflet-draw-draw-polyline").first
        expect(tool).to_be_visible(timeout=WAIT_MS)
        container = frame.locator(".leaflet-container").first
        container.scroll_into_view_if_needed()
        box = container.bounding_box()
        assert box is not None
        bounds = porto_alegre_demo(get_settings()).area_wgs84  # what the map is fitted to
        tool.click()
        for x, y in _route_pixels(bounds, box["width"], box["height"]):
            container.click(position={"x": x, "y": y})
            page.wait_for_timeout(150)  # Leaflet.draw ignores clicks that come as a double-click
        frame.get_by_role("link", name="Finish").click()

        # streamlit-folium hands the line back; the page turns it into a one-edit scenario.
        expect(page.get_by_text("No route yet")).to_have_count(0, timeout=WAIT_MS)
        expect(page.get_by_text(re.compile(r"Scenario: New bus route \(1 edit"))).to_be_visible(
            timeout=WAIT_MS
        )
        # The drawn line stays on the map, in the new-route colour.
        expect(frame.locator(f"path.leaflet-interactive[stroke='{NEW_ROUTE_COLOUR}']")).to_have_count(1)
        page.get_by_role("button", name="Run baseline and scenario").click()

        # the baseline and the scenario are routed over the whole window: allow a loaded machine
        expect(page.get_by_role("heading", name="What changed")).to_be_visible(timeout=4 * WAIT_MS)
        table = page.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible(timeout=WAIT_MS)
        # The demo has no IMD deciles: one row for the whole area under the column headers.
        expect(table.locator("th[role=columnheader]").filter(has_text="Newly within")).to_have_count(1)
        cells = table.locator("td[role=gridcell]")
        expect(cells).to_have_count(7, timeout=WAIT_MS)
        expect(cells.first).to_have_text("all")
        assert int(cells.nth(1).inner_text().replace(",", "")) > 0  # population of the area
        # The drawn route must reach the routing: at least one hexagon gets a faster trip.
        faster = page.get_by_test_id("stMetric").filter(has_text="Areas with a faster trip")
        value = faster.get_by_test_id("stMetricValue").inner_text()
        assert int(value.replace(",", "")) > 0, f"the drawn route made no trip faster ({value})"
        _picture(page, "scenario_drawn_route.png")
