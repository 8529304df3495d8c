"""Appraisal: the HUDU matrix as the headline, its completeness, and the overall rating.

Which function to use when:

- :func:`matrix_problems` lists what is missing before the matrix can go to committee (every
  rule is in its docstring), topic by topic.
- :func:`significant_impacts` gives the short list of moderate or major, probable or definite
  impacts and the groups who bear them: the headline beside the matrix.
- :func:`overall_rating` rates the scheme green / amber / red from the residual impacts, then
  caps it by every gateway that applies and is not met (``checklists/hia.yaml``), so that, say,
  excellent greenspace cannot offset having no agreed primary care.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hiap.assessment import Assessment, Direction, HuduEntry
from hiap.checklists.models import HuduMatrix, HuduTopic
from hiap.hia.record import GatewayStatus, Likelihood, Magnitude
from hiap.hia.rules import Gateway, HiaRules

__all__ = [
    "RATING_TEXT",
    "GatewayCheck",
    "MatrixProblem",
    "OverallRating",
    "SignificantImpact",
    "applicable_gateways",
    "matrix_problems",
    "overall_rating",
    "relevant_topics",
    "significant_impacts",
]

_ORDER = {"green": 0, "amber": 1, "red": 2}
RATING_TEXT: Mapping[str, str] = {
    "green": "Supports health: no significant harm remains once the recommendations are secured.",
    "amber": "Health concerns to resolve: harm or uncertainty remains, or a gateway is not met.",
    "red": "Significant harm to health unless the scheme changes.",
}
_SIGNIFICANT_MAGNITUDES = {Magnitude.MODERATE, Magnitude.MAJOR}
_SIGNIFICANT_LIKELIHOODS = {Likelihood.PROBABLE, Likelihood.DEFINITE}


@dataclass(frozen=True, slots=True)
class MatrixProblem:
    """Something missing from one topic of the matrix."""

    topic_id: str
    text: str


@dataclass(frozen=True, slots=True)
class SignificantImpact:
    """A moderate or major, probable or definite impact."""

    topic_id: str
    topic_name: str
    direction: Direction
    magnitude: Magnitude
    likelihood: Likelihood
    groups: tuple[str, ...]
    residual: Direction | None


@dataclass(frozen=True, slots=True)
class GatewayCheck:
    """A gateway that applies to the scheme, with its status."""

    gateway: Gateway
    status: GatewayStatus
    evidence: str

    @property
    def caps(self) -> bool:
        """True when it limits the rating (not met, or not yet evidenced)."""
        return self.status is not GatewayStatus.MET


@dataclass(frozen=True, slots=True)
class OverallRating:
    """The overall rating and how it was reached.

    Attributes
    ----------
    band
        green, amber or red after the caps.
    matrix_band
        The band from the matrix alone.
    capped_by
        The gateways that lowered (or held) the band.
    reasons
        Why, one sentence each.
    complete
        Whether the matrix has no problems left.
    """

    band: str
    matrix_band: str
    capped_by: tuple[GatewayCheck, ...]
    reasons: tuple[str, ...]
    complete: bool

    @property
    def text(self) -> str:
        """What the band means."""
        return RATING_TEXT[self.band]


def relevant_topics(assessment: Assessment, hudu: HuduMatrix) -> tuple[HuduTopic, ...]:
    """Return the topics in scope (every topic not explicitly scoped out)."""
    scope = assessment.hia.scope
    return tuple(t for t in hudu.topics if t.id not in scope or scope[t.id].relevant)


def matrix_problems(
    assessment: Assessment, hudu: HuduMatrix, rules: HiaRules
) -> list[MatrixProblem]:
    """List what each relevant topic still needs.

    Rules, per topic in scope:

    - a direction is chosen (a draft with evidence only is not enough);
    - the evidence is written;
    - a positive or negative impact has a magnitude and a likelihood;
    - a negative impact names the groups who bear it, a mitigation, the residual direction
      after mitigation and at least one recommendation (owner, mechanism, trigger);
    - an uncertain impact says in the mitigation what would resolve it;
    - groups are ids from the scoping list.

    Parameters
    ----------
    assessment
        The assessment.
    hudu
        The HUDU topics (``catalogue.hudu``).
    rules
        The HIA rules (population groups).

    Returns
    -------
    list of MatrixProblem
        Empty when the matrix is complete.
    """
    known_groups = {g.id for g in rules.population_groups}
    recommended = {r.topic_id for r in assessment.hia.recommendations}
    out: list[MatrixProblem] = []
    for topic in relevant_topics(assessment, hudu):
        entry = assessment.hudu.get(topic.id)

        def add(text: str, tid: str = topic.id) -> None:
            out.append(MatrixProblem(tid, text))

        if entry is None or entry.direction is None:
            add("choose the direction of the impact" + (" (draft saved)" if entry else ""))
            if entry is None:
                continue
        if not entry.evidence.strip():
            add("write the evidence the judgement rests on")
        if entry.direction in (Direction.POSITIVE, Direction.NEGATIVE):
            if entry.magnitude is None:
                add("give the magnitude (minor, moderate or major)")
            if entry.likelihood is None:
                add("give the likelihood (possible, probable or definite)")
        if entry.direction is Direction.NEGATIVE:
            if not entry.groups:
                add("name the population groups who bear the harm")
            if not entry.mitigation.strip():
                add("recommend a mitigation")
            if entry.residual_direction is None:
                add("give the residual impact once the mitigation is secured")
            if topic.id not in recommended:
                add("add a recommendation with owner, mechanism and trigger")
        if entry.direction is Direction.UNCERTAIN and not entry.mitigation.strip():
            add("say in the mitigation what information would resolve the uncertainty")
        unknown = sorted(set(entry.groups) - known_groups)
        if unknown:
            add(f"unknown population group ids {unknown}; use the scoping list")
    return out


def significant_impacts(assessment: Assessment, hudu: HuduMatrix) -> tuple[SignificantImpact, ...]:
    """Return the moderate or major, probable or definite impacts, negative ones first.

    Parameters
    ----------
    assessment
        The assessment.
    hudu
        The HUDU topics.

    Returns
    -------
    tuple of SignificantImpact
        In the order negative, then positive; topic order within each.
    """
    rows: list[SignificantImpact] = []
    for topic in relevant_topics(assessment, hudu):
        entry = assessment.hudu.get(topic.id)
        if entry is None or entry.direction not in (Direction.NEGATIVE, Direction.POSITIVE):
            continue
        if entry.magnitude in _SIGNIFICANT_MAGNITUDES and (
            entry.likelihood in _SIGNIFICANT_LIKELIHOODS
        ):
            assert entry.direction is not None and entry.magnitude and entry.likelihood
            rows.append(
                SignificantImpact(
                    topic.id,
                    topic.name,
                    entry.direction,
                    entry.magnitude,
                    entry.likelihood,
                    entry.groups,
                    entry.residual_direction,
                )
            )
    rows.sort(key=lambda r: r.direction is not Direction.NEGATIVE)
    return tuple(rows)


def applicable_gateways(assessment: Assessment, rules: HiaRules) -> tuple[GatewayCheck, ...]:
    """Return the gateways that apply to the scheme's size, with the assessor's status.

    A gateway applies from its ``min_dwellings``; when the number of homes is unknown every
    gateway applies (the cautious reading).
    """
    homes = _homes(assessment.scheme_metadata)
    out = []
    for gateway in rules.gateways:
        if homes is not None and homes < gateway.min_dwellings:
            continue
        answer = assessment.hia.gateways.get(gateway.id)
        status = answer.status if answer else GatewayStatus.UNKNOWN
        out.append(GatewayCheck(gateway, status, answer.evidence if answer else ""))
    return tuple(out)


def _homes(metadata: Mapping[str, Any]) -> int | None:
    value = metadata.get("dwellings")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return None


def _residual(entry: HuduEntry) -> Direction | None:
    return entry.residual_direction or entry.direction


def overall_rating(assessment: Assessment, hudu: HuduMatrix, rules: HiaRules) -> OverallRating:
    """Rate the scheme from its residual impacts, capped by unmet gateways.

    From the matrix: red when a major negative impact remains after mitigation; amber when
    any negative or uncertain impact remains, or the matrix is incomplete; green otherwise.
    Each gateway that applies and is not met (or not yet evidenced) then caps the band at
    its ``cap`` (amber or red): the band is the worse of the two.

    Parameters
    ----------
    assessment
        The assessment.
    hudu
        The HUDU topics.
    rules
        The HIA rules (gateways).

    Returns
    -------
    OverallRating
        The band, the matrix band, the capping gateways and the reasons.
    """
    reasons: list[str] = []
    band = "green"
    for topic in relevant_topics(assessment, hudu):
        entry = assessment.hudu.get(topic.id)
        if entry is None:
            continue
        residual = _residual(entry)
        if residual is Direction.NEGATIVE and entry.magnitude is Magnitude.MAJOR:
            band = "red"
            reasons.append(f"{topic.id} {topic.name}: a major negative impact remains.")
        elif residual in (Direction.NEGATIVE, Direction.UNCERTAIN):
            band = max(band, "amber", key=_ORDER.__getitem__)
            reasons.append(f"{topic.id} {topic.name}: a {residual.value} impact remains.")
    problems = matrix_problems(assessment, hudu, rules)
    if problems:
        band = max(band, "amber", key=_ORDER.__getitem__)
        topics = sorted({p.topic_id for p in problems}, key=lambda t: int(t.split(".")[1]))
        reasons.append(
            f"The matrix is incomplete ({len(topics)} topics need more: {', '.join(topics)})."
        )
    matrix_band = band
    capped: list[GatewayCheck] = []
    for check in applicable_gateways(assessment, rules):
        if not check.caps:
            continue
        capped.append(check)
        state = "not met" if check.status is GatewayStatus.NOT_MET else "not yet evidenced"
        reasons.append(
            f"Gateway {check.gateway.id} ({check.gateway.name}) is {state}: the rating can be "
            f"no better than {check.gateway.cap}."
        )
        band = max(band, check.gateway.cap, key=_ORDER.__getitem__)
    return OverallRating(band, matrix_band, tuple(capped), tuple(reasons), not problems)
