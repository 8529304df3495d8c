"""GP capacity (2SFCA) for the access page: the table, and a run around Hampton on real data."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from hiap.access.capacity import gp_capacity_table, scheme_gp_capacity
from hiap.indicators.capacity import GpCapacity, capacity_sentences
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings

SETTINGS = get_settings()
HAMPTON_OSM = SETTINGS.data_dir / "osm" / "peterborough_hampton_2012.osm"


def test_gp_capacity_table_weights_by_population_and_skips_incomplete_areas() -> None:
    areas = gpd.GeoDataFrame(
        {"lad_name": ["Fenland", "Fenland", "Peterborough", "Peterborough"],
         "population": [1000.0, 3000.0, 2000.0, 5000.0], "complete": [True, True, True, False],
         "access_2sfca": [0.2, 0.6, 0.1, 9.0], "access_gaussian": [0.1, 0.3, 0.4, 9.0]},
        geometry=[Point(0, i) for i in range(4)], crs=27700,
    )
    homes = gpd.GeoDataFrame({"population": [300.0, 200.0]}, geometry=[Point(0, 0), Point(1, 1)], crs=27700)
    result = GpCapacity(per_1000={"2sfca": 0.25, "gaussian": 0.2}, practices=3, dropped_population=0.0,
                        areas=areas, supply_kind="practice count", homes=homes)
    table = gp_capacity_table(result, scheme_label="Scheme")
    assert list(table.index) == ["Scheme", "Surrounding area", "District: Fenland", "District: Peterborough"]
    assert table["population"].tolist() == [500.0, 6000.0, 4000.0, 2000.0]
    assert table["per_1000"].tolist() == pytest.approx([0.25, (200 + 1800 + 200) / 6000, 0.5, 0.1])
    gaussian = gp_capacity_table(result, score="gaussian")
    assert gaussian.loc["District: Peterborough", "per_1000"] == pytest.approx(0.4)


@pytest.mark.skipif(not HAMPTON_OSM.is_file(), reason="Hampton OSM missing")
def test_scheme_gp_capacity_around_hampton() -> None:
    scheme = load_sample_scheme("hampton", SETTINGS)
    result = scheme_gp_capacity(
        SETTINGS, scheme.boundary, osm_path=HAMPTON_OSM, new_residents=20060.0, margin_m=2000.0
    )
    assert result is not None and result.supply_kind == "list size"
    # registered list places per 1,000 residents within a 30-minute walk: with 20,060 new
    # residents the two practices in reach hold far fewer places than there are people
    assert 100 < result.per_1000["2sfca"] < 1000
    assert result.list_pressure == pytest.approx(1000 / result.per_1000["2sfca"])
    assert 1.0 < result.list_pressure_today < result.list_pressure
    assert result.people_per_practice > 5000 and result.patients_per_practice > 1000
    text = " ".join(capacity_sentences(result))
    assert "About 1 GP practice per" in text and "List pressure" in text and "(April 2026)" in text
    assert result.homes is not None and result.homes["population"].sum() == pytest.approx(20060.0)
    complete = result.areas[result.areas["complete"]]
    assert len(complete) >= 5 and complete["code"].str.startswith("E01").all()
    table = gp_capacity_table(result, score="gaussian")
    assert {"Scheme", "Surrounding area", "District: Peterborough"} <= set(table.index)
    assert table.loc["Scheme", "per_1000"] == pytest.approx(result.per_1000["gaussian"])
