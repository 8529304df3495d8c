"""Access indicators for populated origins, in the spirit of the DfT Journey Time Statistics.

Which function to use when:

* :func:`origin_access` -- per origin: minutes to the nearest destination, which one, and how
  many destinations are reachable within each band (15/30/45/60 minutes by default).
* :func:`straight_line_access` -- the same table where no walk network covers the place: the
  straight line stretched by a circuity factor (the labelled fallback of
  :class:`isochrones.transit.FallbackWalk`); a new path cannot shorten such a walk.
* :func:`summarise_access` -- turn that table (plus a population column) into indicators for
  the whole area or per group (district, LSOA, IMD decile): simple and population-weighted
  mean minimum time, share of the population within each band, services reachable.

Origins that cannot reach any destination within the cutoff keep an infinite time: they
count as *not* within any band and are left out of the means (their number is reported). So
``mean_time_min`` and ``pop_weighted_mean_time_min`` average the *reachable origins only*;
read them together with ``unreachable_origins`` and the population shares, which do count
every origin. A missing (NaN) population is an error, never silently taken as zero.

Origins *excluded* by the snapping rule (farther than ``exclude_beyond_m`` from any walkable
edge: outside the mapped network, see :meth:`~isochrones.network.WalkNetwork.snap`) are
different: they are not measured at all, carry their reason in ``excluded_reason``, and are
left out of every indicator (counted in ``excluded_origins`` / ``excluded_population``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from isochrones.errors import RoutingInputError
from isochrones.network import WALK_SPEED_KPH, WalkNetwork, kph_to_mps
from isochrones.travel_times import (
    JTS_BANDS_MIN,
    count_within,
    nearest_destination,
    od_matrix,
)

__all__ = [
    "origin_access",
    "straight_line_access",
    "summarise_access",
]


def _band_label(band: float) -> str:
    return f"{band:g}min"


def origin_access(
    network: WalkNetwork,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    speed_kph: float = WALK_SPEED_KPH,
    bands_min: Sequence[float] = JTS_BANDS_MIN,
    cutoff_min: float | None = None,
    count_reachable: bool = True,
    snap_to: Literal["node", "edge"] = "node",
    exclude_beyond_m: float | None = None,
) -> pd.DataFrame:
    """Measure the walking access of every origin to a set of destinations.

    Parameters
    ----------
    network
        The walk network.
    origins, destinations
        Points in the network CRS.
    speed_kph
        Walking speed.
    bands_min
        Bands for the reachable counts, in minutes.
    cutoff_min
        Search limit for the nearest destination (``None``: whole network).
    count_reachable
        Also count destinations within each band (one search per destination).
    snap_to
        Attach origins and destinations to the nearest node or edge (see
        :meth:`~isochrones.network.WalkNetwork.snap`, whose rule keeps them off trunk roads).
    exclude_beyond_m
        Origins farther than this from the network are excluded, not routed
        (:data:`~isochrones.network.EXCLUDE_BEYOND_M`, 500 m, is the usual setting); None
        routes every origin. Destinations are never excluded.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``time_min`` (``inf`` when none is reachable, ``NaN`` when
        excluded), ``nearest`` (position in ``destinations``, -1 if none), ``snap_m``
        (origin's straight-line distance to the network), ``excluded`` and
        ``excluded_reason`` (plain words, missing for measured origins) and
        ``reachable_<band>min`` counts.
    """
    if len(destinations) == 0:
        raise RoutingInputError("No destinations were given: nothing to measure access to.")
    snapped_orig = network.snap(origins, to=snap_to, exclude_beyond_m=exclude_beyond_m)
    snapped_dest = network.snap(destinations, to=snap_to)
    nearest = nearest_destination(network, snapped_dest, speed_kph=speed_kph, cutoff_min=cutoff_min)
    time_s, dest = nearest.for_points(snapped_orig)
    excluded = (
        snapped_orig.excluded
        if snapped_orig.excluded is not None
        else np.zeros(len(origins), dtype=bool)
    )
    reasons = pd.Series(pd.NA, index=origins.index, dtype="string")
    listed = snapped_orig.exclusions()
    reasons.iloc[listed["row"].to_numpy()] = listed["reason"].to_numpy()
    frame = pd.DataFrame(
        {
            "time_min": np.where(excluded, np.nan, time_s / 60.0),
            "nearest": dest,
            "snap_m": (
                snapped_orig.offset_m
                if snapped_orig.offset_m is not None
                else snapped_orig.distance_m
            ),
            "excluded": excluded,
            "excluded_reason": reasons,
        },
        index=origins.index,
    )
    if count_reachable:
        bands = list(bands_min)
        od = od_matrix(
            network, snapped_orig, snapped_dest, speed_kph=speed_kph, cutoff_min=max(bands)
        )
        counts = count_within(od, bands_min=bands)
        for j, band in enumerate(bands):
            frame[f"reachable_{_band_label(band)}"] = counts[:, j]
    return frame


def straight_line_access(
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    circuity: float,
    speed_kph: float = WALK_SPEED_KPH,
    bands_min: Sequence[float] = JTS_BANDS_MIN,
) -> pd.DataFrame:
    """Measure walking access without a network: the straight line times ``circuity``.

    An explicit approximation for places no walk network covers (use the factor of
    :class:`isochrones.transit.FallbackWalk`, 1.3, and say so wherever the result is shown):
    it cannot see rivers, railways or missing crossings, nor the paths a scheme adds.

    Parameters
    ----------
    origins, destinations
        Points (or shapes, at a point on their surface) in one projected CRS, metres.
    circuity
        Walked metres per straight-line metre (at least 1).
    speed_kph
        Walking speed.
    bands_min
        Bands for the reachable counts, in minutes.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``, the columns of :func:`origin_access`: ``time_min``,
        ``nearest``, ``snap_m`` (0: no network to join), ``excluded`` (all False),
        ``excluded_reason`` and ``reachable_<band>min``.
    """
    if len(destinations) == 0:
        raise RoutingInputError("No destinations were given: nothing to measure access to.")
    if not circuity >= 1.0 or not speed_kph > 0:
        raise RoutingInputError(f"circuity must be >= 1 and speed_kph > 0, got {circuity!r}, {speed_kph!r}.")
    o = shapely.point_on_surface(np.asarray(origins.geometry.to_numpy(), dtype=object))
    d = shapely.point_on_surface(np.asarray(destinations.geometry.to_numpy(), dtype=object))
    oxy = np.column_stack([shapely.get_x(o), shapely.get_y(o)]) if len(o) else np.zeros((0, 2))
    dxy = np.column_stack([shapely.get_x(d), shapely.get_y(d)])
    metres_per_min = kph_to_mps(speed_kph) * 60.0
    straight = np.hypot(oxy[:, None, 0] - dxy[None, :, 0], oxy[:, None, 1] - dxy[None, :, 1])
    minutes = straight * circuity / metres_per_min
    frame = pd.DataFrame(
        {
            "time_min": minutes.min(axis=1) if len(oxy) else np.zeros(0),
            "nearest": minutes.argmin(axis=1).astype(np.int64) if len(oxy) else np.zeros(0, np.int64),
            "snap_m": 0.0,
            "excluded": False,
            "excluded_reason": pd.Series(pd.NA, index=origins.index, dtype="string"),
        },
        index=origins.index,
    )
    for band in bands_min:
        frame[f"reachable_{_band_label(band)}"] = (minutes <= band).sum(axis=1).astype(np.int64)
    return frame


def _measured(access: pd.DataFrame) -> pd.Series:
    """Boolean mask of the origins that were routed (not excluded by the snapping rule)."""
    if "excluded" not in access:
        return pd.Series(True, index=access.index)
    return ~access["excluded"].fillna(False).astype(bool)


def _summarise(
    group: pd.DataFrame, *, time_col: str, population_col: str | None, bands: Sequence[float]
) -> pd.Series:
    measured = _measured(group).to_numpy()
    left_out = group[~measured]
    group = group[measured]
    t = group[time_col].to_numpy(dtype=np.float64)
    finite = np.isfinite(t)
    if population_col is not None:
        pop = group[population_col].to_numpy(dtype=np.float64)
    else:
        pop = np.ones(len(t))
    out: dict[str, float] = {
        "origins": float(len(t)),
        "population": float(pop.sum()),
        "unreachable_origins": float((~finite).sum()),
        "excluded_origins": float(len(left_out)),
        "excluded_population": (
            float(pd.to_numeric(left_out[population_col]).sum())
            if population_col is not None
            else float(len(left_out))
        ),
        "mean_time_min": float(t[finite].mean()) if finite.any() else np.nan,
        "pop_weighted_mean_time_min": (
            float(np.average(t[finite], weights=pop[finite]))
            if finite.any() and pop[finite].sum() > 0
            else np.nan
        ),
    }
    total = pop.sum()
    for band in bands:
        within = pop[t <= band].sum()
        out[f"pop_share_within_{_band_label(band)}"] = (
            float(within / total) if total > 0 else np.nan
        )
    for col in group.columns:
        if col.startswith("reachable_") and total > 0:
            out[f"pop_weighted_{col}"] = float(np.average(group[col], weights=pop))
    return pd.Series(out)


def summarise_access(
    access: pd.DataFrame,
    *,
    population_col: str | None = "population",
    by: str | Sequence[str] | None = None,
    bands_min: Sequence[float] = JTS_BANDS_MIN,
    time_col: str = "time_min",
) -> pd.DataFrame:
    """Summarise per-origin access into area indicators.

    Parameters
    ----------
    access
        Per-origin table with ``time_col`` (minutes), optional ``reachable_*`` counts, the
        population column and the grouping columns (e.g. :func:`origin_access` joined to the
        origins' attributes).
    population_col
        Column of residents per origin; ``None`` weights every origin equally.
    by
        Column(s) to group by (district, LSOA, IMD decile); ``None`` for one overall row.
    bands_min
        Bands for the population shares, in minutes.
    time_col
        Column holding minutes to the nearest destination.

    Returns
    -------
    pandas.DataFrame
        One row per group (or one row ``"all"``): ``origins``, ``population`` (both of the
        measured origins), ``unreachable_origins``, ``excluded_origins`` and
        ``excluded_population`` (left out by the snapping rule), ``mean_time_min`` and ``pop_weighted_mean_time_min`` (both
        over the reachable origins only: unreachable ones are left out, not counted as
        infinite; ``NaN`` when none is reachable), ``pop_share_within_<band>min`` (share of the
        whole population, unreachable origins included) and
        ``pop_weighted_reachable_<band>min``.

    Raises
    ------
    RoutingInputError
        When a column is missing, or the population column has negative or missing values.
    """
    missing = [c for c in [time_col, population_col] if c is not None and c not in access]
    by_cols = [by] if isinstance(by, str) else list(by or [])
    missing += [c for c in by_cols if c not in access]
    if missing:
        raise RoutingInputError(
            f"Columns missing from the access table: {missing}; available: {list(access.columns)}."
        )
    if population_col is not None:
        pop = pd.to_numeric(access[population_col], errors="coerce")
        # Explicit rather than zero: a NaN would turn every share into NaN, and guessing 0
        # would quietly drop residents from the indicators.
        if pop.isna().any():
            bad = access.index[pop.isna().to_numpy()][:5].tolist()
            raise RoutingInputError(
                f"Column {population_col!r} has {int(pop.isna().sum())} missing or non-numeric "
                f"populations (first at index {bad}); fill them (0 for an empty area) or drop "
                "those origins."
            )
        if (pop < 0).any():
            raise RoutingInputError(f"Column {population_col!r} has negative populations.")
    bands = list(bands_min)
    cols = [
        c
        for c in access.columns
        if c in (time_col, "excluded") or c.startswith("reachable_")
    ]
    if population_col is not None:
        cols.append(population_col)
    if not by_cols:
        row = _summarise(
            access[cols], time_col=time_col, population_col=population_col, bands=bands
        )
        return row.to_frame("all").T
    parts = {
        key: _summarise(group[cols], time_col=time_col, population_col=population_col, bands=bands)
        for key, group in access.groupby(by_cols, sort=True, dropna=False)
    }
    result = pd.DataFrame.from_dict(parts, orient="index")
    result.index = (
        pd.MultiIndex.from_tuples(list(parts), names=by_cols)
        if len(by_cols) > 1
        else pd.Index([k[0] if isinstance(k, tuple) else k for k in parts], name=by_cols[0])
    )
    return result
