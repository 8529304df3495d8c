"""The equity picture of access: travel time by deprivation, and who a bus scenario brings in.

Which function to use when:

* :func:`times_by_imd_decile` -- population-weighted travel time and the share within 30
  minutes for each Index of Multiple Deprivation decile (1 = most deprived), with every decile
  listed so the ones the network does not cover are visible.
* :func:`equity_chart` -- a plotly bar chart of that table (no Streamlit here).
* :func:`newly_within` -- population brought within (or pushed beyond) a time threshold by a
  scenario, by IMD decile or overall.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from hiap.wording import count
from isochrones import summarise_access

__all__ = ["IMD_DECILES", "equity_chart", "newly_within", "times_by_imd_decile"]

IMD_DECILES = tuple(range(1, 11))
"""English IMD deciles, 1 = most deprived 10 %."""

_BAR = "#2171b5"
_EMPTY = "#bdbdbd"


def times_by_imd_decile(
    origins: pd.DataFrame,
    *,
    time_col: str = "time_min",
    population_col: str = "population",
    decile_col: str = "imd_decile",
    threshold_min: float = 30.0,
) -> pd.DataFrame:
    """Travel time to the nearest service by IMD decile, population weighted.

    Parameters
    ----------
    origins
        One row per origin with minutes (``inf``: not reached), residents and IMD decile.
    time_col, population_col, decile_col
        Column names.
    threshold_min
        The time for the "share within" column.

    Returns
    -------
    pandas.DataFrame
        Indexed by decile 1-10: ``origins``, ``population``, ``pop_weighted_mean_time_min``
        (reachable origins only), ``pop_share_within_<threshold>min``; deciles with no origin
        have zero origins and NaN values.
    """
    missing = [c for c in (time_col, population_col, decile_col) if c not in origins.columns]
    if missing:
        raise ValueError(
            f"times_by_imd_decile: columns {missing} are missing; have {list(origins.columns)}."
        )
    frame = origins[[time_col, population_col, decile_col]].copy()
    frame = frame[frame[decile_col].notna()]
    frame[decile_col] = frame[decile_col].astype(int)
    share_col = f"pop_share_within_{threshold_min:g}min"
    if frame.empty:
        table = pd.DataFrame(index=pd.Index(IMD_DECILES, name=decile_col))
    else:
        table = summarise_access(
            frame, population_col=population_col, by=decile_col, bands_min=[threshold_min],
            time_col=time_col,
        )
    table = table.reindex(pd.Index(IMD_DECILES, name=decile_col))
    out = pd.DataFrame(index=table.index)
    out["origins"] = table.get("origins", pd.Series(dtype=float)).fillna(0).astype(int)
    out["population"] = table.get("population", pd.Series(dtype=float)).fillna(0.0)
    out["pop_weighted_mean_time_min"] = table.get("pop_weighted_mean_time_min")
    out[share_col] = table.get(share_col)
    return out


def equity_chart(table: pd.DataFrame, *, title: str, mode_label: str = "Travel time") -> go.Figure:
    """Bar chart of population-weighted travel time by IMD decile.

    Parameters
    ----------
    table
        From :func:`times_by_imd_decile`.
    title
        Chart title (say which area and destination).
    mode_label
        What the time is (``"Walking time"``, ``"Public transport time"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per decile; deciles the network does not cover are drawn as grey stubs
        labelled "not covered".
    """
    deciles = [int(d) for d in table.index]
    values = table["pop_weighted_mean_time_min"].to_numpy(dtype=float)
    covered = table["origins"].to_numpy() > 0
    shown = np.where(covered & np.isfinite(values), values, 0.0)
    colours = [_BAR if c else _EMPTY for c in covered]
    text = [
        f"{v:.1f} min ({count(int(n), 'area')})" if c and np.isfinite(v) else "not covered"
        for v, n, c in zip(values, table["origins"], covered, strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=[str(d) for d in deciles], y=shown, marker_color=colours, text=text,
            textposition="outside",
            hovertemplate="IMD decile %{x}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis_title="IMD 2019 decile (1 = most deprived)",
        xaxis_type="category",
        yaxis_title=f"{mode_label}, population-weighted mean (min)",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        height=380,
    )
    return figure


def newly_within(
    baseline_min: pd.Series,
    scenario_min: pd.Series,
    population: pd.Series,
    *,
    groups: pd.Series | None = None,
    threshold_min: float = 30.0,
) -> pd.DataFrame:
    """Count the population within a time threshold before and after a scenario.

    Parameters
    ----------
    baseline_min, scenario_min
        Minutes per origin (same index; ``inf``: not reached).
    population
        Residents per origin.
    groups
        Group of each origin (e.g. IMD decile); ``None`` gives one row ``"all"``.
    threshold_min
        The time limit.

    Returns
    -------
    pandas.DataFrame
        Per group: ``population``, ``within_before``, ``within_after``, ``newly_within``,
        ``no_longer_within`` and ``net_change`` (residents).
    """
    if not (baseline_min.index.equals(scenario_min.index) and baseline_min.index.equals(population.index)):
        raise ValueError("newly_within: baseline, scenario and population must share one index.")
    before = baseline_min.to_numpy(float) <= threshold_min
    after = scenario_min.to_numpy(float) <= threshold_min
    pop = population.to_numpy(float)
    frame = pd.DataFrame(
        {
            "population": pop,
            "within_before": np.where(before, pop, 0.0),
            "within_after": np.where(after, pop, 0.0),
            "newly_within": np.where(after & ~before, pop, 0.0),
            "no_longer_within": np.where(before & ~after, pop, 0.0),
        },
        index=baseline_min.index,
    )
    if groups is None:
        table = frame.sum().to_frame("all").T
    else:
        table = frame.groupby(groups.to_numpy(), sort=True).sum()
        table.index.name = groups.name
    table["net_change"] = table["within_after"] - table["within_before"]
    return table
