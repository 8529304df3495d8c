"""The HTML report: content, escaping, self-containment."""

from __future__ import annotations

import re

import pytest

from hiap import attribution
from hiap.assessment import Answer, Assessment
from hiap.checklists.models import Catalogue
from hiap.reports import ReportSection, render_html
from hiap.scoring import ScoringError, score_assessment
from tests.reports.builders import EVIL, T0, build_report_assessment


@pytest.fixture(scope="module")
def html(report_assessment: Assessment, catalogue: Catalogue) -> str:
    extra = ReportSection(
        title="Access to GP surgeries <and> hospitals",
        paragraphs=["Walking times from every home <i>in</i> the scheme."],
        table_header=["Destination", "Walk (min)"],
        table_rows=[["Nearest GP <surgery>", 12.5]],
    )
    return render_html(report_assessment, checklists=catalogue, extra_sections=[extra], version=4)


def test_title_block_and_scheme_summary(html: str) -> None:
    assert "<title>Health impact assessment: Great Kneighton (Clay Farm) phase 2</title>" in html
    for text in ("07/0620/OUT", "Urban extension", "2,250", "Cambridge City Council"):
        assert text in html
    assert "R. Patel, Public Health Cambridgeshire" in html
    assert "2 March 2026, 09:30 UTC" in html
    assert "version 4" in html


def test_every_principle_theme_and_criterion_is_reported(html: str, catalogue: Catalogue) -> None:
    for checklist in catalogue.checklists:
        for principle in checklist.principles:
            assert f"{principle.number}.</strong> {principle.name}" in html
            for criterion in principle.criteria:
                assert f'<span class="id">{criterion.id}</span>' in html
    for topic in catalogue.hudu.topics:
        assert topic.name in html
        assert f"Secure by S106 obligation {topic.number - 1}." in html


def test_scores_match_the_scoring_module(
    html: str, report_assessment: Assessment, catalogue: Catalogue
) -> None:
    scores = score_assessment(report_assessment, catalogue)
    for checklist in scores.checklists:
        assert checklist.percent is not None
        assert f"{checklist.percent:.0f}%" in html
        for principle in checklist.principles:
            assert principle.formula in html


def test_measured_indicator_suggestion_and_override(html: str) -> None:
    assert "Measured on the 2012 OSM network." in html
    assert "Score differs from the suggested score." in html
    assert "Thresholds:" in html
    assert "No employment floorspace proposed." in html  # not-applicable reason


def test_user_text_is_escaped(html: str) -> None:
    assert EVIL not in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Access to GP surgeries &lt;and&gt; hospitals" in html
    assert "Nearest GP &lt;surgery&gt;" in html
    assert "Second line of evidence." in html and "<br>Second line" in html


def test_attribution_and_licences(html: str) -> None:
    for line in (attribution.OSM, attribution.OGL, attribution.CODE_POINT_OPEN):
        assert line in html
    assert "Open Data Commons Open Database Licence (ODbL) 1.0" in html
    assert "Contains Royal Mail data © Royal Mail copyright and database right 2025" in html


def test_report_is_self_contained(html: str) -> None:
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 3  # map, HNT radar, Blue Zones bars
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert "<link" not in html
    assert not re.search(r'(src|href)="https?:', html)
    assert "@page" in html  # the stylesheet is inlined


def test_without_boundary_there_is_no_map(catalogue: Catalogue) -> None:
    assessment = build_report_assessment(catalogue, boundary=None)
    html = render_html(assessment, checklists=catalogue)
    assert "No boundary is recorded" in html
    assert len(re.findall(r"<img ", html)) == 2


def test_a_supplied_map_is_used(report_assessment: Assessment, catalogue: Catalogue) -> None:
    png = b"\x89PNG\r\n\x1a\nnot-really-a-png"
    html = render_html(report_assessment, checklists=catalogue, map_png=png)
    assert "Map supplied for this report." in html
    assert "data:image/png;base64,iVBORw0KGgpub3QtcmVhbGx5LWEtcG5n" in html


def test_an_empty_assessment_reports_nothing_scored(catalogue: Catalogue) -> None:
    empty = Assessment.new(scheme_name="Blank", now=T0)
    html = render_html(empty, checklists=catalogue)
    assert "n/s" in html and "not answered" in html
    assert "no applicable answered criteria" in html


def test_answers_that_do_not_fit_the_checklists_are_refused(catalogue: Catalogue) -> None:
    bad = Assessment.new(scheme_name="Bad", now=T0).with_answer(
        "HNT.2.1", Answer(score=3), now=T0
    )  # HNT.2.1 is scored 0-2
    with pytest.raises(ScoringError):
        render_html(bad, checklists=catalogue)
