"""GP capacity (2SFCA) for the access page: the table, and a run around Hampton on real data."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pytest
from shapely.geometry import Point

from hiap.access.capacity import capacity_points, gp_capacity_table, scheme_gp_capacity
from hiap.indicators.capacity import GpCapacity, capacity_sentences
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings

SETTINGS = get_settings()
HAMPTON_OSM = SETTINGS.data_dir / "osm" / "peterborough_hampton_2012.osm"


def test_gp_capacity_table_inverts_the_population_weighted_score_and_skips_incomplete_areas() -> None:
    areas = gpd.GeoDataFrame(
        {"lad_name": ["Fenland", "Fenland", "Peterborough", "Peterborough"],
         "population": [1000.0, 3000.0, 2000.0, 5000.0], "complete": [True, True, True, False],
         "practices_per_person_2sfca": [1 / 2000, 1 / 6000, 1 / 5000, 1.0],
         "practices_per_person_gaussian": [1 / 2500, 1 / 2500, 1 / 8000, 1.0],
         "access_2sfca": [800.0, 1250.0, 1000.0, 9.0], "access_gaussian": [1.0, 1.0, 1.0, 1.0]},
        geometry=[Point(0, i) for i in range(4)], crs=27700,
    )
    homes = gpd.GeoDataFrame(
        {"weight": [0.6, 0.4], "population": [300.0, 200.0],
         "practices_per_person_2sfca": [1 / 3000, 1 / 3000], "access_2sfca": [500.0, 1000.0],
         "practices_per_person_gaussian": [1 / 4000, 1 / 4000], "access_gaussian": [1.0, 1.0]},
        geometry=[Point(0, 0), Point(1, 1)], crs=27700,
    )
    result = GpCapacity(per_1000={"2sfca": 0.25, "gaussian": 0.2}, practices=3, dropped_population=0.0,
                        areas=areas, supply_kind="practice count", homes=homes)
    table = gp_capacity_table(result, scheme_label="Scheme")
    assert list(table.index) == ["Scheme", "Surrounding area", "District: Fenland", "District: Peterborough"]
    assert list(table.columns) == ["population", "people_per_practice"]
    assert table["population"].tolist() == [500.0, 6000.0, 4000.0, 2000.0]
    # 1 / weighted mean score: Fenland (1000/2000 + 3000/6000) / 4000 people -> 4,000
    assert table["people_per_practice"].tolist() == pytest.approx([3000.0, 6000 / 1.4, 4000.0, 5000.0])
    gaussian = gp_capacity_table(result, score="gaussian")
    assert gaussian.loc["District: Peterborough", "people_per_practice"] == pytest.approx(8000.0)
    assert gaussian.loc["Scheme", "people_per_practice"] == pytest.approx(4000.0)
    # with list sizes, list pressure: people per registered-list place (the score is per 1,000)
    listed = gp_capacity_table(replace(result, supply_kind="list size"))
    assert listed.loc["Scheme", "list_pressure"] == pytest.approx(1 / (0.6 * 0.5 + 0.4 * 1.0))
    assert listed.loc["District: Fenland", "list_pressure"] == pytest.approx(4000 / (800 + 3750))
    points = capacity_points(areas, score="2sfca", listed=True)
    assert points["people_per_practice"].tolist() == pytest.approx([2000.0, 6000.0, 5000.0, 1.0])
    assert points["list_pressure"].tolist() == pytest.approx([1.25, 0.8, 1.0, 1000 / 9])
    assert "people_per_practice" not in areas.columns  # the input is not changed


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
    table = gp_capacity_table(result)
    assert {"Scheme", "Surrounding area", "District: Peterborough"} <= set(table.index)
    # the scheme's row is the indicator's figure and the sentences'
    assert table.loc["Scheme", "people_per_practice"] == pytest.approx(result.people_per_practice)
    assert table.loc["Scheme", "list_pressure"] == pytest.approx(result.list_pressure)
    gaussian = gp_capacity_table(result, score="gaussian")
    assert gaussian.loc["Scheme", "list_pressure"] == pytest.approx(1000 / result.per_1000["gaussian"])
