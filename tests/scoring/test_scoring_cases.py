"""Run every YAML scoring case in tests/scoring/cases/ (answers -> expected scores)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hiap.assessment import Answer, Assessment
from hiap.checklists import Catalogue
from hiap.checklists.loader import read_yaml
from hiap.scoring import ChecklistScore, ScoringError, apply_suggestion, score_assessment

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
_CASE_KEYS = {"name", "checklist", "weights", "answers", "fill", "expect", "error"}


def _answers(case: dict[str, Any], catalogue: Catalogue) -> dict[str, Answer]:
    checklist = catalogue.checklist(case["checklist"])
    raw: dict[str, dict[str, Any]] = dict(case.get("answers") or {})
    if "fill" in case:
        for criterion in checklist.criteria():
            raw.setdefault(criterion.id, dict(case["fill"]))
    answers = {}
    for cid, fields in raw.items():
        fields = dict(fields)
        measure = fields.pop("measure", None)
        answer = Answer.model_validate(fields)
        if measure is not None:
            answer = apply_suggestion(catalogue.criterion(cid), measure, answer=answer)
        answers[cid] = answer
    return answers


def _check(actual: object, expected: dict[str, Any], where: str) -> None:
    for key, want in expected.items():
        got = getattr(actual, key)
        if isinstance(want, float) or (isinstance(want, int) and isinstance(got, float)):
            assert got == pytest.approx(want, abs=0.001), f"{where}.{key}"
        else:
            assert got == want, f"{where}.{key}: got {got!r}, want {want!r}"


def _check_expect(score: ChecklistScore, expect: dict[str, Any]) -> None:
    expect = dict(expect)
    principles = expect.pop("principles", {})
    criteria = expect.pop("criteria", {})
    _check(score, expect, score.checklist_id)
    for pid, want in principles.items():
        _check(score.principle(pid), want, pid)
    rows = {c.criterion_id: c for p in score.principles for c in p.criteria}
    for cid, want in criteria.items():
        _check(rows[cid], want, cid)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_scoring_case(path: Path, catalogue: Catalogue) -> None:
    case = read_yaml(path)
    assert set(case) <= _CASE_KEYS, f"unknown keys in {path.name}: {set(case) - _CASE_KEYS}"
    assert ("expect" in case) != ("error" in case), "a case has either expect or error"
    error = case.get("error")
    if error and error["kind"] == "answer":
        with pytest.raises(ValidationError, match=error["match"]):
            _answers(case, catalogue)
        return
    assessment = Assessment.new(
        scheme_name=case["name"],
        checklist_ids=[case["checklist"]],
        weights=case.get("weights"),
    )
    for cid, answer in _answers(case, catalogue).items():
        assessment = assessment.with_answer(cid, answer)
    if error:
        assert error["kind"] == "scoring"
        with pytest.raises(ScoringError, match=error["match"]):
            score_assessment(assessment, catalogue)
        return
    result = score_assessment(assessment, catalogue)
    _check_expect(result.checklist(case["checklist"]), case["expect"])


def test_cases_exist() -> None:
    assert len(CASES) >= 10
    assert re.search("override", " ".join(p.stem for p in CASES))
