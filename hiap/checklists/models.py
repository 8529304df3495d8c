"""Pydantic models of the criteria files in ``checklists/``.

Each YAML file validates against one model here; the JSON Schemas in ``checklists/schema/``
are generated from these models (``python -m hiap.checklists.schema``). The models check what
one object can check by itself (field types, unknown keys, id formats, threshold order);
checks that span objects or files (unique ids, indicator and scale references, the HUDU
cross-walk) are made by :mod:`hiap.checklists.loader`, which reports every problem at once.

Models are frozen: a loaded checklist is shared read-only (the app caches one copy for all
sessions), so nobody can alter it in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from itertools import pairwise
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CHECKLIST_ID_PATTERN",
    "CRITERION_ID_PATTERN",
    "INDICATOR_ID_PATTERN",
    "PRINCIPLE_ID_PATTERN",
    "Catalogue",
    "Checklist",
    "Criterion",
    "Group",
    "HuduMatrix",
    "HuduTopic",
    "Indicator",
    "IndicatorCatalogue",
    "IndicatorDirection",
    "IndicatorRule",
    "Principle",
    "Reference",
    "Scale",
    "ScaleLevel",
    "ScaleSet",
    "Threshold",
]

CHECKLIST_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
INDICATOR_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PRINCIPLE_ID_PATTERN = r"^[A-Z][A-Z0-9]*\.[1-9][0-9]*$"
CRITERION_ID_PATTERN = r"^[A-Z][A-Z0-9]*\.[1-9][0-9]*\.[1-9][0-9]*$"
_REF_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Model):
    """A public source that a criterion or indicator draws on."""

    id: str = Field(pattern=_REF_ID_PATTERN, description="Short id cited by criteria.")
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str | None = Field(default=None, pattern=r"^https?://")
    note: str | None = None


class IndicatorDirection(StrEnum):
    """Whether a larger measured value is better or worse for health."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Indicator(_Model):
    """A measurable indicator that hiap (or the assessor) can compute for a scheme."""

    id: str = Field(pattern=INDICATOR_ID_PATTERN)
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="Unit of the value; 'share' is a 0-1 fraction.")
    direction: IndicatorDirection
    method: str = Field(min_length=1, description="How it is measured, in one sentence.")
    source: str = Field(min_length=1, description="Data and standard it rests on.")
    minimum: float | None = Field(default=None, description="Smallest possible value.")
    maximum: float | None = Field(default=None, description="Largest possible value.")


class IndicatorCatalogue(_Model):
    """The file ``checklists/indicators.yaml``: every indicator id hiap knows."""

    version: str = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    def get(self, indicator_id: str) -> Indicator | None:
        """Return the indicator with this id, or ``None``."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        return None


class ScaleLevel(_Model):
    """One point on a scoring scale."""

    score: int = Field(ge=0)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Scale(_Model):
    """A scoring scale: consecutive integer levels starting at 0."""

    id: str = Field(pattern=CHECKLIST_ID_PATTERN)
    name: str = Field(min_length=1)
    levels: tuple[ScaleLevel, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _levels_consecutive(self) -> Self:
        scores = [level.score for level in self.levels]
        if scores != list(range(len(scores))):
            raise ValueError(
                f"scale {self.id} levels must be scored 0, 1, 2... in order; got {scores}"
            )
        return self

    @property
    def max_score(self) -> int:
        """The highest score on the scale."""
        return self.levels[-1].score

    def label(self, score: int) -> str:
        """Return the label of a score (e.g. ``'fully'``)."""
        return self.levels[score].label


class ScaleSet(_Model):
    """The file ``checklists/scales.yaml``: the scoring scales criteria may use."""

    version: str = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)

    def get(self, scale_id: str) -> Scale | None:
        """Return the scale with this id, or ``None``."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        return None


class Threshold(_Model):
    """Measured values at or beyond a bound suggest ``score``.

    Exactly one of ``at_least`` (higher is better) and ``at_most`` (lower is better).
    """

    score: int = Field(ge=0)
    at_least: float | None = Field(default=None, allow_inf_nan=False)
    at_most: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a threshold needs exactly one of at_least or at_most")
        return self

    @property
    def bound(self) -> float:
        """The bound value, whichever kind it is."""
        value = self.at_least if self.at_least is not None else self.at_most
        assert value is not None  # guaranteed by the validator
        return value


