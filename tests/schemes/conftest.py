"""Fixtures for the scheme tests: small scheme files built in code in every supported format."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyogrio import write_dataframe

from hiap.settings import SHARED_DATA_DIR, Settings, get_settings

# A 300 m x 300 m site (9 ha) in Trumpington, south Cambridge, in British National Grid.
SITE_E, SITE_N, SITE_SIDE_M = 545_000.0, 254_000.0, 300.0
SITE_AREA_HA = SITE_SIDE_M**2 / 10_000


def bng_square(
    e: float = SITE_E, n: float = SITE_N, side_m: float = SITE_SIDE_M
) -> shapely.Polygon:
    return shapely.box(e, n, e + side_m, n + side_m)


def site_frame(crs: int = 27700, **attributes: object) -> gpd.GeoDataFrame:
    """The 9 ha site as one feature, in the given CRS."""
    frame = gpd.GeoDataFrame(
        {k: [v] for k, v in attributes.items()}, geometry=[bng_square()], crs=27700
    )
    return frame.to_crs(crs)


def route_frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A 2 km bus route with three stops, in BNG."""
    line = shapely.LineString(
        [(SITE_E, SITE_N), (SITE_E + 1000, SITE_N), (SITE_E + 1000, SITE_N + 1000)]
    )
    stops = [
        shapely.Point(SITE_E, SITE_N),
        shapely.Point(SITE_E + 1000, SITE_N),
        shapely.Point(SITE_E + 1000, SITE_N + 1000),
    ]
    return (
        gpd.GeoDataFrame(
            {"name": ["Route 1"], "kind": ["transport"], "headway_min": [15]},
            geometry=[line],
            crs=27700,
        ),
        gpd.GeoDataFrame({"name": ["A", "B", "C"]}, geometry=stops, crs=27700),
    )


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    return frame.to_crs(4326).to_json().encode()


def feature_collection(geometries: list[dict], properties: dict | None = None) -> bytes:
    features = [
        {"type": "Feature", "properties": properties or {}, "geometry": g} for g in geometries
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def polygon_lonlat(coords: list[tuple[float, float]]) -> dict:
    return {"type": "Polygon", "coordinates": [[list(c) for c in [*coords, coords[0]]]]}


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    for name, frame in layers.items():
        write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
    return path


def shapefile_zip(
    tmp: Path,
    frame: gpd.GeoDataFrame,
    *,
    stem: str = "site",
    drop: tuple[str, ...] = (),
    folder: str = "",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """Write a shapefile with pyogrio and zip its parts (minus ``drop`` suffixes)."""
    out = tmp / f"shp-{stem}"
    out.mkdir(exist_ok=True)
    write_dataframe(frame, out / f"{stem}.shp", driver="ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(out.iterdir()):
            if part.suffix.lower() not in drop:
                archive.write(part, folder + part.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def kml_bytes(tmp: Path, frame: gpd.GeoDataFrame) -> bytes:
    path = tmp / "scheme.kml"
    write_dataframe(frame.to_crs(4326), path, driver="KML")
    return path.read_bytes()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data_dir = SHARED_DATA_DIR if SHARED_DATA_DIR.is_dir() else tmp_path
    return get_settings(environ={}, data_dir=data_dir, cache_dir=tmp_path / "cache")


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        return get_settings(
            environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache", **overrides
        )

    return make
