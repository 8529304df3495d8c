"""The HIA rules as data: ``checklists/hia.yaml`` and ``checklists/bfhl.yaml``.

:func:`load_hia_rules` reads the screening thresholds, the population groups used in scoping
(after the Wales HIA Support Unit), the gateway criteria that cap the overall rating and the
vocabularies (magnitude, likelihood, mechanism, monitoring frequency).
:func:`load_bfhl` reads the twelve Building for a Healthy Life considerations. Both are
validated by the pydantic models below (``extra="forbid"``) and every problem is reported
together, naming the file and the id, as for the scored checklists.
"""

from __future__ import annotations

import functools
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hiap.checklists.loader import default_checklist_dir, read_yaml, validate_yaml
from hiap.checklists.models import Reference
from hiap.hia.record import HiaType

__all__ = [
    "BFHL_FILE",
    "HIA_FILE",
    "BfhlChecklist",
    "BfhlConsideration",
    "Gateway",
    "HiaRules",
    "HiaType",
    "Light",
    "PopulationGroup",
    "ScreeningOtherwise",
    "ScreeningRule",
    "load_bfhl",
    "load_hia_rules",
]

HIA_FILE = "hia.yaml"
BFHL_FILE = "bfhl.yaml"

_ID = r"^[a-z][a-z0-9_]*$"
_LAD_CODE = r"^E0[6-9][0-9]{6}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Light(StrEnum):
    """Building for a Healthy Life traffic light."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class ScreeningRule(_Model):
    """One screening threshold: a scheme meeting every condition given needs ``outcome``."""

    id: str = Field(pattern=r"^SCR\.[1-9][0-9]*$")
    outcome: HiaType
    min_dwellings: int | None = Field(default=None, ge=1)
    min_area_ha: float | None = Field(default=None, gt=0)
    kinds: tuple[str, ...] = Field(default=(), description="Scheme kinds; empty for any kind.")
    districts: tuple[str, ...] = Field(
        default=(), description="ONS LAD codes where the rule applies; empty for any district."
    )
    reason: str = Field(min_length=1)
    source: str = Field(pattern=_ID)

    @model_validator(mode="after")
    def _has_condition(self) -> Self:
        if self.min_dwellings is None and self.min_area_ha is None and not self.kinds:
            raise ValueError("give min_dwellings, min_area_ha or kinds: a rule needs a test")
        return self


class ScreeningOtherwise(_Model):
    """The screening outcome when no rule is met."""

    outcome: HiaType
    reason: str = Field(min_length=1)
    source: str = Field(pattern=_ID)


class PopulationGroup(_Model):
    """A population group to consider at scoping."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    category: Literal["age", "income", "discrimination", "geography", "sex", "other"]
    note: str = Field(min_length=1)


class Gateway(_Model):
    """A condition that caps the overall rating at ``cap`` when it applies and is not met."""

    id: str = Field(pattern=r"^GW\.[1-9][0-9]*$")
    name: str = Field(min_length=1)
    question: str = Field(min_length=1)
    min_dwellings: int = Field(default=1, ge=1, description="Applies from this many homes.")
    cap: Literal["amber", "red"]
    topic: str = Field(pattern=r"^HUDU\.[1-9][0-9]*$")
    source: str = Field(pattern=_ID)


