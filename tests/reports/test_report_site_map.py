"""The report's site map is drawn on the local OpenStreetMap base (HTML, PDF and Word)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hiap import attribution
from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.reports import render_html
from hiap.reports.site_map import site_map
from hiap.reports.word import render_docx
from hiap.settings import SHARED_DATA_DIR, Settings, get_settings
from hiap.viz.osm_base import BASE_STYLE
from tests.reports.builders import T0
from tests.viz.test_osm_base import _pixels_of

HAMPTON = Path(__file__).resolve().parents[2] / "sample_schemes" / "hampton.geojson"


@pytest.fixture(scope="module")
def real_settings() -> Settings:
    if not (SHARED_DATA_DIR / "osm" / "peterborough_hampton_2012.osm").is_file():
        pytest.skip("needs the shared data (the Hampton OSM extract)")
    return get_settings(environ={}, data_dir=SHARED_DATA_DIR)


@pytest.fixture(scope="module")
def hampton() -> Assessment:
    boundary = json.loads(HAMPTON.read_text(encoding="utf-8"))
    return Assessment.new(scheme_name="Hampton, Peterborough", boundary=boundary, now=T0)


def test_hampton_site_map_has_streets_paths_water_and_green(
    hampton: Assessment, real_settings: Settings
) -> None:
    shown = site_map(hampton, settings=real_settings)
    assert shown is not None and shown.on_streets
    # The 2012 Hampton extract: 613 roads, 300 paths, 9 green spaces, 15 water features in
    # the map's frame (13 lakes and ponds, 2 canal ways).
    for part in ("streets (613)", "cycle paths (300)", "water (15)", "green spaces (9)"):
        assert part in shown.caption
    assert attribution.OSM in shown.caption and "peterborough_hampton_2012.osm" in shown.caption
    assert "covers about 16% of the mapped area" in shown.caption  # said, not hidden
    assert _pixels_of(shown.png, BASE_STYLE["water_fill"]) > 2_000
    assert _pixels_of(shown.png, BASE_STYLE["green_fill"]) > 2_000
    assert _pixels_of(shown.png, BASE_STYLE["road"], tolerance=10) > 2_000


def test_without_an_extract_the_map_says_it_has_no_base(
    hampton: Assessment, tmp_path: Path
) -> None:
    empty = get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")
    shown = site_map(hampton, settings=empty)
    assert shown is not None and not shown.on_streets
    assert "no local OpenStreetMap extract covers the site" in shown.caption
    assert _pixels_of(shown.png, BASE_STYLE["water_fill"]) == 0
    assert _pixels_of(shown.png, BASE_STYLE["green_fill"]) == 0


def test_html_and_word_show_the_site_map_on_the_streets(
    hampton: Assessment, catalogue: Catalogue, real_settings: Settings
) -> None:
    import docx

    html = render_html(hampton, checklists=catalogue, settings=real_settings)
    summary = html.split('id="hia-summary"', 1)[1].split("</section>", 1)[0]
    assert "Figure 1. The site." in summary and "water (15)" in summary
    assert "on the surrounding streets, paths, water and green spaces" in summary  # alt text
    assert attribution.OSM in summary

    document = docx.Document(io.BytesIO(render_docx(hampton, checklists=catalogue,
                                                    settings=real_settings)))  # fmt: skip
    captions = [p.text for p in document.paragraphs if p.text.startswith("Figure 1. The site.")]
    assert len(captions) == 1 and "water (15)" in captions[0] and attribution.OSM in captions[0]
    assert len(document.inline_shapes) >= 1
