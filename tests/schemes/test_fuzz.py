"""Property: random or mutated bytes either read as a scheme or raise hiap's SchemeError."""

from __future__ import annotations

import functools
import io
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
    else:
        assert isinstance(result, Scheme)


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
