"""Score an assessment against the checklists, and suggest scores from measured indicators.

How a score is computed (every result object carries its own ``formula`` text):

1. **Criterion**: the assessor's score on the criterion's scale (``quality_0_3``: 0 not
   addressed, 1 partly, 2 fully, 3 exemplary; ``met_0_2`` has no exemplary level). A
   not-applicable criterion leaves both the points and the maximum. An unanswered criterion
   also leaves them, and is counted in ``unanswered`` so that progress is always visible.
2. **Principle**: ``points / max_points × 100``, where ``points`` is the sum of
   ``weight × score`` over the applicable, answered criteria and ``max_points`` the sum of
   ``weight × scale maximum`` over the same criteria. Criterion weights default to 1.
3. **Checklist (overall)**: the weighted mean of the principle percentages,
   ``Σ w_p × percent_p / Σ w_p``, over principles that have a percentage. Each principle
   counts equally by default (weight 1), however many criteria it has, because the Healthy
   New Towns principles and the Blue Zones themes are presented as equals.
4. **Band**: red / amber / green from :data:`DEFAULT_BANDS`; green needs an average of
   "fully" (2 of 3), amber an average of "partly" (1 of 3).

A score built from an incomplete assessment is marked ``provisional``.

Indicator suggestions: :func:`suggest_score` maps a measured value to a score through the
criterion's thresholds; :func:`apply_suggestion` records the measured value, the suggested
score and the indicator on the answer. An assessor may score differently, but
:class:`hiap.assessment.Answer` then requires a written ``override_justification``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hiap.assessment import Answer, Assessment, Direction
from hiap.checklists.models import Catalogue, Checklist, Criterion, HuduTopic, Scale
from hiap.errors import ProblemsError

__all__ = [
    "DEFAULT_BANDS",
    "AssessmentScore",
    "Band",
    "ChecklistScore",
    "CriterionScore",
    "PrincipleScore",
    "RagBands",
    "ScoringError",
    "apply_suggestion",
    "band_for",
    "score_assessment",
    "score_checklist",
    "suggest_hudu_direction",
    "suggest_score",
    "validate_answers",
]

_EPS = 1e-9  # percentages are compared with a tolerance: 2/3 × 100 must count as 66.67%


class ScoringError(ProblemsError):
    """An assessment does not fit the checklists it is scored against.

    Parameters
    ----------
    problems
        Every problem found, each naming the criterion and the fix.
    source
        The assessment (name or id) the problems were found in.
    """


class Band(StrEnum):
    """Red / amber / green rating of a percentage score."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class RagBands(BaseModel):
    """Lower bounds (percent) of the amber and green bands; below amber is red."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green_from_percent: float = Field(default=200 / 3, gt=0, le=100)
    amber_from_percent: float = Field(default=100 / 3, ge=0, lt=100)
    rationale: str = (
        "Bands follow the scale's own words: green when criteria are on average 'fully' "
        "addressed (2 of 3 points, 66.7%), amber when on average at least 'partly' (1 of 3, "
        "33.3%), red below that."
    )

    @model_validator(mode="after")
    def _ordered(self) -> RagBands:
        if self.amber_from_percent >= self.green_from_percent:
            raise ValueError("amber_from_percent must be below green_from_percent")
        return self


DEFAULT_BANDS = RagBands()
"""Green from 66.7% (average 'fully'), amber from 33.3% (average 'partly'), else red."""


def band_for(percent: float | None, *, bands: RagBands = DEFAULT_BANDS) -> Band | None:
    """Return the red/amber/green band of a percentage.

    Parameters
    ----------
    percent
        Score as a percentage (0-100), or ``None`` when nothing applicable was scored.
    bands
        Band thresholds.

    Returns
    -------
    Band or None
        ``None`` when ``percent`` is ``None``.
    """
    if percent is None:
        return None
    if percent + _EPS >= bands.green_from_percent:
        return Band.GREEN
    if percent + _EPS >= bands.amber_from_percent:
        return Band.AMBER
    return Band.RED


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionScore(_Frozen):
    """How one criterion contributes to its principle."""

    criterion_id: str
    title: str
    scale_id: str
    max_score: int
    weight: float
    answered: bool
    not_applicable: bool
    score: int | None
    points: float
    max_points: float
    measured_value: float | None = None
    suggested_score: int | None = None
    indicator_id: str | None = None
    is_override: bool = False


class PrincipleScore(_Frozen):
    """The score of one principle, with the working shown."""

    principle_id: str
    name: str
    group: str
    weight: float
    points: float
    max_points: float
    percent: float | None
    band: Band | None
    total: int
    answered: int
    unanswered: int
    not_applicable: int
    applicable: int = Field(description="Criteria not marked not applicable (answered or not).")
    applicable_answered: int = Field(description="Applicable criteria with a score.")
    formula: str
    criteria: tuple[CriterionScore, ...]


class ChecklistScore(_Frozen):
    """The overall score of one checklist, with each principle's score."""

    checklist_id: str
    name: str
    percent: float | None
    band: Band | None
    total: int
    answered: int
    unanswered: int
    not_applicable: int
    progress: float = Field(description="Share of criteria answered (N/A counts), 0-1.")
    provisional: bool = Field(description="True while any criterion is unanswered.")
    formula: str
    principles: tuple[PrincipleScore, ...]

    def principle(self, principle_id: str) -> PrincipleScore:
        """Return one principle's score (``KeyError`` if absent)."""
        for p in self.principles:
            if p.principle_id == principle_id:
                return p
        raise KeyError(principle_id)