class IndicatorRule(_Model):
    """How a measured indicator suggests a criterion's score.

    Thresholds are listed best score first. The first threshold the measured value meets
    gives the suggested score; a value meeting none suggests ``otherwise``.
    """

    id: str = Field(pattern=INDICATOR_ID_PATTERN, description="Indicator id (indicators.yaml).")
    thresholds: tuple[Threshold, ...] = Field(min_length=1)
    otherwise: int = Field(default=0, ge=0, description="Score when no threshold is met.")
    rationale: str = Field(min_length=1, description="Why these cut-offs (standard, source).")
    fallback: IndicatorRule | None = Field(
        default=None,
        description=(
            "The rule used when this indicator was not measured (e.g. gross density, with gross "
            "thresholds, where no housing-parcel layer gives the net density)."
        ),
    )

    @model_validator(mode="after")
    def _monotonic(self) -> Self:
        problems: list[str] = []
        higher = [t.at_least is not None for t in self.thresholds]
        if any(higher) and not all(higher):
            problems.append("thresholds mix at_least and at_most; use one kind")
        else:
            scores = [t.score for t in self.thresholds] + [self.otherwise]
            if any(a <= b for a, b in pairwise(scores)):
                problems.append(
                    f"threshold scores must fall strictly from best to worst, ending with "
                    f"'otherwise'; got {scores}"
                )
            bounds = [t.bound for t in self.thresholds]
            if higher[0]:
                if any(a <= b for a, b in pairwise(bounds)):
                    problems.append(
                        f"at_least bounds must fall strictly as the score falls; got {bounds}"
                    )
            elif any(a >= b for a, b in pairwise(bounds)):
                problems.append(
                    f"at_most bounds must rise strictly as the score falls; got {bounds}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def higher_is_better(self) -> bool:
        """True when the thresholds use ``at_least`` bounds."""
        return self.thresholds[0].at_least is not None

    @property
    def chain(self) -> tuple[IndicatorRule, ...]:
        """The rule and its fallbacks, in the order they are tried."""
        return (self, *(self.fallback.chain if self.fallback else ()))


class Criterion(_Model):
    """One assessable criterion, written in hiap's own words."""

    id: str = Field(pattern=CRITERION_ID_PATTERN, description="Stable id, e.g. HNT.5.2.")
    title: str = Field(min_length=1, description="A few words naming the criterion.")
    question: str = Field(min_length=1)
    guidance: str = Field(min_length=1, description="What good looks like.")
    evidence: tuple[str, ...] = Field(min_length=1, description="Evidence asked for.")
    scale: str = Field(pattern=CHECKLIST_ID_PATTERN, description="Scale id (scales.yaml).")
    indicator: IndicatorRule | None = Field(
        default=None, description="Indicator whose measured value suggests the score."
    )
    related_indicators: tuple[str, ...] = Field(
        default=(), description="Indicator ids shown as context; they suggest no score."
    )
    sources: tuple[str, ...] = Field(min_length=1, description="Reference ids.")

    @property
    def indicator_rules(self) -> tuple[IndicatorRule, ...]:
        """The indicator rules that may suggest the score, preferred first (empty if none)."""
        return self.indicator.chain if self.indicator else ()

    def rule_for(self, indicator_id: str | None) -> IndicatorRule | None:
        """Return the rule of ``indicator_id`` (the preferred rule for ``None``), if any."""
        if indicator_id is None:
            return self.indicator
        return next((r for r in self.indicator_rules if r.id == indicator_id), None)


class Principle(_Model):
    """A principle (or Blue Zones theme) grouping criteria."""

    id: str = Field(pattern=PRINCIPLE_ID_PATTERN, description="Stable id, e.g. HNT.5.")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    group: str = Field(pattern=CHECKLIST_ID_PATTERN)
    summary: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Group(_Model):
    """A named group of principles (e.g. "Plan, assess and involve")."""

    id: str = Field(pattern=CHECKLIST_ID_PATTERN)
    name: str = Field(min_length=1)


class Checklist(_Model):
    """A scored checklist file (``hnt.yaml``, ``blue_zones.yaml``)."""

    id: str = Field(pattern=CHECKLIST_ID_PATTERN)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    id_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    description: str = Field(min_length=1)
    wording_note: str = Field(min_length=1, description="Whose words and whose framework.")
    references: tuple[Reference, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = Field(min_length=1)
    principles: tuple[Principle, ...] = Field(min_length=1)

    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion, in file order."""
        return tuple(c for p in self.principles for c in p.criteria)

    def reference(self, reference_id: str) -> Reference | None:
        """Return the reference with this id, or ``None``."""
        for ref in self.references:
            if ref.id == reference_id:
                return ref
        return None


class HuduTopic(_Model):
    """One topic of the HUDU Rapid HIA matrix."""

    id: str = Field(pattern=PRINCIPLE_ID_PATTERN, description="Stable id, e.g. HUDU.4.")
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    prompts: tuple[str, ...] = Field(min_length=1, description="Questions to consider.")
    crosswalk: tuple[str, ...] = Field(
        default=(), description="HNT / Blue Zones criterion ids bearing on this topic."
    )
    counted_once: tuple[tuple[str, ...], ...] = Field(
        default=(),
        description=(
            "Groups of cross-walked criteria that rest on the same measurement (e.g. ANGSt and "
            "the GI Framework's 2 ha within 300 m); a suggestion counts each group once."
        ),
    )

    @model_validator(mode="after")
    def _groups_in_crosswalk(self) -> Self:
        stray = sorted({c for g in self.counted_once for c in g} - set(self.crosswalk))
        if stray:
            raise ValueError(f"counted_once lists {stray}, which are not in the crosswalk")
        return self

    def once_each(self, criterion_ids: Sequence[str]) -> list[str]:
        """Keep the first criterion of each ``counted_once`` group among ``criterion_ids``."""
        dropped: set[str] = set()
        for group in self.counted_once:
            present = [c for c in criterion_ids if c in group]
            dropped.update(present[1:])
        return [c for c in criterion_ids if c not in dropped]


class HuduMatrix(_Model):
    """The file ``checklists/hudu.yaml``: HUDU Rapid HIA topics and the cross-walk."""

    id: str = Field(pattern=CHECKLIST_ID_PATTERN)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    id_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    description: str = Field(min_length=1)
    wording_note: str = Field(min_length=1)
    references: tuple[Reference, ...] = Field(min_length=1)
    directions: dict[str, str] = Field(description="Meaning of each impact direction.")
    topics: tuple[HuduTopic, ...] = Field(min_length=1)
    cross_cutting: tuple[str, ...] = Field(
        default=(),
        description=(
            "Process criteria (vision, governance, monitoring...) that bear on every topic and "
            "so are not cross-walked to any one of them."
        ),
    )

    def topic(self, topic_id: str) -> HuduTopic | None:
        """Return the topic with this id, or ``None``."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        return None


class Catalogue(_Model):
    """Everything in ``checklists/``, loaded and cross-checked together."""

    indicators: IndicatorCatalogue
    scales: ScaleSet
    checklists: tuple[Checklist, ...]
    hudu: HuduMatrix

    def checklist(self, checklist_id: str) -> Checklist:
        """Return the checklist with this id.

        Raises
        ------
        KeyError
            When no loaded checklist has this id.
        """
        for checklist in self.checklists:
            if checklist.id == checklist_id:
                return checklist
        known = ", ".join(c.id for c in self.checklists)
        raise KeyError(f"no checklist {checklist_id!r}; known: {known}")

    def criterion(self, criterion_id: str) -> Criterion:
        """Return the criterion with this id (``HNT.5.2``).

        Raises
        ------
        KeyError
            When no loaded checklist has this criterion.
        """
        for checklist in self.checklists:
            for criterion in checklist.criteria():
                if criterion.id == criterion_id:
                    return criterion
        raise KeyError(f"no criterion {criterion_id!r} in the loaded checklists")

    def principle(self, principle_id: str) -> Principle:
        """Return the principle with this id (``HNT.5``).

        Raises
        ------
        KeyError
            When no loaded checklist has this principle.
        """
        for checklist in self.checklists:
            for principle in checklist.principles:
                if principle.id == principle_id:
                    return principle
        raise KeyError(f"no principle {principle_id!r} in the loaded checklists")

    def scale_of(self, criterion: Criterion) -> Scale:
        """Return the scale a criterion is scored on."""
        scale = self.scales.get(criterion.scale)
        if scale is None:  # the loader rejects unknown scales, so only hand-built catalogues
            raise KeyError(f"criterion {criterion.id} uses unknown scale {criterion.scale!r}")
        return scale
