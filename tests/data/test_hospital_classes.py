"""Hospital classes: the shipped, sourced file and what "hospital" means by default."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from hiap.data.health import load_hospitals
from hiap.data.hospitals import (
    DEFAULT_HOSPITAL_CLASSES,
    HOSPITAL_CLASSES,
    classify_hospitals,
    read_hospital_classes,
)
from hiap.errors import DataError
from hiap.settings import Settings


def test_file_is_complete_and_sourced() -> None:
    table = read_hospital_classes()
    assert table["code"].is_unique
    assert set(table["hospital_class"]) == set(HOSPITAL_CLASSES)
    assert (table["source"].str.len() > 20).all()
    assert table["source_url"].str.startswith("https://").all()
    # type 1 A&E exactly for the acute_ae class
    assert ((table["hospital_class"] == "acute_ae") == (table["type1_ae"] == "yes")).all()
    row = table.set_index("code").loc["RGN90"]
    assert row["hospital_class"] == "acute_ae" and "Independent Sector" in row["note"]


def test_every_hospital_of_the_region_is_classified(real_settings: Settings) -> None:
    region = real_settings.data_dir / "health" / "hospitals_nhs_2022-03_CB_PE.csv"
    if not region.is_file():
        pytest.skip("the CB/PE hospital subset is not in the data directory")
    codes = set(pd.read_csv(region, usecols=["OrganisationCode"])["OrganisationCode"])
    assert codes <= set(read_hospital_classes()["code"])


def test_hospital_means_acute_with_type_1_ae(real_settings: Settings) -> None:
    county = box(505_000, 240_000, 570_000, 320_000)
    default = load_hospitals(real_settings, area=county)
    assert default.attrs["hospital_classes"] == list(DEFAULT_HOSPITAL_CLASSES)
    assert set(default["name"]) == {
        "Addenbrooke's",
        "Peterborough City Hospital",
        "Hinchingbrooke Hospital",
    }
    assert (default["hospital_class_label"] == HOSPITAL_CLASSES["acute_ae"]).all()
    assert default["has_ae"].all()
    everything = load_hospitals(real_settings, area=county, classes=None)
    names = set(everything["name"])
    assert {"Rosie Hospital", "Fulbourn Hospital", "Fitzwilliam Hospital"} <= names
    community = load_hospitals(real_settings, area=county, classes=["community", "acute"])
    assert set(community["hospital_class"]) == {"community", "acute"}
    assert "Royal Papworth Hospital" in set(community["name"])


def test_unknown_class_is_a_clear_error() -> None:
    frame = gpd.GeoDataFrame({"code": ["RGT01"]}, geometry=[Point(0, 0)], crs="EPSG:27700")
    with pytest.raises(DataError, match="choose from: acute_ae"):
        classify_hospitals(frame, classes=["private"])
    with pytest.raises(DataError, match="none given"):
        classify_hospitals(frame, classes=[])
    # the input is not changed
    out = classify_hospitals(frame, classes=None)
    assert "hospital_class" not in frame and out["hospital_class"].tolist() == ["acute_ae"]
