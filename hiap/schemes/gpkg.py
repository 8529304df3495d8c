"""Read a GeoPackage upload with Python's ``sqlite3``, following the OGC GeoPackage standard.

No GDAL, pandas or geopandas: ``hiap scheme check`` on a GeoPackage starts in the time
shapely and pyproj take to import. The file is hostile, so:

- it is opened read-only and immutable (``file:…?mode=ro&immutable=1``), no extension is ever
  loaded and an authorizer lets the connection read and run the two PRAGMAs hiap uses, and
  nothing else (no ATTACH, no writes, no SQL functions, so a trigger or a generated column
  could not do anything even if SQLite wanted to run it);
- views, virtual tables other than the spatial index (``rtree``) and generated columns are
  refused before any row is read: they are how a database runs SQL when it is read;
- every table and column name comes from the file, so it is only ever used as a quoted
  identifier (:func:`quote_identifier`), never formatted into SQL as it stands;
- each geometry blob's GeoPackage header is checked byte by byte (magic, version, flags,
  envelope size) and its WKB walked (:func:`check_wkb`) before shapely sees it: GEOS
  crashes the process on a collection nested thousands deep, so nesting is capped as GDAL
  caps it, and the walk counts vertices, rings and parts, so the upload's geometry caps
  (:func:`~hiap.schemes.safety.check_geometry_size`) refuse a blob of a million empty
  collections before shapely builds a million objects.

Layers are the ``features`` rows of ``gpkg_contents`` with a ``gpkg_geometry_columns`` entry,
in the file's order (as GDAL lists them). The CRS comes from ``gpkg_spatial_ref_sys``: the
organisation's code (``EPSG:27700``), else the WKT definition, with GDAL's meanings for the
reserved ids 0 and -1 and its "Undefined SRS". Attribute values are SQLite's own (an
``INTEGER`` column gives ints, ``REAL`` floats, ``TEXT`` str, ``BLOB`` bytes), with the
GeoPackage types ``BOOLEAN``, ``DATE`` and ``DATETIME`` turned into bool, date and datetime;
the table follows the same pandas rules as GeoJSON (:class:`~hiap.schemes.features.Features`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import re
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes import safety
from hiap.schemes.features import Features, booleans_with_gaps_as_numbers
from hiap.schemes.safety import (
    MAX_ATTRIBUTE_COLUMNS,
    check_crs_definition,
    check_geometry_size,
    check_table_size,
    crs_from_definition,
    excerpt,
    refuse_references,
)

if TYPE_CHECKING:
    import pyproj
    import shapely

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
MAX_GEOMETRY_NESTING = 32
"""Deepest nesting of collections in a geometry (GDAL's own limit); a scheme needs two."""

_FIX = "Check it opens in a GIS and export it again as GeoPackage."
# SQLite objects a GeoPackage may hold besides tables: the spatial-index virtual tables
_RTREE = re.compile(
    r'^\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:"(?:[^"]|"")*"|[\w$]+)\s+USING\s+rtree\s*\(', re.IGNORECASE
)
# why: SQLite keeps a definition as written, so blanks and comments may sit between the words
_GAP = r"(?:\s|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))"
_VIRTUAL = re.compile(rf"^{_GAP}*CREATE{_GAP}+VIRTUAL\b", re.IGNORECASE | re.DOTALL)
_METADATA_TABLES = frozenset({"gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"})
_BATCH_ROWS = 1000
MAX_VALUE_BYTES = 10 * 1024 * 1024
"""The largest value (text, blob or a whole row) SQLite builds while reading an upload."""
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
# GDAL's definitions of the two CRS ids the standard reserves (a file need not define them)
_UNDEFINED_CRS = {
    0: 'GEOGCS["Undefined geographic SRS",DATUM["unknown",SPHEROID["unknown",6378137,'
    '298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST]]',
    -1: 'LOCAL_CS["Undefined Cartesian SRS",UNIT["Meter",1],AXIS["Easting",EAST],'
    'AXIS["Northing",NORTH]]',
}
# why: matched whole on the stripped text, with no optional blanks in the pattern, so a cell of
# a date and a long run of spaces cannot make the match backtrack
_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?"
)
MAX_DATE_CHARS = 40
"""A date cell longer than this is not a date (the longest GDAL writes has 29 characters)."""
_NUMERIC = re.compile(r"INT|REAL|FLOAT|DOUBLE")
_PRAGMAS = frozenset({"table_xinfo", "trusted_schema"})


