"""Measured indicators: what was measured, how, from what, and what it suggests.

An :class:`IndicatorResult` carries one measured value with its unit, the method in one
sentence, the data source and any caveats; an :class:`IndicatorReport` collects them for a
scheme, together with the indicators that could not be measured and why (so a page can say
what data is missing and how to get it). Both are frozen pydantic models that round-trip
through JSON.
"""

from __future__ import annotations

import math

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hiap.indicators.capacity import people_per_practice_phrase

__all__ = [
    "INDICATOR_IDS",
    "IndicatorReport",
    "IndicatorResult",
    "UnavailableIndicator",
]

INDICATOR_IDS: tuple[str, ...] = (
    "gp_walk_min",
    "hospital_walk_min",
    "gp_pt_min",
    "hospital_pt_min",
    "gp_count_15min_walk",
    "gp_count_30min_walk",
    "angst_2ha_300m_share",
    "angst_20ha_2km_share",
    "gi_doorstep_05ha_200m_share",
    "gi_local_2ha_300m_share",
    "gi_neighbourhood_10ha_1km_share",
    "net_dwellings_per_ha",
    "dwellings_per_ha",
    "everyday_destinations_800m",
    "intersection_density_per_km2",
    "footway_share",
    "bus_stop_400m_share",
    "bus_frequency_per_hour",
    "takeaways_400m_schools",
    "fast_food_to_healthy_ratio",
    "playground_400m_share",
    "sports_800m_share",
    "gp_capacity_2sfca",
)
"""Every indicator id hiap measures (the ids of ``checklists/indicators.yaml``)."""


class IndicatorResult(BaseModel):
    """One measured indicator for one scheme.

    Parameters
    ----------
    id
        Indicator id (one of :data:`INDICATOR_IDS`).
    name
        Short human name.
    value
        The measured value, in ``unit`` (shares are 0-1 fractions).
    unit
        Unit of ``value`` (``"min"``, ``"share"``, ``"count"``, ``"per km²"``...).
    higher_is_better
        Whether a larger value is better for health.
    method
        How it was measured, in one sentence.
    source
        The data it rests on, with dates and licences.
    buffer_m
        Distance searched around the scheme, if any (metres).
    notes
        Caveats a reader must know (edge of data, approximations).
    details
        Supporting figures (e.g. ``{"p90": 14.2, "points": 420}``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    value: float
    unit: str = Field(min_length=1)
    higher_is_better: bool
    method: str = Field(min_length=1)
    source: str = Field(min_length=1)
    buffer_m: float | None = None
    notes: tuple[str, ...] = ()
    details: dict[str, float] = Field(default_factory=dict)

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("an indicator value must be finite; report it as unavailable")
        return value

    def formatted(self) -> str:
        """Return the value with its unit for display (shares as percentages)."""
        if self.unit == "share":
            return f"{self.value:.0%}"
        if self.unit == "people per practice":
            return people_per_practice_phrase(self.value)
        if self.unit in ("count", "categories (0-6)") and float(self.value).is_integer():
            return f"{int(self.value)}"
        return f"{self.value:.1f} {self.unit}"


class UnavailableIndicator(BaseModel):
    """An indicator that could not be measured, and what would make it measurable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    reason: str = Field(min_length=1)


class IndicatorReport(BaseModel):
    """Every indicator measured for a scheme, and those that could not be.

    Parameters
    ----------
    scheme_name
        The scheme measured.
    results
        Measured indicators, in :data:`INDICATOR_IDS` order.
    unavailable
        Indicators not measured, each with the reason and the remedy.
    sources
        Every data source used (for the attribution block).
    points
        Number of home points the scheme was measured from.
    notes
        What the whole assessment assumed (where the homes are, what the scheme adds).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme_name: str
    results: tuple[IndicatorResult, ...] = ()
    unavailable: tuple[UnavailableIndicator, ...] = ()
    sources: tuple[str, ...] = ()
    points: int = 0
    notes: tuple[str, ...] = ()

    def get(self, indicator_id: str) -> IndicatorResult | None:
        """Return the result for an indicator id, or ``None`` if it was not measured."""
        for result in self.results:
            if result.id == indicator_id:
                return result
        return None

    def values(self) -> dict[str, float]:
        """Return ``{indicator id: value}`` for the measured indicators."""
        return {r.id: r.value for r in self.results}

    def to_frame(self) -> pd.DataFrame:
        """Return one row per indicator (measured or not) for tables and CSV export.

        ``value`` is the measured figure at full precision; ``shown`` is the same figure as the
        app, the CLI and the reports show it (:meth:`IndicatorResult.formatted`).
        """
        rows: list[dict[str, object]] = [
            {
                "id": r.id,
                "name": r.name,
                "value": r.value,
                "unit": r.unit,
                "shown": r.formatted(),  # the figure as every screen shows it
                "method": r.method,
                "source": r.source,
                "buffer_m": r.buffer_m,
                "notes": " ".join(r.notes),
            }
            for r in self.results
        ]
        rows += [
            {
                "id": u.id,
                "name": u.name,
                "value": None,
                "unit": None,
                "shown": None,
                "method": None,
                "source": None,
                "buffer_m": None,
                "notes": u.reason,
            }
            for u in self.unavailable
        ]
        return pd.DataFrame(rows)
