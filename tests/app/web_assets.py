"""Serve the map libraries a folium map asks for from local copies, for offline browser tests.

Folium pages load Leaflet and friends from public CDNs and tiles from openstreetmap.org. The
test machines have no internet, only package registries, so the browser tests install the same
libraries from the npm registry once (into test-output/web) and answer the CDN requests from
there; tile requests get a plain light-grey tile. Users online get the real CDNs and tiles.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.app.browser import PROJECT_ROOT

WEB_DIR = PROJECT_ROOT / "test-output" / "web"
PACKAGES = {
    "leaflet": "1.9.3",
    "jquery": "3.7.1",
    "bootstrap": "5.2.2",
    "leaflet-draw": "1.0.4",
    "leaflet.awesome-markers": "2.0.5",
    "axe-core": "4.14.1",  # the accessibility audit (tests/app/test_browser_accessibility.py)
}
# (substring of the CDN URL, file inside node_modules)
LOCAL_FILES = [
    ("leaflet.draw.css", "leaflet-draw/dist/leaflet.draw.css"),
    ("leaflet.draw.js", "leaflet-draw/dist/leaflet.draw.js"),
    ("leaflet.awesome-markers.css", "leaflet.awesome-markers/dist/leaflet.awesome-markers.css"),
    ("leaflet.awesome-markers.js", "leaflet.awesome-markers/dist/leaflet.awesome-markers.js"),
    ("leaflet.css", "leaflet/dist/leaflet.css"),
    ("leaflet.js", "leaflet/dist/leaflet.js"),
    ("jquery", "jquery/dist/jquery.min.js"),
    ("bootstrap.bundle.min.js", "bootstrap/dist/js/bootstrap.bundle.min.js"),
    ("bootstrap.min.css", "bootstrap/dist/css/bootstrap.min.css"),
]
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}


def ensure_web_assets() -> Path | None:
    """Install the map libraries from the npm registry once; ``None`` if npm is unavailable."""
    modules = WEB_DIR / "node_modules"
    if all((modules / name / "package.json").exists() for name in PACKAGES):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        return None
    WEB_DIR.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    completed = subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(WEB_DIR), *specs],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        return None
    return modules


def _grey_tile() -> bytes:
    from PIL import Image, ImageDraw

    tile = Image.new("RGB", (256, 256), (236, 236, 232))
    ImageDraw.Draw(tile).rectangle([0, 0, 255, 255], outline=(220, 220, 214))
    buffer = io.BytesIO()
    tile.save(buffer, format="PNG")
    return buffer.getvalue()


def route_web_assets(page: Any, modules: Path) -> None:
    """Answer a Playwright page's CDN and tile requests from the local copies."""
    tile = _grey_tile()

    def handle(route: Any) -> None:
        url = route.request.url
        if "tile.openstreetmap.org" in url:
            route.fulfill(status=200, body=tile, content_type="image/png")
            return
        for needle, relative in LOCAL_FILES:
            if needle in url:
                path = modules / relative
                route.fulfill(
                    status=200,
                    body=path.read_bytes(),
                    content_type=CONTENT_TYPES.get(path.suffix, "text/plain"),
                )
                return
        # Fonts and glyph CSS only decorate markers: an empty answer keeps the page quick.
        route.fulfill(status=200, body=b"", content_type="text/plain")

    page.context.route(
        "**/*",
        lambda route: (
            handle(route)
            if not route.request.url.startswith("http://127.0.0.1")
            else route.continue_()
        ),
    )
