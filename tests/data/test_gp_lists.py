"""Registered patients per GP practice: the NHS Digital list size files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from hiap.data.gp_lists import add_list_sizes, load_gp_list_sizes
from hiap.errors import DataError
from hiap.settings import Settings, get_settings


def _write(folder: Path, name: str, date: str, rows: list[tuple[str, str, str, int]]) -> None:
    lines = ["PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS"]
    lines += [f"GP_PRAC_PAT_LIST,{date},GP,{c},CB1 1AA,{s},{a},{n}" for c, s, a, n in rows]
    (folder / name).write_text("\n".join(lines) + "\n")


@pytest.fixture
def list_settings(tmp_path: Path) -> Settings:
    health = tmp_path / "health"
    health.mkdir()
    # the older file has the later name on purpose: the extract date decides, not the name
    _write(health, "nhs_gp_reg_pat_prac_all_zz_old.csv", "01JAN2021", [("D1", "ALL", "ALL", 900)])
    _write(
        health,
        "nhs_gp_reg_pat_prac_all_2026-04.csv",
        "2026-04-01",
        [("D1", "ALL", "ALL", 1000), ("D1", "MALE", "ALL", 480), ("D2", "ALL", "ALL", 2000)],
    )
    return get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")


def test_newest_extract_practice_totals(list_settings: Settings) -> None:
    sizes = load_gp_list_sizes(list_settings)
    assert sizes.set_index("code")["list_size"].to_dict() == {"D1": 1000, "D2": 2000}
    assert sizes.attrs["extract_date"] == dt.date(2026, 4, 1)
    old = load_gp_list_sizes(
        list_settings, path=list_settings.data_dir / "health" / "nhs_gp_reg_pat_prac_all_zz_old.csv"
    )
    assert old.attrs["extract_date"] == dt.date(2021, 1, 1)


def test_add_list_sizes_joins_by_code(list_settings: Settings) -> None:
    gps = gpd.GeoDataFrame(
        {"code": ["D2", "X9"]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:27700"
    )
    out = add_list_sizes(gps, list_settings)
    assert out["list_size"].iloc[0] == 2000.0 and out["list_size"].isna().iloc[1]
    assert out.attrs["list_date"] == dt.date(2026, 4, 1)
    assert "list_size" not in gps  # input untouched


def test_missing_and_bad_files(tmp_path: Path) -> None:
    empty = get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")
    (tmp_path / "health").mkdir()
    with pytest.raises(DataError, match="Patients Registered at a GP Practice"):
        load_gp_list_sizes(empty)
    gps = gpd.GeoDataFrame({"code": ["D2"]}, geometry=[Point(0, 0)], crs="EPSG:27700")
    assert "list_size" not in add_list_sizes(gps, empty)  # no file: practice count instead
    (tmp_path / "health" / "nhs_gp_reg_pat_prac_all_bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="missing; is it the right NHS Digital GP list size file"):
        load_gp_list_sizes(empty)


def test_real_lists_cover_the_icb(real_settings: Settings) -> None:
    if not list(real_settings.data_dir.glob("health/nhs_gp_reg_pat_prac_all_*.csv")):
        pytest.skip("no list size files in the data directory")
    sizes = load_gp_list_sizes(real_settings)
    assert sizes.attrs["extract_date"] >= dt.date(2026, 4, 1)
    assert len(sizes) > 50 and (sizes["list_size"] > 500).all()
