"""Read a Shapefile's ``.shp``, ``.shx`` and ``.dbf`` bytes into shapely geometries and records.

hiap reads the handful of shapefile parts an upload holds itself, with :mod:`struct`, rather
than through GDAL (whose Python binding, pyogrio, imports pandas and geopandas: most of a
second before ``hiap scheme check`` could start) or pyshp. A pure-Python library would parse
the bytes, but not give what GDAL gave: hiap's scheme tables must stay as they were, so the
GDAL rules are what this module is about, and they are few:

- records are found through the ``.shx`` index, each checked to lie inside the ``.shp``, after
  the one before it; the ``.dbf`` must hold one row per shape;
- a polygon's rings are grouped as GDAL groups them (its ``ONLY_CCW`` method): clockwise rings
  are outer rings, each counter-clockwise ring is a hole of the smallest outer ring holding it;
  one polygon gives a Polygon, more a MultiPolygon; a line of one part is a LineString;
  Z and M values are dropped;
- ``.dbf`` fields are typed as GDAL types them: ``N`` without decimals and at most 18 digits
  is a whole number, other ``N`` and ``F`` are decimals, ``L`` is true/false, ``D`` a date,
  everything else text (blanks around it cut); a blank or ``*``-filled value is missing;
  deleted rows are skipped with their shapes; text is decoded with the ``.cpg`` code page,
  else the ``.dbf`` language-driver byte, else ISO-8859-1.

Every count and length in the headers is checked against the bytes there are before anything
is read with it, so a file that lies about its sizes is refused with a message saying which
part is damaged, never read past its end.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import math
import re
import struct
from typing import TYPE_CHECKING, Any

from hiap.errors import SchemeError
from hiap.schemes.features import Features, booleans_with_gaps_as_numbers
from hiap.schemes.safety import (
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

_REMEDY = "Export the layer again from your GIS and zip its .shp, .shx, .dbf and .prj together."
_POINT, _LINE, _POLYGON, _MULTIPOINT = 1, 3, 5, 8
# shape type -> (base type, bytes per point after x, y: none; Z types add z, M types add m)
_SHAPE_TYPES = {
    0: 0,
    1: 1,
    3: 3,
    5: 5,
    8: 8,
    11: 1,
    13: 3,
    15: 5,
    18: 8,
    21: 1,
    23: 3,
    25: 5,
    28: 8,
}
# dBASE language-driver ids GDAL knows, by code page (0 and the rest: ISO-8859-1)
_LDID_CODEPAGES = {
    0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x08: "cp865", 0x09: "cp437", 0x0A: "cp850",
    0x0B: "cp437", 0x0D: "cp437", 0x0E: "cp850", 0x0F: "cp437", 0x10: "cp850", 0x11: "cp437",
    0x12: "cp850", 0x13: "cp932", 0x14: "cp850", 0x15: "cp437", 0x16: "cp850", 0x17: "cp865",
    0x18: "cp437", 0x19: "cp437", 0x1A: "cp850", 0x1B: "cp437", 0x1C: "cp863", 0x1D: "cp850",
    0x1F: "cp852", 0x22: "cp852", 0x23: "cp852", 0x24: "cp860", 0x25: "cp850", 0x26: "cp866",
    0x37: "cp850", 0x40: "cp852", 0x4D: "cp936", 0x4E: "cp949", 0x4F: "cp950", 0x50: "cp874",
    0x57: "latin-1", 0x58: "cp1252", 0x59: "cp1252", 0x64: "cp852", 0x65: "cp866",
    0x66: "cp865", 0x67: "cp861", 0x6A: "cp737", 0x6B: "cp857", 0x6C: "cp863", 0x78: "cp950",
    0x79: "cp949", 0x7A: "cp936", 0x7B: "cp932", 0x7C: "cp874", 0x7D: "cp1255", 0x7E: "cp1256",
    0x86: "cp737", 0x87: "cp852", 0x88: "cp857", 0xC8: "cp1250", 0xC9: "cp1251",
    0xCA: "cp1254", 0xCB: "cp1253", 0xCC: "cp1257",
}  # fmt: skip
_INTEGER = re.compile(rb"\s*([+-]?\d+)")
_REAL = re.compile(rb"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


def _damaged(source: str, part: str, what: str) -> SchemeError:
    return SchemeError(
        f"The shapefile's {part} is damaged: {what}. {_REMEDY}",
        source=source,
    )


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


# why: text codecs that cannot decode arbitrary bytes with "replace" (they raise instead)
_UNUSABLE_CODECS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"}
)
_ALL_BYTES = bytes(range(256))


def _text_codec(name: str) -> str | None:
    """Return the codec's name if it decodes any bytes to text, else ``None``.

    A ``.cpg`` may name any codec Python knows, and some are not character sets at all
    (``rot13``, ``base64``, ``zlib``, ``uu``) or raise on bytes they do not expect
    (``undefined``, ``idna``), so only text encodings that decode every byte are used.
    """
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True) or info.name in _UNUSABLE_CODECS:
            return None
        _ALL_BYTES.decode(info.name, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return info.name


def cpg_note(cpg: bytes | None, ldid: int) -> str | None:
    """Say which code page the ``.dbf`` is read with when its ``.cpg`` names none hiap uses.

    Parameters
    ----------
    cpg
        The ``.cpg`` bytes, if the upload has one.
    ldid
        The ``.dbf`` language-driver byte (its 30th byte).

    Returns
    -------
    str or None
        A note for the user, or ``None`` when the ``.cpg`` is absent or usable.
    """
    if cpg is None or _cpg_codec(cpg) is not None:
        return None
    return (
        f"The .cpg names '{excerpt(cpg.decode('ascii', 'replace').strip())}', which is not a "
        f"character set hiap reads; the attributes were read as "
        f"{_LDID_CODEPAGES.get(ldid, 'latin-1')} instead. If names look wrong, export the layer "
        "again with UTF-8."
    )


def _cpg_codec(cpg: bytes) -> str | None:
    """Return the codec a ``.cpg`` names, as GDAL reads the name (``None``: none usable)."""
    name = cpg.decode("ascii", "replace").strip().upper()
    digits = re.fullmatch(r"(?:ANSI\s*|CP\s*|WINDOWS-)?(\d{3,5})", name)
    if name.replace("-", "").startswith("UTF8"):
        return "utf-8"
    if name.replace("-", "").startswith(("88591", "ISO88591")) or name == "LATIN1":
        return "latin-1"
    iso = re.fullmatch(r"(?:ISO)?-?8859-?(\d{1,2})", name)
    if iso:
        name = f"iso8859-{iso.group(1)}"
    elif digits:
        name = f"cp{digits.group(1)}"
    return _text_codec(name)


def _encoding(cpg: bytes | None, ldid: int) -> str:
    """Return the ``.dbf`` text's code page: the ``.cpg``'s, else the language driver's."""
    if cpg is not None:
        codec = _cpg_codec(cpg)
        if codec is not None:
            return codec
    return _LDID_CODEPAGES.get(ldid, "latin-1")


