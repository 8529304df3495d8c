"""Single-object rules of the checklist models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hiap.checklists.models import IndicatorRule, Scale, Threshold


def test_threshold_needs_exactly_one_bound() -> None:
    with pytest.raises(ValidationError, match="exactly one of at_least or at_most"):
        Threshold(score=1)
    with pytest.raises(ValidationError, match="exactly one of at_least or at_most"):
        Threshold(score=1, at_least=1, at_most=2)
    assert Threshold(score=1, at_most=2).bound == 2


def test_rule_rejects_mixed_bounds_and_unordered_values() -> None:
    mixed = [{"score": 2, "at_least": 1}, {"score": 1, "at_most": 5}]
    with pytest.raises(ValidationError, match="mix at_least and at_most"):
        IndicatorRule.model_validate({"id": "x", "thresholds": mixed, "rationale": "r"})
    rising = [{"score": 2, "at_most": 10}, {"score": 1, "at_most": 10}]
    with pytest.raises(ValidationError, match="at_most bounds must rise strictly"):
        IndicatorRule.model_validate({"id": "x", "thresholds": rising, "rationale": "r"})
    ok = IndicatorRule.model_validate(
        {
            "id": "x",
            "thresholds": [{"score": 2, "at_most": 10}, {"score": 1, "at_most": 20}],
            "rationale": "r",
        }
    )
    assert not ok.higher_is_better


def test_scale_levels_consecutive_from_zero() -> None:
    levels = [
        {"score": 0, "label": "a", "description": "a"},
        {"score": 2, "label": "b", "description": "b"},
    ]
    with pytest.raises(ValidationError, match=r"scored 0, 1, 2\.\.\. in order"):
        Scale.model_validate({"id": "s", "name": "s", "levels": levels})


def test_models_are_frozen() -> None:
    t = Threshold(score=1, at_least=0.5)
    with pytest.raises(ValidationError):
        t.score = 2
