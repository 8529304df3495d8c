"""Baseline -> with scheme on a made-up neighbourhood whose answers are worked out by hand.

A 7 x 7 street grid with 90 m blocks (no greenspace) has one GP practice, at node (0, 0). The
proposal puts seven homes on grid nodes, a new GP at node (5, 5) and a 2.5 ha park 10 m east
of node (6, 5). Walks are counted in blocks (90 m = 1.125 min at 4.8 km/h):

* GP: today each home walks i + j blocks; with the scheme min(i + j, |i - 5| + |j - 5|), so
  the new GP becomes the nearest for the homes at (5,5), (6,6), (4,6), (3,5) and (1,5).
* Park: entered at node (6, 5) 10 m from it; homes within 300 m walk are (5,5) 100 m,
  (6,6) 100 m, (4,6) and (3,5) 280 m; (1,5) is 460 m and (1,1), (2,2) farther.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hiap.checklists import load_catalogue
from hiap.indicators.compare import Comparison, assess_proposal, change_direction, hudu_from_change
from hiap.schemes.proposal import read_proposal
from hiap.settings import get_settings

from .conftest import TO_LL, OsmWriter

STEP = 90.0
X0, Y0 = 499_950.0, 299_970.0
N = 7
MIN_PER_BLOCK = STEP / 80.0  # 4.8 km/h = 80 m per minute
HOMES = [(1, 1), (2, 2), (5, 5), (6, 6), (4, 6), (3, 5), (1, 5)]
NEW_GP = (5, 5)


def _xy(i: float, j: float) -> tuple[float, float]:
    return X0 + i * STEP, Y0 + j * STEP


def _write_osm(path: Path) -> Path:
    osm = OsmWriter()
    grid = {(i, j): osm.node(*_xy(i, j)) for i in range(N) for j in range(N)}
    wid = 1000
    for j in range(N):
        osm.way(wid := wid + 1, [grid[(i, j)] for i in range(N)], {"highway": "residential"})
    for i in range(N):
        osm.way(wid := wid + 1, [grid[(i, j)] for j in range(N)], {"highway": "residential"})
    return osm.write(path)


def _write_gp(path: Path) -> Path:
    """One active GP practice at node (0, 0), as the geocoded NHS subset lists them."""
    lon, lat = TO_LL.transform(*_xy(0, 0))
    path.write_text(
        "org_code,name,postcode,status_code,prescribing_setting,lat,lon\n"
        f"Z00001,OLD SURGERY,CB1 1AA,A,4,{lat:.9f},{lon:.9f}\n"
    )
    return path


def _write_proposal(path: Path) -> Path:
    x6, y5 = _xy(6, 5)
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Grid scheme"]},
            geometry=[shapely.box(*_xy(-0.5, -0.5), *_xy(6.5, 6.5))],
            crs=27700,
        ),
        "homes": gpd.GeoDataFrame(
            {"dwellings": [10] * len(HOMES)},
            geometry=[shapely.Point(_xy(*h)) for h in HOMES],
            crs=27700,
        ),
        "facilities": gpd.GeoDataFrame(
            {"type": ["gp"], "name": ["New Surgery"]},
            geometry=[shapely.Point(_xy(*NEW_GP))],
            crs=27700,
        ),
        "greenspace": gpd.GeoDataFrame(
            {"type": ["park"]},
            geometry=[shapely.box(x6 + 10, y5 - 50, x6 + 260, y5 + 50)],
            crs=27700,
        ),
    }
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


@pytest.fixture(scope="module")
def grid_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the grid's OSM extract and GP list, and the proposal beside it."""
    tmp = tmp_path_factory.mktemp("with_scheme")
    (tmp / "data" / "osm").mkdir(parents=True)
    (tmp / "data" / "health").mkdir()
    _write_gp(tmp / "data" / "health" / "gp_practices_test_geocoded.csv")
    _write_osm(tmp / "data" / "osm" / "grid.osm")
    _write_proposal(tmp / "proposal.gpkg")
    return tmp


@pytest.fixture(scope="module")
def comparison(grid_dir: Path) -> Comparison:
    settings = get_settings(
        environ={"HIAP_DATA_DIR": str(grid_dir / "data"), "HIAP_CACHE_DIR": str(grid_dir / "cache")}
    )
    proposal = read_proposal(grid_dir / "proposal.gpkg", settings=settings)
    return assess_proposal(
        proposal, settings=settings, osm_path=grid_dir / "data" / "osm" / "grid.osm"
    )


