import uuid
from datetime import UTC, datetime

import pytest

from hiap.assessment import Answer, Assessment, Direction, HuduEntry
from hiap.checklists import load_catalogue
from hiap.checklists.models import Catalogue
from hiap.indicators.criteria import apply_indicators, suggest_criteria, suggest_hudu
from hiap.indicators.results import IndicatorReport, IndicatorResult


def _result(ind: str, value: float, unit: str = "share") -> IndicatorResult:
    return IndicatorResult(
        id=ind, name=ind.replace("_", " "), value=value, unit=unit, higher_is_better=True,
        method="Measured in a test.", source="test data",
    )


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def report() -> IndicatorReport:
    return IndicatorReport(
        scheme_name="Test",
        results=(
            _result("dwellings_per_ha", 27.0, "dwellings/ha"),
            _result("gp_walk_min", 12.0, "min"),
            _result("takeaways_400m_schools", 5.0, "count"),
            _result("footway_share", 0.8),
            _result("fast_food_to_healthy_ratio", 3.0, "ratio"),
        ),
    )


def _blank() -> Assessment:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Assessment(id=str(uuid.uuid4()), scheme_name="Test", created_at=now, updated_at=now)


def test_each_measured_criterion_gets_its_threshold_score(report, catalogue) -> None:
    got = {s.criterion_id: s for s in suggest_criteria(report, catalogue)}
    # hnt.yaml: 27 dwellings/ha (gross) is at least 25 -> 2; a 12 minute walk is at most 15 -> 2;
    # five takeaways (more than 2) and a ratio of 3 meet no threshold -> 0; footways on 80%
    # of streets are at least 0.75 -> 1.
    assert {k: v.suggested_score for k, v in got.items()} == {
        "HNT.4.1": 2, "HNT.9.1": 2, "HNT.6.1": 0, "HNT.6.2": 0, "BZ.3.1": 0, "BZ.3.2": 0,
        "HNT.5.1": 1,
    }
    assert got["HNT.4.1"].measured_value == 27.0 and got["HNT.4.1"].max_score == 3
    assert "suggest 2 of 3" in got["HNT.4.1"].evidence
    assert "test data" in got["HNT.4.1"].evidence


def test_hudu_direction_pools_suggested_scores(report, catalogue) -> None:
    got = {h.topic_id: h for h in suggest_hudu(report, catalogue)}
    # Healthy food: 0 of 12 points: red, negative.
    assert got["HUDU.7"].direction == Direction.NEGATIVE
    assert set(got["HUDU.7"].criteria) == {"HNT.6.1", "HNT.6.2", "BZ.3.1", "BZ.3.2"}
    assert "0 of 12 points" in got["HUDU.7"].evidence
    # Crime and safety: footways alone, 1 of 3 = 33%, "partly" on average: amber, neutral.
    assert got["HUDU.6"].direction == Direction.NEUTRAL
    # Health services: the GP walk alone, 2 of 3 = 67%, the green boundary: positive.
    assert got["HUDU.2"].direction == Direction.POSITIVE
    assert "HUDU.3" not in got  # no greenspace measured


def test_apply_keeps_overrides_and_fills_hudu(report, catalogue) -> None:
    base = _blank().with_answer(
        "HNT.4.1",
        Answer(score=3, suggested_score=2, measured_value=45.0, indicator_id="dwellings_per_ha",
               override_justification="Net density on the residential parcels is 55 dph.",
               evidence="Design and access statement."),
    ).with_hudu("HUDU.7", HuduEntry(direction=Direction.NEUTRAL, evidence="Officer's view."))
    out = apply_indicators(base, report, catalogue)
    kept = out.answers["HNT.4.1"]
    assert kept.score == 3 and kept.suggested_score == 2 and kept.evidence == "Design and access statement."
    fresh = out.answers["HNT.9.1"]
    assert fresh.score == 2 and fresh.measured_value == 12.0 and fresh.indicator_id == "gp_walk_min"
    assert fresh.evidence.startswith("Measured by hiap")
    assert out.hudu["HUDU.7"].direction == Direction.NEUTRAL  # the assessor's stands
    assert out.hudu["HUDU.7"].suggested_direction == Direction.NEGATIVE
    assert out.hudu["HUDU.2"].direction == Direction.POSITIVE
    assert base.answers.keys() == {"HNT.4.1"}  # the input is unchanged


def test_checklists_not_in_the_assessment_are_left_alone(report, catalogue) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    hnt_only = Assessment(id=str(uuid.uuid4()), scheme_name="T", created_at=now, updated_at=now,
                          checklist_ids=("hnt",))
    out = apply_indicators(hnt_only, report, catalogue)
    assert not any(k.startswith("BZ.") for k in out.answers)


def test_one_measurement_counts_once_in_the_hudu_suggestion(catalogue) -> None:
    # ANGSt (HNT.8.2) and the GI Framework's local tier (BZ.4.1) are both "2 ha within
    # 300 m": a poor result must not count twice against the open-space topic.
    report = IndicatorReport(
        scheme_name="Test",
        results=(
            _result("angst_2ha_300m_share", 0.2),
            _result("gi_local_2ha_300m_share", 0.2),
            _result("playground_400m_share", 0.96),
        ),
    )
    (open_space,) = [h for h in suggest_hudu(report, catalogue) if h.topic_id == "HUDU.3"]
    assert "HNT.8.2" in open_space.criteria and "BZ.4.1" not in open_space.criteria
    assert "3 of 6 points" in open_space.evidence  # 0 (ANGSt) + 3 (play), not 0 + 0 + 3
