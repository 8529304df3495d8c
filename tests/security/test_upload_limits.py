"""Uploads built to exhaust the server (memory, CPU) or to reach its files through a reader.

Each file is small and would be huge or slow to read without hiap's limit, so a test that
finishes at all shows the limit stopped it before the work; each asserts the message says what
was refused and shows no server path.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes import gpkg as gpkg_module
from hiap.schemes import read_scheme, safety
from hiap.schemes.gpkg import _date
from hiap.schemes.readers import read_raw
from hiap.schemes.safety import MAX_ATTRIBUTE_COLUMNS, MAX_RINGS, MAX_RINGS_PER_FEATURE
from hiap.settings import Settings, get_settings
from tests.security.hostile import (
    MERCATOR_WITH_PROJ4,
    dbf,
    gp_polygon,
    gpkg,
    polygon_record,
    rewrite_schema,
    shapefile_parts,
    shp_shx,
    square,
    zipped,
)

SERVER_PATHS = ("/tmp/", "hiap-upload-", "/etc/", "/work/", "site-packages")


def _settings(tmp_path: Path) -> Settings:
    return get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")


def _refused(
    data: bytes, filename: str, tmp_path: Path, error: type[SchemeError] = SchemeError
) -> str:
    with pytest.raises(error) as info:
        read_scheme(data, filename=filename, settings=_settings(tmp_path))
    message = str(info.value)
    for path in SERVER_PATHS:
        assert path not in message, f"a server path in the message: {message}"
    return message


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")]
)
def test_bzip2_and_lzma_members_are_refused_before_decompressing(
    tmp_path: Path, method: int, name: str
) -> None:
    # why no bomb inside: the refusal comes from the compression method in the listing, before
    # any member is decompressed (a 2.7 KB bzip2 member expanded to 4.2 GB in memory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for suffix, part in shapefile_parts().items():
            archive.writestr("site" + suffix, part)
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert f"compressed with {name}" in message
    assert "Re-zip the files with your system's standard zip compression" in message


def test_a_long_prj_is_refused_by_its_length_before_any_pattern(tmp_path: Path) -> None:
    # 60,000 letters made the unanchored scheme pattern quadratic (13 s)
    parts = shapefile_parts(prj="a" * 60_000)
    message = _refused(zipped(parts), "site.zip", tmp_path)
    assert "longer than any coordinate-system definition" in message


def test_the_reference_pattern_is_linear_on_a_run_of_scheme_characters(tmp_path: Path) -> None:
    # under the length limit, a run of letters still must not make the search quadratic
    parts = shapefile_parts(prj="a" * 16_000)
    message = _refused(zipped(parts), "site.zip", tmp_path)
    assert "must be WKT text" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-01" + " " * 100_000 + "x", None),
        ("2020-01-01" + " " * 30, "2020-01-01"),
        (" 2020-01-01 ", "2020-01-01"),
        ("2020-13-01", None),
    ],
)
def test_geopackage_dates_are_parsed_without_backtracking(text: str, expected: str | None) -> None:
    parsed = _date(text, with_time=False)
    assert (parsed.isoformat() if parsed else None) == expected


def test_geopackage_datetimes_keep_their_zone() -> None:
    parsed = _date("2020-01-01T12:30:15.5Z", with_time=True)
    assert parsed is not None and parsed.isoformat() == "2020-01-01T12:30:15.500000+00:00"


@pytest.mark.parametrize(
    "codec", ["undefined", "rot13", "hex", "base64", "zlib", "uu", "idna", "punycode"]
)
def test_a_cpg_naming_no_character_set_is_read_as_the_dbf_code_page(
    tmp_path: Path, codec: str
) -> None:
    parts = shapefile_parts()
    parts[".cpg"] = codec.encode()
    raw = read_raw(zipped(parts), filename="site.zip", settings=_settings(tmp_path))
    assert raw.features.column("name", [0]) == ["Test site"]
    assert any("not a character set hiap reads" in note for note in raw.notes)


def test_zip_member_names_in_messages_are_sanitised(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("a\x1b[31m\r\n" + "x" * 200 + ".shp", b"x")
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert "\x1b" not in message and "\r" not in message
    assert "x" * 50 not in message


def test_a_member_name_cannot_put_a_markdown_link_in_a_message(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[click](https://evil.example).shp", b"x")
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert "[click]?(https" in message and "](" not in message


PROJ_FILE_SETTINGS = [
    MERCATOR_WITH_PROJ4.format("+init=/etc/passwd:root"),
    MERCATOR_WITH_PROJ4.format("+proj=merc +a=6378137 +b=6378137 +nadgrids=/etc/hostname"),
    'BOUNDCRS[SOURCECRS[GEOGCRS["a",DATUM["b",ELLIPSOID["c",6378137,298.257]],'
    'CS[ellipsoidal,2],AXIS["lat",north],AXIS["lon",east],UNIT["degree",0.0174532925199433]]],'
    'TARGETCRS[GEOGCRS["WGS 84",DATUM["d",ELLIPSOID["e",6378137,298.257]],CS[ellipsoidal,2],'
    'AXIS["lat",north],AXIS["lon",east],UNIT["degree",0.0174532925199433]]],'
    'ABRIDGEDTRANSFORMATION["t",METHOD["NTv2"],PARAMETERFILE["grid","/etc/passwd"]]]',
    'GEOGCS["x",DATUM["y",SPHEROID["z",6378137,298.257]],PRIMEM["G",0],UNIT["d",0.0174532925]'
    ',EXTENSION["PROJ4","+proj=longlat +geoidgrids=/etc/shadow"]]',
]


@pytest.mark.parametrize("definition", PROJ_FILE_SETTINGS)
def test_a_prj_that_makes_proj_open_files_is_refused(tmp_path: Path, definition: str) -> None:
    message = _refused(
        zipped(shapefile_parts(prj=definition)), "site.zip", tmp_path, UnsafeUploadError
    )
    assert "a PROJ setting that can make the server open other files" in message


@pytest.mark.parametrize(
    "definition", [*PROJ_FILE_SETTINGS, 'GEOGCS["http://127.0.0.1:9/x"]', "\\\\server\\share\\x"]
)
def test_a_geopackage_crs_that_names_files_is_refused(tmp_path: Path, definition: str) -> None:
    data = gpkg(tmp_path / "site.gpkg", srs=(99, "NONE", 0, definition))
    message = _refused(data, "site.gpkg", tmp_path, UnsafeUploadError)
    assert "coordinate-system definition (srs_id 99) was refused" in message


def test_pyproj_network_is_off_once_the_readers_are_loaded() -> None:
    import pyproj.network

    import hiap.schemes.readers  # noqa: F401

    assert pyproj.network.is_network_enabled() is False


def _wide(db: sqlite3.Connection) -> None:
    for i in range(300):
        db.execute(f"ALTER TABLE site ADD COLUMN c{i} TEXT")


def test_a_geopackage_layer_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    data = gpkg(tmp_path / "wide.gpkg", setup=_wide, rows=[])
    message = _refused(data, "wide.gpkg", tmp_path, UnsafeUploadError)
    assert f"300 attribute columns, more than the {MAX_ATTRIBUTE_COLUMNS}" in message


def test_a_geopackage_with_too_many_features_is_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # why: the cap lowered to 5 so the file stays tiny; the rows are read a batch at a time
    monkeypatch.setattr(safety, "MAX_FEATURES", 5)
    monkeypatch.setattr(gpkg_module, "_BATCH_ROWS", 2)
    data = gpkg(tmp_path / "many.gpkg", rows=[(gp_polygon(),)] * 7)
    message = _refused(data, "many.gpkg", tmp_path, UnsafeUploadError)
    assert "more than 5 features" in message


def test_a_dbf_with_too_many_fields_is_refused_before_its_rows(tmp_path: Path) -> None:
    # 300 one-byte fields and a row count the .shp does not have: refused on the header
    parts = shapefile_parts()
    parts[".dbf"] = dbf([(f"f{i}", "C", 1) for i in range(300)], [b" " * 300] * 1_000)
    message = _refused(zipped(parts), "site.zip", tmp_path, UnsafeUploadError)
    assert f"300 attribute columns, more than the {MAX_ATTRIBUTE_COLUMNS}" in message


def test_the_dbf_row_count_is_checked_against_the_shapes_before_the_rows(tmp_path: Path) -> None:
    parts = shapefile_parts()
    parts[".dbf"] = dbf([("name", "C", 1)], [b" "] * 50_000)
    message = _refused(zipped(parts), "site.zip", tmp_path)
    assert "site.shp holds 1 shape but site.dbf 50,000 rows" in message


def test_a_shapefile_with_too_many_shapes_is_refused_before_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "MAX_FEATURES", 2)
    shp, shx = shp_shx([polygon_record([square(545000, 258000, 200)])] * 3)
    parts = {**shapefile_parts(), ".shp": shp, ".shx": shx}
    message = _refused(zipped(parts), "site.zip", tmp_path, UnsafeUploadError)
    assert "site.shp has more than 2 features" in message


@pytest.mark.parametrize(
    "table", ["gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys", "site"]
)
def test_generated_columns_in_any_table_read_are_refused(tmp_path: Path, table: str) -> None:
    # without the refusal, printf('%.*c', 900000000, 'x') builds 900 MB for each row read
    def add(db: sqlite3.Connection) -> None:
        db.execute(
            f"ALTER TABLE {table} ADD COLUMN boom TEXT "
            "GENERATED ALWAYS AS (printf('%.*c', 900000000, 'x')) VIRTUAL"
        )

    data = gpkg(tmp_path / "gen.gpkg", setup=add)
    message = _refused(data, "gen.gpkg", tmp_path, UnsafeUploadError)
    assert "has a generated column ('boom'), which runs SQL when read" in message


def test_a_generated_data_type_in_gpkg_contents_is_refused(tmp_path: Path) -> None:
    # the reviewer's 20 KB file: reading gpkg_contents built 900 MB strings (15 s, 5 GB)
    path = tmp_path / "contents.gpkg"
    gpkg(path)
    data = rewrite_schema(
        path,
        "gpkg_contents",
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, dt TEXT, data_type TEXT "
        "GENERATED ALWAYS AS (printf('%.*c', 900000000, 'x') || dt) VIRTUAL, srs_id INTEGER)",
    )
    message = _refused(data, "contents.gpkg", tmp_path, UnsafeUploadError)
    assert "table gpkg_contents has a generated column ('data_type')" in message


@pytest.mark.parametrize(
    "create",
    [
        "CREATE /* hidden */ VIRTUAL TABLE notes USING fts4(body)",
        "CREATE -- hidden\n  VIRTUAL   TABLE notes USING fts4(body)",
        'CREATE VIRTUAL TABLE notes/**/USING/**/fts4(a, "b USING rtree(")',
    ],
)
def test_virtual_tables_are_found_behind_comments_and_blanks(tmp_path: Path, create: str) -> None:
    data = gpkg(tmp_path / "virtual.gpkg", setup=lambda db: db.execute(create))
    message = _refused(data, "virtual.gpkg", tmp_path, UnsafeUploadError)
    assert "defines a virtual table ('notes')" in message


def _nested_squares(n: int) -> list[list[tuple[float, float]]]:
    """Concentric squares: each ring inside all the ones before it (the costly case)."""
    return [square(545000 + i, 258000 + i, 2 * (n - i) + 1) for i in range(n)]


def test_a_shapefile_feature_with_too_many_rings_is_refused_before_grouping(
    tmp_path: Path,
) -> None:
    # 1,001 nested rings: grouping them and repairing the polygon grows with the square of
    # the rings (4,000 + 4,000 took over two minutes); refused from the record headers
    parts = shapefile_parts(rings=_nested_squares(MAX_RINGS_PER_FEATURE + 1))
    message = _refused(zipped(parts), "site.zip", tmp_path, UnsafeUploadError)
    assert f"one feature has {MAX_RINGS_PER_FEATURE + 1:,} rings and parts" in message


def test_a_geojson_feature_with_too_many_rings_is_refused_before_validation(
    tmp_path: Path,
) -> None:
    rings = [
        [[x, y] for x, y in square(0.1 + i * 1e-5, 52.2, 5e-6, clockwise=False)]
        for i in range(MAX_RINGS_PER_FEATURE + 1)
    ]
    shell = [[0.0, 52.0], [1.0, 52.0], [1.0, 53.0], [0.0, 53.0], [0.0, 52.0]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [shell, *rings]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    message = _refused(data, "site.geojson", tmp_path, UnsafeUploadError)
    assert f"one feature has {MAX_RINGS_PER_FEATURE + 2:,} rings and parts" in message


def test_too_many_vertices_in_an_upload_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # why: the cap lowered so the file stays tiny; the count covers every format's geometries
    monkeypatch.setattr(safety, "MAX_VERTICES", 8)
    shell = [[0.1, 52.2], [0.11, 52.2], [0.11, 52.21], [0.1, 52.21], [0.1, 52.2]]
    features = [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [shell]},
        }
    ] * 2
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    message = _refused(data, "site.geojson", tmp_path, UnsafeUploadError)
    assert "its geometries have 10 vertices, more than the 8" in message


def test_a_zip_with_a_huge_member_list_is_refused_before_zipfile_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # why: the limits lowered so the zip stays tiny; 900,000 members took 5 s and 500 MB to
    # list before the member count could be checked
    monkeypatch.setattr(safety, "MAX_ZIP_MEMBERS", 10)
    monkeypatch.setattr(safety, "_DIRECTORY_ENTRY_BYTES", 50)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(30):
            archive.writestr(f"member-{i:04d}-with-a-long-enough-name.txt", b"")
    message = _refused(buffer.getvalue(), "site.zip", tmp_path, UnsafeUploadError)
    assert "its list of members is" in message and "more than 10 members need" in message


def test_empty_collections_count_as_parts(tmp_path: Path) -> None:
    # a collection of 10,001 empty collections: nothing to draw, but work for GEOS per member
    n = MAX_RINGS + 1
    wkb = struct.pack("<BII", 1, 7, n) + struct.pack("<BII", 1, 7, 0) * n
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 27700) + wkb
    data = gpkg(tmp_path / "empty.gpkg", rows=[(blob,)])
    message = _refused(data, "empty.gpkg", tmp_path, UnsafeUploadError)
    assert f"{n:,} rings and parts, more than the {MAX_RINGS:,}" in message


def _never_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make shapely refuse to build any geometry, and count the WKB walker's calls."""
    import shapely

    def built(*_: object, **__: object) -> None:
        raise AssertionError("shapely built a geometry the caps should have refused")

    monkeypatch.setattr(shapely, "from_wkb", built)
    calls: list[int] = []
    walk = gpkg_module.check_wkb

    def counted(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return walk(*args, **kwargs)

    monkeypatch.setattr(gpkg_module, "check_wkb", counted)  # why: it recurses by this name
    return calls


def test_a_million_empty_collections_are_refused_before_any_geometry_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a 9 MB blob: shapely built its million members (2 s, 320 MB) before the parts cap
    # refused them; the walker refuses at the collection's declared count, walking none
    n = 1_000_000
    wkb = struct.pack("<BII", 1, 7, n) + struct.pack("<BII", 1, 7, 0) * n
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 27700) + wkb
    data = gpkg(tmp_path / "million.gpkg", rows=[(blob,)])
    walks = _never_built(monkeypatch)
    message = _refused(data, "million.gpkg", tmp_path, UnsafeUploadError)
    assert f"at least {n:,} rings and parts, more than the {MAX_RINGS:,}" in message
    assert len(walks) == 1  # the top-level collection; none of its million members


