"""The report's evidence chapters, measured on the real Hampton (Peterborough) sample."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from matplotlib.image import imread
from typer.testing import CliRunner

from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.cli.main import app
from hiap.equity import newly_within, times_by_imd_decile
from hiap.reports import render_html, render_pdf
from hiap.reports.evidence import (
    ACCESS_MAP_ATTRIBUTION,
    ScenarioResult,
    SchemeEvidence,
    equity_section,
    evidence_available,
    evidence_sections,
    indicators_section,
    measure_evidence,
    scenario_section,
    scheme_from_assessment,
)
from hiap.schemes import Scheme, load_sample_scheme
from hiap.settings import Settings, get_settings
from hiap.ui.store import assessment_for_scheme
from tests.reports.test_reports_pdf import pdf_pages_and_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("evidence-cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Settings:
    settings = get_settings(environ={"HIAP_CACHE_DIR": str(cache_dir)})
    if not (settings.data_dir / "osm").is_dir():
        pytest.skip(f"shared data not found at {settings.data_dir}")
    return settings


@pytest.fixture(scope="session")
def hampton(settings: Settings) -> Scheme:
    return load_sample_scheme("hampton", settings)


@pytest.fixture(scope="session")
def hampton_assessment(hampton: Scheme) -> Assessment:
    return assessment_for_scheme(hampton, assessor="Test assessor")


@pytest.fixture(scope="session")
def evidence(hampton: Scheme, settings: Settings) -> SchemeEvidence:
    return measure_evidence(hampton, settings=settings)


@pytest.fixture(scope="session")
def scenario(evidence: SchemeEvidence) -> ScenarioResult:
    # A scenario that cuts times by a third in the four most deprived deciles only.
    assert evidence.walk is not None
    origins = evidence.walk.origins
    base = origins["time_min"]
    faster = base * np.where(origins["imd_decile"] <= 4, 2 / 3, 1.0)
    table = newly_within(base, faster, origins["population"], groups=origins["imd_decile"],
                         threshold_min=20.0)
    return ScenarioResult(name="Hampton orbital bus", table=table, threshold_min=20.0)


def _png_pixels(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return imread(io.BytesIO(png), format="png")[..., :3]


def test_hampton_evidence_is_measured(evidence: SchemeEvidence, hampton: Scheme) -> None:
    assert evidence.problems == ()
    assert evidence.indicators is not None
    assert evidence.indicators.get("gp_walk_min") is not None
    walk = evidence.walk
    assert walk is not None
    # Hampton Medical Centre lies inside the sample boundary.
    assert walk.destinations["name"].str.contains("HAMPTON", case=False).any()
    assert set(walk.isochrones["band_min"]) == {5.0, 10.0, 15.0, 20.0, 30.0}
    assert evidence.scheme_access is not None
    # the new residents live at the site's home points; those more than 500 m from a walkable
    # street of the 2012 extract are left out (listed), so their share of residents is not timed
    assert walk.homes is not None
    left_out = int((walk.excluded["kind"] == "home").sum())
    share = len(walk.homes) / (len(walk.homes) + left_out)
    assert evidence.scheme_access["population"].iloc[0] == pytest.approx(hampton.new_residents * share)


def test_indicator_table_lists_every_indicator(evidence: SchemeEvidence) -> None:
    report = evidence.indicators
    assert report is not None
    section = indicators_section(report)
    assert section.table_header == ("Indicator", "Value", "Unit", "Method", "Source")
    rows = {row[0]: row for row in section.table_rows}
    assert len(rows) == len(report.results) + len(report.unavailable)
    for result in report.results:
        assert rows[result.name][3].startswith(result.method)
        # Each source is cited by number and listed in full among the paragraphs.
        for number in re.findall(r"\[(\d+)\]", rows[result.name][4]):
            assert any(p.startswith(f"[{number}] ") for p in section.paragraphs)
    gp = report.get("gp_walk_min")
    assert gp is not None
    assert rows[gp.name][1:3] == (f"{gp.value:.1f}", "min")
    for missing in report.unavailable:
        assert rows[missing.name][1] == "not measured"
        assert missing.reason in rows[missing.name][3]


def test_access_map_shows_bands_scheme_and_gps(
    evidence: SchemeEvidence, hampton_assessment: Assessment
) -> None:
    sections = evidence_sections(evidence, boundary=hampton_assessment.boundary)
    access = next(s for s in sections if s.title == "Access to healthcare")
    assert access.image_png is not None
    assert access.caption is not None and ACCESS_MAP_ATTRIBUTION in access.caption
    pixels = _png_pixels(access.image_png)
    # The darkest band blue (Blues at 0.85) and the scheme's orange outline are drawn.
    dark_blue = np.all(np.abs(pixels - np.array([0.03, 0.32, 0.61])) < 0.06, axis=-1)
    orange = np.all(np.abs(pixels - np.array([0.85, 0.37, 0.01])) < 0.06, axis=-1)
    assert dark_blue.sum() > 500
    assert orange.sum() > 500
    labels = [row[0] for row in access.table_rows]
    assert labels[0].startswith("Scheme (20,060 new residents)")
    assert any(label.startswith("Surrounding area") for label in labels)


def test_equity_table_agrees_with_the_equity_module(evidence: SchemeEvidence) -> None:
    assert evidence.walk is not None
    section = equity_section(evidence.walk.origins)
    expected = times_by_imd_decile(evidence.walk.origins)
    assert section.table_rows[0][0] == "1 (most deprived)"
    assert len(section.table_rows) == 10
    for row, (_, want) in zip(section.table_rows, expected.iterrows(), strict=True):
        assert row[1] == str(int(want["origins"]))
        if want["origins"]:
            assert row[3] == f"{want['pop_weighted_mean_time_min']:.1f}"
        else:
            assert row[3] == "–"
    assert section.image_png is not None and _png_pixels(section.image_png).shape[0] > 300


def test_scenario_sentence_counts_the_residents_brought_in() -> None:
    table = newly_within(
        pd.Series([40.0, 25.0, 10.0, np.inf]),
        pd.Series([25.0, 35.0, 10.0, 20.0]),
        pd.Series([100.0, 30.0, 50.0, 7.0]),
        groups=pd.Series([1, 2, 2, 9], name="imd_decile"),
    )
    section = scenario_section(ScenarioResult(name="Route 9", table=table))
    summary = section.paragraphs[0]
    assert "brings 107 residents newly within 30 minutes of a GP surgery" in summary
    assert "while 30 are no longer within it (net change +77)" in summary
    assert "93% of the gain is in the three most deprived IMD deciles" in summary
    assert [row[0] for row in section.table_rows] == ["1 (most deprived)", "2", "9"]
    assert section.table_rows[1][-1] == "-30"
    with pytest.raises(ValueError, match="newly_within"):
        scenario_section(ScenarioResult(name="x", table=table.drop(columns="net_change")))


def test_html_and_pdf_carry_the_evidence(
    evidence: SchemeEvidence,
    scenario: ScenarioResult,
    hampton_assessment: Assessment,
    catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    sections = evidence_sections(evidence, boundary=hampton_assessment.boundary,
                                 scenario=scenario)
    assert [s.title for s in sections] == [
        "Spatial evidence", "Access to healthcare", "Equity: access by deprivation",
        "Transport scenario",
    ]
    html = render_html(hampton_assessment, checklists=catalogue, extra_sections=sections)
    report = evidence.indicators
    assert report is not None
    for result in report.results:
        assert str(escape(result.name)) in html
        assert str(escape(result.method)) in html
    assert str(escape("© OpenStreetMap contributors, ODbL 1.0")) in html
    assert "NHS ODS epraccur GP practices [" in html
    assert "Hampton orbital bus" in html
    # The boundary map, the access map and the equity chart, each embedded.
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)

    pdf = render_pdf(hampton_assessment, checklists=catalogue, extra_sections=sections)
    (tmp_path / "hampton.pdf").write_bytes(pdf)
    pages, _ = pdf_pages_and_text(pdf)
    plain = render_pdf(hampton_assessment, checklists=catalogue)
    plain_pages, _ = pdf_pages_and_text(plain)
    # Each chapter starts a page: at least four more pages, and a larger file (figures).
    assert pages >= plain_pages + 4
    assert len(pdf) > len(plain) + 100_000


def test_scheme_is_rebuilt_from_the_saved_assessment(
    hampton: Scheme, hampton_assessment: Assessment, settings: Settings
) -> None:
    assert evidence_available(hampton_assessment, settings=settings)
    rebuilt = scheme_from_assessment(hampton_assessment, settings=settings)
    assert rebuilt is not None
    assert rebuilt.metadata.dwellings == hampton.metadata.dwellings
    assert rebuilt.area_ha == pytest.approx(hampton.area_ha, rel=1e-3)
    no_boundary = hampton_assessment.model_copy(update={"boundary": None})
    assert scheme_from_assessment(no_boundary, settings=settings) is None
    assert not evidence_available(no_boundary, settings=settings)


def test_cli_report_measures_the_evidence(
    hampton_assessment: Assessment,
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIAP_CACHE_DIR", str(cache_dir))
    exported = tmp_path / "hampton.json"
    exported.write_text(hampton_assessment.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "with.html"
    result = runner.invoke(app, ["report", str(exported), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Spatial evidence" in out.read_text(encoding="utf-8")
    without = tmp_path / "without.html"
    result = runner.invoke(app, ["report", str(exported), "--no-evidence", "-o", str(without)])
    assert result.exit_code == 0, result.output
    assert "Spatial evidence" not in without.read_text(encoding="utf-8")

    bare = hampton_assessment.model_copy(update={"boundary": None})
    exported.write_text(bare.model_dump_json(), encoding="utf-8")
    result = runner.invoke(app, ["report", str(exported), "--evidence", "-o", str(without)])
    assert result.exit_code == 2
    assert "--evidence needs the scheme boundary" in result.output


def _saved_work_script() -> None:
    import streamlit as st

    from hiap.schemes import load_sample_scheme
    from hiap.settings import get_settings
    from hiap.ui.evidence import measure
    from hiap.ui.saved_work import report_evidence
    from hiap.ui.state import set_current_scheme
    from hiap.ui.store import assessment_for_scheme

    settings = get_settings()
    scheme = load_sample_scheme("hampton", settings)
    assessment = assessment_for_scheme(scheme)
    set_current_scheme(scheme)
    st.text("before: " + ", ".join(s.title for s in report_evidence(assessment)))
    measure(scheme, settings)  # what the spatial evidence page does
    st.text("measured: " + ", ".join(s.title for s in report_evidence(assessment)))
    st.session_state["access.ran"] = True  # a run flag alone is no longer enough: no recompute
    st.text("flag only: " + ", ".join(s.title for s in report_evidence(assessment)))
    from hiap.access import AccessOptions, measure_access
    from hiap.ui.access import keep_access_result
    from hiap.ui.cache import scheme_digest

    seen = measure_access(  # what the access page ran and showed, with its own parameters
        settings, AccessOptions(to="gp", buffer_km=1.5, bands_min=(10.0, 20.0),
                                new_residents=float(scheme.new_residents or 0)),
        scheme=scheme.boundary, area_label=scheme.name,
    )
    keep_access_result(seen, scheme_name=scheme.name, scheme_digest=scheme_digest(scheme))
    sections = report_evidence(assessment)
    st.text("with access: " + ", ".join(s.title for s in sections))
    access = next(s for s in sections if s.title == "Access to healthcare")
    st.text(" ".join(access.paragraphs))


def test_saved_work_reports_what_this_session_measured(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HIAP_CACHE_DIR", str(cache_dir))
    at = AppTest.from_function(_saved_work_script, default_timeout=120).run()
    assert not at.exception, at.exception
    texts = [t.value for t in at.text]
    assert texts[:4] == [
        "before:",
        "measured: Spatial evidence",
        "flag only: Spatial evidence",
        "with access: Spatial evidence, Access to healthcare, Equity: access by deprivation",
    ]
    # the stored run, with its own parameters printed, not a recomputation with defaults
    assert "As shown on the Access page" in texts[4]
    assert "Area buffer: 1.5 km" in texts[4] and "Bands: 10, 20 min" in texts[4]