class HiaRules(_Model):
    """The file ``checklists/hia.yaml``."""

    version: str = Field(min_length=1)
    references: tuple[Reference, ...] = Field(min_length=1)
    screening: tuple[ScreeningRule, ...] = Field(min_length=1)
    screening_otherwise: ScreeningOtherwise
    population_groups: tuple[PopulationGroup, ...] = Field(min_length=1)
    population_groups_source: str = Field(pattern=_ID)
    gateways: tuple[Gateway, ...] = ()
    magnitudes: dict[str, str] = Field(min_length=1)
    likelihoods: dict[str, str] = Field(min_length=1)
    mechanisms: dict[str, str] = Field(min_length=1)
    frequencies: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        problems: list[str] = []
        refs = {r.id for r in self.references}
        cited = [(r.id, r.source) for r in self.screening] + [
            ("screening_otherwise", self.screening_otherwise.source),
            ("population_groups", self.population_groups_source),
        ]
        cited += [(g.id, g.source) for g in self.gateways]
        for item, source in cited:
            if source not in refs:
                problems.append(f"{item}: source {source!r} is not in references")
        for kind, ids in (
            ("screening rule", [r.id for r in self.screening]),
            ("population group", [g.id for g in self.population_groups]),
            ("gateway", [g.id for g in self.gateways]),
        ):
            problems += [
                f"{i}: two {kind}s share this id" for i, n in Counter(ids).items() if n > 1
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def reference(self, reference_id: str) -> Reference | None:
        """Return the reference with this id, or ``None``."""
        return next((r for r in self.references if r.id == reference_id), None)

    def group(self, group_id: str) -> PopulationGroup | None:
        """Return the population group with this id, or ``None``."""
        return next((g for g in self.population_groups if g.id == group_id), None)

    def gateway(self, gateway_id: str) -> Gateway | None:
        """Return the gateway with this id, or ``None``."""
        return next((g for g in self.gateways if g.id == gateway_id), None)

    def cite(self, reference_id: str) -> str:
        """Return a short citation ("publisher (year), title") of a reference id."""
        ref = self.reference(reference_id)
        if ref is None:
            return reference_id
        year = f" ({ref.year})" if ref.year else ""
        return f"{ref.publisher}{year}, {ref.title}"


class BfhlConsideration(_Model):
    """One of the twelve Building for a Healthy Life considerations."""

    id: str = Field(pattern=r"^BFHL\.[1-9][0-9]*$")
    number: int = Field(ge=1)
    section: str = Field(min_length=1)
    name: str = Field(min_length=1)
    prompt: str = Field(min_length=1, description="hiap's own summary of what to look for.")


class BfhlChecklist(_Model):
    """The file ``checklists/bfhl.yaml``."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    reference: Reference
    lights: dict[Light, str]
    considerations: tuple[BfhlConsideration, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        numbers = [c.number for c in self.considerations]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"considerations must be numbered 1, 2, 3... in order, not {numbers}")
        if set(self.lights) != set(Light):
            raise ValueError("lights must explain green, amber and red")
        return self

    def consideration(self, consideration_id: str) -> BfhlConsideration | None:
        """Return the consideration with this id, or ``None``."""
        return next((c for c in self.considerations if c.id == consideration_id), None)


def _folder(directory: Path | None) -> Path:
    return Path(directory) if directory is not None else default_checklist_dir()


@functools.lru_cache(maxsize=4)
def load_hia_rules(directory: Path | None = None) -> HiaRules:
    """Load ``hia.yaml`` (screening, scoping groups, gateways and vocabularies).

    Parameters
    ----------
    directory
        Folder holding the file; the project's ``checklists/`` by default.

    Returns
    -------
    HiaRules
        The validated, frozen rules (cached: the same object on every call).

    Raises
    ------
    ChecklistError
        With every problem, each naming the file and the id.
    """
    path = _folder(directory) / HIA_FILE
    return validate_yaml(HiaRules, read_yaml(path), path.name)


@functools.lru_cache(maxsize=4)
def load_bfhl(directory: Path | None = None) -> BfhlChecklist:
    """Load ``bfhl.yaml``, the Building for a Healthy Life considerations.

    Parameters
    ----------
    directory
        Folder holding the file; the project's ``checklists/`` by default.

    Returns
    -------
    BfhlChecklist
        The validated, frozen checklist (cached).

    Raises
    ------
    ChecklistError
        With every problem, each naming the file and the id.
    """
    path = _folder(directory) / BFHL_FILE
    return validate_yaml(BfhlChecklist, read_yaml(path), path.name)