def test_the_new_gp_becomes_the_nearest_for_the_homes_worked_out_by_hand(
    comparison: Comparison,
) -> None:
    homes = comparison.homes
    base = np.array([i + j for i, j in HOMES]) * MIN_PER_BLOCK
    new = np.array([abs(i - NEW_GP[0]) + abs(j - NEW_GP[1]) for i, j in HOMES]) * MIN_PER_BLOCK
    # Edge lengths are great-circle metres, within 0.3% of grid metres here.
    np.testing.assert_allclose(homes["gp_walk_min_baseline"], base, rtol=0.003)
    np.testing.assert_allclose(
        homes["gp_walk_min_with"], np.minimum(base, new), rtol=0.003, atol=0.001
    )
    helped = [h for h, b, n in zip(HOMES, base, new, strict=True) if n < b]
    assert helped == [(5, 5), (6, 6), (4, 6), (3, 5), (1, 5)]
    row = comparison.table().set_index("id").loc["gp_walk_min"]
    # Median over seven equally weighted homes: 8 blocks today, 2 blocks with the scheme.
    assert row["baseline"] == pytest.approx(8 * MIN_PER_BLOCK, rel=0.003)
    assert row["with scheme"] == pytest.approx(2 * MIN_PER_BLOCK, rel=0.003)
    assert row["for health"] == "better"


def test_the_new_park_brings_the_homes_worked_out_by_hand_within_300_m(
    comparison: Comparison,
) -> None:
    homes = comparison.homes
    within = dict(zip(HOMES, homes["angst_2ha_300m_within_with"], strict=True))
    assert [h for h, w in within.items() if w] == [(5, 5), (6, 6), (4, 6), (3, 5)]
    assert not homes["angst_2ha_300m_within_baseline"].any()
    row = comparison.table().set_index("id").loc["angst_2ha_300m_share"]
    assert row["baseline"] == 0.0
    assert row["with scheme"] == pytest.approx(4 / 7, abs=1e-4)
    assert row["for health"] == "better"


def test_each_indicator_is_mapped_today_with_the_scheme_and_as_the_change(
    comparison: Comparison,
) -> None:
    from hiap.viz.proposal_maps import indicator_map, indicator_summary, mapped_values

    mapped = mapped_values(comparison)
    assert {"gp_walk_min", "angst_2ha_300m_within", "playground_400m_within",
            "bus_stop_400m_within", "everyday_destinations_800m"} <= set(mapped)
    today = indicator_map(comparison, "angst_2ha_300m_within", world="baseline").get_root().render()
    with_scheme = indicator_map(comparison, "angst_2ha_300m_within", world="with").get_root().render()
    assert "Proposed greenspace" in with_scheme and "Proposed greenspace" not in today
    assert with_scheme.count("yes with the scheme") == 4  # the four homes worked out above
    change = indicator_map(comparison, "gp_walk_min", world="change").get_root().render()
    assert change.count("#1b7837") >= 5  # green: the five homes the new GP helps
    table = indicator_summary(comparison, "angst_2ha_300m_within").set_index("figure")
    assert table.loc["homes meeting the standard", "today"] == "0%"
    assert table.loc["homes meeting the standard", "with the scheme"] == "57%"
    assert table.loc["homes better for health with the scheme", "with the scheme"] == "57%"
    walk = indicator_summary(comparison, "gp_walk_min").set_index("figure")
    assert walk.loc["median home", "today"] == f"{8 * MIN_PER_BLOCK:.1f} min"


def test_the_notes_say_what_was_assumed(comparison: Comparison) -> None:
    notes = " ".join(comparison.notes)
    assert "70 dwellings in 7 homes features" in notes
    assert "1 greenspace, 1 facilities added" in notes
    assert "165 new residents" in notes  # 70 x 2.36
    assert "no existing residents" in notes or comparison.neighbours is None


def test_hudu_direction_comes_from_the_change(comparison: Comparison) -> None:
    suggestions = {s.topic_id: s for s in hudu_from_change(comparison.table(), load_catalogue())}
    assert suggestions, "no HUDU topic got a suggestion"
    access_topics = [
        s for s in suggestions.values() if "walk time to the nearest gp surgery" in s.evidence
    ]
    assert access_topics
    for s in access_topics:
        assert "9.0 min -> 2.2 min (better)" in s.evidence  # 8 and 2 blocks, named in the evidence
    green = [s for s in suggestions.values() if "2 ha" in s.evidence and "0% -> 57%" in s.evidence]
    assert green and all(s.direction.value in ("positive", "uncertain") for s in green)


@pytest.mark.parametrize(
    ("base", "new", "unit", "higher", "expected"),
    [
        (10.0, 8.0, "min", False, "better"),
        (10.0, 10.2, "min", False, "no change"),
        (0.50, 0.49, "share", True, "worse"),
        (0.50, 0.503, "share", True, "no change"),
        (3.0, 4.0, "count", True, "better"),
        (None, 4.0, "count", True, "not measured"),
    ],
)
def test_change_direction(
    base: float | None, new: float, unit: str, higher: bool, expected: str
) -> None:
    assert change_direction(base, new, unit=unit, higher_is_better=higher) == expected


