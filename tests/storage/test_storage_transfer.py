"""Exporting and importing assessments as JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hiap.assessment import Answer, Assessment, AssessmentError
from hiap.storage import AssessmentStore, read_assessment_json
from tests.storage.builders import T0


def test_round_trip_through_a_file(
    store: AssessmentStore, assessment: Assessment, tmp_path: Path
) -> None:
    store.save(assessment, author="a")
    out = store.export_json(assessment.id, tmp_path / "out" / "hampton.json")
    assert json.loads(out.read_text())["scheme_name"] == "Hampton Vale extension"
    other = AssessmentStore(tmp_path / "other.sqlite")
    assert other.import_json(out, author="b") == assessment.id
    assert other.load(assessment.id) == assessment


def test_import_of_a_known_id_adds_a_version_or_a_copy(
    store: AssessmentStore, assessment: Assessment, tmp_path: Path
) -> None:
    store.save(assessment, author="a")
    edited = assessment.with_answer("HNT.6.1", Answer(score=1), now=T0)
    path = tmp_path / "edited.json"
    path.write_text(edited.to_json())
    assert store.import_json(path, author="b") == assessment.id
    assert store.latest_version(assessment.id) == 2
    copy_id = store.import_json(path, author="b", as_copy=True)
    assert copy_id != assessment.id
    assert store.load(copy_id).answers == edited.answers


def test_export_of_an_old_version(
    store: AssessmentStore, assessment: Assessment, tmp_path: Path
) -> None:
    store.save(assessment, author="a")
    store.save(assessment.with_answer("HNT.6.1", Answer(score=1), now=T0), author="a")
    out = store.export_json(assessment.id, tmp_path / "v1.json", version=1)
    assert read_assessment_json(out) == assessment


def test_invalid_fields_are_named_with_the_file(assessment: Assessment, tmp_path: Path) -> None:
    data = assessment.model_dump(mode="json")
    data["answers"]["HNT.1.1"]["score"] = -2
    data["scheme_name"] = "   "
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(AssessmentError) as info:
        read_assessment_json(path)
    message = str(info.value)
    assert "broken.json" in message
    assert "answers.HNT.1.1.score" in message
    assert "scheme_name" in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"{not json", "broken.json"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b'{"id": "x"}', "id"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(AssessmentError, match=message):
        read_assessment_json(path)


def test_a_missing_file_is_named(tmp_path: Path, store: AssessmentStore) -> None:
    with pytest.raises(AssessmentError, match=r"nope\.json.*check the path"):
        store.import_json(tmp_path / "nope.json", author="a")


def test_answers_are_checked_against_the_checklists(
    store: AssessmentStore, assessment: Assessment, tmp_path: Path
) -> None:
    from hiap.checklists.loader import load_catalogue

    catalogue = load_catalogue()
    data = assessment.model_dump(mode="json")
    data["answers"]["HNT.2.1"] = {"score": 3}  # HNT.2.1 is scored 0-2
    data["answers"]["HNT.99.1"] = {"score": 1}
    path = tmp_path / "misfit.json"
    path.write_text(json.dumps(data))
    assert read_assessment_json(path).answers["HNT.2.1"].score == 3  # a valid Assessment...
    with pytest.raises(AssessmentError) as info:  # ...that does not fit the checklists
        store.import_json(path, author="a", catalogue=catalogue)
    message = str(info.value)
    assert "misfit.json" in message and "HNT.2.1" in message and "HNT.99.1" in message
    assert store.list() == []
