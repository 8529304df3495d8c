"""What an assessor records at each HIA stage, as saved with the assessment.

:class:`HiaRecord` is a field of :class:`hiap.assessment.Assessment` (``assessment.hia``), so
it is versioned, compared and exported with everything else. It holds the assessor's answers
only; what follows from them (the screening outcome, the overall rating, completeness) is
computed on demand by :mod:`hiap.hia.screening` and :mod:`hiap.hia.appraisal`.

Rules checked on every construction (a ``pydantic.ValidationError`` listing each problem):

- a recommendation names an action, an owner, a mechanism (condition, S106, CIL, design
  code or other) and a trigger;
- a monitoring indicator names its baseline, target, data source and frequency; the target
  differs from the baseline; a linked recommendation exists;
- ids are unique (``R1``, ``M1``...).

Rows of the recommendation and monitoring tables typed but not yet saved as valid rows are
kept as *drafts* (plain text cells, :data:`RECOMMENDATION_FIELDS` / :data:`MONITORING_FIELDS`),
like the impact matrix's drafts: nothing typed is lost on leaving the page, and reports leave
drafts out and say how many there are.

This module imports nothing else from hiap, so :mod:`hiap.assessment` can use it.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = [
    "MECHANISM_LABELS",
    "MONITORING_FIELDS",
    "RECOMMENDATION_FIELDS",
    "BfhlAnswer",
    "GatewayAnswer",
    "GatewayStatus",
    "HiaRecord",
    "HiaType",
    "Likelihood",
    "Magnitude",
    "Mechanism",
    "MonitoringIndicator",
    "Recommendation",
    "TopicScope",
]

_TEXT_MAX = 20_000
_SHORT_MAX = 500
_DRAFT_ROWS_MAX = 500

RECOMMENDATION_FIELDS: tuple[str, ...] = ("id", "topic_id", "action", "owner", "mechanism", "trigger")
"""The columns of a recommendation row, in table order (drafts use the same names)."""

MONITORING_FIELDS: tuple[str, ...] = (
    "id", "indicator", "baseline", "target", "data_source", "frequency", "recommendation_id",
)  # fmt: skip
"""The columns of a monitoring row, in table order (drafts use the same names)."""


class HiaType(StrEnum):
    """Which HIA a scheme needs, from the most to the least demanding."""

    FULL = "full"
    RAPID = "rapid"
    NONE = "none"


class Magnitude(StrEnum):
    """How large a health impact is (HUDU matrix)."""

    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"


class Likelihood(StrEnum):
    """How likely a health impact is (HUDU matrix)."""

    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


class Mechanism(StrEnum):
    """How a recommendation is secured through planning."""

    CONDITION = "condition"
    S106 = "s106"
    CIL = "cil"
    DESIGN_CODE = "design_code"
    OTHER = "other"


MECHANISM_LABELS: dict[Mechanism, str] = {
    Mechanism.CONDITION: "Planning condition",
    Mechanism.S106: "Section 106 obligation",
    Mechanism.CIL: "CIL",
    Mechanism.DESIGN_CODE: "Design code",
    Mechanism.OTHER: "Other",
}


class GatewayStatus(StrEnum):
    """Whether a gateway criterion is met; ``unknown`` counts as not met."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _required(value: str, name: str) -> str:
    if not value.strip():
        raise ValueError(f"{name} is blank; fill it in")
    return value.strip()


class TopicScope(_Model):
    """Whether a HUDU topic is in scope, and why."""

    relevant: bool
    reason: str = Field(default="", max_length=_TEXT_MAX)


class GatewayAnswer(_Model):
    """The assessor's answer to one gateway criterion."""

    status: GatewayStatus = GatewayStatus.UNKNOWN
    evidence: str = Field(default="", max_length=_TEXT_MAX)

    @model_validator(mode="after")
    def _met_needs_evidence(self) -> Self:
        if self.status is GatewayStatus.MET and not self.evidence.strip():
            raise ValueError(
                "a gateway marked met needs the evidence (e.g. the ICB's letter or the S106 clause)"
            )
        return self


class BfhlAnswer(_Model):
    """A Building for a Healthy Life traffic light with a note (green, amber or red)."""

    light: str | None = Field(default=None, pattern=r"^(green|amber|red)$")
    note: str = Field(default="", max_length=_TEXT_MAX)


class Recommendation(_Model):
    """A mitigation or enhancement, who delivers it, how it is secured and when.

    Parameters
    ----------
    id
        ``R1``, ``R2``...
    topic_id
        The HUDU topic it answers (``HUDU.2``).
    action
        What is to be done.
    owner
        Who delivers it (developer, county council, ICB...).
    mechanism
        How it is secured: condition, S106, CIL, design code or other.
    trigger
        When it must be delivered, e.g. "before occupation of the 500th home".
    """

    id: str = Field(pattern=r"^R[1-9][0-9]*$")
    topic_id: str = Field(pattern=r"^HUDU\.[1-9][0-9]*$")
    action: str = Field(max_length=_TEXT_MAX)
    owner: str = Field(max_length=_SHORT_MAX)
    mechanism: Mechanism
    trigger: str = Field(max_length=_SHORT_MAX)

    @field_validator("action", "owner", "trigger")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _required(value, info.field_name or "field")


