"""A scenario result's CSV: written as the scenario page offers it, read back by `hiap report`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hiap.equity import newly_within
from hiap.errors import DataError
from hiap.reports.evidence import ScenarioResult, scenario_section
from hiap.reports.scenario_file import read_scenario_result, scenario_result_csv


def by_decile() -> ScenarioResult:
    base = pd.Series([40.0, 25.0, np.inf, 35.0])
    scen = pd.Series([28.0, 25.0, 29.0, 50.0])
    pop = pd.Series([1500.0, 1600.0, 1200.0, 1000.0])
    table = newly_within(base, scen, pop, groups=pd.Series([1, 1, 4, 9]), threshold_min=30.0)
    table.index.name = "imd_decile"
    return ScenarioResult(name="Hampton orbital, every 10 min", table=table, threshold_min=30.0,
                          destination="a GP surgery")


def test_round_trip_keeps_the_table_and_the_chapter(tmp_path: Path) -> None:
    original = by_decile()
    path = tmp_path / "scenario_result.csv"
    path.write_bytes(scenario_result_csv(original))
    back = read_scenario_result(path)
    assert back.name == original.name and back.threshold_min == 30.0 and back.mode == "public transport"
    assert list(back.table.index) == [1, 4, 9] and back.table.index.name == "imd_decile"
    pd.testing.assert_frame_equal(back.table, original.table.astype(float), check_index_type=False,
                                  check_names=False)
    assert scenario_section(back) == scenario_section(original)
    assert back.table["newly_within"].sum() == 1500.0 + 1200.0


def test_a_whole_area_row_reads_back(tmp_path: Path) -> None:
    table = newly_within(pd.Series([40.0]), pd.Series([20.0]), pd.Series([700.0]))
    path = tmp_path / "s.csv"
    path.write_bytes(scenario_result_csv(ScenarioResult(name="T12 every 4 min", table=table)))
    back = read_scenario_result(path)
    assert list(back.table.index) == ["all"] and back.table.loc["all", "newly_within"] == 700.0


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_scenario_result(tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,time_min\nE01,3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"lacks the columns.*Transport scenario page"):
        read_scenario_result(wrong)
    two = tmp_path / "two.csv"
    text = scenario_result_csv(by_decile()).decode()
    two.write_text(text + text.splitlines()[1].replace("Hampton orbital", "Other") + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="several values of 'scenario'"):
        read_scenario_result(two)
