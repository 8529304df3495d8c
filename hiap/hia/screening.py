"""Screening: which HIA a scheme needs (full, rapid or none), and why.

The thresholds are data (``checklists/hia.yaml``, each with its source); the first rule a
scheme meets decides. :func:`screen` needs only the scheme's size, kind and district, so it
can run before anything else is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hiap.hia.record import HiaType
from hiap.hia.rules import HiaRules, ScreeningRule

__all__ = ["ScreeningResult", "screen", "screen_assessment"]


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The screening outcome.

    Attributes
    ----------
    outcome
        The HIA required: full, rapid or none.
    rule_id
        The rule met (``SCR.1``), or ``None`` when none was met.
    reason
        Why, in a sentence.
    source
        The citation of the policy the rule comes from.
    inputs
        The figures screened (dwellings, area, kind, district), as text.
    """

    outcome: HiaType
    rule_id: str | None
    reason: str
    source: str
    inputs: tuple[str, ...]


def _meets(
    rule: ScreeningRule,
    *,
    dwellings: int | None,
    area_ha: float | None,
    kind: str | None,
    district_code: str | None,
) -> bool:
    if rule.districts and district_code not in rule.districts:
        return False
    if rule.kinds and kind not in rule.kinds:
        return False
    if rule.min_dwellings is not None and (dwellings is None or dwellings < rule.min_dwellings):
        return False
    return rule.min_area_ha is None or (area_ha is not None and area_ha >= rule.min_area_ha)


def screen(
    rules: HiaRules,
    *,
    dwellings: int | None,
    area_ha: float | None = None,
    kind: str | None = None,
    district_code: str | None = None,
) -> ScreeningResult:
    """Screen a scheme against the thresholds in ``hia.yaml``.

    Parameters
    ----------
    rules
        The loaded HIA rules (:func:`hiap.hia.rules.load_hia_rules`).
    dwellings
        Number of homes, if known.
    area_ha
        Site area in hectares, if known.
    kind
        Scheme kind (``housing``, ``transport``...).
    district_code
        ONS code of the district the scheme lies in, if known.

    Returns
    -------
    ScreeningResult
        The first rule met, or the ``screening_otherwise`` outcome.
    """
    inputs = (
        f"homes: {dwellings if dwellings is not None else 'not given'}",
        f"site area: {f'{area_ha:g} ha' if area_ha is not None else 'not given'}",
        f"kind: {kind or 'not given'}",
        f"district: {district_code or 'not known'}",
    )
    for rule in rules.screening:
        if _meets(
            rule, dwellings=dwellings, area_ha=area_ha, kind=kind, district_code=district_code
        ):
            return ScreeningResult(
                rule.outcome, rule.id, rule.reason, rules.cite(rule.source), inputs
            )
    other = rules.screening_otherwise
    return ScreeningResult(other.outcome, None, other.reason, rules.cite(other.source), inputs)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def screen_assessment(
    metadata: Mapping[str, Any], rules: HiaRules, *, district_code: str | None = None
) -> ScreeningResult:
    """Screen from an assessment's ``scheme_metadata`` (``dwellings``, ``area_ha``, ``kind``).

    Parameters
    ----------
    metadata
        The assessment's scheme metadata.
    rules
        The loaded HIA rules.
    district_code
        The scheme's district, when known (``metadata["district_code"]`` otherwise).

    Returns
    -------
    ScreeningResult
        As :func:`screen`.
    """
    dwellings = _number(metadata.get("dwellings"))
    area = _number(metadata.get("area_ha"))
    kind = metadata.get("kind")
    code = district_code or metadata.get("district_code")
    return screen(
        rules,
        dwellings=int(dwellings) if dwellings is not None else None,
        area_ha=area,
        kind=str(kind) if kind else None,
        district_code=str(code) if code else None,
    )