def test_a_geopackage_feature_with_too_many_rings_is_refused_before_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rings = [square(545000 + 3 * i, 258000, 1) for i in range(MAX_RINGS_PER_FEATURE)]
    shell = square(544990, 257990, 4 * MAX_RINGS_PER_FEATURE)
    data = gpkg(tmp_path / "holes.gpkg", rows=[(gp_polygon([shell, *rings]),)])
    _never_built(monkeypatch)
    message = _refused(data, "holes.gpkg", tmp_path, UnsafeUploadError)
    assert f"one feature has at least {MAX_RINGS_PER_FEATURE + 1:,} rings and parts" in message


def test_geopackage_parts_are_capped_across_features_before_the_next_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # eleven features of 1,000 points each: the eleventh passes the upload's 10,000 parts
    import shapely

    points = shapely.MultiPoint([(545000 + i, 258000) for i in range(MAX_RINGS_PER_FEATURE)])
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 27700) + shapely.to_wkb(points)
    n_features = MAX_RINGS // MAX_RINGS_PER_FEATURE + 1
    data = gpkg(tmp_path / "points.gpkg", rows=[(blob,)] * n_features)
    built: list[int] = []
    build = shapely.from_wkb

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(shapely, "from_wkb", counted)
    message = _refused(data, "points.gpkg", tmp_path, UnsafeUploadError)
    assert f"at least {n_features * MAX_RINGS_PER_FEATURE:,} rings and parts" in message
    assert len(built) == n_features - 1