class AssessmentScore(_Frozen):
    """Scores of every checklist of an assessment."""

    assessment_id: str
    checklists: tuple[ChecklistScore, ...]
    bands: RagBands
    method: str = Field(description="How the scores were computed, in words.")

    def checklist(self, checklist_id: str) -> ChecklistScore:
        """Return one checklist's score (``KeyError`` if absent)."""
        for c in self.checklists:
            if c.checklist_id == checklist_id:
                return c
        raise KeyError(checklist_id)

    def criterion(self, criterion_id: str) -> CriterionScore:
        """Return one criterion's score (``KeyError`` if absent)."""
        for c in self.checklists:
            for p in c.principles:
                for cs in p.criteria:
                    if cs.criterion_id == criterion_id:
                        return cs
        raise KeyError(criterion_id)


METHOD = (
    "Each criterion is scored on its scale; not-applicable and unanswered criteria are left "
    "out of both points and maximum (unanswered ones are counted as progress). A principle's "
    "percentage is Σ(weight × score) / Σ(weight × scale maximum) × 100 over its applicable, "
    "answered criteria. A checklist's percentage is the weighted mean of its principle "
    "percentages, Σ w × percent / Σ w, so each principle counts equally unless weighted."
)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def suggest_score(
    criterion: Criterion, measured_value: float, *, indicator_id: str | None = None
) -> int:
    """Return the score a measured indicator value suggests for a criterion.

    Parameters
    ----------
    criterion
        A criterion with an ``indicator`` rule.
    measured_value
        The indicator value in the indicator's unit (shares as 0-1 fractions).
    indicator_id
        Which of the criterion's rules the value is for (its preferred indicator or a
        fallback, e.g. gross density where net density was not measured); the preferred one
        when ``None``.

    Returns
    -------
    int
        The score of the first threshold the value meets, else the rule's ``otherwise``.

    Raises
    ------
    ScoringError
        When the criterion has no indicator rule or the value is not a finite number.
    """
    rule = criterion.rule_for(indicator_id)
    if rule is None:
        if indicator_id is not None and criterion.indicator is not None:
            raise ScoringError(
                f"{criterion.id}: indicator {indicator_id!r} suggests no score for it; use one "
                f"of {', '.join(r.id for r in criterion.indicator_rules)}"
            )
        raise ScoringError(
            f"{criterion.id}: has no indicator thresholds, so no score can be suggested; "
            "score it by judgement"
        )
    if isinstance(measured_value, bool) or not math.isfinite(measured_value):
        raise ScoringError(
            f"{criterion.id}: measured value {measured_value!r} of {rule.id} is not a finite number"
        )
    for threshold in rule.thresholds:
        if threshold.at_least is not None and measured_value >= threshold.at_least:
            return threshold.score
        if threshold.at_most is not None and measured_value <= threshold.at_most:
            return threshold.score
    return rule.otherwise


