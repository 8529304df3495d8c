"""Equity tables and chart: travel time by IMD decile and population newly within a threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hiap.equity import equity_chart, newly_within, times_by_imd_decile


def _origins() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time_min": [10.0, 20.0, 40.0, np.inf, 25.0],
            "population": [100.0, 300.0, 200.0, 50.0, 400.0],
            "imd_decile": [1, 1, 2, 2, 9],
        }
    )


def test_times_by_imd_decile_by_hand() -> None:
    table = times_by_imd_decile(_origins())
    assert list(table.index) == list(range(1, 11))
    # decile 1: (10*100 + 20*300) / 400 = 17.5; all within 30
    assert table.loc[1, "pop_weighted_mean_time_min"] == pytest.approx(17.5)
    assert table.loc[1, "pop_share_within_30min"] == pytest.approx(1.0)
    # decile 2: one reachable origin at 40 min (the unreachable one is out of the mean)
    assert table.loc[2, "pop_weighted_mean_time_min"] == pytest.approx(40.0)
    assert table.loc[2, "pop_share_within_30min"] == pytest.approx(0.0)
    assert table.loc[2, "population"] == pytest.approx(250.0)
    assert table.loc[9, "origins"] == 1
    assert table.loc[5, "origins"] == 0 and table.loc[[5], "pop_weighted_mean_time_min"].isna().all()


def test_times_by_imd_decile_names_missing_columns() -> None:
    with pytest.raises(ValueError, match="imd_decile"):
        times_by_imd_decile(_origins().drop(columns="imd_decile"))


def test_equity_chart_marks_uncovered_deciles() -> None:
    figure = equity_chart(times_by_imd_decile(_origins()), title="Walk to GP")
    bar = figure.data[0]
    assert list(bar.x) == [str(d) for d in range(1, 11)]
    assert bar.y[0] == pytest.approx(17.5)
    assert bar.text[4] == "not covered" and bar.text[0].startswith("17.5 min (2 areas)")
    assert bar.marker.color[4] != bar.marker.color[0]
    assert figure.layout.title.text == "Walk to GP"


def test_newly_within_by_group_by_hand() -> None:
    base = pd.Series([40.0, np.inf, 20.0, 35.0])
    scen = pd.Series([25.0, 28.0, 20.0, 31.0])
    pop = pd.Series([100.0, 50.0, 70.0, 10.0])
    groups = pd.Series([1, 1, 2, 2], name="imd_decile")
    table = newly_within(base, scen, pop, groups=groups, threshold_min=30)
    assert table.loc[1, "newly_within"] == 150.0
    assert table.loc[2, "newly_within"] == 0.0
    assert table.loc[2, "within_before"] == 70.0
    assert table["net_change"].sum() == 150.0
    overall = newly_within(scen, base, pop, threshold_min=30)
    assert overall.loc["all", "no_longer_within"] == 150.0
    assert overall.loc["all", "net_change"] == -150.0


def test_newly_within_rejects_mismatched_index() -> None:
    with pytest.raises(ValueError, match="one index"):
        newly_within(pd.Series([1.0]), pd.Series([1.0], index=[5]), pd.Series([1.0]))