class MonitoringIndicator(_Model):
    """One row of the monitoring plan.

    Parameters
    ----------
    id
        ``M1``, ``M2``...
    indicator
        What is measured, with its unit.
    baseline
        The value now (with its date), or how and when it will be measured.
    target
        The value to reach, and by when.
    data_source
        Where the figure comes from.
    frequency
        How often it is reported.
    recommendation_id
        The recommendation it checks, if any.
    """

    id: str = Field(pattern=r"^M[1-9][0-9]*$")
    indicator: str = Field(max_length=_SHORT_MAX)
    baseline: str = Field(max_length=_SHORT_MAX)
    target: str = Field(max_length=_SHORT_MAX)
    data_source: str = Field(max_length=_SHORT_MAX)
    frequency: str = Field(max_length=_SHORT_MAX)
    recommendation_id: str | None = Field(default=None, pattern=r"^R[1-9][0-9]*$")

    @field_validator("indicator", "baseline", "target", "data_source", "frequency")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _required(value, info.field_name or "field")

    @model_validator(mode="after")
    def _target_moves(self) -> Self:
        if self.target.casefold() == self.baseline.casefold():
            raise ValueError(
                f"{self.id}: the target equals the baseline ({self.baseline!r}); state the "
                "change to reach, or why holding the value is the aim"
            )
        return self


class HiaRecord(_Model):
    """The assessor's HIA stage data for one scheme.

    Parameters
    ----------
    screening_outcome
        The HIA type the assessor decided on, when it differs from (or confirms) the rule.
    screening_note
        Why, especially when it departs from the screening rule.
    scope
        HUDU topic id -> relevance and reason.
    groups
        Population group id -> how this scheme may affect the group.
    gateways
        Gateway id (``GW.1``) -> status and evidence.
    recommendations
        Mitigations and enhancements with owner, mechanism and trigger.
    monitoring
        The monitoring plan.
    bfhl
        Building for a Healthy Life consideration id -> traffic light and note.
    conclusion
        The assessor's overall conclusion, for the non-technical summary.
    recommendation_drafts, monitoring_drafts
        The recommendation and monitoring tables as typed, while they differ from the saved
        rows (incomplete or not yet saved): column name -> text. Empty once saved.
    """

    screening_outcome: HiaType | None = None
    screening_note: str = Field(default="", max_length=_TEXT_MAX)
    scope: dict[str, TopicScope] = Field(default_factory=dict)
    groups: dict[str, str] = Field(default_factory=dict)
    gateways: dict[str, GatewayAnswer] = Field(default_factory=dict)
    recommendations: tuple[Recommendation, ...] = ()
    monitoring: tuple[MonitoringIndicator, ...] = ()
    bfhl: dict[str, BfhlAnswer] = Field(default_factory=dict)
    conclusion: str = Field(default="", max_length=_TEXT_MAX)
    recommendation_drafts: tuple[dict[str, str], ...] = Field(
        default=(), max_length=_DRAFT_ROWS_MAX
    )
    monitoring_drafts: tuple[dict[str, str], ...] = Field(default=(), max_length=_DRAFT_ROWS_MAX)

    @field_validator("recommendation_drafts", "monitoring_drafts")
    @classmethod
    def _draft_cells(
        cls, rows: tuple[dict[str, str], ...], info: ValidationInfo
    ) -> tuple[dict[str, str], ...]:
        fields = (
            RECOMMENDATION_FIELDS if info.field_name == "recommendation_drafts" else MONITORING_FIELDS
        )
        for number, row in enumerate(rows, start=1):
            unknown = sorted(set(row) - set(fields))
            if unknown:
                raise ValueError(f"draft row {number} has unknown columns {', '.join(unknown)}")
            if any(len(v) > _TEXT_MAX for v in row.values()):
                raise ValueError(f"draft row {number} has a cell over {_TEXT_MAX} characters")
        return rows

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        problems: list[str] = []
        for kind, ids in (
            ("recommendation", [r.id for r in self.recommendations]),
            ("monitoring indicator", [m.id for m in self.monitoring]),
        ):
            problems += [f"two {kind}s share the id {i}" for i, n in Counter(ids).items() if n > 1]
        known = {r.id for r in self.recommendations}
        for row in self.monitoring:
            if row.recommendation_id is not None and row.recommendation_id not in known:
                problems.append(
                    f"{row.id} checks recommendation {row.recommendation_id}, which does not "
                    "exist; pick one of the recommendations or leave it empty"
                )
        for topic_id, scope in self.scope.items():
            if not scope.relevant and not scope.reason.strip():
                problems.append(f"{topic_id} is scoped out; say why in the reason")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def is_empty(self) -> bool:
        """True when nothing has been recorded at any stage."""
        return self == HiaRecord()