def apply_suggestion(
    criterion: Criterion,
    measured_value: float,
    *,
    answer: Answer | None = None,
    indicator_id: str | None = None,
) -> Answer:
    """Record a measured value and the score it suggests on an answer.

    The measured value, indicator id and suggested score are always stored. The score is set
    to the suggestion, unless the existing answer carries an ``override_justification``, in
    which case the assessor's score and justification stand (the assessor has already
    explained why the measurement does not tell the whole story). A not-applicable answer
    stays not applicable and just gains the measurement.

    Parameters
    ----------
    criterion
        The criterion, with an indicator rule.
    measured_value
        The measured indicator value.
    answer
        The current answer, if any; it is not changed.
    indicator_id
        Which of the criterion's indicator rules the value is for (see :func:`suggest_score`).

    Returns
    -------
    Answer
        A new answer.

    Raises
    ------
    ScoringError
        When no score can be suggested (see :func:`suggest_score`).
    """
    suggested = suggest_score(criterion, measured_value, indicator_id=indicator_id)
    rule = criterion.rule_for(indicator_id)
    assert rule is not None  # suggest_score has checked
    base = answer or Answer()
    data = base.model_dump()
    data.update(
        measured_value=float(measured_value),
        suggested_score=suggested,
        indicator_id=rule.id,
    )
    if not base.not_applicable:
        keep_override = base.override_justification is not None and base.score is not None
        if not keep_override:
            data["score"] = suggested
    return Answer.model_validate(data)


def _criterion_problems(criterion: Criterion, answer: Answer, scale: Scale) -> list[str]:
    problems = []
    cid = criterion.id
    for label, value in (("score", answer.score), ("suggested_score", answer.suggested_score)):
        if value is not None and value > scale.max_score:
            problems.append(
                f"{cid}: {label} {value} is above the maximum {scale.max_score} of scale {scale.id}"
            )
    own = [r.id for r in criterion.indicator_rules]
    allowed = set(criterion.related_indicators) | set(own)
    if answer.indicator_id is not None and answer.indicator_id not in allowed:
        problems.append(
            f"{cid}: indicator {answer.indicator_id!r} does not belong to this criterion "
            f"(expected one of {sorted(allowed) or 'none'})"
        )
    if answer.suggested_score is not None and answer.indicator_id not in own:
        problems.append(
            f"{cid}: a suggested_score can only come from the criterion's own indicator "
            f"thresholds ({', '.join(own) or 'none'})"
        )
    return problems


def validate_answers(assessment: Assessment, catalogue: Catalogue) -> list[str]:
    """List every way an assessment does not fit the checklists.

    Parameters
    ----------
    assessment
        The assessment to check.
    catalogue
        The loaded checklists (:func:`hiap.checklists.load_catalogue`).

    Returns
    -------
    list of str
        Problems (unknown checklist, criterion, topic or weight ids; scores above the scale;
        indicator mismatches); empty when the assessment fits.
    """
    problems: list[str] = []
    checklists: list[Checklist] = []
    for checklist_id in assessment.checklist_ids:
        try:
            checklists.append(catalogue.checklist(checklist_id))
        except KeyError:
            known = ", ".join(c.id for c in catalogue.checklists)
            problems.append(f"checklist {checklist_id!r} is unknown; use one of: {known}")
    criteria = {c.id: c for cl in checklists for c in cl.criteria()}
    principles = {p.id for cl in checklists for p in cl.principles}
    for cid, answer in assessment.answers.items():
        criterion = criteria.get(cid)
        if criterion is None:
            problems.append(
                f"{cid}: not a criterion of the assessment's checklists "
                f"({', '.join(assessment.checklist_ids)}); remove the answer or add the "
                "checklist"
            )
            continue
        problems += _criterion_problems(criterion, answer, catalogue.scale_of(criterion))
    for topic_id in assessment.hudu:
        if catalogue.hudu.topic(topic_id) is None:
            problems.append(
                f"{topic_id}: not a HUDU topic (HUDU.1 to HUDU.{len(catalogue.hudu.topics)})"
            )
    for key in assessment.weights or {}:
        if key not in principles and key not in criteria:
            problems.append(
                f"weight {key!r}: not a principle or criterion id of the assessment's checklists"
            )
    return problems