def quote_identifier(name: str) -> str:
    """Quote a table or column name from an upload as an SQL identifier.

    Parameters
    ----------
    name
        The name as the file gives it (any text).

    Returns
    -------
    str
        ``"name"`` with every ``"`` doubled, which SQLite reads as exactly that name.

    Raises
    ------
    ValueError
        When the name holds a NUL character (SQLite cannot name anything so).
    """
    if "\x00" in name:
        raise ValueError("NUL in an SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    """Let the connection read tables and run hiap's PRAGMAs; deny everything else."""
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _damaged(source: str, what: str) -> SchemeError:
    return SchemeError(f"The GeoPackage {what}: the file is damaged. {_FIX}", source=source)


@contextlib.contextmanager
def open_gpkg(path: Path, *, source: str) -> Iterator[sqlite3.Connection]:
    """Open and check a GeoPackage written by hiap to ``path``; yield the read-only connection.

    Parameters
    ----------
    path
        The upload, as hiap wrote it to a temporary folder.
    source
        Name of the upload, for messages.

    Yields
    ------
    sqlite3.Connection
        Read-only, immutable, with the authorizer in place.

    Raises
    ------
    UnsafeUploadError
        When the file defines a view, a virtual table other than the spatial index, or a
        definition naming a GDAL virtual path.
    SchemeError
        When it is not an SQLite file or has no GeoPackage tables.
    """
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head != SQLITE_HEADER:
        raise SchemeError(
            "The file is named as a GeoPackage but is not one (it does not start with the "
            "SQLite header). Check it opens in a GIS and export it again as GeoJSON (.geojson), "
            "GeoPackage (.gpkg), zipped Shapefile (.zip) or KML (.kml/.kmz).",
            source=source,
        )
    problem = "not a readable GeoPackage"
    db: sqlite3.Connection | None = None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        db.set_authorizer(_authorize)
        # why: functions named in the schema (a generated column, a trigger) are not run
        db.execute("PRAGMA trusted_schema = OFF")
        objects = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        names = {name for kind, name, _ in objects if kind == "table"}
        if not {"gpkg_contents", "gpkg_spatial_ref_sys"} <= names:
            problem = "an SQLite database without the GeoPackage tables"
        else:
            problem = ""
    except (sqlite3.Error, OSError, ValueError):
        objects = []
    try:
        if problem or db is None:
            raise SchemeError(
                f"The file is {problem}. Check it opens in a GIS and export it again as "
                "GeoPackage.",
                source=source,
            )
        for kind, name, sql in objects:
            text = str(sql or "")
            if kind == "view" or (_VIRTUAL.match(text) and not _RTREE.match(text)):
                raise UnsafeUploadError(
                    "The GeoPackage was refused: it defines a "
                    f"{'view' if kind == 'view' else 'virtual table'} ('{excerpt(str(name))}'), "
                    "which runs SQL when read. Export the scheme's layer as a plain table (in "
                    "QGIS: Export > Save Features As… GeoPackage).",
                    source=source,
                )
            refuse_references(text, where=f"the definition of '{name}'", source=source)
        for table in _METADATA_TABLES & names:
            _refuse_generated(db, table, source=source)
        # why: set once the schema is read (a lower column limit makes SQLite refuse to parse a
        # wide table at all); a value or a result row past them fails instead of filling memory
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        db.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_ATTRIBUTE_COLUMNS + 8)
        yield db
    finally:
        if db is not None:
            db.close()


def _refuse_generated(db: sqlite3.Connection, table: str, *, source: str) -> list[tuple[Any, ...]]:
    """Return a table's columns (``PRAGMA table_xinfo``), refusing any generated column."""
    columns = _rows(
        db, f"PRAGMA table_xinfo({quote_identifier(table)})", source=source, what="its columns"
    )
    generated = [str(c[1]) for c in columns if c[6] in (2, 3)]
    if generated:
        what = f"layer '{excerpt(table)}'" if table not in _METADATA_TABLES else f"table {table}"
        raise UnsafeUploadError(
            f"The GeoPackage was refused: {what} has a generated column "
            f"('{excerpt(generated[0])}'), which runs SQL when read. Export the scheme's layer "
            "as a plain table (in QGIS: Export > Save Features As… GeoPackage).",
            source=source,
        )
    return columns


