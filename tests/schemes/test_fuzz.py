"""Property: random, mutated or generated files either read as a scheme or raise hiap's
SchemeError, across all four formats (GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ).

CI runs a few thousand cases in all. Scale every test up with ``HIAP_FUZZ_EXAMPLES`` (the
total), e.g. ``HIAP_FUZZ_EXAMPLES=20000 pytest -p no:xdist tests/schemes/test_fuzz.py``.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiap.errors import SchemeError
from hiap.schemes import Scheme, read_scheme
from hiap.settings import Settings, get_settings
from tests.schemes.conftest import (
    geojson_bytes,
    kml_bytes,
    route_frames,
    shapefile_zip,
    site_frame,
    write_gpkg,
)

FILENAMES = ["s.geojson", "s.json", "s.gpkg", "s.zip", "s.kml", "s.kmz", "s.shp", "s.txt", "s"]


@functools.cache
def _settings() -> Settings:
    scratch = Path(tempfile.gettempdir())
    return get_settings(environ={}, data_dir=scratch, cache_dir=scratch, max_upload_mb=1)


@functools.cache
def _valid_files() -> dict[str, bytes]:
    """One valid file per format, built once with pyogrio."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        line, stops = route_frames()
        kml = kml_bytes(tmp, site_frame(name="x"))
        kmz = io.BytesIO()
        with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("doc.kml", kml)
        return {
            "s.geojson": geojson_bytes(site_frame(name="x", dwellings=5)),
            "r.geojson": geojson_bytes(line),
            "s.gpkg": write_gpkg(tmp / "s.gpkg", {"a": site_frame(), "b": stops}).read_bytes(),
            "s.zip": shapefile_zip(tmp, site_frame(name="x")),
            "s.kml": kml,
            "s.kmz": kmz.getvalue(),
        }


def _read(data: bytes, filename: str) -> None:
    try:
        result = read_scheme(data, filename=filename, settings=_settings())
    except SchemeError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        # messages name the upload, never the server's temporary folder
        assert "hiap-upload-" not in str(exc) and tempfile.gettempdir() + "/" not in str(exc)
    else:
        assert isinstance(result, Scheme)
        # the tables are built on first use: building them must not fail either
        for part in (result.boundary, result.lines, result.stops):
            assert part is None or len(part) > 0


# Share of the total number of cases each test gets; CI's total is CI_CASES.
CI_CASES = 2000
_SHARES = {"random": 0.3, "mutated": 0.3, "geojson": 0.25, "kml": 0.15}


def _examples(test: str) -> int:
    total = int(os.environ.get("HIAP_FUZZ_EXAMPLES", CI_CASES))
    return max(1, round(total * _SHARES[test]))


