"""The HIA report as a Word document (.docx), for planning officers who edit reports.

:func:`render_docx` writes the same chapters as the HTML / PDF report
(:mod:`hiap.reports.hia_context`): the non-technical summary, screening and scoping, the
health baseline (tables and figures), the appraisal matrix with the overall rating and the
gateways, the recommendations and the monitoring plan; then an appendix with the
completeness / ambition figures of the checklists, the method, and the data sources and
licences. Text the user typed is written as plain text (python-docx escapes it), so nothing
they typed becomes markup.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Unpack

from hiap import attribution
from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.hia.rules import load_hia_rules
from hiap.reports.context import ReportSection
from hiap.reports.hia_context import HIA_CHAPTERS, HiaReport, Table, build_hia_report
from hiap.reports.render import ReportOptions
from hiap.reports.site_map import SiteMap, site_map
from hiap.reports.sources import DATA_SOURCES
from hiap.scoring import METHOD, score_assessment

__all__ = ["render_docx"]

_FIGURE_WIDTH_CM = 15.5


def _picture(document: object, png: bytes, alt: str) -> None:
    """Add a figure with its alternative text (Word's "Alt Text", read by screen readers)."""
    from docx.document import Document
    from docx.shared import Cm

    assert isinstance(document, Document)
    shape = document.add_picture(io.BytesIO(png), width=Cm(_FIGURE_WIDTH_CM))
    shape._inline.docPr.set("descr", alt)  # why: python-docx has no public setter for it


def _table(document: object, table: Table) -> None:
    from docx.document import Document

    assert isinstance(document, Document)
    document.add_paragraph(table.caption, style="Caption")
    if not table.rows:
        document.add_paragraph("None recorded.")
        return
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)


def _chapters(document: object, h: HiaReport, shown_map: SiteMap | None) -> None:
    from docx.document import Document

    assert isinstance(document, Document)
    titles = iter(HIA_CHAPTERS)
    document.add_heading(f"1. {next(titles)}", level=1)
    for text in h.summary:
        document.add_paragraph(text)
    if shown_map is not None:
        _picture(document, shown_map.png, "Site map: the scheme boundary on its surroundings; the caption says what it shows.")
        document.add_paragraph(f"Figure 1. The site. {shown_map.caption}", style="Caption")
    else:
        document.add_paragraph("No boundary is recorded with this assessment, so no map is shown.")
    _table(document, h.significant)

    document.add_heading(f"2. {next(titles)}", level=1)
    document.add_heading("Screening", level=2)
    s = h.screening
    document.add_paragraph(
        f"Required: {s.outcome.value} HIA" + (f" (rule {s.rule_id})" if s.rule_id else "")
        + f". {s.reason}"
    )  # fmt: skip
    document.add_paragraph(
        f"Source: {s.source}. Screened on {'; '.join(s.inputs)}. "
        f"Decision: {h.screening_decision}."
    )
    document.add_heading("Scoping", level=2)
    _table(document, h.scope)
    _table(document, h.groups)

    document.add_heading(f"3. {next(titles)}", level=1)
    for text in h.baseline_text:
        document.add_paragraph(text)
    for table in h.baseline_tables:
        _table(document, table)
    for number, (png, caption) in enumerate(h.baseline_figures, start=1):
        _picture(document, png, caption)
        document.add_paragraph(f"Figure B{number}. {caption}", style="Caption")

    document.add_heading(f"4. {next(titles)}", level=1)
    document.add_paragraph(f"Overall rating: {h.rating.band}. {h.rating.text}")
    for reason in h.rating.reasons:
        document.add_paragraph(reason, style="List Bullet")
    _table(document, h.gateways)
    _table(document, h.matrix)
    _table(document, h.problems)

    document.add_heading(f"5. {next(titles)}", level=1)
    _table(document, h.recommendations)

    document.add_heading(f"6. {next(titles)}", level=1)
    _table(document, h.monitoring)
    document.add_heading("Building for a Healthy Life (companion checklist)", level=2)
    _table(document, h.bfhl)


