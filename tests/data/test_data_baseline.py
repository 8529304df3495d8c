"""The health baseline loaders, on the real files in the shared data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.data.baseline import (
    ENGLAND_CODE,
    load_life_expectancy,
    load_qof_prevalence,
    load_smoking_prevalence,
    missing_indicators,
    msoa_points,
)
from hiap.errors import DataError
from hiap.settings import Settings


def test_life_expectancy_region(real_settings: Settings) -> None:
    le = load_life_expectancy(real_settings)
    assert le.attrs["period"] == "2016 to 2020" and le.attrs["licence"] == "OGL v3"
    # 98 MSOAs x 3 sexes, less the 2 rows ONS left blank.
    assert len(le) == 98 * 3 - 2 and le.attrs["blank_rows"] == 2
    assert le["msoa_code"].nunique() == 98 and le["lad_code"].nunique() == 6
    male = le[le["sex"] == "Male"].groupby("lad_name")["le_years"].median()
    # SOURCES.md: male medians Fenland 81.0, Peterborough 81.3, South Cambs 85.0.
    assert male["Fenland"] == pytest.approx(81.0, abs=0.05)
    assert male["Peterborough"] == pytest.approx(81.3, abs=0.05)
    assert male["South Cambridgeshire"] == pytest.approx(85.0, abs=0.05)
    assert (le["le_lci_years"] <= le["le_years"]).all()
    assert (le["le_years"] <= le["le_uci_years"]).all()


def test_life_expectancy_england(real_settings: Settings) -> None:
    england = load_life_expectancy(real_settings, england=True)
    assert england["msoa_code"].str.startswith("E02").all()  # Welsh MSOAs left out
    assert england["msoa_code"].nunique() > 6700
    fenland = england[england["msoa_name"] == "Fenland 001"]
    assert set(fenland["lad_name"]) == {"Fenland"}
    female = england[england["sex"] == "Female"]["le_years"].median()
    male = england[england["sex"] == "Male"]["le_years"].median()
    assert 84 < female < 87 and 81 < male < 84 and female > male


def test_qof_prevalence(real_settings: Settings) -> None:
    qof = load_qof_prevalence(real_settings)
    assert len(qof) == 6 * 21
    obesity = qof[qof["condition_code"] == "OB"].set_index("lad_name")["prevalence_pct"]
    assert (obesity > 2).all() and (obesity < 20).all()  # register / whole list
    assert obesity["Fenland"] > obesity["Cambridge"]
    assert set(qof["condition"]) >= {"Obesity (18+)", "Diabetes (17+)", "Depression (18+)"}


def test_smoking_prevalence(real_settings: Settings) -> None:
    smoking = load_smoking_prevalence(real_settings)
    assert set(smoking["area_type"]) == {"District", "UA", "County", "England"}
    england = smoking[smoking["area_code"] == ENGLAND_CODE]
    assert england["period"].tolist()[0] == "2013/14" and len(england) == 10
    assert smoking.attrs["period"] == "2022/23"
    assert ((smoking["value_pct"] > 3) & (smoking["value_pct"] < 30)).all()


def test_msoa_points(real_settings: Settings) -> None:
    points = msoa_points(real_settings)
    assert len(points) == 98 and points.crs.to_epsg() == 27700
    le_codes = set(load_life_expectancy(real_settings)["msoa_code"])
    assert set(points["msoa_code"]) == le_codes  # every MSOA with a value has a point
    assert points["population"].sum() > 800_000
    assert points["imd_decile_mean"].between(1, 10).all()


def test_missing_indicators_name_the_source(real_settings: Settings) -> None:
    missing = {m.dataset: m for m in missing_indicators(real_settings)}
    assert {"census_car_availability", "census_disability", "census_age", "imd"} <= set(missing)
    assert missing["census_car_availability"].source_url.startswith("https://www.nomisweb")


def test_missing_file_names_the_remedy(empty_settings: Settings) -> None:
    with pytest.raises(DataError, match=r"life_expectancy_msoa|health"):
        load_life_expectancy(empty_settings)


def test_wrong_columns_are_named(empty_settings: Settings) -> None:
    folder = Path(empty_settings.data_dir) / "health"
    folder.mkdir()
    (folder / "hoc_qof_modelled_prevalence_lad_2019-20.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="missing; is it the right file"):
        load_qof_prevalence(empty_settings)
