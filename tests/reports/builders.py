"""Assessments for the report tests: a real ActDev boundary, answers built in code."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hiap.assessment import Answer, Assessment, HuduEntry
from hiap.checklists.models import Catalogue
from hiap.settings import get_settings

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EVIL = "<script>alert('x')</script> & \"quotes\""


def great_kneighton_boundary() -> dict[str, object]:
    """The Great Kneighton site boundary from the ActDev data (real, WGS84)."""
    path = get_settings().data_dir / "schemes" / "actdev" / "great-kneighton" / "site.geojson"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def build_report_assessment(
    catalogue: Catalogue, *, boundary: dict[str, object] | None
) -> Assessment:
    """Answer most criteria: some measured, one override, one not applicable, one hostile text."""
    a = Assessment.new(
        scheme_name="Great Kneighton (Clay Farm) phase 2",
        scheme_reference="07/0620/OUT",
        scheme_metadata={
            "kind": "Urban extension",
            "dwellings": 2250,
            "local_authority": "Cambridge City Council",
        },
        boundary=boundary,
        assessor="R. Patel, Public Health Cambridgeshire",
        now=T0,
    )
    answers: dict[str, Answer] = {}
    for i, criterion in enumerate(c for cl in catalogue.checklists for c in cl.criteria()):
        top = catalogue.scale_of(criterion).max_score
        if i % 7 == 6:
            continue  # left unanswered
        if criterion.indicator is not None:
            rule = criterion.indicator
            bound = rule.thresholds[0].bound
            suggested = rule.thresholds[0].score
            answers[criterion.id] = Answer(
                score=suggested,
                evidence=f"Measured by hiap for the boundary; see design code section {i}.",
                measured_value=bound,
                suggested_score=suggested,
                indicator_id=rule.id,
            )
        else:
            answers[criterion.id] = Answer(
                score=i % (top + 1),
                evidence=f"Design and access statement, para {i}.\nSecond line of evidence.",
            )
    answers["HNT.1.1"] = Answer(score=2, evidence=EVIL)
    answers["HNT.7.5"] = Answer(not_applicable=True, na_reason="No employment floorspace proposed.")
    measured = next(c for c in catalogue.checklist("hnt").criteria() if c.indicator is not None)
    assert measured.indicator is not None
    answers[measured.id] = Answer(
        score=0,
        evidence="Measured on the 2012 OSM network.",
        measured_value=measured.indicator.thresholds[0].bound,
        suggested_score=measured.indicator.thresholds[0].score,
        indicator_id=measured.indicator.id,
        override_justification="Override: the measurement predates phase 1 roads <b>bold</b>.",
    )
    for criterion_id, answer in answers.items():
        a = a.with_answer(criterion_id, answer, now=T0)
    for n, topic in enumerate(catalogue.hudu.topics):
        direction = ("positive", "negative", "neutral", "uncertain")[n % 4]
        a = a.with_hudu(
            topic.id,
            HuduEntry(
                direction=direction,
                evidence=f"Evidence for {topic.name}.",
                mitigation=f"Secure by S106 obligation {n}.",
            ),
            now=T0,
        )
    return a