def _section(document: object, section: ReportSection) -> None:
    """Write one extra chapter: heading, paragraphs, figure with caption, table."""
    from docx.document import Document

    assert isinstance(document, Document)
    document.add_heading(section.title, level=1)
    for paragraph in section.paragraphs:
        document.add_paragraph(paragraph)
    if section.image_png is not None:
        _picture(
            document, section.image_png,
            f"Figure for {section.title}" + ("; the table below gives its figures." if section.table_rows else "."),
        )
        if section.caption:
            document.add_paragraph(section.caption, style="Caption")
    if section.table_header:
        _table(
            document,
            Table(
                section.title,
                tuple(str(h) for h in section.table_header),
                tuple(tuple(str(v) for v in row) for row in section.table_rows),
            ),
        )


def render_docx(
    assessment: Assessment, *, checklists: Catalogue, **options: Unpack[ReportOptions]
) -> bytes:
    """Render the HIA as a Word document.

    Parameters
    ----------
    assessment
        The assessment to report.
    checklists
        The loaded criteria.
    **options
        As the HTML report (:class:`hiap.reports.render.ReportOptions`): ``baseline`` for
        the baseline chapter, ``version`` printed under the title, ``generated_at`` (now by
        default), ``map_png`` (a site map instead of the one hiap draws), ``settings`` (the
        data directory whose OpenStreetMap extract the site map is drawn on) and
        ``extra_sections`` (further chapters: evidence, the bus ranking, placed before the
        appendix as in the HTML and PDF reports).

    Returns
    -------
    bytes
        The .docx file.
    """
    import docx  # python-docx: loaded only when a Word file is wanted
    from docx.shared import Mm

    from hiap import __version__

    baseline, version = options.get("baseline"), options.get("version")
    h = build_hia_report(
        assessment, catalogue=checklists, rules=load_hia_rules(), baseline=baseline
    )
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    document.core_properties.title = f"Health impact assessment: {assessment.scheme_name}"
    document.core_properties.author = assessment.assessor or ""
    document.add_heading(f"Health impact assessment: {assessment.scheme_name}", level=0)
    stamp = (options.get("generated_at") or datetime.now(UTC)).strftime("%d %B %Y")
    document.add_paragraph(
        f"Assessor: {assessment.assessor or 'not recorded'}. Report date: {stamp}. "
        + (f"Saved version {version}. " if version is not None else "")
        + f"Generated by hiap {__version__}. Assessment id {assessment.id}."
    )
    shown_map = site_map(
        assessment, settings=options.get("settings"), supplied_png=options.get("map_png")
    )
    _chapters(document, h, shown_map)
    for extra in options.get("extra_sections", ()):
        _section(document, extra)

    document.add_heading("Appendix", level=1)
    document.add_heading("A1. Completeness / ambition", level=2)
    document.add_paragraph(h.ambition_method)
    scores = score_assessment(assessment, checklists)
    _table(
        document,
        Table(
            "Completeness / ambition of the checklists (not the HIA's rating).",
            ("Checklist", "Completeness / ambition", "Band", "Criteria answered"),
            tuple(
                (
                    c.name,
                    "not scored" if c.percent is None else f"{c.percent:.0f}%",
                    str(c.band) if c.band else "",
                    f"{c.answered} of {c.total}",
                )
                for c in scores.checklists
            ),
        ),
    )
    document.add_heading("A2. Method", level=2)
    document.add_paragraph(METHOD)
    for ref in h.references:
        document.add_paragraph(ref, style="List Bullet")
    document.add_heading("A3. Data sources and licences", level=2)
    _table(
        document,
        Table(
            "Datasets and licences.",
            ("Dataset", "Licence", "Attribution"),
            tuple((s.name, s.licence, s.attribution) for s in DATA_SOURCES),
        ),
    )
    for line in attribution.ALL:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
