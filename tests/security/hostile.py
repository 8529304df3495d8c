"""Small hostile scheme files built in code: minimal shapefiles and GeoPackages, no GDAL.

Each builder writes the bytes a crafted upload would hold, so a test can make a file that
would be huge or slow to read without hiap's limits, and stay a few kilobytes itself.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

BNG_WKT = (
    'PROJCS["OSGB 1936 / British National Grid",GEOGCS["OSGB 1936",DATUM["OSGB_1936",'
    'SPHEROID["Airy 1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],'
    'PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],'
    'PARAMETER["false_northing",-100000],UNIT["metre",1]]'
)
MERCATOR_WITH_PROJ4 = (
    'PROJCS["x",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Mercator_1SP"],'
    'PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],'
    'PARAMETER["false_northing",0],UNIT["metre",1],EXTENSION["PROJ4","{}"]]'
)
Ring = list[tuple[float, float]]


def square(x0: float, y0: float, side: float, *, clockwise: bool = True) -> Ring:
    """A closed square ring (clockwise: a shapefile's outer ring)."""
    ring = [(x0, y0), (x0, y0 + side), (x0 + side, y0 + side), (x0 + side, y0), (x0, y0)]
    return ring if clockwise else ring[::-1]


def _shape_header(length_bytes: int) -> bytes:
    return (
        struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
        + struct.pack("<2i", 1000, 5)
        + struct.pack("<8d", *[0.0] * 8)
    )


def polygon_record(rings: Sequence[Ring]) -> bytes:
    """One .shp polygon record's content."""
    starts, at = [], 0
    for ring in rings:
        starts.append(at)
        at += len(ring)
    points = b"".join(struct.pack("<2d", *p) for ring in rings for p in ring)
    return (
        struct.pack("<i4d2i", 5, 0, 0, 0, 0, len(rings), at)
        + struct.pack(f"<{len(starts)}i", *starts)
        + points
    )


def shp_shx(records: Sequence[bytes]) -> tuple[bytes, bytes]:
    """A .shp and its .shx index holding the given polygon records."""
    body, index, at = [], [], 100
    for number, content in enumerate(records, start=1):
        body.append(struct.pack(">2i", number, len(content) // 2) + content)
        index.append(struct.pack(">2i", at // 2, len(content) // 2))
        at += 8 + len(content)
    shp = _shape_header(at) + b"".join(body)
    shx = _shape_header(100 + 8 * len(records)) + b"".join(index)
    return shp, shx


def dbf(
    fields: Sequence[tuple[str, str, int]], rows: Sequence[bytes], *, n_rows: int | None = None
) -> bytes:
    """A .dbf with fields (name, type, length) and rows (already padded to the fields)."""
    header_bytes = 32 + 32 * len(fields) + 1
    row_bytes = 1 + sum(length for *_, length in fields)
    head = bytearray(
        struct.pack(
            "<BBBBIHH20x",
            3,
            124,
            1,
            1,
            len(rows) if n_rows is None else n_rows,
            header_bytes,
            row_bytes,
        )
    )
    head[29] = 0x57
    for name, kind, length in fields:
        head += (
            name.encode()[:11].ljust(11, b"\0")
            + kind.encode()
            + b"\0" * 4
            + bytes([length, 0])
            + b"\0" * 14
        )
    head += b"\r"
    return bytes(head) + b"".join(b" " + row for row in rows) + b"\x1a"


def shapefile_parts(
    rings: Sequence[Ring] | None = None, *, prj: str | None = BNG_WKT
) -> dict[str, bytes]:
    """A one-polygon shapefile's parts by suffix (a 200 m square in Cambridge by default)."""
    shp, shx = shp_shx([polygon_record(rings or [square(545000, 258000, 200)])])
    parts = {".shp": shp, ".shx": shx, ".dbf": dbf([("name", "C", 20)], [b"Test site".ljust(20)])}
    if prj is not None:
        parts[".prj"] = prj.encode()
    return parts


def zipped(
    parts: dict[str, bytes], *, stem: str = "site", method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """The parts zipped under one stem."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for suffix, data in parts.items():
            archive.writestr(stem + suffix, data)
    return buffer.getvalue()


def gp_polygon(rings: Sequence[Ring] | None = None, srs_id: int = 27700) -> bytes:
    """A GeoPackage geometry blob (no envelope) of one polygon."""
    rings = rings or [square(545000, 258000, 200, clockwise=False)]
    wkb = struct.pack("<BII", 1, 3, len(rings)) + b"".join(
        struct.pack("<I", len(ring)) + b"".join(struct.pack("<2d", *p) for p in ring)
        for ring in rings
    )
    return b"GP" + bytes([0, 1]) + struct.pack("<i", srs_id) + wkb


def gpkg(
    path: Path,
    *,
    srs: tuple[int, str, int, str] = (27700, "EPSG", 27700, BNG_WKT),
    rows: Sequence[tuple[object, ...]] | None = None,
    setup: Callable[[sqlite3.Connection], object] | None = None,
) -> bytes:
    """Write a minimal GeoPackage (layer ``site``) with sqlite3 and return its bytes.

    ``srs`` is (srs_id, organisation, code, definition); ``rows`` are one-geometry rows;
    ``setup`` runs on the connection once the rows are in (so a generated column it adds is
    never computed while the file is built).
    """
    srs_id = srs[0]
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
            "organization TEXT, organization_coordsys_id INTEGER, definition TEXT, "
            "description TEXT);"
            "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, "
            "srs_id INTEGER);"
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
            "geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);"
            "CREATE TABLE site (fid INTEGER PRIMARY KEY, geom BLOB);"
        )
        db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?, ?, ?, ?, '')", srs)
        db.execute("INSERT INTO gpkg_contents VALUES ('site', 'features', ?)", (srs_id,))
        db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES ('site', 'geom', 'GEOMETRY', ?, 0, 0)",
            (srs_id,),
        )
        for row in rows if rows is not None else [(gp_polygon(srs_id=srs_id),)]:
            db.execute("INSERT INTO site (geom) VALUES (?)", row)
        if setup is not None:
            setup(db)
    return path.read_bytes()


def rewrite_schema(path: Path, table: str, sql: str) -> bytes:
    """Replace a table's definition in ``sqlite_master`` as a crafted file would; return bytes."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, table))
    return path.read_bytes()
