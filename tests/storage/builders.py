"""Assessments built in code for the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime

from hiap.assessment import Answer, Assessment, HuduEntry

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def build_assessment(name: str = "Hampton Vale extension", *, answers: int = 3) -> Assessment:
    """A small but realistic assessment: a WGS84 boundary, answers and a HUDU row."""
    boundary = {
        "type": "Polygon",
        "coordinates": [
            [[-0.27, 52.53], [-0.25, 52.53], [-0.25, 52.545], [-0.27, 52.545], [-0.27, 52.53]]
        ],
    }
    a = Assessment.new(
        scheme_name=name,
        scheme_reference="21/01234/OUT",
        scheme_metadata={"dwellings": 450, "area_ha": 21.5},
        boundary=boundary,
        assessor="R. Patel",
        now=T0,
    )
    for i in range(1, answers + 1):
        a = a.with_answer(f"HNT.{i}.1", Answer(score=i % 4, evidence=f"Design code p.{i}"), now=T0)
    return a.with_hudu("HUDU.1", HuduEntry(direction="positive", mitigation="Keep it"), now=T0)
