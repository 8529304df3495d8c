"""Turn measured indicators into suggested answers and HUDU matrix rows.

Every criterion of the checklists that names an indicator (``indicator:`` in
``checklists/hnt.yaml`` and ``blue_zones.yaml``) gets the measured value and the score its
thresholds suggest (:func:`hiap.scoring.suggest_score`), with an evidence sentence. Each HUDU
topic whose cross-walked criteria have measured indicators gets a suggested direction: the
suggested scores are pooled (``Σ suggested / Σ scale maximum``) and banded like any score
(green positive, amber neutral, red negative), and the evidence sentence lists the
measurements. The assessor can accept or override either; :func:`apply_indicators` records
them on an :class:`~hiap.assessment.Assessment` without discarding an override that has a
written justification.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from hiap.assessment import Answer, Assessment, Direction, HuduEntry
from hiap.checklists.models import Catalogue, Criterion
from hiap.indicators.results import IndicatorReport, IndicatorResult
from hiap.scoring import DEFAULT_BANDS, Band, RagBands, apply_suggestion, band_for, suggest_score

__all__ = [
    "CriterionSuggestion",
    "HuduSuggestion",
    "apply_indicators",
    "suggest_criteria",
    "suggest_hudu",
]


class CriterionSuggestion(BaseModel):
    """A criterion's score suggested by a measured indicator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion_id: str
    indicator_id: str
    measured_value: float
    suggested_score: int
    max_score: int
    evidence: str