def score_checklist(
    checklist: Checklist,
    answers: Mapping[str, Answer],
    *,
    catalogue: Catalogue,
    weights: Mapping[str, float] | None = None,
    bands: RagBands = DEFAULT_BANDS,
) -> ChecklistScore:
    """Score one checklist from a set of answers.

    Parameters
    ----------
    checklist
        The checklist to score.
    answers
        Answers keyed by criterion id; ids of other checklists are ignored.
    catalogue
        The catalogue the checklist belongs to (for its scales).
    weights
        Weights keyed by principle id (``HNT.5``) or criterion id (``HNT.5.2``); 1 if absent.
    bands
        Red/amber/green thresholds.

    Returns
    -------
    ChecklistScore
        The overall and per-principle scores with their formulas.
    """
    weights = weights or {}
    principle_scores: list[PrincipleScore] = []
    for principle in checklist.principles:
        rows: list[CriterionScore] = []
        for criterion in principle.criteria:
            scale = catalogue.scale_of(criterion)
            answer = answers.get(criterion.id)
            weight = float(weights.get(criterion.id, 1.0))
            counts = answer is not None and not answer.not_applicable and answer.score is not None
            score = answer.score if answer is not None else None
            rows.append(
                CriterionScore(
                    criterion_id=criterion.id,
                    title=criterion.title,
                    scale_id=scale.id,
                    max_score=scale.max_score,
                    weight=weight,
                    answered=answer is not None and answer.is_answered,
                    not_applicable=answer is not None and answer.not_applicable,
                    score=score,
                    points=weight * score if counts and score is not None else 0.0,
                    max_points=weight * scale.max_score if counts else 0.0,
                    measured_value=answer.measured_value if answer else None,
                    suggested_score=answer.suggested_score if answer else None,
                    indicator_id=answer.indicator_id if answer else None,
                    is_override=answer.is_override if answer else False,
                )
            )
        points = sum(r.points for r in rows)
        max_points = sum(r.max_points for r in rows)
        applicable_answered = sum(1 for r in rows if r.answered and not r.not_applicable)
        percent = 100.0 * points / max_points if max_points > 0 else None
        weighted = any(r.weight != 1.0 for r in rows)
        basis = "Σ(weight × score) / Σ(weight × max)" if weighted else "points / max points"
        if percent is None:
            formula = (
                f"{principle.id}: no applicable answered criteria "
                f"({applicable_answered} scored of {len(rows)}), so no percentage"
            )
        else:
            formula = (
                f"{principle.id}: {basis} × 100 = {_fmt(points)} / {_fmt(max_points)} × 100 "
                f"= {percent:.1f}% over {applicable_answered} applicable answered of "
                f"{len(rows)} criteria"
            )
        principle_scores.append(
            PrincipleScore(
                principle_id=principle.id,
                name=principle.name,
                group=principle.group,
                weight=float(weights.get(principle.id, 1.0)),
                points=points,
                max_points=max_points,
                percent=percent,
                band=band_for(percent, bands=bands),
                total=len(rows),
                answered=sum(1 for r in rows if r.answered),
                unanswered=sum(1 for r in rows if not r.answered),
                not_applicable=sum(1 for r in rows if r.not_applicable),
                applicable=sum(1 for r in rows if not r.not_applicable),
                applicable_answered=applicable_answered,
                formula=formula,
                criteria=tuple(rows),
            )
        )

    scored = [p for p in principle_scores if p.percent is not None]
    weight_sum = sum(p.weight for p in scored)
    if scored and weight_sum > 0:
        overall: float | None = sum(p.weight * (p.percent or 0.0) for p in scored) / weight_sum
        terms = " + ".join(f"{_fmt(p.weight)}×{p.percent:.1f} ({p.principle_id})" for p in scored)
        formula = (
            f"{checklist.id}: Σ w × percent / Σ w = ({terms}) / {_fmt(weight_sum)} "
            f"= {overall:.1f}% over {len(scored)} of {len(principle_scores)} principles"
        )
    else:
        overall = None
        formula = f"{checklist.id}: no principle has an applicable answered criterion (or all weights are 0)"
    total = sum(p.total for p in principle_scores)
    answered = sum(p.answered for p in principle_scores)
    return ChecklistScore(
        checklist_id=checklist.id,
        name=checklist.name,
        percent=overall,
        band=band_for(overall, bands=bands),
        total=total,
        answered=answered,
        unanswered=total - answered,
        not_applicable=sum(p.not_applicable for p in principle_scores),
        progress=answered / total if total else 1.0,
        provisional=answered < total,
        formula=formula,
        principles=tuple(principle_scores),
    )