def _batches(db: sqlite3.Connection, sql: str, *, source: str, layer: str) -> Iterator[Any]:
    """Yield a layer's rows a batch at a time, refusing too many (:func:`check_table_size`)."""
    what = f"layer '{excerpt(layer)}'"
    try:
        cursor = db.execute(sql)
        n_rows = 0
        while batch := cursor.fetchmany(_BATCH_ROWS):
            n_rows += len(batch)
            check_table_size(0, n_rows, what=what, source=source)
            yield from batch
    except SchemeError:
        raise
    except (sqlite3.Error, ValueError, OverflowError):
        raise _damaged(source, f"cannot be read ({what})") from None


def _rows(
    db: sqlite3.Connection, sql: str, parameters: tuple[Any, ...] = (), *, source: str, what: str
) -> list[tuple[Any, ...]]:
    try:
        return db.execute(sql, parameters).fetchall()
    except (sqlite3.Error, ValueError, OverflowError):
        raise _damaged(source, f"cannot be read ({what})") from None


def gpkg_layers(db: sqlite3.Connection, *, source: str) -> list[str]:
    """List the feature layers of an open GeoPackage, in the file's order.

    Parameters
    ----------
    db
        From :func:`open_gpkg`.
    source
        Name of the upload, for messages.

    Returns
    -------
    list of str
        Tables that ``gpkg_contents`` lists as ``features`` and that have a geometry column.

    Raises
    ------
    UnsafeUploadError
        When a layer name holds a GDAL virtual path or a VRT.
    """
    contents = _rows(
        db, "SELECT table_name, data_type FROM gpkg_contents", source=source, what="its contents"
    )
    spatial = _geometry_columns(db, source=source)
    layers = []
    for name, data_type in contents:
        refuse_references(str(name), where="a layer name", source=source)
        if "\x00" in str(name):
            raise _damaged(source, "names a layer with a NUL character")
        if str(data_type).lower() == "features" and str(name) in spatial:
            layers.append(str(name))
    return layers


def _geometry_columns(db: sqlite3.Connection, *, source: str) -> dict[str, tuple[str, Any]]:
    """``{table: (geometry column, srs_id)}`` from ``gpkg_geometry_columns``."""
    tables = {
        row[0]
        for row in _rows(
            db, "SELECT name FROM sqlite_master WHERE type = 'table'", source=source, what="tables"
        )
    }
    if "gpkg_geometry_columns" not in tables:
        return {}
    rows = _rows(
        db,
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns",
        source=source,
        what="its geometry columns",
    )
    return {str(table): (str(column), srs_id) for table, column, srs_id in rows}


def _crs(db: sqlite3.Connection, srs_id: Any, *, source: str) -> pyproj.CRS | None:
    """Return the layer's CRS from ``gpkg_spatial_ref_sys`` as GDAL reads it (``None``: unknown)."""
    import pyproj

    found = []
    if isinstance(srs_id, int) and -(2**63) <= srs_id < 2**63:
        found = _rows(
            db,
            "SELECT organization, organization_coordsys_id, definition "
            "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
            (srs_id,),
            source=source,
            what="its coordinate systems",
        )
    organisation, code, definition = found[0] if found else (None, None, None)
    if srs_id in _UNDEFINED_CRS and (not found or str(definition).strip().lower() == "undefined"):
        return pyproj.CRS.from_wkt(_UNDEFINED_CRS[srs_id])
    if not found:
        return None
    if str(organisation).upper() == "EPSG" and isinstance(code, int):
        with contextlib.suppress(pyproj.exceptions.CRSError, OverflowError):
            return pyproj.CRS.from_epsg(code)
    text = str(definition or "").strip()
    check_crs_definition(
        text,
        what=f"The GeoPackage's coordinate-system definition (srs_id {excerpt(str(srs_id))})",
        fix=_FIX,
        source=source,
    )
    refuse_references(text, where="a coordinate-system definition", source=source)
    if not text or text.lower() == "undefined" or text.startswith('LOCAL_CS["Undefined SRS"'):
        return None
    try:
        return crs_from_definition(text)
    except pyproj.exceptions.CRSError as exc:
        # why: GDAL then gave no CRS; validation reports the missing system with its remedy
        logger.info("The coordinate system of %s is not WKT PROJ reads: %s", source, exc)
        return None


