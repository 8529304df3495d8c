"""Every accepted format reads to the same validated scheme; layer choice and input forms."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hiap.errors import SchemeError
from hiap.schemes import read_scheme
from hiap.settings import Settings
from tests.schemes.conftest import (
    SITE_AREA_HA,
    SITE_E,
    SITE_N,
    feature_collection,
    geojson_bytes,
    kml_bytes,
    route_frames,
    shapefile_zip,
    site_frame,
    write_gpkg,
)


def _assert_site(scheme, *, name: str | None = None) -> None:
    assert scheme.boundary is not None
    assert scheme.boundary.crs.to_epsg() == 27700
    assert scheme.area_ha == pytest.approx(SITE_AREA_HA, rel=1e-3)
    assert scheme.centroid.x == pytest.approx(SITE_E + 150, abs=0.5)
    assert scheme.centroid.y == pytest.approx(SITE_N + 150, abs=0.5)
    assert scheme.kind == "housing"
    if name is not None:
        assert scheme.name == name


def test_geojson_from_path_and_from_bytes(tmp_path: Path, settings: Settings) -> None:
    data = geojson_bytes(site_frame(name="Clay Farm East", dwellings=300))
    path = tmp_path / "site.geojson"
    path.write_bytes(data)
    from_path = read_scheme(path, settings=settings)
    from_bytes = read_scheme(data, filename="upload.geojson", settings=settings)
    for scheme in (from_path, from_bytes):
        _assert_site(scheme, name="Clay Farm East")
        assert scheme.metadata.dwellings == 300
        assert scheme.new_residents == pytest.approx(300 * 2.36)
        assert scheme.source_crs == "EPSG:4326"


def test_geopackage_in_british_national_grid(tmp_path: Path, settings: Settings) -> None:
    path = write_gpkg(tmp_path / "site.gpkg", {"boundary": site_frame(27700)})
    scheme = read_scheme(path, settings=settings, name="GPKG site")
    _assert_site(scheme, name="GPKG site")
    assert scheme.source_crs == "EPSG:27700"


def test_geopackage_with_several_layers_needs_a_choice(tmp_path: Path, settings: Settings) -> None:
    line, _ = route_frames()
    path = write_gpkg(
        tmp_path / "plan.gpkg", {"red_line": site_frame(), "phases": site_frame(), "bus": line}
    )
    with pytest.raises(SchemeError) as info:
        read_scheme(path, settings=settings)
    message = str(info.value)
    assert "3 layers" in message
    for layer in ("red_line", "phases", "bus"):
        assert layer in message
    assert "--layer" in message
    _assert_site(read_scheme(path, settings=settings, layer="red_line"))
    with pytest.raises(SchemeError, match=r"no layer named 'nope'.*red_line"):
        read_scheme(path, settings=settings, layer="nope")


def test_geopackage_uploaded_as_bytes(tmp_path: Path, settings: Settings) -> None:
    data = write_gpkg(tmp_path / "site.gpkg", {"site": site_frame()}).read_bytes()
    _assert_site(read_scheme(data, filename="My Site.gpkg", settings=settings, name="My Site"))


def test_zipped_shapefile(tmp_path: Path, settings: Settings) -> None:
    data = shapefile_zip(tmp_path, site_frame(27700, name="Zipped"), folder="export/")
    scheme = read_scheme(data, filename="site.zip", settings=settings)
    _assert_site(scheme, name="Zipped")
    assert scheme.source_crs == "EPSG:27700"


def test_zip_with_two_shapefiles_lists_them(tmp_path: Path, settings: Settings) -> None:
    first = shapefile_zip(tmp_path, site_frame(), stem="north")
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = shapefile_zip(second_dir, site_frame(), stem="south")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for blob in (first, second):
            with zipfile.ZipFile(io.BytesIO(blob)) as archive:
                for info in archive.infolist():
                    out.writestr(info.filename, archive.read(info))
    with pytest.raises(SchemeError, match="2 shapefiles: north, south"):
        read_scheme(buffer.getvalue(), filename="both.zip", settings=settings)
    _assert_site(
        read_scheme(buffer.getvalue(), filename="both.zip", settings=settings, layer="south")
    )


def test_bare_shapefile_path_reads_with_its_sidecars(tmp_path: Path, settings: Settings) -> None:
    shapefile_zip(tmp_path, site_frame(), stem="site")
    _assert_site(read_scheme(tmp_path / "shp-site" / "site.shp", settings=settings))


def test_bare_shp_upload_is_refused_with_the_remedy(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(SchemeError, match=r"Zip the \.shp, \.shx, \.dbf and \.prj"):
        read_scheme(b"\x00\x00\x27\x0a" + b"\x00" * 96, filename="site.shp", settings=settings)


def test_shapefile_missing_shx_is_reported(tmp_path: Path, settings: Settings) -> None:
    data = shapefile_zip(tmp_path, site_frame(), drop=(".shx",))
    with pytest.raises(SchemeError, match=r"incomplete: the zip has no site\.shx"):
        read_scheme(data, filename="site.zip", settings=settings)


def test_kml_and_kmz(tmp_path: Path, settings: Settings) -> None:
    data = kml_bytes(tmp_path, site_frame(name="KML site"))
    scheme = read_scheme(data, filename="site.kml", settings=settings)
    _assert_site(scheme, name="KML site")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", data)
    _assert_site(read_scheme(buffer.getvalue(), filename="site.kmz", settings=settings))


def test_transport_line_with_stops(settings: Settings) -> None:
    line, stops = route_frames()
    data = feature_collection(
        [
            *(g.__geo_interface__ for g in line.to_crs(4326).geometry),
            *(g.__geo_interface__ for g in stops.to_crs(4326).geometry),
        ],
        {
            "name": "Route 1",
            "kind": "transport",
            "headway_min": 15,
            "mode": "bus",
            "first_departure": "06:30",
            "last_departure": "22:00",
        },
    )
    scheme = read_scheme(data, filename="route.geojson", settings=settings)
    assert scheme.kind == "transport"
    assert scheme.boundary is None
    assert scheme.lines is not None and len(scheme.lines) == 1
    assert scheme.stops is not None and len(scheme.stops) == 3
    assert scheme.route_length_km == pytest.approx(2.0, rel=1e-3)
    assert scheme.metadata.headway_min == 15
    assert scheme.metadata.service_span_h == pytest.approx(15.5)
    assert scheme.area_ha == 0.0
    assert scheme.new_residents is None


def test_kind_is_inferred_and_mixed_keeps_both(settings: Settings) -> None:
    line, _ = route_frames()
    site = site_frame(4326).geometry[0].__geo_interface__
    route = line.to_crs(4326).geometry[0].__geo_interface__
    data = feature_collection([site, route])
    scheme = read_scheme(data, filename="mixed.geojson", settings=settings, dwellings=200)
    assert scheme.kind == "mixed"
    assert scheme.boundary is not None and scheme.lines is not None
    housing = read_scheme(data, filename="mixed.geojson", settings=settings, kind="housing")
    assert housing.lines is None
    assert any("line(s) ignored" in note for note in housing.notes)


def test_explicit_metadata_wins_over_attributes(settings: Settings) -> None:
    data = geojson_bytes(site_frame(name="From file", dwellings=10))
    scheme = read_scheme(
        data,
        filename="a.geojson",
        settings=settings,
        metadata={"name": "Given", "phasing_year": 2031, "persons_per_dwelling": 2.5},
    )
    assert scheme.name == "Given"
    assert scheme.metadata.dwellings == 10
    assert scheme.metadata.phasing_year == 2031
    assert scheme.new_residents == pytest.approx(25.0)


def test_name_defaults_to_the_file_name(settings: Settings) -> None:
    scheme = read_scheme(
        geojson_bytes(site_frame()), filename="land_north_of_x.geojson", settings=settings
    )
    assert scheme.name == "land north of x"
    assert any("No dwellings given" in note for note in scheme.notes)


def test_features_disagreeing_on_metadata_are_noted(settings: Settings) -> None:
    site = site_frame(4326).geometry[0].__geo_interface__
    import json

    doc = json.loads(feature_collection([site, site]))
    doc["features"][0]["properties"] = {"name": "Phase 1"}
    doc["features"][1]["properties"] = {"name": "Phase 2"}
    scheme = read_scheme(json.dumps(doc).encode(), filename="phases.geojson", settings=settings)
    assert scheme.name == "phases"
    assert any("different values for 'name'" in note for note in scheme.notes)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "empty.geojson", "The file is empty"),
        (b"   \n", "blank.kml", "The file is empty"),
        (b'{"type": "FeatureCollection", "features": []}', "none.geojson", "holds no features"),
        (b"hello", "notes.txt", "Unsupported file type '.txt'"),
        (b"{not json", "broken.geojson", "could not be read as GeoJSON"),
        (b"PK\x03\x04garbage", "broken.zip", "not a readable zip archive"),
    ],
)
def test_empty_and_unreadable_files(
    data: bytes, filename: str, expected: str, settings: Settings
) -> None:
    with pytest.raises(SchemeError, match=expected) as info:
        read_scheme(data, filename=filename, settings=settings)
    assert info.value.source == filename


def test_empty_geopackage_layer(tmp_path: Path, settings: Settings) -> None:
    path = write_gpkg(tmp_path / "empty.gpkg", {"site": site_frame().iloc[0:0]})
    with pytest.raises(SchemeError, match="holds no features: it is empty"):
        read_scheme(path, settings=settings)


def test_missing_path_and_missing_filename(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(SchemeError, match="File not found"):
        read_scheme(tmp_path / "nope.geojson", settings=settings)
    with pytest.raises(SchemeError, match="needs its file name"):
        read_scheme(b"{}", settings=settings)


def test_the_extension_chooses_the_reader_never_the_content(settings: Settings) -> None:
    # A file without an extension is refused, even when its content is valid GeoJSON; and a
    # GeoPackage named .geojson is read (and refused) as GeoJSON, not sniffed.
    with pytest.raises(SchemeError, match="Unsupported file type '\\(no suffix\\)'"):
        read_scheme(geojson_bytes(site_frame()), filename="download", settings=settings)
    with pytest.raises(SchemeError, match="its content is not a JSON object"):
        read_scheme(b"SQLite format 3\x00" + b"\x00" * 100, filename="s.geojson", settings=settings)


def test_prj_that_is_not_text_is_a_scheme_error(tmp_path: Path, settings: Settings) -> None:
    # Regression found by the property-based test: pyogrio failed with UnboundLocalError.
    data = shapefile_zip(tmp_path, site_frame())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["site.prj"] = members["site.prj"].replace(
        b'PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],',
        b'PARAMETER[\x80"False_Easting",400000.0]\x01PARAMETER["False_Northing",-100000.0]\x01',
    )
    assert b"\x80" in members["site.prj"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    with pytest.raises(SchemeError, match=r"\.prj is not a text coordinate-system definition"):
        read_scheme(buffer.getvalue(), filename="site.zip", settings=settings)


def test_zipped_geojson_is_read(settings: Settings) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/site.geojson", geojson_bytes(site_frame()))
    _assert_site(read_scheme(buffer.getvalue(), filename="site.zip", settings=settings))


def test_geojson_with_an_old_style_crs_member(settings: Settings) -> None:
    import json

    document = json.loads(site_frame(27700).to_json())
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    scheme = read_scheme(json.dumps(document).encode(), filename="bng.geojson", settings=settings)
    _assert_site(scheme)
    assert scheme.source_crs == "EPSG:27700"
    assert any("RFC 7946 GeoJSON is always WGS84" in note for note in scheme.notes)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"a,b\n1,2\n", "broken.geojson"),
        (b"\x89PNG not a map", "broken.json"),
        (b"x,y\n", "broken.gpkg"),
        (b"SQLite format 3\x00" + b"\x01" * 500, "broken.gpkg"),
    ],
)
def test_broken_upload_message_names_no_server_path(
    data: bytes, filename: str, settings: Settings
) -> None:
    # GDAL's own text names the temporary file it read and suggests GDAL-only syntax.
    with pytest.raises(SchemeError) as info:
        read_scheme(data, filename=filename, settings=settings)
    message = str(info.value)
    assert filename in message
    assert "/tmp" not in message and "CSV:" not in message and "tmp" not in message.lower()
    assert "export it again" in message.lower()


def _google_earth_kml(folders: dict[str, str]) -> bytes:
    """KML as Google Earth saves it: a style with an icon href, folders, ExtendedData."""
    lonlat = site_frame().to_crs(4326).geometry.iloc[0].exterior.coords
    ring = " ".join(f"{x},{y},0" for x, y in lonlat)
    body = "".join(
        f"<Folder><name>{folder}</name><Placemark><name>{name}</name>"
        "<description><![CDATA[<b>Drawn</b> by the team]]></description>"
        '<ExtendedData><Data name="dwellings"><value>120</value></Data></ExtendedData>'
        f"<MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry></Placemark></Folder>"
        for folder, name in folders.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        '<Document><Style id="s"><IconStyle><Icon><href>https://maps.google.com/mapfiles/kml/'
        f"pushpin/ylw-pushpin.png</href></Icon></IconStyle></Style>{body}</Document></kml>"
    ).encode()


def test_kml_is_converted_by_hiap_with_folders_and_extended_data(settings: Settings) -> None:
    # The style's icon href is never fetched, so it does not stop the file being read.
    data = _google_earth_kml({"Outline": "Land east of the village"})
    scheme = read_scheme(data, filename="earth.kml", settings=settings)
    _assert_site(scheme, name="Land east of the village")
    assert scheme.metadata.dwellings == 120
    two = _google_earth_kml({"Outline": "A", "Draft": "B"})
    assert read_scheme(two, filename="two.kml", settings=settings, layer="Draft").name == "B"
    with pytest.raises(SchemeError, match="There is no KML folder named 'Other'"):
        read_scheme(two, filename="two.kml", settings=settings, layer="Other")


@pytest.mark.parametrize(
    ("name", "epsg"),
    [("EPSG:27700", 27700), ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326), ("EPSG::4326", 4326)],
)
def test_named_crs_are_accepted(name: str, epsg: int, settings: Settings) -> None:
    import json

    document = json.loads(site_frame(epsg).to_json())
    document["crs"] = {"type": "name", "properties": {"name": name}}
    scheme = read_scheme(json.dumps(document).encode(), filename="s.geojson", settings=settings)
    _assert_site(scheme)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 52], [1, 52]]]}},
         "feature 1: a polygon ring needs at least 4 positions"),
        ({"type": "Feature", "geometry": {"type": "Point", "coordinates": ["0", 52]}},
         "feature 1: a coordinate is not a number"),
        ({"type": "Topology"}, "the top-level 'type' must be FeatureCollection, Feature or a geometry"),
        ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1]}]},
         "a Feature's 'properties' must be an object or null"),
    ],
)  # fmt: skip
def test_malformed_geojson_says_which_rule(document: dict, expected: str, settings: Settings) -> None:
    import json

    with pytest.raises(SchemeError) as info:
        read_scheme(json.dumps(document).encode(), filename="bad.geojson", settings=settings)
    assert expected in str(info.value) and "export it again" in str(info.value)


def test_a_bare_geometry_and_a_geometry_collection_are_read(settings: Settings) -> None:
    import json

    polygon = json.loads(site_frame(4326).to_json())["features"][0]["geometry"]
    for document in (polygon, {"type": "GeometryCollection", "geometries": [polygon]}):
        _assert_site(read_scheme(json.dumps(document).encode(), filename="g.json", settings=settings))
