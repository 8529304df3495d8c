"""GP supply per population: the two-step floating catchment area method (2SFCA).

Step 1, for each GP practice *j*, divide its supply by the population that can reach it
within the catchment: ``R_j = S_j / Σ_k P_k W(d_kj)``. Step 2, for each place *i*, add up the
ratios of the practices it can reach: ``A_i = Σ_j R_j W(d_ij)``. With no distance decay
(``W = 1`` inside the catchment) this is Luo & Wang's 2SFCA (2003); the enhanced 2SFCA
(E2SFCA, Luo & Qi 2009) weights three travel-time zones 1.00, 0.68 and 0.22; the Gaussian
variant (Dai 2010) uses a continuous Gaussian decay that falls to 0 at the catchment edge.

The population-weighted sum of ``A_i`` equals the supply that somebody can reach, so the
result reads as supply per resident, here reported per 1,000 residents.

Supply is the practice's registered list size when the data has one (NHS Digital's patients
registered at a GP practice, :mod:`hiap.data.gp_lists`); NHS ODS ``epraccur`` carries no list
sizes, so without them each practice counts as 1 and the result is GP *practices* per 1,000
residents (the caller says which).

Planner units (:func:`capacity_sentences`): the practice-count score is read as "about 1
practice per N people" (``N = 1 / A``); the list-size score as *list pressure*, the catchment
population (with the scheme's new residents) per place on today's registered lists
(``1 / A``): 1.12 means 12 % more people than today's lists hold, 0.95 5 % fewer. Lists hold
people from beyond any walk catchment and some residents register elsewhere, so read the
pressure against the same figure without the scheme (``list_pressure_today``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from numpy.typing import ArrayLike

from hiap.indicators.homes import MAX_SNAP_M, Homes, snap_destinations, walk_matrix_m
from hiap.indicators.walkgraph import WalkGraph, metres_to_minutes, minutes_to_metres

__all__ = [
    "E2SFCA_WEIGHTS",
    "Decay",
    "GpCapacity",
    "TwoStepResult",
    "capacity_sentences",
    "decay_weights",
    "gp_capacity",
    "list_pressure_text",
    "people_per_practice_phrase",
    "people_per_practice_text",
    "round_people",
    "two_step_fca",
    "weighted_inverse",
]

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


@dataclass(frozen=True)
class GpCapacity:
    """GP supply per 1,000 residents at a scheme and the areas around it.

    Attributes
    ----------
    per_1000
        At the scheme's homes (weighted mean): ``"2sfca"`` (no decay), ``"stepped"``
        (E2SFCA) and ``"gaussian"``.
    practices
        Practices within the catchment of at least one home.
    dropped_population
        Residents at population points too far from the walk network to route (left out).
    areas
        The population points used (EPSG:27700) with ``population``, their ``code``,
        ``name`` and ``lad_name`` when the input had them, the three scores per 1,000
        residents (``access_2sfca``, ``access_stepped``, ``access_gaussian``), the
        practice-count scores per person (``practices_per_person_2sfca``, ``_stepped``,
        ``_gaussian``; the inverse reads "about 1 practice per N people") and ``complete``: True where every practice within the catchment was counted (points
        within ``margin_m`` of the homes), so the score is exact; farther ones may miss
        practices beyond the area searched.
    supply_kind
        ``"list size"`` when practices carried a ``list_size`` column, else ``"practice count"``.
    homes
        The scheme's home points (EPSG:27700) with ``weight``, ``population`` (their share
        of the new residents), the three scores per 1,000 residents and the three
        practice-count scores per person, as ``areas``.
    people_per_practice
        At the homes, with the new residents: 1 / (practice-count 2SFCA), "about 1 practice
        per N people" (NaN when no practice is reached).
    list_pressure, list_pressure_today
        At the homes: catchment population per registered-list place (1 / list-size 2SFCA),
        with and without the scheme's new residents; NaN without list sizes.
    patients_per_practice
        Mean registered list of the practices in reach (NaN without list sizes).
    lists_filled
        Practices in reach whose list size was unknown and set to the median of the others.
    list_date
        Extract date of the list sizes (None without them).
    new_residents
        The residents the scheme adds (in the demand).
    catchment_min
        The walk catchment in minutes.
    """

    per_1000: dict[str, float]
    practices: int
    dropped_population: float
    areas: gpd.GeoDataFrame
    supply_kind: str
    homes: gpd.GeoDataFrame | None = None
    people_per_practice: float = float("nan")
    list_pressure: float = float("nan")
    list_pressure_today: float = float("nan")
    patients_per_practice: float = float("nan")
    lists_filled: int = 0
    list_date: object = None
    new_residents: float = 0.0
    catchment_min: float = 30.0


def gp_capacity(
    graph: WalkGraph,
    homes: Homes,
    gps: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    *,
    new_residents: float,
    catchment_min: float = 30.0,
    margin_m: float = 0.0,
) -> GpCapacity | None:
    """GP supply per 1,000 residents by 2SFCA over walk times, with the scheme's residents added.

    Parameters
    ----------
    graph
        Walk graph (EPSG:27700).
    homes
        The scheme's home points; ``new_residents`` are spread over them by weight and added
        to the demand.
    gps
        GP practices (EPSG:27700); a ``list_size`` column (:func:`hiap.data.gp_lists.
        add_list_sizes`) is the supply when present, else each practice counts 1. Unknown
        list sizes are set to the median of the known ones (counted in ``lists_filled``).
    population
        Population points (EPSG:27700) with a ``population`` column (LSOA centroids).
    new_residents
        Residents the scheme adds.
    catchment_min
        Walk catchment in minutes (4.8 km/h).
    margin_m
        Also score exactly the population points up to this far (straight line) from the
        homes, e.g. to map the areas around the scheme: practices and population are searched
        this much farther. The scheme's own scores do not depend on it.

    Returns
    -------
    GpCapacity or None
        ``None`` when no practice is within the catchment of any home.
    """
    limit_m = minutes_to_metres(catchment_min)
    hull = shapely.convex_hull(shapely.union_all(homes.points.geometry.to_numpy()))
    # Step 2 needs the practices a home reaches; their step-1 catchments reach as far again.
    near_gps = gps[gps.distance(hull) <= limit_m + margin_m]
    gp_dest = snap_destinations(graph, near_gps.geometry)
    on_net = _on_network(graph, near_gps)
    if len(gp_dest) == 0:
        return None
    pop = population[population.distance(hull) <= 2 * limit_m + margin_m]
    pop_on = _on_network(graph, pop)
    kept = pop[pop_on].reset_index(drop=True)
    pop_dest = snap_destinations(graph, kept.geometry)
    dropped = float(pop.loc[~pop_on, "population"].sum())
    to_pop = walk_matrix_m(graph, pop_dest.snapped, gp_dest.snapped, limit_m=limit_m)
    to_homes = walk_matrix_m(graph, homes.snapped, gp_dest.snapped, limit_m=limit_m)
    cost = np.asarray(metres_to_minutes(np.vstack([to_pop, to_homes])))  # (demand, practice)
    demand = np.concatenate([kept["population"].to_numpy(float), homes.weight * new_residents])
    has_list = "list_size" in near_gps and bool(near_gps["list_size"].notna().any())
    filled = 0
    if has_list:
        lists = near_gps.loc[on_net, "list_size"].to_numpy(float)
        unknown = ~np.isfinite(lists)
        filled_mask = unknown.copy()
        lists = np.where(unknown, float(np.nanmedian(near_gps["list_size"].to_numpy(float))), lists)
        supply = lists
    else:
        supply = np.ones(len(gp_dest))
        filled_mask = np.zeros(len(gp_dest), dtype=bool)
    n_pop = len(kept)
    per_1000: dict[str, float] = {}
    labels = [c for c in ("code", "name", "lad_name") if c in kept.columns]
    areas = kept[[*labels, "population", "geometry"]].copy()
    areas["complete"] = (kept.distance(hull) <= margin_m).to_numpy()
    home_frame = homes.points[["weight", "geometry"]].copy()
    home_frame["population"] = homes.weight * new_residents
    ones = np.ones(len(supply))
    for key, decay in (("2sfca", "none"), ("stepped", "stepped"), ("gaussian", "gaussian")):
        res = two_step_fca(cost, supply, demand, catchment=catchment_min, decay=decay)  # type: ignore[arg-type]
        per_1000[key] = float(np.sum(res.access[n_pop:] * homes.weight) * 1000.0)
        areas[f"access_{key}"] = res.access[:n_pop] * 1000.0
        home_frame[f"access_{key}"] = res.access[n_pop:] * 1000.0
        # the practice count per person too: its inverse is the planner's "1 practice per N people"
        counted = two_step_fca(cost, ones, demand, catchment=catchment_min, decay=decay)  # type: ignore[arg-type]
        areas[f"practices_per_person_{key}"] = counted.access[:n_pop]
        home_frame[f"practices_per_person_{key}"] = counted.access[n_pop:]
    in_reach = (cost[n_pop:] <= catchment_min).any(axis=0)
    reached = int(in_reach.sum())
    if reached == 0:
        return None

    def at_homes(res: TwoStepResult) -> float:
        return weighted_inverse(res.access[n_pop:], homes.weight)

    pressure = pressure_today = per_practice = float("nan")
    if has_list:
        today = demand.copy()
        today[n_pop:] = 0.0  # the homes are scored, but add nobody
        pressure = at_homes(two_step_fca(cost, supply, demand, catchment=catchment_min))
        pressure_today = at_homes(two_step_fca(cost, supply, today, catchment=catchment_min))
        per_practice = float(np.mean(supply[in_reach]))
        filled = int(filled_mask[in_reach].sum())
    return GpCapacity(
        per_1000=per_1000,
        practices=reached,
        dropped_population=dropped,
        areas=areas,
        supply_kind="list size" if has_list else "practice count",
        homes=home_frame,
        people_per_practice=weighted_inverse(
            home_frame["practices_per_person_2sfca"].to_numpy(float), homes.weight
        ),
        list_pressure=pressure,
        list_pressure_today=pressure_today,
        patients_per_practice=per_practice,
        lists_filled=filled,
        list_date=gps.attrs.get("list_date") if has_list else None,
        new_residents=float(new_residents),
        catchment_min=float(catchment_min),
    )


def weighted_inverse(rate: ArrayLike, weights: ArrayLike) -> float:
    """Invert a weighted mean 2SFCA score: people per practice, or per list place, for a group.

    The score is supply per person; a group's figure is 1 / its weighted mean score (not the
    mean of each place's inverse, which a place with almost no supply would swamp).

    Parameters
    ----------
    rate
        Each place's score per person (e.g. ``practices_per_person_2sfca``).
    weights
        Each place's weight (residents, or the homes' shares).

    Returns
    -------
    float
        ``sum(weights) / sum(weights * rate)``; NaN when the weights are zero or nothing is
        in reach.

    Examples
    --------
    >>> weighted_inverse([1 / 2000, 1 / 6000], [1000, 3000])
    4000.0
    """
    r = np.asarray(rate, dtype=float)
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    reached = float(np.dot(w, r))
    return total / reached if total > 0 and reached > 0 else float("nan")


def round_people(value: float) -> float:
    """Round a people-per-practice figure as hiap shows it on every screen.

    To the nearest 10 below 1,000, 100 below 10,000 and 500 above: the catchment and the
    population are not known more closely than that.

    Parameters
    ----------
    value
        People per GP practice.

    Returns
    -------
    float
        The rounded figure (NaN or infinity unchanged).

    Examples
    --------
    >>> round_people(9_123.0), round_people(12_260.0), round_people(437.0)
    (9100.0, 12500.0, 440.0)
    """
    if not math.isfinite(value):
        return value
    step = 10 if value < 1_000 else 100 if value < 10_000 else 500
    return float(round(value / step) * step)


def people_per_practice_text(value: float, *, catchment_min: float | None = None) -> str:
    """People per GP practice as text: the one format of ``gp_capacity_2sfca`` everywhere.

    The sentences, the indicator tables, the CLI and the Access page's map and table all show
    the figure through this function, so they show the same number.

    Parameters
    ----------
    value
        People per GP practice (infinite or NaN where no practice is in reach).
    catchment_min
        The walk catchment, named when no practice is in reach.

    Returns
    -------
    str
        ``"9,100"``; ``"no practice within 30 min"`` (or ``"no practice in reach"``).

    Examples
    --------
    >>> people_per_practice_text(9_123.0)
    '9,100'
    >>> people_per_practice_text(float("inf"), catchment_min=30)
    'no practice within 30 min'
    """
    if not math.isfinite(value) or value <= 0:
        return f"no practice within {catchment_min:g} min" if catchment_min else "no practice in reach"
    return f"{round_people(value):,.0f}"


def people_per_practice_phrase(value: float, *, catchment_min: float | None = None) -> str:
    """People per GP practice as a phrase for tables, tooltips and the CLI.

    Parameters
    ----------
    value
        People per GP practice (infinite or NaN where no practice is in reach).
    catchment_min
        The walk catchment, named when no practice is in reach.

    Returns
    -------
    str
        ``"about 1 GP practice per 9,100 people"``, or :func:`people_per_practice_text`'s
        "no practice within 30 min".

    Examples
    --------
    >>> people_per_practice_phrase(9_123.0)
    'about 1 GP practice per 9,100 people'
    """
    text = people_per_practice_text(value, catchment_min=catchment_min)
    return f"about 1 GP practice per {text} people" if text[0].isdigit() else text


def list_pressure_text(value: float) -> str:
    """List pressure as text (two decimals), the one format of it on every screen.

    Examples
    --------
    >>> list_pressure_text(1.1234)
    '1.12'
    """
    return f"{value:.2f}" if math.isfinite(value) else "-"


def capacity_sentences(result: GpCapacity) -> list[str]:
    """Say what a GP capacity result means, in the units a planner reads.

    Parameters
    ----------
    result
        From :func:`gp_capacity`.

    Returns
    -------
    list of str
        "About 1 GP practice per 9,000 people ...", then, with list sizes, "List pressure 1.12:
        12 % above today's lists ..." and the mean list of the practices in reach, then the
        method in one sentence.
    """
    walk = f"{result.catchment_min:.0f}-minute walk"
    lines: list[str] = []
    if np.isfinite(result.people_per_practice):
        lines.append(
            f"About 1 GP practice per {people_per_practice_text(result.people_per_practice)} people within "
            f"a {walk} of the scheme's homes ({result.practices} practices in reach)."
        )
    if np.isfinite(result.list_pressure):
        change = (result.list_pressure - 1.0) * 100.0
        side = "above" if change >= 0 else "below"
        when = f" ({result.list_date:%B %Y})" if result.list_date is not None else ""
        lines.append(
            f"List pressure {list_pressure_text(result.list_pressure)}: the population within a {walk} of these "
            f"practices, with the scheme's {result.new_residents:,.0f} new residents, is "
            f"{abs(change):.0f} % {side} today's registered lists{when}; without the scheme "
            f"{list_pressure_text(result.list_pressure_today)}."
        )
        lines.append(
            f"The practices in reach have on average {result.patients_per_practice:,.0f} "
            "registered patients each"
            + (
                f" ({result.lists_filled} without a published list counted at the median)."
                if result.lists_filled
                else "."
            )
        )
    lines.append(
        "Method: two-step floating catchment (Luo & Wang 2003). Each practice's registered list "
        "(or, without lists, the practice itself) is divided by the residents within a "
        f"{walk} of it, the scheme's new residents included; these ratios are summed over the "
        "practices within that walk of each home, and the result inverted: people per practice, "
        "or people per list place (list pressure)."
        if result.supply_kind == "list size"
        else "Method: two-step floating catchment (Luo & Wang 2003) over a count of practices "
        "(no list sizes available), the scheme's new residents included."
    )
    return lines


def _on_network(graph: WalkGraph, frame: gpd.GeoDataFrame) -> npt.NDArray[np.bool_]:
    if frame.empty:
        return np.zeros(0, dtype=bool)
    geoms = shapely.point_on_surface(frame.geometry.to_numpy())
    snapped = graph.network.snap(np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)]), to="edge")
    straight = snapped.offset_m if snapped.offset_m is not None else snapped.distance_m
    return np.asarray(straight <= MAX_SNAP_M)