@dataclass
class WkbTally:
    """What a WKB walk counted.

    The counts are those :func:`~hiap.schemes.safety.check_geometries_size` makes of the same
    geometries once built, so the caps mean the same before shapely and after.
    """

    vertices: int = 0
    """Points of every point, line and ring."""
    rings: int = 0
    """Polygon rings (one at least per polygon, as an empty one is still a part), lines and
    points."""
    members: int = 0
    """Members of multi-geometries and collections, at every level, empty ones included."""
    most_rings: int | None = None
    """Stop the walk (:class:`PastTheCaps`) once ``rings`` passes this."""
    most_members: int | None = None
    """Stop the walk (:class:`PastTheCaps`) once ``members`` passes this."""

    def add(self, *, rings: int = 0, members: int = 0) -> None:
        """Count rings or members, and stop the walk once either passes its most."""
        self.rings += rings
        self.members += members
        if (self.most_rings is not None and self.rings > self.most_rings) or (
            self.most_members is not None and self.members > self.most_members
        ):
            raise PastTheCaps


class PastTheCaps(Exception):  # noqa: N818 (a signal, not an error: the caller refuses)
    """A WKB walk stopped because its tally passed its most rings or members."""


def check_wkb(
    wkb: bytes | memoryview, start: int = 0, depth: int = 0, *, tally: WkbTally | None = None
) -> int:
    """Walk a WKB geometry's structure without building it; return the offset after it.

    Counts are checked against the bytes left before any loop, so a blob that claims four
    billion points is refused at once; collections may nest :data:`MAX_GEOMETRY_NESTING` deep.

    Parameters
    ----------
    wkb
        Standard (ISO or extended) well-known binary.
    start
        Where the geometry starts in ``wkb``.
    depth
        Nesting depth of the geometry (0 at the top).
    tally
        When given, the geometry's vertices, rings and members are added to it, and the walk
        stops with :class:`PastTheCaps` as soon as its rings or members pass its most.

    Returns
    -------
    int
        The offset just past the geometry.

    Raises
    ------
    ValueError
        When the bytes are not a geometry shapely can read, or nest too deep.
    """
    if depth > MAX_GEOMETRY_NESTING:
        raise ValueError(f"collections nested more than {MAX_GEOMETRY_NESTING} deep")
    if len(wkb) < start + 5 or wkb[start] not in (0, 1):
        raise ValueError("not WKB")
    order = "<" if wkb[start] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", wkb, start + 1)
    at = start + 5
    dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
    if code & 0x20000000:  # an EWKB SRID
        at += 4
    code &= 0x0FFFFFFF
    dims += {0: 0, 1: 1, 2: 1, 3: 2}.get(code // 1000, 9)
    kind = code % 1000
    if dims > 4 or not 1 <= kind <= 7:
        raise ValueError(f"geometry type {code} is not a point, line, polygon or collection")

    def count(at: int, each: int) -> tuple[int, int]:
        if len(wkb) < at + 4:
            raise ValueError("cut short")
        (n,) = struct.unpack_from(order + "I", wkb, at)
        if n * each > len(wkb) - at - 4:
            raise ValueError("claims more than the blob holds")
        return n, at + 4

    point = 8 * dims
    vertices = 0
    if kind == 1:
        if len(wkb) >= at + 16:
            # why: an empty point is written as NaN coordinates; it has no vertex
            vertices = 0 if all(map(math.isnan, struct.unpack_from(order + "2d", wkb, at))) else 1
        at += point
    elif kind == 2:
        vertices, at = count(at, point)
        at += vertices * point
    elif kind == 3:
        rings, at = count(at, 4)
        if tally is not None:
            # why: counted as declared, before the loop, so a million rings are not walked
            tally.add(rings=max(rings, 1))
        for _ in range(rings):
            n, at = count(at, point)
            at += n * point
            vertices += n
    else:
        parts, at = count(at, 5)
        if tally is not None:
            tally.add(members=parts)
        for _ in range(parts):
            at = check_wkb(wkb, at, depth + 1, tally=tally)
    if tally is not None and kind <= 3:
        tally.vertices += vertices
        if kind < 3:
            tally.add(rings=1)
    if at > len(wkb):
        raise ValueError("cut short")
    return at


def decode_geometry(
    blob: object, *, source: str, feature: int, total: WkbTally | None = None
) -> shapely.Geometry | None:
    """Decode one GeoPackage geometry blob (``StandardGeoPackageBinary``) into 2D shapely.

    Parameters
    ----------
    blob
        The geometry column's value (``None`` for a feature without geometry).
    source
        Name of the upload, for messages.
    feature
        The feature's position (1-based), for messages.
    total
        The counts of the layer's geometries decoded so far: this one's are checked with
        them against the upload's caps before shapely builds it, then added.

    Returns
    -------
    shapely.Geometry or None
        The geometry with Z and M dropped (an empty geometry when the header says empty).

    Raises
    ------
    SchemeError
        When the blob is not a GeoPackage geometry, is an ExtendedGeoPackageBinary, or its
        header or WKB is malformed.
    UnsafeUploadError
        When its vertices, rings or parts, with those of ``total``, pass the upload's caps.
    """
    import shapely

    if blob is None:
        return None
    problem = ""
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        problem = "is not a GeoPackage geometry (it does not start with 'GP')"
    elif blob[2] != 0:
        problem = f"has GeoPackage geometry version {blob[2] + 1}, not 1"
    elif blob[3] & 0x20:
        problem = "is an ExtendedGeoPackageBinary geometry, which hiap does not read"
    elif blob[3] & 0xC0 or ((blob[3] >> 1) & 0x07) not in _ENVELOPE_BYTES:
        problem = "has a malformed header (reserved flags set or an unknown envelope kind)"
    elif len(blob) < 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07] + 5:
        envelope = _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]
        problem = f"is shorter than its header says (a {envelope}-byte envelope, then WKB)"
    if not problem:
        header = 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]  # type: ignore[index]
        wkb = memoryview(blob)[header:]  # type: ignore[arg-type]
        # why: the caps are checked before shapely, which builds every member (a million
        # empty collections took 2 s and 320 MB to build, only to be refused afterwards), and
        # during the walk, which stops once past them rather than walk a million members
        counted = WkbTally()
        if total is not None:
            counted.most_rings = min(
                safety.MAX_RINGS_PER_FEATURE, safety.MAX_RINGS - total.rings
            )
            counted.most_members = safety.MAX_RINGS - total.members
        stopped = False
        try:
            if check_wkb(wkb, tally=counted) != len(wkb):
                raise ValueError("trailing bytes")
        except (ValueError, struct.error) as exc:
            problem = f"has a malformed header or WKB ({excerpt(str(exc))})"
        except PastTheCaps:
            stopped = True
    if not problem:
        if total is not None:
            check_geometry_size(
                total.vertices + counted.vertices,
                max(total.rings + counted.rings, total.members + counted.members),
                most_rings_in_a_feature=counted.rings,
                source=source,
                at_least=stopped,
            )
            total.vertices += counted.vertices
            total.rings += counted.rings
            total.members += counted.members
        try:
            geometry = shapely.from_wkb(bytes(wkb), on_invalid="raise")
        except (ValueError, shapely.errors.GEOSException) as exc:
            problem = f"has a malformed header or WKB ({excerpt(str(exc))})"
        else:
            # why: the envelope is only an index hint; nothing is taken from it
            return shapely.force_2d(geometry)
    raise SchemeError(
        f"The GeoPackage's feature {feature} has a geometry that {problem}. {_FIX}",
        source=source,
    )


