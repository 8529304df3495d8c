"""The bus ranking chapter: table, map, method, fallback share and sources, in every format."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from hiap.checklists.loader import load_catalogue
from hiap.cli.main import app
from hiap.corridor.priorities import PriorityResult, load_priorities, save_priorities
from hiap.errors import DataError
from hiap.reports.bus_priorities import bus_priorities_section
from hiap.reports.render import render_html
from hiap.reports.word import render_docx
from tests.reports.builders import build_report_assessment

EVIL = "<script>alert(1)</script>"
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [
        [[-0.27, 52.53], [-0.25, 52.53], [-0.25, 52.545], [-0.27, 52.545], [-0.27, 52.53]]
    ],
}


def hand_ranking() -> PriorityResult:
    """A small ranking built by hand (three candidates, one route)."""
    table = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "label": [f"B to Addenbrooke's {EVIL}", "B every 5 min", "Citi 6 span to 22:00"],
            "kind": ["divert", "frequency", "span"],
            "route_id": ["B", "B", "6"],
            "lon": [0.14, None, None],
            "lat": [52.175, None, None],
            "minutes_saved": [4_340_000.4, 2_550_000.0, 120_000.0],
            "minutes_saved_imd1_3": [310_000.0, 400_000.0, 2_000.0],
            "newly_within_30": [1200.0, 800.0, 0.0],
            "newly_within_60": [5400.0, 3000.0, 10.0],
            "rank_imd1_3": [2, 1, 3],
            "candidate_id": ["c1", "c2", "c3"],
        }
    )
    routes = gpd.GeoDataFrame(
        {"route_id": ["B"], "name": ["B"], "direction_id": [0], "stops": [40]},
        geometry=[shapely.LineString([(0.12, 52.2), (-0.08, 52.33), (-0.25, 52.57)])],
        crs=4326,
    )
    origins = gpd.GeoDataFrame(
        {"code": ["E1", "E2"], "population": [1500.0, 1700.0]},
        geometry=gpd.points_from_xy([0.1, -0.2], [52.21, 52.55]),
        crs=4326,
    )
    destinations = gpd.GeoDataFrame(
        {"code": ["RGT01", "D1"], "name": ["Addenbrooke's", "A practice"],
         "kind": ["acute hospital", "GP practice"]},
        geometry=gpd.points_from_xy([0.14, -0.07], [52.175, 52.33]),
        crs=4326,
    )
    return PriorityResult(
        table=table,
        service=pd.DataFrame({"route_id": ["B"], "trips": [120]}),
        routes=routes,
        origins=origins,
        notes=("Service day Tuesday 31 March 2020.",),
        date=dt.date(2020, 3, 31),
        fallback_share=1.0,
        destinations=destinations,
    )


@pytest.fixture(scope="module")
def ranking() -> PriorityResult:
    return hand_ranking()


def test_the_chapter_has_table_map_method_fallback_and_sources(ranking: PriorityResult) -> None:
    section = bus_priorities_section(ranking, note="As shown on the Buses page in this session.")
    assert section.table_header[:3] == ("Rank", "Rank, IMD 1-3", "Change")
    assert [r[0] for r in section.table_rows] == ["1", "2", "3"]
    assert section.table_rows[0][3] == "4,340,000"
    text = " ".join(section.paragraphs)
    assert "Tuesday 31 March 2020" in text and "person-minutes" in text
    assert "100% of the baseline's walking legs" in text
    assert "Open Government Licence" in text and "OpenStreetMap" in text and "ODbL" in text
    assert section.image_png is not None and section.image_png[:8] == b"\x89PNG\r\n\x1a\n"


def test_stored_ranking_round_trip_and_a_wrong_file(
    ranking: PriorityResult, tmp_path: Path
) -> None:
    path = tmp_path / "priorities.json"
    save_priorities(ranking, path)
    back = load_priorities(path)
    pd.testing.assert_frame_equal(back.table, ranking.table, check_dtype=False)
    assert back.date == ranking.date and back.fallback_share == 1.0
    assert back.routes.geometry.iloc[0].equals_exact(ranking.routes.geometry.iloc[0], 1e-9)
    assert back.destinations is not None and list(back.destinations["kind"]) == [
        "acute hospital", "GP practice"
    ]
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"type": "FeatureCollection"}), encoding="utf-8")
    with pytest.raises(DataError, match=r"other\.json is not a stored bus ranking") as caught:
        load_priorities(other)
    assert str(tmp_path) not in str(caught.value)


def test_html_and_word_reports_carry_the_chapter_escaped(ranking: PriorityResult) -> None:
    import docx

    assessment = build_report_assessment(load_catalogue(), boundary=BOUNDARY)
    section = bus_priorities_section(ranking)
    html = render_html(assessment, checklists=load_catalogue(), extra_sections=[section])
    assert "Which bus service change would help health most" in html
    assert EVIL not in html and "&lt;script&gt;" in html
    data = render_docx(assessment, checklists=load_catalogue(), extra_sections=[section])
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Which bus service change would help health most" in headings
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "B every 5 min" in cells and "4,340,000" in cells
    assert len(document.inline_shapes) >= 1  # the map
    alt = document.inline_shapes[-1]._inline.docPr.get("descr")
    assert alt == "Figure for Which bus service change would help health most; the table below gives its figures."


def test_report_command_adds_a_stored_ranking(ranking: PriorityResult, tmp_path: Path) -> None:
    assessment = build_report_assessment(load_catalogue(), boundary=BOUNDARY)
    exported = tmp_path / "exported.json"
    exported.write_text(assessment.to_json(), encoding="utf-8")
    stored = tmp_path / "priorities.json"
    save_priorities(ranking, stored)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, [
        "report", str(exported), "--no-evidence", "--no-baseline", "-o", str(out),
        "--bus-priorities", str(stored),
    ])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Which bus service change would help health most" in html
    assert "From the stored ranking priorities.json." in html
    bad = CliRunner().invoke(app, [
        "report", str(exported), "--no-evidence", "--no-baseline", "-o", str(out),
        "--bus-priorities", str(exported),
    ])
    assert bad.exit_code != 0 and "not a stored bus ranking" in bad.output