def _fields(
    dbf: bytes, *, source: str, part: str
) -> tuple[list[tuple[bytes, str, int, int]], int, int, int]:
    """Parse the ``.dbf`` header: fields (name, type, length, decimals), rows, start, row size."""
    if len(dbf) < 33:
        raise _damaged(source, part, "its header is cut short")
    n_rows, header_bytes, row_bytes = struct.unpack_from("<IHH", dbf, 4)
    if header_bytes < 33 or header_bytes > len(dbf):
        raise _damaged(source, part, f"its header claims {header_bytes:,} bytes")
    raw_fields = []
    for at in range(32, header_bytes - 31, 32):
        if dbf[at] == 0x0D:
            break
        descriptor = dbf[at : at + 32]
        raw_fields.append(
            (
                descriptor[:11].split(b"\x00", 1)[0],
                chr(descriptor[11]),
                descriptor[16],
                descriptor[17],
            )
        )
    widths = sum(length for *_, length, _ in raw_fields)
    if any(length == 0 for *_, length, _ in raw_fields):
        # why: and so a row holds at most as many fields as bytes, and reading stays linear
        raise _damaged(source, part, "a field has no width")
    if not raw_fields or row_bytes < widths + 1:
        raise _damaged(
            source,
            part,
            f"its rows are {row_bytes:,} bytes, but its {len(raw_fields)} fields need {widths + 1:,}",
        )
    if n_rows * row_bytes > len(dbf) - header_bytes:
        raise _damaged(
            source,
            part,
            f"it claims {n_rows:,} rows of {row_bytes:,} bytes but holds {len(dbf) - header_bytes:,} "
            "bytes of rows",
        )
    fields = [(name, kind.upper(), length, decimals) for name, kind, length, decimals in raw_fields]
    return fields, n_rows, header_bytes, row_bytes