def _fuzz(test: str) -> settings:
    return settings(
        max_examples=_examples(test),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FUZZ = _fuzz("random")


@FUZZ
@given(data=st.binary(max_size=3000), filename=st.sampled_from(FILENAMES))
def test_random_bytes(data: bytes, filename: str) -> None:
    _read(data, filename)


def _mutate(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        operation = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if operation == "flip":
            data[at] = draw(st.integers(0, 255))
        elif operation == "truncate":
            del data[at:]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid file with bytes flipped, cut, inserted or deleted; for zips, sometimes the
    members are damaged and re-zipped, so the damage reaches GDAL past the zip checks."""
    name = draw(st.sampled_from(sorted(_valid_files())))
    original = _valid_files()[name]
    if name.endswith((".zip", ".kmz")) and draw(st.booleans()):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                member = src.read(info)
                dst.writestr(
                    info.filename, _mutate(draw, member) if draw(st.booleans()) else member
                )
        return out.getvalue(), name
    return _mutate(draw, original), name


@_fuzz("mutated")
@given(case=mutated())
def test_mutated_valid_files(case: tuple[bytes, str]) -> None:
    data, filename = case
    _read(data, filename)


def test_unmutated_files_read() -> None:
    for filename, data in _valid_files().items():
        assert isinstance(
            read_scheme(
                data,
                filename=filename,
                settings=_settings(),
                layer="a" if filename.endswith("gpkg") else None,
            ),
            Scheme,
        )


_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["/vsicurl/http://127.0.0.1:9/x", "EPSG:27700", "<OGRVRTDataSource>"])
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
_GEOMETRY_TYPES = [
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection", "Feature", "FeatureCollection", "Nonsense",
]  # fmt: skip
_LONLAT = st.one_of(
    st.tuples(st.floats(-1.0, 1.0), st.floats(51.5, 53.0)).map(list),
    st.lists(_JSON_SCALARS, max_size=3),
)


@st.composite
def _coordinates(draw: st.DrawFn, depth: int) -> object:
    if depth == 0:
        return draw(_LONLAT)
    return draw(st.lists(_coordinates(depth - 1), max_size=5 if depth == 1 else 2))


@st.composite
def geojson_documents(draw: st.DrawFn) -> bytes:
    """Documents shaped like GeoJSON, with random types, coordinates, properties and crs."""

    def geometry() -> object:
        kind = draw(st.sampled_from(_GEOMETRY_TYPES))
        if kind == "GeometryCollection":
            return {"type": kind, "geometries": draw(st.lists(_JSON, max_size=2))}
        return {"type": kind, "coordinates": draw(_coordinates(draw(st.integers(0, 3))))}

    features = [
        {"type": draw(st.sampled_from(["Feature", "feature", "Other"])),
         "properties": draw(st.one_of(st.none(), st.dictionaries(st.text(max_size=8), _JSON, max_size=4))),
         "geometry": geometry() if draw(st.booleans()) else draw(_JSON)}
        for _ in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    document: dict[str, object] = {
        "type": draw(st.sampled_from(["FeatureCollection", *_GEOMETRY_TYPES])),
        "features": features,
    }
    if draw(st.booleans()):
        document["crs"] = draw(
            st.one_of(
                _JSON,
                st.builds(
                    lambda kind, name: {"type": kind, "properties": {"name": name, "href": name}},
                    st.sampled_from(["name", "link", "url"]),
                    st.sampled_from(["EPSG:27700", "urn:ogc:def:crs:EPSG::4326", "http://127.0.0.1:9/c", "x"]),
                ),
            )
        )
    if draw(st.booleans()):
        document.update(geometry())  # type: ignore[call-overload]
    return json.dumps(document, allow_nan=True).encode()


@_fuzz("geojson")
@given(data=geojson_documents(), filename=st.sampled_from(["s.geojson", "s.json"]))
def test_generated_geojson(data: bytes, filename: str) -> None:
    _read(data, filename)


_KML_TAGS = [
    "Document", "Folder", "Placemark", "name", "description", "Polygon", "outerBoundaryIs",
    "innerBoundaryIs", "LinearRing", "LineString", "Point", "MultiGeometry", "coordinates",
    "ExtendedData", "Data", "value", "SchemaData", "SimpleData", "Style", "IconStyle", "Icon",
    "href", "NetworkLink", "Link", "GroundOverlay",
]  # fmt: skip
_KML_TEXT = st.one_of(
    st.text(max_size=12).map(lambda t: t.replace("&", "").replace("<", "")),
    st.lists(
        st.tuples(st.floats(-1.0, 1.0), st.floats(51.5, 53.0)), min_size=0, max_size=6
    ).map(lambda pts: " ".join(f"{x},{y}" for x, y in pts)),
)


@st.composite
def _kml_element(draw: st.DrawFn, depth: int) -> str:
    tag = draw(st.sampled_from(_KML_TAGS))
    attrs = ' name="dwellings"' if draw(st.booleans()) else ""
    if depth == 0 or draw(st.booleans()):
        return f"<{tag}{attrs}>{draw(_KML_TEXT)}</{tag}>"
    children = "".join(draw(st.lists(_kml_element(depth - 1), max_size=3)))
    return f"<{tag}{attrs}>{children}</{tag}>"


@_fuzz("kml")
@given(body=_kml_element(5), root=st.sampled_from(["kml", "kml", "gpx"]), kmz=st.booleans())
def test_generated_kml(body: str, root: str, kmz: bool) -> None:
    document = f'<{root} xmlns="http://www.opengis.net/kml/2.2">{body}</{root}>'.encode()
    if kmz:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("doc.kml", document)
        _read(out.getvalue(), "s.kmz")
    else:
        _read(document, "s.kml")
