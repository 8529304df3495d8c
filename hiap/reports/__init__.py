"""Reports of an assessment: a self-contained HTML appendix and an A4 PDF.

Use :func:`render_html` for a single file to e-mail or publish (CSS inlined, images as data
URIs) and :func:`render_pdf` for the same report printed to A4 by WeasyPrint. Add chapters
(e.g. access to health services) with :class:`ReportSection`. Figures are static PNGs drawn
offline by :mod:`hiap.viz.figures`.
"""

from hiap.reports.context import ReportSection
from hiap.reports.render import render_html, render_pdf

__all__ = ["ReportSection", "render_html", "render_pdf"]
