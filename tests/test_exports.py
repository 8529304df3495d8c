"""GeoPackage and CSV bytes for the download buttons, read back."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from hiap.exports import to_csv_bytes, to_geopackage_bytes


def _origins() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": pd.array(["E01", "E02"], dtype="string"), "time_min": [12.5, np.inf],
         "imd_decile": pd.array([3, None], dtype="Int64")},
        geometry=[Point(518000, 295000), Point(519000, 296000)], crs="EPSG:27700",
    )


def test_geopackage_round_trip(tmp_path: Path) -> None:
    bands = gpd.GeoDataFrame({"band_min": [5.0]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:27700")
    data = to_geopackage_bytes({"isochrones": bands, "origins": _origins(),
                                "empty": bands.iloc[0:0]})
    path = tmp_path / "out.gpkg"
    path.write_bytes(data)
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["isochrones", "origins"]
    origins = gpd.read_file(path, layer="origins")
    assert origins.crs.to_epsg() == 27700
    assert origins["time_min"].iloc[0] == 12.5 and np.isnan(origins["time_min"].iloc[1])


def test_geopackage_refuses_nothing() -> None:
    with pytest.raises(ValueError, match="empty"):
        to_geopackage_bytes({"a": _origins().iloc[0:0]})


def test_csv_has_lon_lat_and_blank_unreached() -> None:
    table = pd.read_csv(io.BytesIO(to_csv_bytes(_origins())))
    assert list(table.columns) == ["code", "time_min", "imd_decile", "lon", "lat"]
    assert table["lat"].between(52.0, 53.0).all() and table["lon"].between(-0.5, 0.0).all()
    assert np.isnan(table["time_min"].iloc[1])
