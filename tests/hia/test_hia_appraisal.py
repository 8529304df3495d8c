"""Matrix completeness rules, significant impacts, gateway capping and record validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

from hiap.assessment import Assessment, Direction, HuduEntry
from hiap.checklists import load_catalogue
from hiap.checklists.models import HuduMatrix
from hiap.hia.appraisal import matrix_problems, overall_rating, significant_impacts
from hiap.hia.record import (
    GatewayAnswer,
    GatewayStatus,
    HiaRecord,
    Likelihood,
    Magnitude,
    Mechanism,
    MonitoringIndicator,
    Recommendation,
    TopicScope,
)
from hiap.hia.rules import HiaRules, load_hia_rules

NOW = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def hudu() -> HuduMatrix:
    return load_catalogue().hudu


@pytest.fixture(scope="module")
def rules() -> HiaRules:
    return load_hia_rules()


def _positive() -> HuduEntry:
    return HuduEntry(
        direction=Direction.POSITIVE,
        evidence="Measured: 92% of homes within 300 m of 2 ha greenspace.",
        magnitude=Magnitude.MINOR,
        likelihood=Likelihood.PROBABLE,
    )


def _complete(hudu: HuduMatrix, homes: int = 200) -> Assessment:
    """Every topic positive and complete, every gateway met."""
    a = Assessment.new(scheme_name="Test", scheme_metadata={"dwellings": homes}, now=NOW)
    for topic in hudu.topics:
        a = a.with_hudu(topic.id, _positive(), now=NOW)
    met = {
        g.id: GatewayAnswer(status=GatewayStatus.MET, evidence="ICB letter 3 May")
        for g in load_hia_rules().gateways
    }
    return a.with_hia(HiaRecord(gateways=met), now=NOW)


def test_a_complete_positive_matrix_is_green(hudu: HuduMatrix, rules: HiaRules) -> None:
    a = _complete(hudu)
    assert matrix_problems(a, hudu, rules) == []
    rating = overall_rating(a, hudu, rules)
    assert (rating.band, rating.matrix_band, rating.complete) == ("green", "green", True)


def test_an_unmet_gateway_caps_a_green_matrix(hudu: HuduMatrix, rules: HiaRules) -> None:
    a = _complete(hudu)
    gateways = dict(a.hia.gateways)
    gateways["GW.1"] = GatewayAnswer(status=GatewayStatus.NOT_MET)  # no primary care agreed
    a = a.with_hia(a.hia.model_copy(update={"gateways": gateways}), now=NOW)
    rating = overall_rating(a, hudu, rules)
    assert rating.matrix_band == "green"
    assert rating.band == "red"  # excellent everything else cannot offset it
    assert [c.gateway.id for c in rating.capped_by] == ["GW.1"]
    gateways["GW.1"] = GatewayAnswer(status=GatewayStatus.MET, evidence="ICB letter")
    gateways.pop("GW.2")  # not yet evidenced counts as not met
    a = a.with_hia(a.hia.model_copy(update={"gateways": gateways}), now=NOW)
    rating = overall_rating(a, hudu, rules)
    assert rating.band == "amber" and [c.gateway.id for c in rating.capped_by] == ["GW.2"]


def test_gateways_apply_by_scheme_size(hudu: HuduMatrix, rules: HiaRules) -> None:
    small = _complete(hudu, homes=20).with_hia(HiaRecord(), now=NOW)
    capped = {c.gateway.id for c in overall_rating(small, hudu, rules).capped_by}
    assert capped == {g.id for g in rules.gateways if g.min_dwellings <= 20}


def test_residual_impacts_set_the_matrix_band(hudu: HuduMatrix, rules: HiaRules) -> None:
    a = _complete(hudu)
    harm = HuduEntry(
        direction=Direction.NEGATIVE,
        evidence="Nearest GP list closed; 2SFCA 0.4 GPs per 1,000.",
        mitigation="Fund a new surgery.",
        magnitude=Magnitude.MAJOR,
        likelihood=Likelihood.DEFINITE,
        groups=("older_people", "no_car"),
        residual_direction=Direction.NEGATIVE,
    )
    a = a.with_hudu("HUDU.2", harm, now=NOW)
    rec = Recommendation(
        id="R1",
        topic_id="HUDU.2",
        action="Build a 1,000 m² health centre",
        owner="Developer with the ICB",
        mechanism=Mechanism.S106,
        trigger="before occupation of the 500th home",
    )
    a = a.with_hia(a.hia.model_copy(update={"recommendations": (rec,)}), now=NOW)
    assert matrix_problems(a, hudu, rules) == []
    assert overall_rating(a, hudu, rules).band == "red"
    a = a.with_hudu("HUDU.2", harm.model_copy(update={"residual_direction": Direction.NEUTRAL}))
    assert overall_rating(a, hudu, rules).band == "green"
    (impact,) = significant_impacts(a, hudu)
    assert (impact.topic_id, impact.groups) == ("HUDU.2", ("older_people", "no_car"))


def test_matrix_completeness_rules(hudu: HuduMatrix, rules: HiaRules) -> None:
    a = _complete(hudu)
    a = a.with_hudu("HUDU.4", HuduEntry(evidence="Noise survey pending"), now=NOW)  # a draft
    a = a.with_hudu(
        "HUDU.7",
        HuduEntry(direction=Direction.NEGATIVE, evidence="3 takeaways within 400 m of school"),
        now=NOW,
    )
    a = a.with_hudu("HUDU.8", HuduEntry(direction=Direction.UNCERTAIN), now=NOW)
    a = a.with_hudu("HUDU.9", None, now=NOW)
    problems = {(p.topic_id, p.text) for p in matrix_problems(a, hudu, rules)}
    assert ("HUDU.4", "choose the direction of the impact (draft saved)") in problems
    assert ("HUDU.9", "choose the direction of the impact") in problems
    texts7 = {t for tid, t in problems if tid == "HUDU.7"}
    assert texts7 == {
        "give the magnitude (minor, moderate or major)",
        "give the likelihood (possible, probable or definite)",
        "name the population groups who bear the harm",
        "recommend a mitigation",
        "give the residual impact once the mitigation is secured",
        "add a recommendation with owner, mechanism and trigger",
    }
    texts8 = {t for tid, t in problems if tid == "HUDU.8"}
    assert texts8 == {
        "write the evidence the judgement rests on",
        "say in the mitigation what information would resolve the uncertainty",
    }
    rating = overall_rating(a, hudu, rules)
    assert rating.band == "amber" and not rating.complete
    # A topic scoped out with a reason needs nothing.
    scope = {t: TopicScope(relevant=False, reason="no bearing") for t in ("HUDU.4", "HUDU.7")}
    scope |= {t: TopicScope(relevant=False, reason="no bearing") for t in ("HUDU.8", "HUDU.9")}
    a = a.with_hia(a.hia.model_copy(update={"scope": scope}), now=NOW)
    assert matrix_problems(a, hudu, rules) == []


def test_recommendation_and_monitoring_validation() -> None:
    with pytest.raises(pydantic.ValidationError, match="trigger is blank"):
        Recommendation(
            id="R1", topic_id="HUDU.2", action="x", owner="y", mechanism="s106", trigger=" "
        )
    with pytest.raises(pydantic.ValidationError, match="mechanism"):
        Recommendation(
            id="R1", topic_id="HUDU.2", action="x", owner="y", mechanism="promise", trigger="t"
        )
    row = {
        "id": "M1",
        "indicator": "Share of homes within 400 m of a bus stop (%)",
        "baseline": "0% (no homes yet)",
        "target": "95% by the 500th home",
        "data_source": "hiap bus_stop_400m_share on NaPTAN",
        "frequency": "annually",
    }
    MonitoringIndicator(**row)
    with pytest.raises(pydantic.ValidationError, match="data_source is blank"):
        MonitoringIndicator(**(row | {"data_source": ""}))
    with pytest.raises(pydantic.ValidationError, match="target equals the baseline"):
        MonitoringIndicator(**(row | {"target": "0% (No homes yet)"}))
    with pytest.raises(pydantic.ValidationError, match="R7, which does not exist"):
        HiaRecord(monitoring=(MonitoringIndicator(**(row | {"recommendation_id": "R7"})),))
    with pytest.raises(pydantic.ValidationError, match="two monitoring indicators share"):
        HiaRecord(monitoring=(MonitoringIndicator(**row), MonitoringIndicator(**row)))
    with pytest.raises(pydantic.ValidationError, match="scoped out; say why"):
        HiaRecord(scope={"HUDU.3": TopicScope(relevant=False)})
    with pytest.raises(pydantic.ValidationError, match="needs the evidence"):
        GatewayAnswer(status=GatewayStatus.MET)


def test_a_layout_1_document_still_loads() -> None:
    a = Assessment.new(scheme_name="Old", now=NOW)
    old = a.model_dump(mode="json")
    del old["hia"]
    old["schema_version"] = 1
    old["hudu"] = {"HUDU.1": {"direction": "positive", "evidence": "e", "mitigation": ""}}
    back = Assessment.from_dict(old)
    assert back.schema_version == 2 and back.hia == HiaRecord()
    assert back.hudu["HUDU.1"].direction is Direction.POSITIVE


def test_draft_rows_keep_any_text_of_the_table_columns_only() -> None:
    draft = {"id": "", "topic_id": "HUDU.2", "action": "Health centre", "trigger": ""}
    record = HiaRecord(recommendation_drafts=(draft,), monitoring_drafts=({"target": ""},))
    assert record.recommendation_drafts == (draft,) and not record.is_empty
    back = Assessment.from_dict(
        Assessment.new(scheme_name="Drafts", now=NOW).with_hia(record, now=NOW).model_dump(mode="json")
    )
    assert back.hia == record
    with pytest.raises(pydantic.ValidationError, match="unknown columns indicator"):
        HiaRecord(recommendation_drafts=({"indicator": "x"},))
    with pytest.raises(pydantic.ValidationError, match="over 20000 characters"):
        HiaRecord(monitoring_drafts=({"baseline": "x" * 20_001},))