# Web Mercator as older GDAL (and QGIS, gdal2tiles, spatialreference.org through it) wrote it:
# a WKT1 Mercator on the WGS 84 ellipsoid whose EXTENSION["PROJ4", …] makes it spherical
_GDAL2_PROJ4 = (
    "+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0 +k=1.0 +units=m "
    "+nadgrids=@null +wktext +no_defs"
)
_WGS84_GEOGCS = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AUTHORITY["EPSG","4326"]]'
)
_GDAL2_3857 = (
    f'PROJCS["WGS 84 / Pseudo-Mercator",{_WGS84_GEOGCS},PROJECTION["Mercator_1SP"],'
    'PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],'
    'PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],'
    'AXIS["X",EAST],AXIS["Y",NORTH],'
    f'EXTENSION["PROJ4","{_GDAL2_PROJ4}"],AUTHORITY["EPSG","3857"]]'
)
WEB_MERCATOR_SPELLINGS = {
    "gdal-2-epsg-3857": _GDAL2_3857,
    "gdal-2.3-numbers": _GDAL2_3857.replace("=0.0 ", "=0 ").replace("+k=1.0", "+k=1"),
    "pretty-printed": _GDAL2_3857.replace(",", ",\n    ").replace("[", "[ \r\n\t"),
    "google-900913": (
        'PROJCS["Google Maps Global Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",'
        '6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],'
        'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.01745329251994328,'
        'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Mercator_2SP"],'
        'PARAMETER["standard_parallel_1",0],PARAMETER["latitude_of_origin",0],'
        'PARAMETER["central_meridian",0],PARAMETER["false_easting",0],'
        'PARAMETER["false_northing",0],UNIT["Meter",1],EXTENSION["PROJ4","+proj=merc '
        "+a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0 +k=1.0 +units=m "
        '+nadgrids=@null +wktext  +no_defs"],AUTHORITY["EPSG","900913"]]'
    ),
    "esri-names-without-wktext": (
        'PROJCS["WGS_84_Pseudo_Mercator",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
        'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
        'UNIT["Degree",0.017453292519943295]],PROJECTION["Mercator"],'
        'PARAMETER["central_meridian",0.0],PARAMETER["false_easting",0.0],'
        'PARAMETER["false_northing",0.0],UNIT["Meter",1.0],PARAMETER["standard_parallel_1",0.0],'
        'EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 '
        '+x_0=0.0 +y_0=0 +k=1.0 +units=m +nadgrids=@null +no_defs"]]'
    ),
}
# a 200 m square at Cambridge in Web Mercator metres
_MERCATOR_SQUARE = [square(13_350.0, 6_828_500.0, 200.0)]