def _cell(raw: bytes, kind: str, length: int, decimals: int, encoding: str) -> Any:
    """One ``.dbf`` value as GDAL reads it (``None`` when missing)."""
    if kind in ("N", "F"):
        text = raw.strip(b" \x00")
        if not text or text.strip(b"*") == b"":
            return math.nan  # why: GDAL's numeric column holds NaN where a value is missing
        if kind == "N" and decimals == 0 and length <= 18:
            match = _INTEGER.match(text)
            return int(match.group(1)) if match else 0
        match = _REAL.match(text)
        return float(match.group(1)) if match else 0.0
    if kind == "L":
        flag = raw[:1].upper()
        return True if flag in (b"T", b"Y") else False if flag in (b"F", b"N") else None
    if kind == "D":
        text = raw.strip(b" \x00")
        try:
            return (
                dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
            )
        except ValueError:
            return None
    text = raw.strip(b" \x00")
    if not text:
        return None
    return text.decode(encoding, "replace")


def read_dbf(
    dbf: bytes, *, cpg: bytes | None, source: str, part: str
) -> tuple[list[dict[str, Any]], list[bool], list[str]]:
    """Read every row of a ``.dbf``; return the records, which rows are deleted, the L fields.

    Parameters
    ----------
    dbf
        The ``.dbf`` bytes.
    cpg
        The ``.cpg`` bytes (the code page's name), if the upload has one.
    source
        Name of the upload, for messages.
    part
        The part's name, for messages (``site.dbf``).

    Returns
    -------
    records, deleted, logical
        One dict per row (field name to value), whether each row is marked deleted, and the
        names of the true/false (``L``) fields.

    Raises
    ------
    SchemeError
        When the header's sizes do not fit the bytes there are.
    """
    fields, n_rows, start, row_bytes = _fields(dbf, source=source, part=part)
    encoding = _encoding(cpg, dbf[29])
    records, deleted = [], []
    try:
        names = [name.decode(encoding, "replace") for name, *_ in fields]
        for row in range(n_rows):
            at = start + row * row_bytes
            deleted.append(dbf[at] == 0x2A)  # '*'
            at += 1
            record = {}
            for name, (_, kind, length, decimals) in zip(names, fields, strict=True):
                record[name] = _cell(dbf[at : at + length], kind, length, decimals, encoding)
                at += length
            records.append(record)
    except (UnicodeError, LookupError) as exc:
        raise _damaged(
            source, part, f"its text cannot be decoded as {encoding} ({excerpt(str(exc))})"
        ) from None
    logical = [name for name, (_, kind, *_) in zip(names, fields, strict=True) if kind == "L"]
    return records, deleted, logical


def _ring_area(coords: Any) -> float:
    """Twice the signed area of a ring (negative: clockwise)."""
    x, y = coords[:, 0], coords[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum())


