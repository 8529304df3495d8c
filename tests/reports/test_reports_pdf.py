"""The PDF report, printed by WeasyPrint."""

from __future__ import annotations

import re
import zlib

import pytest

from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.reports import render_pdf


def pdf_pages_and_text(pdf: bytes) -> tuple[int, bytes]:
    """Count pages by reading the PDF's (deflated) object streams, independently of WeasyPrint."""
    blobs = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            blobs.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    blob = b"".join([pdf, *blobs])
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", blob)), blob


@pytest.mark.slow
def test_pdf_is_a_multi_page_a4_report(report_assessment: Assessment, catalogue: Catalogue) -> None:
    pdf = render_pdf(report_assessment, checklists=catalogue, version=2)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 100_000  # three embedded figures and ~20 pages of text
    pages, blob = pdf_pages_and_text(pdf)
    # Cover, summary, two score chapters, every criterion, HUDU matrix, method, sources.
    assert pages >= 12
    # A4 is 595 x 842 points.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", blob)
    assert boxes
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}
    assert b"Great Kneighton" in blob  # the document title in the metadata
