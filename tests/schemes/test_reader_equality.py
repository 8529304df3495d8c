"""hiap's own GeoPackage and Shapefile readers give what GDAL (pyogrio) gave, file by file.

Uploads used to be read with ``pyogrio.read_dataframe(..., force_2d=True,
on_invalid="ignore")``. Each file below, written with pyogrio from the test fixtures and from
every sample scheme and proposal layer in ``sample_schemes/``, is read both ways and must give
the same geometries (``equals_exact`` to 1e-9), CRS, attribute values and, through validation,
the same scheme: metadata, notes, areas and problems.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes.features import Features
from hiap.schemes.readers import RawScheme, read_layers, read_raw
from hiap.schemes.validate import validate_scheme
from hiap.settings import SHARED_DATA_DIR, Settings
from tests.schemes.conftest import route_frames, site_frame, write_gpkg

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_schemes").glob("*.geojson"))
PROPOSALS = sorted((ROOT / "sample_schemes" / "proposals").iterdir())


class FrameFeatures(Features):
    """Features whose table is a GeoDataFrame as pyogrio read it (GDAL's dtypes kept as read)."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        super().__init__(list(frame.geometry.to_numpy()), frame.crs)
        self._frame = frame


def old_features(path: str | Path, layer: str | None = None) -> Features:
    """The features as the pyogrio reader read them (GDAL's warnings were logged, not raised)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pyogrio.read_dataframe(path, layer=layer, force_2d=True, on_invalid="ignore")
    return FrameFeatures(frame)


def _same_value(old: Any, new: Any) -> bool:
    if isinstance(old, float) and math.isnan(old):
        return isinstance(new, float) and math.isnan(new)
    if isinstance(old, pd.Timestamp):
        return isinstance(new, dt.datetime | dt.date) and old == pd.Timestamp(new)
    if old is pd.NaT:
        return new is pd.NaT or new is None or (isinstance(new, float) and math.isnan(new))
    return type(old) is type(new) and old == new


def assert_same_features(old: Features, new: Features) -> None:
    """Same geometries, CRS and attribute values (types included) in the same order."""
    assert len(old) == len(new)
    assert old.crs == new.crs, (old.crs, new.crs)
    for a, b in zip(old.geometries, new.geometries, strict=True):
        assert (a is None) == (b is None), (a, b)
        if a is not None:
            assert a.geom_type == b.geom_type and shapely.equals_exact(a, b, 1e-9), (a, b)
    old_table, new_table = old.attributes(), new.attributes()
    if len(old) == 0:
        return
    assert list(old_table.columns) == list(new_table.columns)
    positions = range(len(old))
    for name in old_table.columns:
        assert new.has_column(name)
        before, after = old.column(name, positions), new.column(name, positions)
        assert all(map(_same_value, before, after)), (name, before, after)
        # the table a caller may ask for holds the same values too
        assert all(map(_same_value, before, new_table[name].tolist())), name


def assert_same_scheme(old: RawScheme, new: RawScheme, **options: Any) -> None:
    """Validation gives the same scheme, or the same problems, from either reading."""
    results = []
    for raw in (old, new):
        try:
            results.append(validate_scheme(raw, **options))
        except SchemeError as exc:
            results.append(exc)
    before, after = results
    if isinstance(before, SchemeError):
        assert isinstance(after, SchemeError) and after.problems == before.problems
        return
    assert not isinstance(after, SchemeError), after.problems
    assert after.metadata == before.metadata
    assert after.notes == before.notes
    assert after.source_crs == before.source_crs
    assert after.feature_counts == before.feature_counts
    assert after.area_ha == pytest.approx(before.area_ha, rel=1e-12)
    for part in ("boundary", "lines", "stops"):
        a, b = getattr(before, part), getattr(after, part)
        assert (a is None) == (b is None)
        if a is not None:
            assert list(a.columns) == list(b.columns)
            assert all(shapely.equals_exact(a.geometry.values, b.geometry.values, 1e-9))


def _mixed_types() -> gpd.GeoDataFrame:
    """Every attribute type a GeoPackage or Shapefile stores, with gaps and no geometry."""
    return gpd.GeoDataFrame(
        {
            "name": ["Site", None, "Ünïcode ’quote’"],
            "dwellings": [300, 12, 7],
            "gaps": [1, None, 3],
            "ratio": [0.25, 1.0, None],
            "flag": [True, False, True],
            "opened": pd.to_datetime(["2031-04-01 00:00", "2029-01-15 10:30", None]),
            "none_int": pd.array([None, None, None], dtype="Int64"),
            "none_float": [math.nan, math.nan, math.nan],
            "none_text": pd.array([None, None, None], dtype="str"),
        },
        geometry=[shapely.box(545_000, 254_000, 545_300, 254_300), None, shapely.Point(545_100, 254_100)],
        crs=27700,
    )


def _gpkg_cases(tmp: Path) -> Iterator[tuple[str, Path, dict[str, gpd.GeoDataFrame]]]:
    line, stops = route_frames()
    yield "site-bng", tmp / "a.gpkg", {"boundary": site_frame(27700, name="A", dwellings=300)}
    yield "site-wgs84", tmp / "b.gpkg", {"site": site_frame(4326, name="B")}
    yield "route", tmp / "c.gpkg", {"route": pd.concat([line, stops], ignore_index=True)}
    yield "mixed-types", tmp / "d.gpkg", {"mixed": _mixed_types()}
    yield "empty", tmp / "e.gpkg", {"site": site_frame().iloc[0:0]}
    yield "no-crs", tmp / "f.gpkg", {"site": site_frame().set_crs(None, allow_override=True)}
    for sample in SAMPLES:
        frame = gpd.read_file(sample)
        yield sample.stem, tmp / f"{sample.stem}-4326.gpkg", {sample.stem: frame}
        yield sample.stem + "-bng", tmp / f"{sample.stem}.gpkg", {"s": frame.to_crs(27700)}


@pytest.fixture(scope="module")
def gpkg_cases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, list[str]]]:
    tmp = tmp_path_factory.mktemp("gpkg")
    cases = []
    for name, path, layers in _gpkg_cases(tmp):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            write_gpkg(path, layers)
        cases.append((name, path, list(layers)))
    return cases


def test_geopackages_read_as_gdal_read_them(
    gpkg_cases: list[tuple[str, Path, list[str]]], settings: Settings
) -> None:
    assert len(gpkg_cases) == 6 + 2 * len(SAMPLES)
    for name, path, layers in gpkg_cases:
        assert [str(n) for n, _ in pyogrio.list_layers(path)] == layers, name
        new = read_raw(path, settings=settings)
        assert new.layers == layers
        old = old_features(path, layers[0])
        assert_same_features(old, new.features)
        assert_same_scheme(RawScheme(old, new.source_name, "gpkg", layers), new)


def test_proposal_layers_read_as_gdal_read_them(tmp_path: Path, settings: Settings) -> None:
    # every proposal written as one multi-layer GeoPackage, as a planner would hand it over
    assert len(PROPOSALS) >= 3
    for folder in PROPOSALS:
        layers = {p.stem: gpd.read_file(p).to_crs(27700) for p in sorted(folder.glob("*.geojson"))}
        path = write_gpkg(tmp_path / f"{folder.name}.gpkg", layers)
        new = read_layers(path, settings=settings)
        assert list(new) == list(layers)
        for layer, raw in new.items():
            assert_same_features(old_features(path, layer), raw.features)


def test_the_real_geopackage_in_the_data_directory() -> None:
    # a GeoPackage written by R's sf (GDAL), not by pyogrio: 9,955 TIPLOC points
    path = SHARED_DATA_DIR / "transit" / "rail_gb_sample" / "uk2gtfs_tiplocs.gpkg"
    if not path.is_file():
        pytest.skip("the shared data directory is not here")
    from hiap.schemes.gpkg import gpkg_layers, open_gpkg, read_gpkg_layer

    with open_gpkg(path, source=path.name) as db:
        (layer,) = gpkg_layers(db, source=path.name)
        new = read_gpkg_layer(db, layer, source=path.name)
    assert len(new) == 9955
    assert_same_features(old_features(path, layer), new)


# --- Shapefiles ---------------------------------------------------------------------------


def _rings() -> dict[str, shapely.Geometry]:
    """Polygons and lines whose parts GDAL groups: holes, several parts, parts with holes."""
    e, n = 545_000.0, 254_000.0
    outer, hole = shapely.box(e, n, e + 300, n + 300), shapely.box(e + 100, n + 100, e + 200, n + 200)
    far = shapely.box(e + 1000, n, e + 1200, n + 200)
    island = shapely.box(e + 120, n + 120, e + 180, n + 180)
    return {
        "holed": outer.difference(hole),
        "two-parts": shapely.MultiPolygon([outer, far]),
        "parts-with-holes": shapely.MultiPolygon([far, outer.difference(hole), island]),
        "small-first": shapely.MultiPolygon([island, far.difference(shapely.box(e + 1050, n + 50, e + 1100, n + 100))]),
    }


def _shapefile_cases() -> Iterator[tuple[str, gpd.GeoDataFrame]]:
    line, stops = route_frames()
    yield "site-bng", site_frame(27700, name="A", dwellings=300)
    yield "site-wgs84", site_frame(4326, name="B")
    yield "no-crs", site_frame().set_crs(None, allow_override=True)
    yield "line", line
    yield "stops", stops
    yield "multipoint", gpd.GeoDataFrame(geometry=[shapely.MultiPoint([(0, 0), (1, 1)])], crs=27700)
    yield "multiline", gpd.GeoDataFrame(
        geometry=[shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])], crs=27700
    )
    mixed = _mixed_types()
    yield "mixed-types", mixed.assign(geometry=[mixed.geometry[0], None, mixed.geometry[0]])
    rings = _rings()
    yield "rings", gpd.GeoDataFrame({"case": list(rings)}, geometry=list(rings.values()), crs=27700)
    # a shapefile holds one kind of geometry: a sample with a route and its stops gives two
    for sample in SAMPLES:
        for kind, frame in _by_kind(gpd.read_file(sample)):
            yield f"{sample.stem}-{kind}", frame
            yield f"{sample.stem}-{kind}-bng", frame.to_crs(27700)
    for folder in PROPOSALS:
        for layer in sorted(folder.glob("*.geojson")):
            for kind, frame in _by_kind(gpd.read_file(layer).to_crs(27700)):
                yield f"{folder.name}-{layer.stem}-{kind}", frame


def _by_kind(frame: gpd.GeoDataFrame) -> Iterator[tuple[str, gpd.GeoDataFrame]]:
    kinds = frame.geometry.geom_type.str.replace("Multi", "")
    for kind in sorted(kinds.unique()):
        yield kind.lower(), frame[kinds == kind].reset_index(drop=True)


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return buffer.getvalue()


def assert_same_shapefile(folder: Path, settings: Settings, **options: Any) -> None:
    """The zipped folder reads as pyogrio read the .shp in it."""
    (shp,) = folder.glob("*.shp")
    new = read_raw(_zip_folder(folder), filename="upload.zip", settings=settings)
    old = old_features(shp)
    assert_same_features(old, new.features)
    assert_same_scheme(RawScheme(old, new.source_name, "shapefile", new.layers), new, **options)


def test_zipped_shapefiles_read_as_gdal_read_them(tmp_path: Path, settings: Settings) -> None:
    cases = list(_shapefile_cases())
    assert len(cases) >= 9 + 2 * len(SAMPLES) + 3 * 6
    for name, frame in cases:
        folder = tmp_path / name
        folder.mkdir()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=RuntimeWarning)  # dates as text
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            pyogrio.write_dataframe(frame, folder / "site.shp")
        kind = "transport" if name in ("line", "multiline") else None
        assert_same_shapefile(folder, settings, kind=kind)


def _dbf(fields: list[tuple[str, str, int, int]], rows: list[list[bytes]], *, ldid: int = 0) -> bytes:
    """A dBASE III table written byte by byte: fields (name, type, length, decimals); each
    row's first cell is its deletion flag (b' ' or b'*')."""
    header_bytes = 32 + 32 * len(fields) + 1
    row_bytes = 1 + sum(length for _, _, length, _ in fields)
    out = bytearray(struct.pack("<B3BIHH", 0x03, 126, 1, 1, len(rows), header_bytes, row_bytes))
    out += bytes(17) + bytes([ldid]) + bytes(2)
    for name, kind, length, decimals in fields:
        out += name.encode().ljust(11, b"\x00") + kind.encode() + bytes(4)
        out += bytes([length, decimals]) + bytes(14)
    out += b"\r"
    for row in rows:
        out += row[0] + b"".join(
            cell.ljust(length) for cell, (_, _, length, _) in zip(row[1:], fields, strict=True)
        )
    return bytes(out + b"\x1a")


DBF_FIELDS = [
    ("name", "C", 20, 0), ("small", "N", 5, 0), ("wide", "N", 18, 0), ("huge", "N", 20, 0),
    ("ratio", "N", 10, 3), ("f", "F", 12, 4), ("flag", "L", 1, 0), ("opened", "D", 8, 0),
    ("memo", "M", 10, 0),
]  # fmt: skip
DBF_ROWS = [
    [b" ", "Café".encode("latin-1"), b"12", b"123456789012345", b"12345678901234567890", b"2.500",
     b"1.5e3", b"T", b"20310401", b"17"],
    [b"*", b"deleted", b"1", b"2", b"3", b"4", b"5", b"F", b"20200101", b""],
    [b" ", b"", b"", b"*****", b"", b"**********", b"", b"?", b"        ", b""],
    [b" ", b"  lead", b"-7", b"+3", b"-1", b"-0.125", b"12abc", b"y", b"20290115", b""],
    [b" ", "Ünï".encode("latin-1"), b"  4", b"0", b"0", b"  .5", b"-2", b"n", b"00000000", b" "],
]  # fmt: skip


@pytest.mark.parametrize(
    ("cpg", "ldid", "text"),
    [(None, 0, "latin-1"), (b"UTF-8", 0, "utf-8"), (b"1252", 0, "cp1252"), (None, 0x57, "latin-1"),
     (None, 0xC9, "cp1251"), (b"ISO-8859-1", 0, "latin-1")],
)  # fmt: skip
def test_dbf_values_read_as_gdal_reads_them(
    tmp_path: Path, settings: Settings, cpg: bytes | None, ldid: int, text: str
) -> None:
    # every dBASE type, missing values (blank, '*'), deleted rows, text numbers, code pages
    folder = tmp_path / "dbf"
    folder.mkdir()
    points = gpd.GeoDataFrame(geometry=[shapely.Point(545_000 + i, 254_000) for i in range(5)], crs=27700)
    pyogrio.write_dataframe(points, folder / "site.shp")
    rows = [[row[0], row[1].decode("latin-1").encode(text, "replace"), *row[2:]] for row in DBF_ROWS]
    (folder / "site.dbf").write_bytes(_dbf(DBF_FIELDS, rows, ldid=ldid))
    (folder / "site.cpg").unlink()
    if cpg is not None:
        (folder / "site.cpg").write_bytes(cpg)
    assert_same_shapefile(folder, settings)