def _boundary(data: bytes, filename: str, tmp_path: Path) -> Any:
    scheme = read_scheme(data, filename=filename, settings=_settings(tmp_path))
    assert scheme.boundary is not None
    return scheme.source_crs, scheme.boundary.geometry.iloc[0]


@pytest.mark.parametrize("name", list(WEB_MERCATOR_SPELLINGS))
def test_the_web_mercator_prj_older_gdal_wrote_reads_as_epsg_3857(
    tmp_path: Path, name: str
) -> None:
    import pyproj

    definition = WEB_MERCATOR_SPELLINGS[name]
    assert safety.crs_from_definition(definition) == pyproj.CRS.from_epsg(3857)
    esri_3857 = pyproj.CRS.from_epsg(3857).to_wkt("WKT1_ESRI")
    expected_crs, expected = _boundary(
        zipped(shapefile_parts(_MERCATOR_SQUARE, prj=esri_3857)), "site.zip", tmp_path
    )
    crs, geometry = _boundary(
        zipped(shapefile_parts(_MERCATOR_SQUARE, prj=definition)), "site.zip", tmp_path
    )
    assert (crs, expected_crs) == ("EPSG:3857", "EPSG:3857")
    assert geometry.equals_exact(expected, tolerance=0)
    # why not strip the extension: the WKT alone is an ellipsoidal Mercator, which would put
    # the site tens of kilometres away
    ellipsoidal = pyproj.CRS.from_proj4("+proj=merc +ellps=WGS84 +units=m")
    moved = pyproj.Transformer.from_crs(ellipsoidal, 27700, always_xy=True).transform(
        *_MERCATOR_SQUARE[0][0]
    )
    assert abs(moved[1] - geometry.exterior.coords[0][1]) > 10_000
    # the same definition in a GeoPackage, under an organisation that is not EPSG
    ring = [(x, y) for x, y in _MERCATOR_SQUARE[0][::-1]]
    data = gpkg(tmp_path / f"{name}.gpkg", srs=(99, "NONE", 0, definition), rows=[(gp_polygon([ring], 99),)])
    crs, geometry = _boundary(data, f"{name}.gpkg", tmp_path)
    assert crs == "EPSG:3857"
    assert geometry.normalize().equals_exact(expected.normalize(), tolerance=1e-6)