def score_assessment(
    assessment: Assessment, catalogue: Catalogue, *, bands: RagBands = DEFAULT_BANDS
) -> AssessmentScore:
    """Score every checklist of an assessment.

    Parameters
    ----------
    assessment
        The assessment.
    catalogue
        The loaded checklists (:func:`hiap.checklists.load_catalogue`).
    bands
        Red/amber/green thresholds.

    Returns
    -------
    AssessmentScore
        One :class:`ChecklistScore` per checklist id of the assessment, in its order.

    Raises
    ------
    ScoringError
        When the assessment does not fit the checklists (see :func:`validate_answers`);
        every problem is listed.
    """
    problems = validate_answers(assessment, catalogue)
    if problems:
        raise ScoringError(problems, source=f"assessment {assessment.scheme_name!r}")
    scores = tuple(
        score_checklist(
            catalogue.checklist(cid),
            assessment.answers,
            catalogue=catalogue,
            weights=assessment.weights,
            bands=bands,
        )
        for cid in assessment.checklist_ids
    )
    return AssessmentScore(
        assessment_id=assessment.id, checklists=scores, bands=bands, method=METHOD
    )


def _answered(score: AssessmentScore, criterion_id: str) -> bool:
    try:
        return score.criterion(criterion_id).answered
    except KeyError:
        return False


def suggest_hudu_direction(
    topic: HuduTopic,
    score: AssessmentScore,
    *,
    min_answered_share: float = 0.5,
) -> Direction | None:
    """Suggest a HUDU impact direction from the scores of the cross-walked criteria.

    The pooled percentage ``Σ score / Σ max`` over the topic's applicable, answered
    cross-walked criteria is banded like any score: green suggests positive, amber neutral
    and red negative. When fewer than ``min_answered_share`` of the cross-walked criteria
    (of the assessment's checklists) are answered, the suggestion is uncertain.

    Parameters
    ----------
    topic
        The HUDU topic.
    score
        The assessment's scores (:func:`score_assessment`).
    min_answered_share
        Share of cross-walked criteria that must be answered for a firm suggestion.

    Returns
    -------
    Direction or None
        ``None`` when no cross-walked criterion is in the assessment's checklists or none
        has an applicable score.
    """
    rows: list[CriterionScore] = []
    # One measurement counts once (ANGSt and the GI Framework's 2 ha / 300 m, for example).
    answered = [c for c in topic.crosswalk if _answered(score, c)]
    unanswered = [c for c in topic.crosswalk if c not in answered]
    for cid in topic.once_each(answered + unanswered):  # an answered one is kept first
        try:
            rows.append(score.criterion(cid))
        except KeyError:
            continue  # that checklist is not part of this assessment
    applicable = [r for r in rows if r.answered and not r.not_applicable]
    if not rows or not applicable:
        return None
    if sum(1 for r in rows if r.answered) < min_answered_share * len(rows):
        return Direction.UNCERTAIN
    points = sum(r.score or 0 for r in applicable)
    max_points = sum(r.max_score for r in applicable)
    band = band_for(100.0 * points / max_points, bands=score.bands)
    return {
        Band.GREEN: Direction.POSITIVE,
        Band.AMBER: Direction.NEUTRAL,
        Band.RED: Direction.NEGATIVE,
    }[band or Band.RED]
