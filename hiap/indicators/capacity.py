"""GP supply per population: the two-step floating catchment area method (2SFCA).

Step 1, for each GP practice *j*, divide its supply by the population that can reach it
within the catchment: ``R_j = S_j / Σ_k P_k W(d_kj)``. Step 2, for each place *i*, add up the
ratios of the practices it can reach: ``A_i = Σ_j R_j W(d_ij)``. With no distance decay
(``W = 1`` inside the catchment) this is Luo & Wang's 2SFCA (2003); the enhanced 2SFCA
(E2SFCA, Luo & Qi 2009) weights three travel-time zones 1.00, 0.68 and 0.22; the Gaussian
variant (Dai 2010) uses a continuous Gaussian decay that falls to 0 at the catchment edge.

The population-weighted sum of ``A_i`` equals the supply that somebody can reach, so the
result reads as supply per resident, here reported per 1,000 residents.

Supply is the practice's registered list size when the data has one; NHS ODS ``epraccur``
carries no list sizes, so with it each practice counts as 1 and the result is GP *practices*
per 1,000 residents (the caller says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["E2SFCA_WEIGHTS", "Decay", "TwoStepResult", "decay_weights", "two_step_fca"]

FloatArray = npt.NDArray[np.float64]
Decay = Literal["none", "stepped", "gaussian"]

E2SFCA_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)
"""Luo & Qi (2009) weights of the three equal travel-time zones of the catchment."""


def decay_weights(cost: FloatArray, *, catchment: float, decay: Decay = "none") -> FloatArray:
    """Distance-decay weight of each cost (0 beyond the catchment or where unreachable).

    Parameters
    ----------
    cost
        Travel costs (minutes or metres; ``inf`` when unreachable).
    catchment
        Largest cost inside the catchment, in the same unit.
    decay
        ``"none"`` (1 inside), ``"stepped"`` (E2SFCA thirds: 1.00, 0.68, 0.22) or
        ``"gaussian"`` (Dai 2010, 1 at 0 falling to 0 at the catchment edge).

    Returns
    -------
    numpy.ndarray
        Weights, the shape of ``cost``.
    """
    if catchment <= 0:
        raise ValueError(f"catchment must be positive, got {catchment}")
    d = np.asarray(cost, dtype=float)
    inside = d <= catchment
    if decay == "none":
        w = np.ones_like(d)
    elif decay == "stepped":
        zone = np.clip(np.ceil(d / (catchment / 3.0)) - 1, 0, 2)
        zone = np.where(np.isfinite(zone), zone, 2).astype(int)
        w = np.asarray(E2SFCA_WEIGHTS)[zone]
    elif decay == "gaussian":
        edge = np.exp(-0.5)
        with np.errstate(invalid="ignore"):
            w = (np.exp(-0.5 * (d / catchment) ** 2) - edge) / (1.0 - edge)
    else:
        raise ValueError(f"decay must be 'none', 'stepped' or 'gaussian', got {decay!r}")
    return np.where(inside, w, 0.0)


@dataclass(frozen=True)
class TwoStepResult:
    """Output of :func:`two_step_fca`.

    Attributes
    ----------
    supply_ratio
        ``R_j``: each supply point's supply per weighted population reaching it (0 when nobody
        does).
    access
        ``A_i``: supply per person at each demand point.
    """

    supply_ratio: FloatArray
    access: FloatArray


def two_step_fca(
    cost: FloatArray,
    supply: FloatArray,
    demand: FloatArray,
    *,
    catchment: float,
    decay: Decay = "none",
) -> TwoStepResult:
    """Two-step floating catchment area accessibility.

    Parameters
    ----------
    cost
        ``(n_demand, n_supply)`` travel costs (``inf`` when unreachable).
    supply
        Supply at each supply point (list size, GPs, or 1 per practice).
    demand
        Population at each demand point.
    catchment
        Catchment size in the unit of ``cost``.
    decay
        Distance decay (see :func:`decay_weights`).

    Returns
    -------
    TwoStepResult
        Supply ratios and accessibility per person.

    Raises
    ------
    ValueError
        When shapes disagree or supply/demand are negative.
    """
    c = np.asarray(cost, dtype=float)
    s = np.asarray(supply, dtype=float)
    p = np.asarray(demand, dtype=float)
    if c.shape != (len(p), len(s)):
        raise ValueError(f"cost must be (n_demand, n_supply) = ({len(p)}, {len(s)}), got {c.shape}")
    if (s < 0).any() or (p < 0).any():
        raise ValueError("supply and demand must not be negative")
    w = decay_weights(c, catchment=catchment, decay=decay)
    reached = p @ w  # weighted population reaching each supply point
    ratio = np.divide(s, reached, out=np.zeros_like(s), where=reached > 0)
    return TwoStepResult(supply_ratio=ratio, access=w @ ratio)