_NEAR_MISSES = {
    "other-null-grid": _GDAL2_3857.replace("@null", "@null2"),
    "null-then-a-file": _GDAL2_3857.replace("@null", "@null,/etc/hostname"),
    "a-grid-file": _GDAL2_3857.replace("@null", "/usr/share/proj/ntv1_can.dat"),
    "an-extra-init": _GDAL2_3857.replace("+wktext", "+init=epsg:3857 +wktext"),
    "an-extra-setting": _GDAL2_3857.replace("+wktext", "+towgs84=0,0,0 +wktext"),
    "a-repeated-setting": _GDAL2_3857.replace("+wktext", "+nadgrids=@null +wktext"),
    "a-second-extension": _GDAL2_3857.replace(
        'AXIS["X",EAST]', 'EXTENSION["PROJ4","+init=/etc/passwd"],AXIS["X",EAST]'
    ),
    "extension-in-the-geogcs": _GDAL2_3857.replace(
        'AUTHORITY["EPSG","4326"]]', f'EXTENSION["PROJ4","{_GDAL2_PROJ4}"],AUTHORITY["EPSG","4326"]]'
    ).replace(f',EXTENSION["PROJ4","{_GDAL2_PROJ4}"],AUTHORITY["EPSG","3857"]', ',AUTHORITY["EPSG","3857"]'),
    "a-parameter-file-beside": _GDAL2_3857.replace(
        'AXIS["X",EAST]', 'PARAMETERFILE["grid","/etc/passwd"],AXIS["X",EAST]'
    ),
    "transverse-mercator-body": _GDAL2_3857.replace('"Mercator_1SP"', '"Transverse_Mercator"'),
    "a-false-easting": _GDAL2_3857.replace('"false_easting",0', '"false_easting",1000'),
    "another-code": _GDAL2_3857.replace('AUTHORITY["EPSG","3857"]]', 'AUTHORITY["EPSG","27700"]]'),
    "geographic": f'{_WGS84_GEOGCS[:-1]},EXTENSION["PROJ4","{_GDAL2_PROJ4}"]]',
}


@pytest.mark.parametrize("name", list(_NEAR_MISSES))
def test_near_misses_of_the_web_mercator_prj_stay_refused(tmp_path: Path, name: str) -> None:
    definition = _NEAR_MISSES[name]
    assert not safety.is_web_mercator_alias(definition)
    message = _refused(
        zipped(shapefile_parts(_MERCATOR_SQUARE, prj=definition)), "site.zip", tmp_path,
        UnsafeUploadError,
    )  # fmt: skip
    assert "a PROJ setting that can make the server open other files" in message