def test_the_impact_matrix_takes_the_direction_of_the_change(comparison: Comparison) -> None:
    import datetime as dt
    import uuid

    from hiap.assessment import Assessment
    from hiap.indicators import apply_indicators

    catalogue = load_catalogue()
    now = dt.datetime.now(dt.UTC)
    base = Assessment(
        id=str(uuid.uuid4()), scheme_name="Grid scheme", created_at=now, updated_at=now
    )
    change = hudu_from_change(comparison.table(), catalogue)
    out = apply_indicators(base, comparison.with_scheme, catalogue, hudu=change)
    for suggestion in change:
        entry = out.hudu[suggestion.topic_id]
        assert entry.suggested_direction == suggestion.direction
        assert entry.evidence == suggestion.evidence  # names the baseline and with-scheme figures
        assert "today's map -> with the scheme" in entry.evidence


def test_the_report_chapter_shows_the_change_and_the_maps(comparison: Comparison) -> None:
    import datetime as dt
    import uuid

    from hiap.assessment import Assessment
    from hiap.reports.render import render_html
    from hiap.reports.scheme_change import scheme_change_section

    sections = scheme_change_section(comparison)
    chapter = sections[0]
    assert chapter.title == "What the scheme changes"
    assert chapter.image_png is not None and chapter.image_png.startswith(b"\x89PNG")
    rows = {row[0]: row for row in chapter.table_rows}
    assert rows["Walk time to the nearest GP surgery"][1:] == ("9.0 min", "2.2 min", "better")
    now = dt.datetime.now(dt.UTC)
    assessment = Assessment(
        id=str(uuid.uuid4()), scheme_name="Grid scheme", created_at=now, updated_at=now
    )
    html = render_html(assessment, checklists=load_catalogue(), extra_sections=sections)
    assert "What the scheme changes" in html and "OpenStreetMap" in html


def test_the_chapter_maps_each_value_that_changes_with_its_table(comparison: Comparison) -> None:
    import datetime as dt
    import io
    import uuid

    import docx

    from hiap.assessment import Assessment
    from hiap.reports.render import render_html
    from hiap.reports.scheme_change import scheme_change_section
    from hiap.reports.word import render_docx
    from hiap.viz.proposal_maps import MAPPED_VALUES, changed_values, indicator_summary

    changed = changed_values(comparison)
    # The new GP shortens the walk; the 2.5 ha park brings 4 of 7 homes within 300 m of 2 ha.
    assert "gp_walk_min" in changed and "gi_local_2ha_300m_within" in changed
    assert "bus_stop_400m_within" not in changed  # measured, no stop proposed: no section
    sections = scheme_change_section(comparison)
    by_title = {s.title: s for s in sections}
    park = by_title["What the scheme changes: 2 ha local greenspace within 300 m"]
    assert park.image_png is not None and park.image_png.startswith(b"\x89PNG")
    assert park.table_header == ("Figure", "Today", "With the scheme")
    expected = indicator_summary(comparison, "gi_local_2ha_300m_within")
    assert park.table_rows == tuple(tuple(r) for r in expected.astype(str).itertuples(index=False))
    assert park.table_rows[0] == ("homes meeting the standard", "0%", "57%")  # 4 of 7, equal weights
    titles = [f"What the scheme changes: {MAPPED_VALUES[c][0].lower()}" for c in changed
              if c != "gp_walk_min"]  # the GP walk is the chapter's own map
    assert [s.title for s in sections[1:len(titles) + 1]] == titles
    assert not scheme_change_section(comparison, with_map=False)[1:]  # no maps, no map sections
    now = dt.datetime.now(dt.UTC)
    assessment = Assessment(
        id=str(uuid.uuid4()), scheme_name="Grid scheme", created_at=now, updated_at=now
    )
    html = render_html(assessment, checklists=load_catalogue(), extra_sections=sections)
    word = docx.Document(io.BytesIO(
        render_docx(assessment, checklists=load_catalogue(), extra_sections=sections)
    ))
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    cells = {c.text for t in word.tables for row in t.rows for c in row.cells}
    for title in titles:
        assert title in html and title in headings
    assert html.count("data:image/png;base64") >= len(titles) + 1
    assert len(word.inline_shapes) >= len(titles) + 1
    assert "homes meeting the standard" in html and "homes meeting the standard" in cells


def test_hiap_report_adds_the_chapter(
    grid_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt
    import uuid

    from typer.testing import CliRunner

    from hiap.assessment import Assessment
    from hiap.cli.main import app
    from hiap.storage import write_assessment_json

    monkeypatch.setenv("HIAP_DATA_DIR", str(grid_dir / "data"))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(grid_dir / "cache"))
    now = dt.datetime.now(dt.UTC)
    saved = tmp_path / "a.json"
    write_assessment_json(
        Assessment(id=str(uuid.uuid4()), scheme_name="Grid scheme", created_at=now, updated_at=now),
        saved,
    )
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(saved),
            "--no-evidence",
            "--proposal",
            str(grid_dir / "proposal.gpkg"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "What the scheme changes" in html
    assert "data:image/png;base64" in html
