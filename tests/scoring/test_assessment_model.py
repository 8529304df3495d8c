"""The Assessment model: JSON round trip, edits, and the rules every answer obeys."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hiap.assessment import (
    Answer,
    Assessment,
    AssessmentError,
    Direction,
    HuduEntry,
)
from hiap.checklists import Catalogue
from hiap.scoring import apply_suggestion, score_assessment

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
BOUNDARY = {
    "type": "Feature",
    "properties": {"name": "Hampton"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[-0.28, 52.53], [-0.25, 52.53], [-0.25, 52.55], [-0.28, 52.53]]],
    },
}


def _full(catalogue: Catalogue) -> Assessment:
    a = Assessment.new(
        scheme_name="  Hampton Vale  ",
        scheme_reference="17/01234/OUT",
        scheme_metadata={"dwellings": 1200, "lad": "E06000031", "area_ha": 54.5},
        boundary=BOUNDARY,
        assessor="A. Planner",
        weights={"HNT.5": 2.0, "HNT.5.2": 0.5},
        now=T0,
    )
    a = a.with_answer("HNT.5.2", apply_suggestion(catalogue.criterion("HNT.5.2"), 0.83), now=T0)
    a = a.with_answer(
        "HNT.9.1",
        Answer(
            score=3,
            evidence="Surgery in the local centre, phase 1.",
            measured_value=17.5,
            suggested_score=1,
            indicator_id="gp_walk_min",
            override_justification="New surgery (S106 sched. 7) opens before occupation 300.",
        ),
        now=T0 + timedelta(minutes=1),
    )
    a = a.with_answer("HNT.1.5", Answer(not_applicable=True, na_reason="Outline only"), now=T0)
    return a.with_hudu(
        "HUDU.7",
        HuduEntry(
            direction=Direction.NEGATIVE,
            evidence="Three takeaways by the school.",
            mitigation="Restrict A5/sui generis hot food uses within 400 m of schools.",
            suggested_direction=Direction.UNCERTAIN,
        ),
        now=T0 + timedelta(minutes=2),
    )


def test_json_round_trip(catalogue: Catalogue) -> None:
    a = _full(catalogue)
    data = a.model_dump(mode="json")
    text = json.dumps(data)
    assert Assessment.model_validate(json.loads(text)) == a
    assert Assessment.from_json(a.to_json()) == a
    assert Assessment.from_dict(data) == a
    assert data["created_at"] == "2026-03-01T09:30:00Z"
    assert data["hudu"]["HUDU.7"]["direction"] == "negative"
    assert data["answers"]["HNT.5.2"] == {
        "score": 2,
        "not_applicable": False,
        "na_reason": None,
        "evidence": "",
        "measured_value": 0.83,
        "suggested_score": 2,
        "indicator_id": "bus_stop_400m_share",
        "override_justification": None,
    }
    # The round-tripped assessment scores the same.
    assert score_assessment(Assessment.from_json(a.to_json()), catalogue) == score_assessment(
        a, catalogue
    )


def test_new_and_edits(catalogue: Catalogue) -> None:
    a = _full(catalogue)
    assert uuid.UUID(a.id).version == 4
    assert a.scheme_name == "Hampton Vale"
    assert a.checklist_ids == ("hnt", "blue_zones")
    assert a.created_at == T0 and a.updated_at == T0 + timedelta(minutes=2)
    cleared = a.with_answer("HNT.5.2", None, now=T0 + timedelta(hours=1))
    assert "HNT.5.2" not in cleared.answers and "HNT.5.2" in a.answers
    assert cleared.id == a.id and cleared.updated_at == T0 + timedelta(hours=1)
    renamed = a.with_changes(scheme_name="Hampton Vale (revised)", now=T0 + timedelta(days=1))
    assert renamed.scheme_name == "Hampton Vale (revised)" and a.scheme_name == "Hampton Vale"
    with pytest.raises(AssessmentError, match="field 'id' cannot be changed"):
        a.with_changes(id=str(uuid.uuid4()))
    with pytest.raises(AssessmentError, match="unknown field 'colour'"):
        a.with_changes(colour="red")
    with pytest.raises(ValidationError):
        a.with_changes(boundary={"type": "Point", "coordinates": [545000.0, 260000.0]})
    with pytest.raises(ValidationError):
        a.scheme_name = "x"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"score": 1, "not_applicable": True, "na_reason": "r"}, "cannot have a score"),
        ({"not_applicable": True, "na_reason": " "}, "needs na_reason"),
        ({"score": 1, "na_reason": "r"}, "only for not-applicable answers"),
        ({"score": 1, "suggested_score": 1, "measured_value": 0.5}, "needs the indicator_id"),
        ({"score": 1, "suggested_score": 1, "indicator_id": "x"}, "needs the measured_value"),
        ({"measured_value": 3.0}, "a measured_value needs the indicator_id"),
        ({"score": -1}, "greater than or equal to 0"),
        ({"score": 1, "colour": "red"}, "Extra inputs are not permitted"),
        ({"measured_value": float("inf"), "indicator_id": "x"}, "finite number"),
    ],
)
def test_answer_rules(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Answer.model_validate(fields)


def test_answer_states() -> None:
    assert not Answer().is_answered
    assert Answer(score=0).is_answered
    assert Answer(not_applicable=True, na_reason="r").is_answered
    assert Answer(override_justification="  ").override_justification is None


def test_from_json_reports_every_problem() -> None:
    a = Assessment.new(scheme_name="x", now=T0)
    data = a.model_dump(mode="json")
    data.update(
        id="not-a-uuid",
        scheme_name=" ",
        boundary={"type": "Polygon", "coordinates": [[[545000, 260000], [545100, 260000]]]},
        answers={"hnt-5-2": {"score": 1}, "HNT.5.3": {"score": 2, "suggested_score": 1}},
        weights={"HNT.5": -1},
        created_at="2026-03-01T09:30:00",  # no timezone
    )
    with pytest.raises(AssessmentError) as info:
        Assessment.from_json(json.dumps(data), source="row 7")
    message = str(info.value)
    assert message.startswith("row 7: ")
    for fragment in (
        "id: id 'not-a-uuid' is not a UUID",
        "scheme_name: scheme_name is blank",
        "not WGS84 longitude/latitude",
        "answers.hnt-5-2.[key]: 'hnt-5-2' is not a criterion or topic id",
        "answers.HNT.5.3: a suggested_score needs the indicator_id",
        "weight of HNT.5 is -1.0",
        "created_at: Input should have timezone info",
    ):
        assert fragment in message
    assert len(info.value.problems) == 7
    with pytest.raises(AssessmentError, match="Invalid JSON"):
        Assessment.from_json("{not json")


def test_boundary_shapes_accepted() -> None:
    collection = {"type": "FeatureCollection", "features": [BOUNDARY]}
    assert Assessment.new(scheme_name="x", boundary=collection).boundary == collection
    with pytest.raises(ValidationError, match="not a GeoJSON type"):
        Assessment.new(scheme_name="x", boundary={"type": "Circle"})
    with pytest.raises(ValidationError, match="JSON-safe"):
        Assessment.new(scheme_name="x", scheme_metadata={"when": datetime.now(UTC)})


def test_updated_before_created_is_refused() -> None:
    a = Assessment.new(scheme_name="x", now=T0)
    data = a.model_dump(mode="json") | {"updated_at": "2026-02-01T00:00:00Z"}
    with pytest.raises(AssessmentError, match="updated_at is earlier than created_at"):
        Assessment.from_dict(data)
