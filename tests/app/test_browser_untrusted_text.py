"""In a real browser: a hostile upload name and attribute show as written, with no marks.

AppTest sees the Markdown a page sends; only Streamlit's own renderer shows what it makes of
it (its GFM turns bare addresses into links even where the text escapes them, which the
CommonMark check of tests/app/test_untrusted_text.py cannot see).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.app.browser import CHROMIUM, PROJECT_ROOT, app_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

HOSTILE = (
    "# **Approved** _by_ :red[council] :smile: $x^2$ <b>hi</b> ~~gone~~ [click](x.org) "
    "www.evil.example https://evil.example/fix name@evil.example"
)
HOSTILE_NAME = "# **Approved** _by_ :red[council] <b>hi<b> [click] www.evil.example"
MARKS = "a, strong, em, b, s, del, h1, h2, code, img, .katex, [data-testid=stIconMaterial]"


def _upload(page: Any, name: str, data: bytes) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Upload your own").click()
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": name, "mimeType": "application/geo+json", "buffer": data}]
    )
    # why: the button stays from an earlier upload; wait until this file is the one held
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Check and use this file").click()


def test_hostile_text_from_an_upload_shows_as_written(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    env = {"HIAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    collection = json.loads((PROJECT_ROOT / "sample_schemes" / "hampton.geojson").read_text())
    for feature in collection["features"]:
        feature["properties"]["name"] = HOSTILE
    with app_pages(env, timeout_ms=60_000) as (page,):
        _upload(page, f"{HOSTILE_NAME}.geojson", b"{}")
        alert = page.get_by_test_id("stAlert").first
        expect(alert).to_contain_text("could not be read as GeoJSON", timeout=30_000)
        assert alert.inner_text().replace("\u2060", "").startswith(f"{HOSTILE_NAME}.geojson")
        assert alert.locator(MARKS).count() == 0, alert.inner_html()

        _upload(page, "site.geojson", json.dumps(collection).encode())
        heading = page.locator("h3").filter(has_text="Approved").first
        expect(heading).to_be_visible(timeout=30_000)
        assert heading.inner_text().replace("\u2060", "").strip() == HOSTILE
        # the one link is Streamlit's own anchor beside every heading
        links = heading.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert all(href.startswith("#") for href in links), links
        assert heading.locator(MARKS.replace("a, ", "")).count() == 0, heading.inner_html()
