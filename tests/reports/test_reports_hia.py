"""The report laid out as the HIA a council receives, in HTML, PDF and Word."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest

from hiap.assessment import Assessment, Direction, HuduEntry
from hiap.checklists.models import Catalogue
from hiap.hia.baseline import BaselineProfile, build_baseline
from hiap.hia.record import (
    GatewayAnswer,
    GatewayStatus,
    HiaRecord,
    Likelihood,
    Magnitude,
    Mechanism,
    MonitoringIndicator,
    Recommendation,
)
from hiap.reports import render_html, render_pdf
from hiap.reports.hia_context import HIA_CHAPTERS
from hiap.reports.word import render_docx
from hiap.settings import SHARED_DATA_DIR, get_settings
from tests.reports.builders import EVIL
from tests.reports.test_reports_pdf import pdf_pages_and_text

T1 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
TRIGGER = "before occupation of the 500th home"


@pytest.fixture(scope="module")
def hia_assessment(report_assessment: Assessment) -> Assessment:
    harm = HuduEntry(
        direction=Direction.NEGATIVE,
        evidence="The nearest GP list is closed; 2SFCA 0.4 practices per 1,000.",
        mitigation="A new health centre.",
        magnitude=Magnitude.MAJOR,
        likelihood=Likelihood.DEFINITE,
        groups=("older_people", "no_car"),
        residual_direction=Direction.NEUTRAL,
    )
    record = HiaRecord(
        groups={"no_car": "Depend on the guided busway"},
        gateways={"GW.1": GatewayAnswer(status=GatewayStatus.NOT_MET)},
        recommendations=(
            Recommendation(
                id="R1",
                topic_id="HUDU.2",
                action=f"Fund a 1,000 m² health centre {EVIL}",
                owner="Developer with the ICB",
                mechanism=Mechanism.S106,
                trigger=TRIGGER,
            ),
        ),
        monitoring=(
            MonitoringIndicator(
                id="M1",
                indicator="Registered patients per GP (FTE)",
                baseline="2,300 (April 2026)",
                target="1,800 by 2030",
                data_source="NHS Digital GP workforce",
                frequency="annually",
                recommendation_id="R1",
            ),
        ),
    )
    return report_assessment.with_hudu("HUDU.2", harm, now=T1).with_hia(record, now=T1)


@pytest.fixture(scope="module")
def baseline(hia_assessment: Assessment) -> BaselineProfile:
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip("needs the shared data")
    settings = get_settings(environ={}, data_dir=SHARED_DATA_DIR)
    return build_baseline(settings, boundary=hia_assessment.boundary)


def test_html_is_laid_out_as_an_hia(
    hia_assessment: Assessment, catalogue: Catalogue, baseline: BaselineProfile
) -> None:
    html = render_html(hia_assessment, checklists=catalogue, baseline=baseline)
    headings = re.findall(r"<h1>([^<]+)</h1>", html)
    assert headings[: len(HIA_CHAPTERS)] == [
        f"{i}. {t}" for i, t in enumerate(HIA_CHAPTERS, start=1)
    ]
    assert all(h.startswith("A") for h in headings[len(HIA_CHAPTERS) + 1 :])  # the appendix
    assert "A1. Scheme summary and completeness / ambition" in headings
    # Screening of 2,250 homes in Cambridge: the Greater Cambridge SPD's full HIA.
    assert "full HIA</strong> (rule SCR.1)" in html and "Greater Cambridge" in html
    # The unmet primary-care gateway caps the rating at red.
    assert "Overall rating: red" in html and "GW.1 Primary care capacity" in html
    assert TRIGGER in html and "Section 106 obligation" in html
    assert "Registered patients per GP (FTE)" in html
    assert "Older people, People without a car" in html  # groups who bear the harm
    # Baseline: figures embedded, periods and licences shown, missing data named.
    assert html.count("data:image/png;base64") >= 4
    assert "2016 to 2020" in html and "Open Parliament Licence" in html
    assert "Census 2021 car or van availability" in html
    assert "Completeness / ambition" in html and "It is not the HIA" in html
    assert EVIL not in html and "&lt;script&gt;" in html


def test_html_without_a_baseline_says_so(
    hia_assessment: Assessment, catalogue: Catalogue
) -> None:
    html = render_html(hia_assessment, checklists=catalogue)
    assert "The health baseline was not built" in html


@pytest.mark.slow
def test_pdf_has_the_hia_chapters(
    hia_assessment: Assessment, catalogue: Catalogue, baseline: BaselineProfile
) -> None:
    pdf = render_pdf(hia_assessment, checklists=catalogue, baseline=baseline)
    _, blob = pdf_pages_and_text(pdf)
    # WeasyPrint writes every h1 as a PDF bookmark, whose title is plain text.
    titles = [t.decode("latin-1") for t in re.findall(rb"/Title\s*\(([^)]*)\)", blob)]
    for number, title in enumerate(HIA_CHAPTERS, start=1):
        assert f"{number}. {title}" in titles
    assert "A1. Scheme summary and completeness / ambition" in titles


def test_docx_has_the_hia_chapters(
    hia_assessment: Assessment, catalogue: Catalogue, baseline: BaselineProfile
) -> None:
    import docx

    data = render_docx(hia_assessment, checklists=catalogue, baseline=baseline, version=3)
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for number, title in enumerate(HIA_CHAPTERS, start=1):
        assert f"{number}. {title}" in headings
    assert "A1. Completeness / ambition" in headings
    assert "A3. Data sources and licences" in headings
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert TRIGGER in cells and "Section 106 obligation" in cells
    assert f"Fund a 1,000 m² health centre {EVIL}" in cells  # plain text, never markup
    assert len(document.inline_shapes) >= 3  # baseline figures
    # every figure carries its alternative text (Word's "Alt Text")
    alts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert all(alt and len(alt.split()) >= 4 for alt in alts), alts
    assert document.core_properties.title.endswith(hia_assessment.scheme_name)