def _polygon(rings: list[Any]) -> shapely.Geometry:
    """Group rings into polygons as GDAL's ONLY_CCW method does."""
    import shapely

    if len(rings) == 1:
        return shapely.Polygon(rings[0])
    outers: list[tuple[Any, list[Any]]] = []
    holes = []
    for ring in rings:
        if _ring_area(ring) < 0:
            outers.append((ring, []))
        else:
            holes.append(ring)
    shells = [shapely.Polygon(ring) for ring, _ in outers]
    # why: a tree, not a loop over every outer ring, so a file of many rings stays linear
    tree = shapely.STRtree(shells)
    for hole in holes:
        holders = tree.query(shapely.Point(hole[0]), predicate="covered_by")
        if len(holders):
            smallest = min(holders, key=lambda i: shells[i].area)
            outers[smallest][1].append(hole)
        else:
            outers.append((hole, []))
    polygons = [shapely.Polygon(shell, inner) for shell, inner in outers]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _shape(content: bytes, *, source: str, part: str, number: int) -> shapely.Geometry | None:
    """One ``.shp`` record's geometry, in 2D (``None`` for a null shape)."""
    import numpy as np
    import shapely

    if len(content) < 4:
        raise _damaged(source, part, f"shape {number} is cut short")
    (code,) = struct.unpack_from("<i", content)
    kind = _SHAPE_TYPES.get(code)
    if kind is None:
        raise SchemeError(
            f"The shapefile's {part} holds shape type {code} (shape {number}), which hiap does "
            "not read: a scheme is polygons, lines or points. Export the layer again from your "
            "GIS as polygons, lines or points.",
            source=source,
        )
    if kind == 0:
        return None
    if kind == _POINT:
        if len(content) < 20:
            raise _damaged(source, part, f"shape {number} is cut short")
        return shapely.Point(struct.unpack_from("<2d", content, 4))
    if kind == _MULTIPOINT:
        (n_points,) = struct.unpack_from("<i", content, 36) if len(content) >= 40 else (-1,)
        if n_points < 0 or len(content) < 40 + 16 * n_points:
            raise _damaged(source, part, f"shape {number} claims more points than it holds")
        xy = np.frombuffer(content, "<f8", 2 * n_points, 40).reshape(-1, 2)
        return shapely.MultiPoint(xy) if n_points else shapely.MultiPoint()
    n_parts, n_points = struct.unpack_from("<2i", content, 36) if len(content) >= 44 else (-1, -1)
    if n_parts < 0 or n_points < 0 or len(content) < 44 + 4 * n_parts + 16 * n_points:
        raise _damaged(source, part, f"shape {number} claims more parts or points than it holds")
    starts = list(struct.unpack_from(f"<{n_parts}i", content, 44))
    if starts and (starts[0] != 0 or starts != sorted(starts) or starts[-1] > n_points):
        raise _damaged(source, part, f"shape {number} has parts out of order")
    xy = np.frombuffer(content, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
    ends = [*starts[1:], n_points] if starts else []
    pieces = [xy[a:b] for a, b in zip(starts, ends, strict=True)]
    try:
        if kind == _LINE:
            if not pieces:
                return shapely.LineString()
            lines = [shapely.LineString(piece) for piece in pieces]
            return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
        if not pieces:
            return shapely.Polygon()
        return _polygon(pieces)
    except (ValueError, shapely.errors.GEOSException):
        # why: GDAL gave such a shape (a ring of two points) as a geometry shapely could not
        # read, which the reader turned into no geometry; validation then reports it
        return None


def _shape_count(shx: bytes, *, source: str, stem: str) -> int:
    """Return how many shapes the ``.shx`` indexes, once its header is checked against its size."""
    (shx_words,) = struct.unpack_from(">i", shx, 24)
    if shx_words * 2 != len(shx) or (len(shx) - 100) % 8:
        raise _damaged(
            source,
            stem + ".shx",
            f"its header says {shx_words * 2:,} bytes but it has {len(shx):,}",
        )
    return (len(shx) - 100) // 8


def read_shapes(shp: bytes, shx: bytes, *, source: str, stem: str) -> list[shapely.Geometry | None]:
    """Read every shape of a ``.shp`` through its ``.shx`` index.

    Parameters
    ----------
    shp, shx
        The two files' bytes (their headers already checked for the file code).
    source
        Name of the upload, for messages.
    stem
        The shapefile's name without suffix, for messages.

    Returns
    -------
    list
        One 2D shapely geometry (``None`` for a null shape) per record.

    Raises
    ------
    SchemeError
        When the index and the shapes disagree, a record lies outside the file, or a shape
        claims more than it holds.
    """
    shp_part = stem + ".shp"
    spans = _records(shp, shx, source=source, stem=stem)
    _check_declared_size(shp, spans, source=source)
    return [
        _shape(shp[at : at + length], source=source, part=shp_part, number=number)
        for number, (at, length) in enumerate(spans, 1)
    ]


def _check_declared_size(shp: bytes, spans: list[tuple[int, int]], *, source: str) -> None:
    """Refuse shapes whose headers declare too many parts or points, before grouping rings."""
    n_vertices = n_rings = most = 0
    for at, length in spans:
        if length < 40:
            continue
        (code,) = struct.unpack_from("<i", shp, at)
        kind = _SHAPE_TYPES.get(code)
        if kind == _MULTIPOINT:
            (points,) = struct.unpack_from("<i", shp, at + 36)
            parts, needed = 1, 40 + 16 * points
        elif kind in (_LINE, _POLYGON) and length >= 44:
            parts, points = struct.unpack_from("<2i", shp, at + 36)
            needed = 44 + 4 * parts + 16 * points
        else:
            continue
        if parts < 0 or points < 0 or length < needed:
            continue  # why: a count the record cannot hold is reported as damage when parsed
        n_vertices += points
        n_rings += parts
        most = max(most, parts)
    check_geometry_size(n_vertices, n_rings, most_rings_in_a_feature=most, source=source)


def _records(shp: bytes, shx: bytes, *, source: str, stem: str) -> list[tuple[int, int]]:
    """Return each record's (content offset, length), checked against the .shp and .shx."""
    shp_part = stem + ".shp"
    count = _shape_count(shx, source=source, stem=stem)
    # why: the count is capped before the index is walked
    check_table_size(0, count, what=shp_part, source=source)
    spans = []
    end = 100
    for number in range(1, count + 1):
        offset_words, length_words = struct.unpack_from(">2i", shx, 100 + 8 * (number - 1))
        at, length = offset_words * 2, length_words * 2
        if at < 100 or length < 4 or at + 8 + length > len(shp):
            raise _damaged(
                source,
                shp_part,
                f"shape {number} of {count:,} lies outside the file (the .shx says so)",
            )
        if at < end:
            # why: an index pointing many entries at one large record would make hiap read it
            # again and again; every writer stores the records one after another
            raise _damaged(
                source, shp_part, f"shape {number} overlaps the one before it (the .shx says so)"
            )
        end = at + 8 + length
        # the record's own header (number, length) is not relied on: the .shx says where it is
        spans.append((at + 8, length))
    return spans


def read_shapefile(
    parts: dict[str, bytes], *, crs: pyproj.CRS | None, source: str, stem: str
) -> Features:
    """Read a shapefile's parts into :class:`~hiap.schemes.features.Features`.

    Parameters
    ----------
    parts
        The parts' bytes by suffix: ``.shp``, ``.shx`` and ``.dbf``, and ``.cpg`` if present
        (their headers already checked).
    crs
        The CRS the ``.prj`` defines (``None`` without one).
    source
        Name of the upload, for messages.
    stem
        The shapefile's name without suffix, for messages.

    Returns
    -------
    Features
        One feature per row that is not deleted.

    Raises
    ------
    SchemeError
        When a part is damaged, or the ``.dbf`` and ``.shp`` disagree on how many features
        there are.
    """
    # why: the counts and the columns are checked from the headers before any row or shape is
    # parsed, so a small file declaring thousands of fields or rows is refused at once
    n_shapes = len(_records(parts[".shp"], parts[".shx"], source=source, stem=stem))
    fields, n_rows, *_ = _fields(parts[".dbf"], source=source, part=stem + ".dbf")
    check_table_size(len(fields), 0, what=f"{stem}.dbf", source=source)
    if n_rows != n_shapes:
        raise SchemeError(
            f"The shapefile's parts disagree: {stem}.shp holds {_count(n_shapes, 'shape')} "
            f"but {stem}.dbf {_count(n_rows, 'row')} of attributes. {_REMEDY}",
            source=source,
        )
    geometries = read_shapes(parts[".shp"], parts[".shx"], source=source, stem=stem)
    records, deleted, logical = read_dbf(
        parts[".dbf"], cpg=parts.get(".cpg"), source=source, part=stem + ".dbf"
    )
    kept = [i for i, gone in enumerate(deleted) if not gone]
    booleans_with_gaps_as_numbers([records[i] for i in kept], logical)
    for name in records[0] if records else ():
        refuse_references(name, where="a column name", source=source)
    for name in records[0] if records else ():
        for i in kept:
            if isinstance(records[i][name], str):
                refuse_references(records[i][name], where=f"column '{name}'", source=source)
    return Features.from_records([[records[i] for i in kept]], [geometries[i] for i in kept], crs)


def prj_crs(text: str, *, source: str) -> pyproj.CRS | None:
    """Return the CRS a ``.prj`` defines, identified by its EPSG code as GDAL identifies it.

    GDAL reads the (usually ESRI) WKT and, when exactly one EPSG system matches it with at
    least 90 % confidence, uses that system: a shapefile in British National Grid reads as
    ``EPSG:27700``.

    Parameters
    ----------
    text
        The ``.prj`` text (already checked to be WKT by the reader).
    source
        Name of the upload, for the log.

    Returns
    -------
    pyproj.CRS or None
        ``None`` when PROJ cannot read the WKT (as GDAL then gave no CRS); validation reports
        the missing coordinate system with its remedy.
    """
    import pyproj

    try:
        crs = crs_from_definition(text)
    except pyproj.exceptions.CRSError as exc:
        logger.info("The .prj of %s is not WKT PROJ reads: %s", source, exc)
        return None
    matches = crs.list_authority(auth_name="EPSG", min_confidence=90)
    if len(matches) == 1:
        return pyproj.CRS.from_epsg(int(matches[0].code))
    return crs
