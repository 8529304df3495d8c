"""Render an assessment as a self-contained HTML report or an A4 PDF.

:func:`render_html` fills ``templates/report.html.j2`` (jinja2 with autoescaping on, so any
text the user typed is escaped) with the stylesheet inlined and every image embedded as a
``data:`` URI: the file can be e-mailed or attached to a planning application as it is.
:func:`render_pdf` prints that same HTML with WeasyPrint (A4, running header, page numbers,
each chapter on a new page).
"""

from __future__ import annotations

import base64
import functools
import logging
import math
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import TypedDict, Unpack

import jinja2
from markupsafe import Markup, escape

from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.hia.baseline import BaselineProfile
from hiap.hia.rules import load_hia_rules
from hiap.reports.context import CriterionRow, ReportSection, build_context
from hiap.reports.hia_context import HIA_CHAPTERS, build_hia_report
from hiap.settings import Settings

__all__ = ["ReportOptions", "render_html", "render_pdf"]

logger = logging.getLogger(__name__)

class ReportOptions(TypedDict, total=False):
    """What every report format (HTML, PDF, Word) takes besides the assessment and criteria.

    All optional; the keys are those of :func:`render_html`: ``map_png``, ``extra_sections``,
    ``version``, ``generated_at``, ``baseline`` and ``settings``.
    """

    map_png: bytes | None
    extra_sections: Sequence[ReportSection]
    version: int | None
    generated_at: datetime | None
    baseline: BaselineProfile | None
    settings: Settings | None


_TEMPLATE = "report.html.j2"
_HIA_ANCHORS = (
    "hia-summary",
    "hia-screening",
    "hia-baseline",
    "hia-appraisal",
    "hia-recommendations",
    "hia-monitoring",
)
_CSS = "report.css"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _paragraphs(text: str | None) -> Markup:
    if not text:
        return Markup("")
    # Escape first, then turn the user's line breaks into <br>: nothing they typed is markup.
    lines = [escape(line) for line in str(text).strip().splitlines()]
    return Markup("<br>").join(lines)


def _pct(value: float | None) -> str:
    return "n/s" if value is None else f"{value:.0f}%"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _meter(value: float | None) -> Markup:
    width = 0.0 if value is None or not math.isfinite(value) else max(0.0, min(100.0, value))
    return Markup('<span class="meter"><span style="width: {:.1f}%"></span></span>').format(width)


def _band(band: str | None) -> Markup:
    if band is None:
        return Markup('<span class="chip none">not scored</span>')
    return Markup('<span class="chip {0}">{0}</span>').format(band)


def _score_chip(row: CriterionRow) -> Markup:
    if row.not_applicable:
        return Markup('<span class="chip na">not applicable</span>')
    if row.score is None:
        return Markup('<span class="chip none">not answered</span>')
    level = min(row.score, 3)
    return Markup('<span class="chip s{}">{} of {}: {}</span>').format(
        level, row.score, row.max_score, row.score_label
    )


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Built once and never changed afterwards: safe to share between sessions.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hiap.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        data_uri=_data_uri,
        paras=_paragraphs,
        pct=_pct,
        num=_num,
        meter=_meter,
        score_chip=_score_chip,
        band=_band,
    )
    return env


@functools.lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (resources.files("hiap.reports") / "templates" / _CSS).read_text(encoding="utf-8")


def render_html(
    assessment: Assessment,
    *,
    checklists: Catalogue,
    map_png: bytes | None = None,
    extra_sections: Sequence[ReportSection] = (),
    version: int | None = None,
    generated_at: datetime | None = None,
    baseline: BaselineProfile | None = None,
    settings: Settings | None = None,
) -> str:
    """Render the assessment as a self-contained HTML report (an HIA appendix).

    Parameters
    ----------
    assessment
        The assessment to report.
    checklists
        The loaded criteria (:func:`hiap.checklists.loader.load_catalogue`).
    map_png
        A map image to show; by default hiap draws the boundary itself (offline, in British
        National Grid, with scale bar and north arrow). No map when there is no boundary.
    extra_sections
        Further chapters (e.g. access to GP surgeries and hospitals), placed before the
        method notes.
    version
        The saved version reported, printed on the cover when given.
    generated_at
        Report time; now by default.
    baseline
        The health baseline around the scheme (:func:`hiap.hia.baseline.build_baseline`)
        for the baseline chapter; the chapter says it was not built when ``None``.
    settings
        Gives the data directory: the site map is drawn on its local OpenStreetMap extract's
        streets, paths, water and green spaces (a plain grid, said so, when ``None``).

    Returns
    -------
    str
        The HTML document, with CSS inlined and images as data URIs.
    """
    context = build_context(
        assessment,
        catalogue=checklists,
        map_png=map_png,
        extra_sections=extra_sections,
        version=version,
        generated_at=generated_at,
        settings=settings,
    )
    hia = build_hia_report(
        assessment, catalogue=checklists, rules=load_hia_rules(), baseline=baseline
    )
    template = _environment().get_template(_TEMPLATE)
    return template.render(
        r=context,
        h=hia,
        hia_chapters=HIA_CHAPTERS,
        hia_anchors=_HIA_ANCHORS,
        css=Markup(_stylesheet()),
    )


def render_pdf(
    assessment: Assessment, *, checklists: Catalogue, **options: Unpack[ReportOptions]
) -> bytes:
    """Render the assessment as an A4 PDF report: :func:`render_html` printed by WeasyPrint.

    Parameters
    ----------
    assessment
        The assessment to report.
    checklists
        The loaded criteria.
    **options
        As :func:`render_html` (:class:`ReportOptions`): a map, further chapters, the version,
        the report time, the baseline and the settings.

    Returns
    -------
    bytes
        The PDF file.
    """
    import weasyprint  # heavy (pango, fonts): load only when a PDF is wanted

    html = render_html(assessment, checklists=checklists, **options)
    pdf = weasyprint.HTML(string=html).write_pdf()
    if pdf is None:  # only when a target file is given, which we never do
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