def _value(value: Any, declared: str) -> Any:
    """Return a cell typed as GDAL types it from the column's GeoPackage type."""
    if value is None:
        # why: GDAL's numeric column holds NaN where a value is missing
        return math.nan if _NUMERIC.search(declared) else None
    if isinstance(value, bytes):
        return value
    if declared == "BOOLEAN" and isinstance(value, int):
        return bool(value)
    if declared in ("DATE", "DATETIME") and isinstance(value, str):
        return _date(value, with_time=declared == "DATETIME")
    return value


def _date(text: str, *, with_time: bool) -> dt.date | dt.datetime | None:
    """Parse a GeoPackage date as leniently as GDAL does (``None`` when it cannot)."""
    if len(text) > MAX_DATE_CHARS:
        return None
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if not with_time:
            return dt.date(int(year), int(month), int(day))
        seconds = float(second or 0)
        tz = None
        if zone == "Z":
            tz = dt.UTC
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            tz = dt.timezone(sign * offset)
        return dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds),
            round((seconds % 1) * 1_000_000), tzinfo=tz,
        )  # fmt: skip
    except (ValueError, OverflowError):
        return None


def read_gpkg_layer(db: sqlite3.Connection, layer: str, *, source: str) -> Features:
    """Read one feature layer of an open GeoPackage.

    Parameters
    ----------
    db
        From :func:`open_gpkg`.
    layer
        One of :func:`gpkg_layers`.
    source
        Name of the upload, for messages.

    Returns
    -------
    Features
        Every row: its geometry (2D) and its attributes (all columns but the geometry and
        the integer primary key), in the layer's CRS.

    Raises
    ------
    UnsafeUploadError
        When the table has a generated column, or a text value or column name holds a GDAL
        virtual path or a VRT.
    SchemeError
        When ``gpkg_contents`` names a table the file does not hold, or a row cannot be read.
    """
    # why: one row by a bound parameter, so reading every layer of a file with thousands of
    # them stays linear
    found = _rows(
        db,
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
        (layer,),
        source=source,
        what="its geometry columns",
    )
    if not found:
        raise _damaged(source, f"has no geometry column for layer '{excerpt(layer)}'")
    geometry_column, srs_id = str(found[0][0]), found[0][1]
    table = quote_identifier(layer)
    exists = _rows(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
        (layer,),
        source=source,
        what="tables",
    )
    if not exists:
        raise SchemeError(
            f"The GeoPackage lists a layer '{excerpt(layer)}' that it does not hold (no such "
            f"table): the file is damaged. {_FIX}",
            source=source,
        )
    columns = _refuse_generated(db, layer, source=source)
    primary = [c for c in columns if c[5]]
    key = (
        str(primary[0][1])
        if len(primary) == 1 and str(primary[0][2]).upper() == "INTEGER"
        else None
    )
    names = [str(c[1]) for c in columns]
    if geometry_column not in names:
        raise _damaged(
            source, f"layer '{excerpt(layer)}' has no column '{excerpt(geometry_column)}'"
        )
    attributes = [
        (str(c[1]), str(c[2]).upper()) for c in columns if str(c[1]) not in (geometry_column, key)
    ]
    check_table_size(len(attributes), 0, what=f"layer '{excerpt(layer)}'", source=source)
    for name, _ in attributes:
        refuse_references(name, where="a column name", source=source)
    try:
        selected = ", ".join(
            quote_identifier(n) for n in [geometry_column, *(a for a, _ in attributes)]
        )
    except ValueError:
        raise _damaged(source, "names a column with a NUL character") from None
    records, geometries = [], []
    counted = WkbTally()
    for position, row in enumerate(
        _batches(db, f"SELECT {selected} FROM {table}", source=source, layer=layer), start=1
    ):
        geometries.append(
            decode_geometry(row[0], source=source, feature=position, total=counted)
        )
        record = {}
        for (name, declared), value in zip(attributes, row[1:], strict=True):
            if isinstance(value, str):
                refuse_references(value, where=f"column '{name}'", source=source)
            record[name] = _value(value, declared)
        records.append(record)
    booleans_with_gaps_as_numbers(
        records, [n for n, declared in attributes if declared == "BOOLEAN"]
    )
    crs = _crs(db, srs_id, source=source)
    return Features.from_records([records], geometries, crs)
