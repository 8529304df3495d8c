"""Suggested scores from measured indicators, overrides and HUDU direction suggestions."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from hiap.assessment import Answer, Assessment, Direction
from hiap.checklists import Catalogue
from hiap.scoring import (
    DEFAULT_BANDS,
    Band,
    RagBands,
    ScoringError,
    apply_suggestion,
    band_for,
    score_assessment,
    suggest_hudu_direction,
    suggest_score,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, 3), (0.95, 3), (0.9499, 2), (0.8, 2), (0.79, 1), (0.5, 1), (0.49, 0), (0.0, 0)],
)
def test_suggest_higher_is_better_bounds_are_inclusive(
    catalogue: Catalogue, value: float, expected: int
) -> None:
    assert suggest_score(catalogue.criterion("HNT.5.2"), value) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"), [(0.0, 3), (10.0, 3), (10.01, 2), (15.0, 2), (20.0, 1), (20.5, 0)]
)
def test_suggest_lower_is_better(catalogue: Catalogue, minutes: float, expected: int) -> None:
    assert suggest_score(catalogue.criterion("HNT.9.1"), minutes) == expected


def test_takeaway_count_never_suggests_exemplary(catalogue: Catalogue) -> None:
    criterion = catalogue.criterion("HNT.6.1")
    assert [suggest_score(criterion, n) for n in (0, 1, 2, 3, 10)] == [2, 1, 1, 0, 0]


def test_suggest_refuses_criteria_without_thresholds_and_bad_values(catalogue: Catalogue) -> None:
    with pytest.raises(ScoringError, match=r"HNT\.1\.1: has no indicator thresholds"):
        suggest_score(catalogue.criterion("HNT.1.1"), 1.0)
    with pytest.raises(ScoringError, match="not a finite number"):
        suggest_score(catalogue.criterion("HNT.5.2"), math.nan)


def test_apply_suggestion_keeps_value_and_suggestion(catalogue: Catalogue) -> None:
    criterion = catalogue.criterion("HNT.8.2")
    answer = apply_suggestion(criterion, 0.83)
    assert (answer.score, answer.suggested_score, answer.measured_value) == (2, 2, 0.83)
    assert answer.indicator_id == "angst_2ha_300m_share"
    assert not answer.is_override
    # A new measurement moves an unjustified score along with the suggestion.
    again = apply_suggestion(criterion, 0.97, answer=answer)
    assert (again.score, again.suggested_score) == (3, 3)
    assert answer.score == 2  # the input is not changed


def test_override_needs_justification_and_survives_new_measurement(
    catalogue: Catalogue,
) -> None:
    criterion = catalogue.criterion("HNT.8.2")
    suggested = apply_suggestion(criterion, 0.6)
    assert suggested.score == 1
    with pytest.raises(ValidationError, match="write an override_justification"):
        Answer.model_validate({**suggested.model_dump(), "score": 3})
    with pytest.raises(ValidationError, match="override_justification"):
        Answer.model_validate(
            {**suggested.model_dump(), "score": 3, "override_justification": "   "}
        )
    reason = "A 30 ha country park opens in phase 1 (S106 schedule 4), not yet in OSM."
    overridden = Answer.model_validate(
        {**suggested.model_dump(), "score": 3, "override_justification": reason}
    )
    assert overridden.is_override
    remeasured = apply_suggestion(criterion, 0.7, answer=overridden)
    assert (remeasured.score, remeasured.suggested_score) == (3, 1)
    assert remeasured.override_justification == reason


def test_apply_suggestion_to_not_applicable_keeps_it(catalogue: Catalogue) -> None:
    na = Answer(not_applicable=True, na_reason="No homes in this phase")
    answer = apply_suggestion(catalogue.criterion("HNT.5.2"), 0.4, answer=na)
    assert answer.not_applicable and answer.score is None and answer.suggested_score == 0


def test_answer_indicator_must_belong_to_criterion(catalogue: Catalogue) -> None:
    wrong = apply_suggestion(catalogue.criterion("HNT.5.2"), 0.9)
    assessment = Assessment.new(scheme_name="x").with_answer("HNT.5.3", wrong)
    with pytest.raises(ScoringError) as info:
        score_assessment(assessment, catalogue)
    assert "HNT.5.3: indicator 'bus_stop_400m_share' does not belong" in str(info.value)
    assert "suggested_score can only come from the criterion's own indicator" in str(info.value)


def test_bands() -> None:
    assert band_for(None) is None
    assert band_for(200 / 3) is Band.GREEN
    assert band_for(66.6) is Band.AMBER
    assert band_for(100 / 3) is Band.AMBER
    assert band_for(33.3) is Band.RED
    strict = RagBands(green_from_percent=80, amber_from_percent=50)
    assert band_for(70, bands=strict) is Band.AMBER
    assert "fully" in DEFAULT_BANDS.rationale
    with pytest.raises(ValidationError, match="amber_from_percent must be below"):
        RagBands(green_from_percent=40, amber_from_percent=50)


def test_hudu_direction_suggestion(catalogue: Catalogue) -> None:
    topic = catalogue.hudu.topic("HUDU.7")  # healthy food: HNT.6.1-6.4 and BZ.3.1-3.3
    assert topic is not None
    base = Assessment.new(scheme_name="food")
    assert suggest_hudu_direction(topic, score_assessment(base, catalogue)) is None

    few = base.with_answer("HNT.6.3", Answer(score=3))
    assert suggest_hudu_direction(topic, score_assessment(few, catalogue)) is Direction.UNCERTAIN

    good = base
    for cid in ("HNT.6.1", "HNT.6.2", "HNT.6.3", "HNT.6.4", "BZ.3.1"):
        good = good.with_answer(cid, Answer(score=2))
    assert suggest_hudu_direction(topic, score_assessment(good, catalogue)) is Direction.POSITIVE
    poor = base
    for cid in ("HNT.6.1", "HNT.6.2", "HNT.6.3", "HNT.6.4"):
        poor = poor.with_answer(cid, Answer(score=0))
    assert suggest_hudu_direction(topic, score_assessment(poor, catalogue)) is Direction.NEGATIVE
    mixed = poor.with_answer("HNT.6.1", Answer(score=3)).with_answer("HNT.6.2", Answer(score=3))
    # (3 + 3 + 0 + 0) / 12 = 50%: amber, so neutral.
    assert suggest_hudu_direction(topic, score_assessment(mixed, catalogue)) is Direction.NEUTRAL

    hnt_only = Assessment.new(scheme_name="hnt only", checklist_ids=["hnt"])
    for cid in ("HNT.6.1", "HNT.6.2", "HNT.6.3"):
        hnt_only = hnt_only.with_answer(cid, Answer(score=3))
    # Only the HNT criteria of the cross-walk count when Blue Zones is not used: 3 of 4.
    assert (
        suggest_hudu_direction(topic, score_assessment(hnt_only, catalogue)) is Direction.POSITIVE
    )
