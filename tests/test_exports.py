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
    layers = set(pyogrio.list_layers(path)[:, 0]) - {"layer_styles"}
    assert sorted(layers) == ["isochrones", "origins"]
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


def test_geopackage_carries_qgis_styles(tmp_path: Path) -> None:
    import sqlite3
    import xml.etree.ElementTree as ET

    # Given in WGS84 and with a unit-less "time" column: written in EPSG:27700 as time_min.
    bands = gpd.GeoDataFrame(
        {"band_min": [5.0, 10.0, 15.0]},
        geometry=[box(0.10, 52.20, 0.11 + i / 100, 52.21 + i / 100) for i in range(3)],
        crs="EPSG:4326",
    )
    gps = gpd.GeoDataFrame(
        {"code": ["D81001"], "name": ["Surgery"], "time": [3.0]},
        geometry=[Point(545000, 258000)], crs="EPSG:27700",
    )
    hospitals = gpd.GeoDataFrame(
        {"code": ["RGT01"], "name": ["Addenbrooke's"], "has_ae": [True]},
        geometry=[Point(546000, 255000)], crs="EPSG:27700",
    )
    path = tmp_path / "styled.gpkg"
    path.write_bytes(
        to_geopackage_bytes({"isochrones": bands, "gp_practices": gps, "hospitals": hospitals})
    )
    for layer in ("isochrones", "gp_practices", "hospitals"):
        assert gpd.read_file(path, layer=layer).crs.to_epsg() == 27700
    assert "time_min" in gpd.read_file(path, layer="gp_practices").columns

    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, useAsDefault "
            "FROM layer_styles ORDER BY f_table_name"
        ).fetchall()
        geometry_columns = dict(
            conn.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
    styles = {name: (column, qml, sld, default) for name, column, qml, sld, default in rows}
    assert set(styles) == {"isochrones", "gp_practices", "hospitals"}
    for name, (column, qml, sld, default) in styles.items():
        assert qml.startswith("<!DOCTYPE qgis")
        assert column == geometry_columns[name] and default == 1
        ET.fromstring(sld)  # well-formed SLD

    band_qml = ET.fromstring(styles["isochrones"][1].split(">", 1)[1])
    renderer = band_qml.find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "band_min"
    assert [c.get("value") for c in renderer.iter("category")] == ["5", "10", "15"]
    colours = [
        o.get("value") for o in renderer.iter("Option") if o.get("name") == "color"
    ]
    assert len(set(colours)) == 3  # one colour per band

    def marker(layer: str) -> dict[str, str]:
        tree = ET.fromstring(styles[layer][1].split(">", 1)[1])
        return {o.get("name"): o.get("value") for o in tree.iter("Option") if o.get("name")}

    assert marker("gp_practices")["name"] == "circle"
    assert marker("hospitals")["name"] == "square"
    assert marker("gp_practices")["color"] != marker("hospitals")["color"]