class HuduSuggestion(BaseModel):
    """A HUDU topic's direction suggested by the measured indicators of its criteria."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic_id: str
    direction: Direction
    evidence: str
    criteria: tuple[str, ...]


_DIRECTION_OF_BAND = {
    Band.GREEN: Direction.POSITIVE,
    Band.AMBER: Direction.NEUTRAL,
    Band.RED: Direction.NEGATIVE,
}


def _criteria(catalogue: Catalogue) -> list[Criterion]:
    return [c for checklist in catalogue.checklists for c in checklist.criteria()]


def _evidence(result: IndicatorResult, criterion: Criterion, score: int, max_score: int) -> str:
    return (
        f"Measured by hiap: {result.name.lower()} {result.formatted()} ({result.method} "
        f"Source: {result.source}.) The thresholds of {criterion.id} suggest {score} of "
        f"{max_score}."
    )


def suggest_criteria(report: IndicatorReport, catalogue: Catalogue) -> tuple[CriterionSuggestion, ...]:
    """Suggest a score for every criterion whose indicator was measured.

    Parameters
    ----------
    report
        The scheme's measured indicators.
    catalogue
        The checklists (:func:`hiap.checklists.load_catalogue`).

    Returns
    -------
    tuple of CriterionSuggestion
        In checklist order; criteria whose indicator was not measured are left out.
    """
    out = []
    for criterion in _criteria(catalogue):
        # The preferred indicator when measured, else a fallback (net, else gross density).
        measured = ((r, report.get(r.id)) for r in criterion.indicator_rules)
        rule, result = next(((r, m) for r, m in measured if m is not None), (None, None))
        if rule is None or result is None:
            continue
        score = suggest_score(criterion, result.value, indicator_id=rule.id)
        max_score = catalogue.scale_of(criterion).max_score
        out.append(
            CriterionSuggestion(
                criterion_id=criterion.id,
                indicator_id=result.id,
                measured_value=result.value,
                suggested_score=score,
                max_score=max_score,
                evidence=_evidence(result, criterion, score, max_score),
            )
        )
    return tuple(out)


def suggest_hudu(
    report: IndicatorReport,
    catalogue: Catalogue,
    *,
    bands: RagBands = DEFAULT_BANDS,
) -> tuple[HuduSuggestion, ...]:
    """Suggest a direction and evidence for each HUDU topic the indicators bear on.

    Parameters
    ----------
    report
        The scheme's measured indicators.
    catalogue
        The checklists and the HUDU matrix with its cross-walk.
    bands
        Red/amber/green cut-offs (as for scores).

    Returns
    -------
    tuple of HuduSuggestion
        One per topic with at least one measured cross-walked criterion.
    """
    by_criterion = {s.criterion_id: s for s in suggest_criteria(report, catalogue)}
    out = []
    for topic in catalogue.hudu.topics:
        # One measurement counts once (ANGSt and GI Framework 2 ha / 300 m are the same).
        measured = [c for c in topic.crosswalk if c in by_criterion]
        rows = [by_criterion[c] for c in topic.once_each(measured)]
        if not rows:
            continue
        points = sum(r.suggested_score for r in rows)
        max_points = sum(r.max_score for r in rows)
        band = band_for(100.0 * points / max_points, bands=bands) if max_points else None
        direction = _DIRECTION_OF_BAND.get(band, Direction.UNCERTAIN) if band else Direction.UNCERTAIN
        seen: dict[str, str] = {}
        for r in rows:
            result = report.get(r.indicator_id)
            if result is not None:
                seen.setdefault(r.indicator_id, f"{result.name.lower()} {result.formatted()}")
        evidence = (
            "Measured by hiap: " + "; ".join(seen.values()) + f". Suggested scores of "
            f"{', '.join(r.criterion_id for r in rows)}: {points} of {max_points} points."
        )
        out.append(
            HuduSuggestion(
                topic_id=topic.id,
                direction=direction,
                evidence=evidence,
                criteria=tuple(r.criterion_id for r in rows),
            )
        )
    return tuple(out)


def apply_indicators(
    assessment: Assessment,
    report: IndicatorReport,
    catalogue: Catalogue,
    *,
    hudu: Sequence[HuduSuggestion] | None = None,
) -> Assessment:
    """Record measured values, suggested scores and HUDU suggestions on an assessment.

    Answers get the measured value, indicator id and suggested score
    (:func:`hiap.scoring.apply_suggestion`); their score becomes the suggestion unless the
    assessor already overrode it with a written justification, and evidence is filled only
    where the assessor has written none. HUDU rows get ``suggested_direction``; a new row
    takes the suggestion as its direction, an existing one keeps the assessor's.

    Parameters
    ----------
    assessment
        The assessment (not changed).
    report
        The scheme's measured indicators.
    catalogue
        The checklists.
    hudu
        The HUDU suggestions to record instead of those the report's scores suggest: for a
        scheme proposal, :func:`hiap.indicators.compare.hudu_from_change` (the direction of
        what the scheme changes against the baseline).

    Returns
    -------
    Assessment
        A new assessment.
    """
    out = assessment
    prefixes = tuple(
        c.id_prefix + "." for c in catalogue.checklists if c.id in assessment.checklist_ids
    )
    for suggestion in suggest_criteria(report, catalogue):
        if not suggestion.criterion_id.startswith(prefixes):
            continue  # a checklist this assessment does not use
        criterion = catalogue.criterion(suggestion.criterion_id)
        current = out.answers.get(suggestion.criterion_id)
        answer = apply_suggestion(
            criterion, suggestion.measured_value, answer=current,
            indicator_id=suggestion.indicator_id,
        )  # fmt: skip
        if not (current and current.evidence):
            answer = Answer.model_validate(answer.model_dump() | {"evidence": suggestion.evidence})
        out = out.with_answer(suggestion.criterion_id, answer)
    for row in suggest_hudu(report, catalogue) if hudu is None else hudu:
        current_entry = out.hudu.get(row.topic_id)
        if current_entry is None:
            entry = HuduEntry(
                direction=row.direction, evidence=row.evidence, suggested_direction=row.direction
            )
        else:
            entry = HuduEntry.model_validate(
                current_entry.model_dump()
                | {
                    "suggested_direction": row.direction,
                    "evidence": current_entry.evidence or row.evidence,
                }
            )
        out = out.with_hudu(row.topic_id, entry)
    return out
