"""Validation reports every problem at once, with its remedy, and repairs what it can."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes import read_scheme
from hiap.settings import Settings
from tests.schemes.conftest import (
    bng_square,
    feature_collection,
    geojson_bytes,
    polygon_lonlat,
    route_frames,
    shapefile_zip,
    site_frame,
    write_gpkg,
)

# A roughly 700 m x 700 m site near Cambridge in WGS84 (lon, lat).
CAMBRIDGE_SITE = [(0.110, 52.170), (0.120, 52.170), (0.120, 52.176), (0.110, 52.176)]


def _problems(data: bytes, filename: str, settings: Settings, **kwargs: object) -> list[str]:
    with pytest.raises(SchemeError) as info:
        read_scheme(data, filename=filename, settings=settings, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def test_self_intersecting_polygon_is_repaired_and_noted(settings: Settings) -> None:
    bowtie = [(0.110, 52.170), (0.120, 52.176), (0.120, 52.170), (0.110, 52.176)]
    scheme = read_scheme(
        feature_collection([polygon_lonlat(bowtie)]), filename="bowtie.geojson", settings=settings
    )
    assert scheme.boundary is not None
    assert bool(scheme.boundary.geometry.is_valid.all())
    assert scheme.boundary.geometry[0].geom_type == "MultiPolygon"
    note = next(n for n in scheme.notes if "make_valid" in n)
    assert "Self-intersection" in note and "Check the repaired outline" in note
    # Two triangles, each a quarter of the 0.01 x 0.006 degree box.
    box_ha = shapely.box(0.110, 52.170, 0.120, 52.176)
    full = gpd.GeoSeries([box_ha], crs=4326).to_crs(27700).area[0] / 10_000
    assert scheme.area_ha == pytest.approx(full / 2, rel=0.01)


def test_swapped_coordinates(settings: Settings) -> None:
    swapped = [(lat, lon) for lon, lat in CAMBRIDGE_SITE]
    [problem] = _problems(
        feature_collection([polygon_lonlat(swapped)]), "swapped.geojson", settings
    )
    assert "look swapped" in problem
    assert "longitude first" in problem


def test_outside_great_britain(settings: Settings) -> None:
    paris = [(2.35, 48.85), (2.36, 48.85), (2.36, 48.86), (2.35, 48.86)]
    [problem] = _problems(feature_collection([polygon_lonlat(paris)]), "paris.geojson", settings)
    assert "outside Great Britain" in problem
    assert "longitude 2.3500 to 2.3600" in problem


def test_british_national_grid_metres_in_geojson(settings: Settings) -> None:
    square = bng_square()
    data = feature_collection([shapely.geometry.mapping(square)])
    [problem] = _problems(data, "bng.geojson", settings)
    assert "are not degrees" in problem
    assert "British National Grid" in problem
    assert "RFC 7946" in problem


def test_shapefile_without_prj(tmp_path: Path, settings: Settings) -> None:
    data = shapefile_zip(tmp_path, site_frame(), drop=(".prj",))
    [problem] = _problems(data, "noprj.zip", settings)
    assert "no .prj file" in problem
    assert "EPSG:27700" in problem


def test_geopackage_without_crs(tmp_path: Path, settings: Settings) -> None:
    frame = site_frame().set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = write_gpkg(tmp_path / "nocrs.gpkg", {"site": frame})
    with pytest.raises(SchemeError, match="declares no coordinate system"):
        read_scheme(path, settings=settings)


def test_swapped_projected_coordinates_outside_gb(tmp_path: Path, settings: Settings) -> None:
    # Northings and eastings exchanged for a site in Shetland: N 1,150,000 as an easting
    # falls far out at sea, east of GB; swapped back it is in GB.
    square = shapely.box(1_150_000, 445_000, 1_150_300, 445_300)
    path = write_gpkg(
        tmp_path / "swap.gpkg", {"site": gpd.GeoDataFrame(geometry=[square], crs=27700)}
    )
    with pytest.raises(SchemeError, match="with x and y exchanged it would fall in Great Britain"):
        read_scheme(path, settings=settings)


@pytest.mark.parametrize(
    ("side_m", "expected"),
    [(20.0, "under the 0.1 ha minimum"), (12_000.0, "over the 100 km² maximum")],
)
def test_absurd_sizes(side_m: float, expected: str, tmp_path: Path, settings: Settings) -> None:
    frame = gpd.GeoDataFrame(geometry=[bng_square(side_m=side_m)], crs=27700)
    path = write_gpkg(tmp_path / "size.gpkg", {"site": frame})
    with pytest.raises(SchemeError, match=expected):
        read_scheme(path, settings=settings)


def test_no_polygons_for_a_housing_scheme(settings: Settings) -> None:
    line, _ = route_frames()
    data = geojson_bytes(line.drop(columns=["kind", "headway_min"]))
    [problem] = _problems(data, "route.geojson", settings, kind="housing")
    assert "No polygons" in problem
    assert "choose kind 'transport'" in problem


def test_no_lines_for_a_transport_scheme(settings: Settings) -> None:
    [problem] = _problems(geojson_bytes(site_frame()), "site.geojson", settings, kind="transport")
    assert "No lines" in problem


def test_points_only(settings: Settings) -> None:
    _, stops = route_frames()
    with pytest.raises(SchemeError, match="only 0 polygon"):
        read_scheme(geojson_bytes(stops), filename="stops.geojson", settings=settings)


def test_every_problem_is_reported_together(settings: Settings) -> None:
    swapped = [(lat, lon) for lon, lat in CAMBRIDGE_SITE]
    data = feature_collection(
        [polygon_lonlat(swapped)], {"dwellings": -5, "phasing_year": 1850, "headway_min": 10}
    )
    problems = _problems(data, "many.geojson", settings)
    assert len(problems) == 4
    text = "\n".join(problems)
    for part in (
        "look swapped",
        "'dwellings'",
        "'phasing_year'",
        "headway_min describe a transport service",
    ):
        assert part in text
    with pytest.raises(SchemeError) as info:
        read_scheme(data, filename="many.geojson", settings=settings)
    assert str(info.value).startswith("many.geojson: 4 problems found:")


def test_unknown_metadata_field_is_rejected(settings: Settings) -> None:
    problems = _problems(geojson_bytes(site_frame()), "a.geojson", settings, metadata={"homes": 5})
    assert problems == [
        "Unknown scheme metadata field 'homes'; the fields are: name, kind, dwellings, "
        "persons_per_dwelling, phasing_year, description, source, mode, headway_min, "
        "first_departure, last_departure, days."
    ]


def test_null_geometries_are_ignored_and_noted(settings: Settings) -> None:
    doc = json.loads(feature_collection([polygon_lonlat(CAMBRIDGE_SITE)]))
    doc["features"].append({"type": "Feature", "properties": {}, "geometry": None})
    scheme = read_scheme(json.dumps(doc).encode(), filename="nulls.geojson", settings=settings)
    assert any("1 feature(s) without usable geometry" in note for note in scheme.notes)


def test_geometry_collection_is_split(settings: Settings) -> None:
    line, _ = route_frames()
    collection = {
        "type": "GeometryCollection",
        "geometries": [
            polygon_lonlat(CAMBRIDGE_SITE),
            line.to_crs(4326).geometry[0].__geo_interface__,
        ],
    }
    scheme = read_scheme(feature_collection([collection]), filename="gc.geojson", settings=settings)
    assert scheme.kind == "mixed"
    assert scheme.boundary is not None and scheme.lines is not None


def test_implausible_density_is_noted(settings: Settings) -> None:
    scheme = read_scheme(
        geojson_bytes(site_frame()), filename="dense.geojson", settings=settings, dwellings=5000
    )
    assert any("dwellings per hectare" in note for note in scheme.notes)


def test_input_frames_are_held_in_bng_and_inputs_not_mutated(settings: Settings) -> None:
    frame = site_frame(4326, name="Keep me")
    before = frame.copy()
    read_scheme(geojson_bytes(frame), filename="x.geojson", settings=settings)
    assert frame.equals(before)
