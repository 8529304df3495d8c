"""Defences for uploaded scheme files: size limits, safe zip extraction, XML pre-scan.

An uploaded file comes from anyone on the internet, so before GDAL sees it:

- its size is checked against ``settings.max_upload_bytes``;
- a zip archive is listed and refused if any member path escapes the extraction folder
  (zip-slip: absolute paths, ``..``, drive letters, symbolic links), or if the declared sizes
  exceed ``settings.max_unzipped_bytes`` in total or ``settings.max_zip_ratio`` for a large
  member (zip bombs). Members are then streamed out under names hiap chooses, counting bytes,
  so an archive that lies about its sizes is stopped while extracting too;
- KML (XML) is parsed with defusedxml first, which refuses DTDs, entity declarations
  (billion laughs) and external entities, and hiap refuses KML network links.

Nothing from an upload is executed or unpickled. Every refusal raises
:class:`hiap.errors.UnsafeUploadError` naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.settings import Settings

if TYPE_CHECKING:
    import pyproj

logger = logging.getLogger(__name__)

RATIO_CHECK_MIN_BYTES = 1024 * 1024
"""Members smaller than this skip the ratio check: small text files (a .prj, a padded .dbf)
legitimately compress very well, and a bomb must be large to do harm."""

_CHUNK_BYTES = 64 * 1024
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
    KeyError,
    UnicodeDecodeError,
)


EXCERPT_CHARS = 40
"""The most characters of an upload's own content a message ever repeats."""
NAME_CHARS = 80
_UNPRINTABLE = re.compile(r"[^\w\\ .,:;()\[\]{}'\"+=@#&%/<>?!*-]", re.UNICODE)


def excerpt(text: str, *, limit: int = EXCERPT_CHARS) -> str:
    """Return a short, printable excerpt of untrusted text for a message.

    Control characters, line breaks and unusual symbols become ``?`` (a Markdown link's ``](``
    becomes ``]?(``, since the app shows messages as Markdown), and the text is cut to
    ``limit`` characters, so a message never repeats more than a few words of an upload (a
    crafted file must not be able to print a server file back through an error message).

    Parameters
    ----------
    text
        Text taken from an upload (a value, a member name, a parser's complaint).
    limit
        Most characters kept.

    Returns
    -------
    str
        The sanitised excerpt, ending in ``…`` when cut.
    """
    cleaned = _UNPRINTABLE.sub("?", text.replace("\n", " ").replace("\t", " "))
    # why: the app shows messages as Markdown, where [text](address) would become a link
    cleaned = cleaned.replace("](", "]?(")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def display_name(filename: str) -> str:
    """Return the name to show for an upload: its own base name only, sanitised.

    The browser sends whatever name it likes; a name such as ``../../etc/passwd`` or one with
    control characters is reduced to its last part and cleaned, so messages name the upload and
    never a path.

    Parameters
    ----------
    filename
        The name the upload arrived with (or a path given on the command line).

    Returns
    -------
    str
        The last path component, cleaned and cut to a readable length (``upload`` if empty).
    """
    base = filename.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return excerpt(base, limit=NAME_CHARS) or "upload"


_VRT_TAG = re.compile(rb"<\s*(?:OGRVRTDataSource|VRTDataset)\b", re.IGNORECASE)
_VSI_PATH = re.compile(r"/vsi[a-z0-9_]*", re.IGNORECASE)
VRT_REFUSAL = (
    "The file was refused: it is (or holds) a GDAL virtual dataset (VRT), which can make a "
    "reader open other files on the server or on the web. hiap reads only GeoJSON, "
    "GeoPackage, zipped Shapefile and KML: export the scheme to one of those and upload it."
)


def refuse_vrt(data: bytes, *, source: str) -> None:
    """Refuse bytes that are, or contain, a GDAL VRT document, before any reader sees them.

    Parameters
    ----------
    data
        An upload, or one member of it.
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        When a ``<OGRVRTDataSource>`` or ``<VRTDataset>`` element appears anywhere.
    """
    if _VRT_TAG.search(data):
        raise UnsafeUploadError(VRT_REFUSAL, source=source)


def refuse_references(text: str, *, where: str, source: str) -> None:
    """Refuse a text value from an upload that names a GDAL virtual file or holds a VRT.

    Parameters
    ----------
    text
        A string read from the upload (an attribute value, a name, a key).
    where
        Where it was found, for the message (e.g. ``"'name'"``).
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        When the text holds ``/vsi…`` (``/vsicurl/``, ``/vsizip/``…) or a VRT element.
    """
    if _VRT_TAG.search(text.encode("utf-8", "replace")):
        raise UnsafeUploadError(VRT_REFUSAL, source=source)
    match = _VSI_PATH.search(text)
    if match:
        raise UnsafeUploadError(
            f"The file was refused: a text value ({excerpt(where)}) holds a GDAL virtual file "
            f"path ('{excerpt(match.group(0))}'), which could make a reader open other files on "
            "the server or on the web. Remove it and export the scheme again.",
            source=source,
        )


MAX_CRS_DEFINITION_BYTES = 16 * 1024
"""The longest coordinate-system definition read (a .prj, a GeoPackage's WKT); the longest
real ones are a few kilobytes."""
# why: a scheme name is matched only where it starts (not after another scheme character), so
# the search stays linear on a long run of letters
REFERENCE_TEXT = re.compile(
    r"(?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://|/vsi|\\\\|\b[A-Z]:\\)", re.IGNORECASE
)
# why: PROJ opens files named by these: a PROJ string's +init file and grids, a WKT2
# PARAMETERFILE, a WKT1 EXTENSION["PROJ4", …] carrying such a string
_PROJ_FILE_TEXT = re.compile(
    r"EXTENSION\s*\[|PARAMETERFILE|\+\s*init\b|nadgrids|geoidgrids|\+\s*proj\s*=", re.IGNORECASE
)


# why: the PROJ strings GDAL (1.7 to 3.x, through its EPSG:3857/3785/900913 definitions) and
# the tools built on it (QGIS, gdal2tiles, spatialreference.org) wrote in a Web Mercator WKT's
# EXTENSION["PROJ4", …]; numbers are compared by value, so 0.0 and 0 are one spelling
WEB_MERCATOR_PROJ4 = (
    "+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0 +k=1.0 +units=m "
    "+nadgrids=@null +wktext +no_defs",
    "+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0 +k=1.0 +units=m "
    "+nadgrids=@null +no_defs",
)
_PROJ4_EXTENSION = re.compile(r',\s*EXTENSION\s*\[\s*"PROJ4"\s*,\s*"([^"\[\]]*)"\s*\]')
_AUTHORITY = re.compile(r',\s*AUTHORITY\s*\[\s*"([^"\[\]]*)"\s*,\s*"?([^"\[\]]*?)"?\s*\]')
_PROJCS_NAME = re.compile(r'^\s*PROJCS\s*\[\s*"[^"]*"', re.IGNORECASE)
_WEB_MERCATOR_CODES = {("EPSG", "3857"), ("EPSG", "3785"), ("EPSG", "900913")}
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_WEB_MERCATOR_METHODS = {
    "Mercator (variant A)",
    "Mercator (variant B)",
    "Popular Visualisation Pseudo Mercator",
}
WEB_MERCATOR_EPSG = 3857


def _proj4_tokens(text: str) -> tuple[str, ...]:
    """Return a PROJ string's settings in order, numbers written one way (``0.0`` as ``0``)."""
    tokens = []
    for token in text.split():
        key, equals, value = token.partition("=")
        if equals and _NUMBER.fullmatch(value):
            value = repr(float(value))
        tokens.append(key + equals + value)
    return tuple(tokens)


_WEB_MERCATOR_TOKENS = frozenset(_proj4_tokens(s) for s in WEB_MERCATOR_PROJ4)


def _depths(text: str) -> list[int]:
    """Return how many brackets are open before each character (quoted ones do not count)."""
    depths, depth, quoted = [], 0, False
    for char in text:
        depths.append(depth)
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "[(":
            depth += 1
        elif not quoted and char in "])":
            depth -= 1
    return depths


def is_web_mercator_alias(text: str) -> bool:
    """Whether a definition is exactly the Web Mercator WKT older GDAL wrote, with its PROJ string.

    GDAL before 3 wrote EPSG:3857 (and 900913, "Google Maps Global Mercator") as a WKT1
    Mercator on the WGS 84 ellipsoid followed by ``EXTENSION["PROJ4", "+proj=merc +a=6378137
    +b=6378137 … +nadgrids=@null +wktext +no_defs"]``; the extension is what makes it the
    spherical Web Mercator (without it the WKT means an ellipsoidal Mercator, 20 km off at
    Cambridge's latitude). The definition is recognised only when all of this holds:

    - one ``EXTENSION`` in the text, named ``"PROJ4"``, directly inside the top ``PROJCS``;
    - its PROJ string is, setting by setting, one of :data:`WEB_MERCATOR_PROJ4` (white space
      and the way numbers are written aside): ``+nadgrids=@null`` is PROJ's built-in null
      grid, and any other grid, file, ``+init`` or extra setting is not this definition;
    - the rest of the WKT holds no other PROJ file setting, its own code (if any) is
      EPSG:3857, 3785 or 900913, and without its codes PROJ reads it as a Mercator on a
      6,378,137 m WGS 84 ellipsoid or sphere, Greenwich, in metres, with every origin,
      parallel and false easting/northing at 0 and scale 1.

    Such a definition is read as EPSG:3857 (:func:`crs_from_definition`); nothing of it
    reaches PROJ with the extension.

    Parameters
    ----------
    text
        A coordinate-system definition from an upload, at most
        :data:`MAX_CRS_DEFINITION_BYTES` long (:func:`check_crs_definition` checks first).

    Returns
    -------
    bool
        True only for the known definition.
    """
    import pyproj

    if len(text.encode("utf-8", "replace")) > MAX_CRS_DEFINITION_BYTES:
        return False
    if not text.lstrip().upper().startswith("PROJCS") or len(
        re.findall("EXTENSION", text, re.IGNORECASE)
    ) != 1:
        return False
    found = list(_PROJ4_EXTENSION.finditer(text))
    if len(found) != 1 or _depths(text)[found[0].start()] != 1:
        return False
    if _proj4_tokens(found[0].group(1)) not in _WEB_MERCATOR_TOKENS:
        return False
    rest = text[: found[0].start()] + text[found[0].end() :]
    if _PROJ_FILE_TEXT.search(rest) or REFERENCE_TEXT.search(rest):
        return False
    depths = _depths(rest)
    if any(
        depths[a.start()] == 1 and (a.group(1).upper(), a.group(2).strip()) not in _WEB_MERCATOR_CODES
        for a in _AUTHORITY.finditer(rest)
    ):
        return False
    # why: without its AUTHORITY codes and under a neutral name, so PROJ reads what the WKT
    # says rather than look the code or name up (PROJ substitutes EPSG:3857 for a body named
    # "WGS 84 / Pseudo-Mercator"; a Transverse Mercator so named must not pass for it)
    body = _PROJCS_NAME.sub('PROJCS["hiap check"', _AUTHORITY.sub("", rest), count=1)
    try:
        crs = pyproj.CRS.from_wkt(body)
    except pyproj.exceptions.CRSError:
        return False
    conversion = crs.coordinate_operation
    if not crs.is_projected or conversion is None or crs.ellipsoid is None:
        return False
    inverse_flattening = crs.ellipsoid.inverse_flattening
    return (
        conversion.method_name in _WEB_MERCATOR_METHODS
        and crs.ellipsoid.semi_major_metre == 6378137.0
        and (inverse_flattening == 0 or abs(inverse_flattening - 298.257223563) < 1e-6)
        and crs.prime_meridian is not None
        and crs.prime_meridian.longitude == 0
        and all(axis.unit_name in ("metre", "Meter", "meter") for axis in crs.axis_info)
        and all(
            parameter.value == (1 if "scale" in parameter.name.lower() else 0)
            for parameter in conversion.params
        )
    )


def crs_from_definition(text: str) -> pyproj.CRS:
    """Return the CRS of a definition :func:`check_crs_definition` let through.

    The known Web Mercator definition with its PROJ string (:func:`is_web_mercator_alias`)
    is EPSG:3857, built from the EPSG code, so its extension never reaches PROJ; any other
    definition is PROJ's reading of the WKT.

    Parameters
    ----------
    text
        The checked definition.

    Returns
    -------
    pyproj.CRS
        The coordinate reference system.

    Raises
    ------
    pyproj.exceptions.CRSError
        When PROJ cannot read the WKT.
    """
    import pyproj

    if is_web_mercator_alias(text):
        return pyproj.CRS.from_epsg(WEB_MERCATOR_EPSG)
    return pyproj.CRS.from_wkt(text)


def check_crs_definition(text: str, *, what: str, fix: str, source: str) -> None:
    """Refuse a coordinate-system definition from an upload that could make PROJ open a file.

    The length is checked first, so no pattern ever runs over a long text.

    Parameters
    ----------
    text
        The definition (a .prj's WKT, a GeoPackage's ``gpkg_spatial_ref_sys.definition``).
    what
        What holds it, starting a sentence (``"The shapefile's .prj"``).
    fix
        The sentence saying what to do instead.
    source
        Name of the upload, for the message.

    Raises
    ------
    SchemeError
        When the text is longer than :data:`MAX_CRS_DEFINITION_BYTES`.
    UnsafeUploadError
        When it names a web address, a network share, a drive path or a GDAL virtual path, or
        holds a PROJ string, an ``EXTENSION`` or a ``PARAMETERFILE`` (PROJ opens the files
        those name: ``+init=/etc/passwd``, ``+nadgrids=/path``), other than the one Web
        Mercator definition older GDAL wrote (:func:`is_web_mercator_alias`).
    """
    n_bytes = len(text.encode("utf-8", "replace"))
    if n_bytes > MAX_CRS_DEFINITION_BYTES:
        raise SchemeError(
            f"{what} is {n_bytes:,} bytes, longer than any coordinate-system definition "
            f"(at most {MAX_CRS_DEFINITION_BYTES:,} bytes). {fix}",
            source=source,
        )
    if REFERENCE_TEXT.search(text):
        raise UnsafeUploadError(
            f"{what} was refused: it names a web address or another file instead of defining "
            f"a coordinate system, and hiap never fetches references named inside an upload. "
            f"{fix}",
            source=source,
        )
    found = _PROJ_FILE_TEXT.search(text)
    if found and not is_web_mercator_alias(text):
        raise UnsafeUploadError(
            f"{what} was refused: it holds '{excerpt(found.group(0))}', a PROJ setting that "
            "can make the server open other files; hiap reads plain WKT definitions only. "
            f"{fix}",
            source=source,
        )


MAX_ATTRIBUTE_COLUMNS = 255
"""The most attribute columns a layer may have (a .dbf's own limit; a scheme needs a few)."""
MAX_FEATURES = 100_000
"""The most features an upload may hold (a scheme has one to a few hundred)."""


def check_table_size(n_columns: int, n_features: int, *, what: str, source: str) -> None:
    """Refuse a layer with more attribute columns or features than any scheme has.

    Called before the rows are read (or while they are read, a batch at a time), so a small
    file that declares thousands of columns or rows is refused before it fills memory.

    Parameters
    ----------
    n_columns
        The layer's attribute columns.
    n_features
        Its features (or rows read so far).
    what
        The layer, for the message (``"layer 'site'"``, ``"site.dbf"``).
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        Past :data:`MAX_ATTRIBUTE_COLUMNS` columns or :data:`MAX_FEATURES` features.
    """
    if n_columns > MAX_ATTRIBUTE_COLUMNS:
        raise UnsafeUploadError(
            f"The file was refused: {what} has {n_columns:,} attribute columns, more than the "
            f"{MAX_ATTRIBUTE_COLUMNS} hiap reads. A scheme needs only a few: export the layer "
            "with just the columns you need.",
            source=source,
        )
    if n_features > MAX_FEATURES:
        raise UnsafeUploadError(
            f"The file was refused: {what} has more than {MAX_FEATURES:,} features, far more "
            "than a scheme has. Export only the scheme's own features (its boundary, route or "
            "sites).",
            source=source,
        )


MAX_VERTICES = 200_000
"""The most vertices an upload's geometries may have in total (a scheme has a few thousand)."""
MAX_RINGS = 10_000
"""The most rings and parts an upload's geometries may have in total."""
MAX_RINGS_PER_FEATURE = 1_000
"""The most rings and parts one feature may have: grouping rings into polygons and repairing
them costs time growing with the square of the rings when they nest (4,000 concentric squares
with 4,000 holes took minutes), and a scheme's feature has a handful."""


def check_geometry_size(
    n_vertices: int,
    n_rings: int,
    *,
    most_rings_in_a_feature: int,
    source: str,
    at_least: bool = False,
) -> None:
    """Refuse geometries too large for the ring grouping and repair that follow reading.

    Parameters
    ----------
    n_vertices
        Vertices in the upload (or read so far).
    n_rings
        Polygon rings, line parts and points in it (or read so far).
    most_rings_in_a_feature
        The most rings and parts one feature has.
    source
        Name of the upload, for the message.
    at_least
        The counts stopped once past a cap (a reader that stops counting there), so the
        message says "at least".

    Raises
    ------
    UnsafeUploadError
        Past :data:`MAX_VERTICES`, :data:`MAX_RINGS` or :data:`MAX_RINGS_PER_FEATURE`.
    """
    some = "at least " if at_least else ""
    remedy = (
        "A scheme's boundary or route needs far fewer: export only the scheme's own features, "
        "simplified if they came from detailed mapping."
    )
    if n_vertices > MAX_VERTICES:
        raise UnsafeUploadError(
            f"The file was refused: its geometries have {some}{n_vertices:,} vertices, more than the "
            f"{MAX_VERTICES:,} hiap reads. {remedy}",
            source=source,
        )
    if n_rings > MAX_RINGS:
        raise UnsafeUploadError(
            f"The file was refused: its geometries have {some}{n_rings:,} rings and parts, more than "
            f"the {MAX_RINGS:,} hiap reads. {remedy}",
            source=source,
        )
    if most_rings_in_a_feature > MAX_RINGS_PER_FEATURE:
        raise UnsafeUploadError(
            f"The file was refused: one feature has {some}{most_rings_in_a_feature:,} rings and parts, "
            f"more than the {MAX_RINGS_PER_FEATURE:,} hiap reads in one feature. {remedy}",
            source=source,
        )


def check_geometries_size(geometries: Sequence[object], *, source: str) -> None:
    """Count the vertices and rings of read geometries and refuse them past the limits.

    Every reader's geometries pass here (through :class:`~hiap.schemes.readers.RawScheme`)
    before validation repairs or unites them with GEOS. The count itself is linear.

    Parameters
    ----------
    geometries
        Shapely geometries (or ``None``).
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        See :func:`check_geometry_size`.
    """
    import numpy as np
    import shapely

    geoms = np.array([g for g in geometries if g is not None], dtype=object)
    if not len(geoms):
        return
    n_vertices = int(shapely.get_num_coordinates(geoms).sum())
    owner = np.arange(len(geoms))
    parts = geoms
    # why: flatten multi-part geometries and collections (nested at most 32 deep) into parts
    n_members = 0
    for _ in range(40):
        multi = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not multi.any():
            break
        # why: members count as parts even when empty (a million empty collections is work)
        n_members += int(shapely.get_num_geometries(parts[multi]).sum())
        inner, index = shapely.get_parts(parts[multi], return_index=True)
        owner = np.concatenate([owner[~multi], owner[multi][index]])
        parts = np.concatenate([parts[~multi], inner])
    rings = np.where(shapely.get_type_id(parts) == 3, shapely.get_num_interior_rings(parts) + 1, 1)
    per_feature = np.bincount(owner, weights=rings, minlength=len(geoms))
    check_geometry_size(
        n_vertices,
        max(int(rings.sum()), n_members),
        most_rings_in_a_feature=int(per_feature.max()),
        source=source,
    )


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / (1024 * 1024):,.1f} MB"


def check_upload_size(n_bytes: int, *, settings: Settings, source: str) -> None:
    """Refuse an upload larger than ``settings.max_upload_bytes``.

    Parameters
    ----------
    n_bytes
        Size of the upload.
    settings
        Supplies the limit.
    source
        Name of the upload, for the message.

    Raises
    ------
    UnsafeUploadError
        When the upload is too large.
    """
    if n_bytes > settings.max_upload_bytes:
        raise UnsafeUploadError(
            f"The file is {_mb(n_bytes)}, larger than the {settings.max_upload_mb:g} MB upload "
            "limit. A scheme boundary needs only a few kilobytes: export just the site outline "
            "(or raise HIAP_MAX_UPLOAD_MB if you run hiap yourself).",
            source=source,
        )


def _unsafe_member_reason(info: zipfile.ZipInfo) -> str | None:
    """Say why a member's path or type is unsafe, or return ``None`` when it is fine."""
    name = info.filename
    if "\x00" in name:
        return "contains a NUL character"
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return "is an absolute path"
    if any(part == ".." for part in PurePosixPath(normalised).parts):
        return "climbs out of the folder with '..'"
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


MAX_ZIP_MEMBERS = 1000
"""More members than this and a zip is refused before anything is extracted: a scheme's
shapefile has half a dozen parts, and listing or checking tens of thousands of members would
hold a server thread for nothing."""

# why: Python's bzip2 and LZMA readers decompress without an output limit (a 2.7 KB zip
# expanded to 4.2 GB in memory), so only the two methods zlib can bound are read
_ACCEPTED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_COMPRESSION_NAMES = {
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "LZMA",
    9: "Deflate64",
    93: "Zstandard",
    95: "XZ",
    98: "PPMd",
}
_ARCHIVE_SUFFIXES = (".zip", ".kmz", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst")
SHAPEFILE_ZIP_REMEDY = (
    "Zip only the scheme's own shapefile (.shp, .shx, .dbf and .prj), without folders outside "
    "it, links, other archives or a password."
)


_DIRECTORY_ENTRY_BYTES = 1024
"""Room allowed per member in a zip's central directory (46 bytes, its name and extras)."""


def _central_directory_bytes(data: bytes) -> int:
    """Return the size of a zip's central directory from its end record (0 if none is found).

    Read before :mod:`zipfile` lists the members, which parses the whole directory whatever
    its size (900,000 members took 5 s and 500 MB before the member count could be checked).
    """
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or len(data) < at + 22:
        return 0
    (size,) = struct.unpack_from("<I", data, at + 12)
    locator = at - 20
    if size == 0xFFFFFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 48 <= len(data) and data[record : record + 4] == b"PK\x06\x06":
            (size,) = struct.unpack_from("<Q", data, record + 40)
    return int(size)


def inspect_zip(
    data: bytes, *, settings: Settings, source: str, remedy: str = SHAPEFILE_ZIP_REMEDY
) -> list[zipfile.ZipInfo]:
    """List a zip upload's file members after checking them for zip-slip and zip bombs.

    Parameters
    ----------
    data
        The zip archive.
    settings
        Supplies ``max_unzipped_bytes`` and ``max_zip_ratio``.
    source
        Name of the upload, for messages.
    remedy
        The last sentence of every refusal: what to upload instead.

    Returns
    -------
    list of zipfile.ZipInfo
        The file members (folders and macOS ``__MACOSX`` resource forks left out).

    Raises
    ------
    UnsafeUploadError
        When any member path is unsafe or the declared sizes exceed the limits.
    SchemeError
        When the bytes are not a readable zip archive.
    """
    directory_bytes = _central_directory_bytes(data)
    if directory_bytes > MAX_ZIP_MEMBERS * _DIRECTORY_ENTRY_BYTES:
        raise UnsafeUploadError(
            f"The zip archive was refused: its list of members is {_mb(directory_bytes)}, "
            f"more than {MAX_ZIP_MEMBERS:,} members need. {remedy}",
            source=source,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise SchemeError(
            f"The file is not a readable zip archive ({excerpt(str(exc))}). {remedy}",
            source=source,
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnsafeUploadError(
            f"The zip archive was refused: it holds {len(infos):,} members, more than the "
            f"{MAX_ZIP_MEMBERS:,} hiap accepts. {remedy}",
            source=source,
        )
    unsafe = []
    for info in infos:
        reason = _unsafe_member_reason(info)
        if reason is not None:
            unsafe.append(f"'{excerpt(info.filename)}' {reason}")
    if unsafe:
        shown = "; ".join(unsafe[:5]) + (f"; and {len(unsafe) - 5} more" if len(unsafe) > 5 else "")
        raise UnsafeUploadError(
            "The zip archive was refused: member paths must stay inside the archive's folder "
            f"(zip-slip protection), but {shown}. {remedy}",
            source=source,
        )
    nested = [info.filename for info in infos if info.filename.lower().endswith(_ARCHIVE_SUFFIXES)]
    if nested:
        raise UnsafeUploadError(
            f"The zip archive was refused: it holds another archive ('{excerpt(nested[0])}'). "
            f"hiap does not open archives inside archives. {remedy}",
            source=source,
        )
    members = [
        info
        for info in infos
        if not info.is_dir() and not info.filename.replace("\\", "/").startswith("__MACOSX/")
    ]
    for info in members:
        if info.compress_type not in _ACCEPTED_COMPRESSION:
            method = _COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise UnsafeUploadError(
                f"The zip archive was refused: member '{excerpt(info.filename)}' is compressed "
                f"with {method}, which hiap does not accept (only standard 'deflate' "
                "compression, or none, can be unpacked with a size limit). Re-zip the files with "
                f"your system's standard zip compression. {remedy}",
                source=source,
            )
    total = sum(info.file_size for info in members)
    if total > settings.max_unzipped_bytes:
        raise UnsafeUploadError(
            f"The zip archive was refused as a possible zip bomb: its members add up to "
            f"{_mb(total)} uncompressed, over the {settings.max_unzipped_mb:g} MB limit. "
            f"{remedy}",
            source=source,
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECK_MIN_BYTES and ratio > settings.max_zip_ratio:
            raise UnsafeUploadError(
                f"The zip archive was refused as a possible zip bomb: member "
                f"'{excerpt(info.filename)}' expands {ratio:,.0f} times "
                f"({_mb(info.compress_size)} to {_mb(info.file_size)}), over the limit of "
                f"{settings.max_zip_ratio:g} times. {remedy}",
                source=source,
            )
    return members


def _member_chunks(
    data: bytes, members: list[zipfile.ZipInfo], *, settings: Settings, source: str
) -> Iterator[tuple[int, bytes]]:
    """Yield (member position, chunk) for each member, counting bytes against the limits."""
    written_total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for position, info in enumerate(members):
                written = 0
                with archive.open(info) as reader:
                    while chunk := reader.read(_CHUNK_BYTES):
                        written += len(chunk)
                        written_total += len(chunk)
                        ratio = written / max(info.compress_size, 1)
                        if (
                            written > info.file_size
                            or written_total > settings.max_unzipped_bytes
                            or (written >= RATIO_CHECK_MIN_BYTES and ratio > settings.max_zip_ratio)
                        ):
                            raise UnsafeUploadError(
                                f"The zip archive was refused while extracting "
                                f"'{excerpt(info.filename)}': it expanded past its declared size or the "
                                f"limits ({settings.max_unzipped_mb:g} MB in total, "
                                f"{settings.max_zip_ratio:g} times per member). The archive "
                                "looks crafted; zip only the scheme's own shapefile.",
                                source=source,
                            )
                        yield position, chunk
    except SchemeError:
        raise
    except _ZIP_ERRORS as exc:
        raise SchemeError(
            f"The zip archive is damaged and could not be extracted ({excerpt(str(exc))}). Zip the shapefile "
            "again and re-upload it.",
            source=source,
        ) from None


def read_members(
    data: bytes,
    members: Iterable[zipfile.ZipInfo],
    *,
    settings: Settings,
    source: str,
) -> list[bytes]:
    """Read chosen zip members into memory, enforcing the size limits while reading.

    The bytes read are counted, so a member whose header understates its size is stopped
    as soon as it passes it (or the total or ratio limit), before it is held whole.

    Parameters
    ----------
    data
        The zip archive (already checked with :func:`inspect_zip`).
    members
        The members to read.
    settings
        Supplies ``max_unzipped_bytes`` and ``max_zip_ratio``.
    source
        Name of the upload, for messages.

    Returns
    -------
    list of bytes
        Each member's content, in the order given.

    Raises
    ------
    UnsafeUploadError
        When reading exceeds the total size or ratio limit, or a member exceeds its
        declared size.
    SchemeError
        When a member cannot be decompressed (corrupt archive).
    """
    chosen = list(members)
    chunks: list[list[bytes]] = [[] for _ in chosen]
    for position, chunk in _member_chunks(data, chosen, settings=settings, source=source):
        chunks[position].append(chunk)
    return [b"".join(parts) for parts in chunks]


def extract_members(
    data: bytes,
    members: Iterable[tuple[zipfile.ZipInfo, Path]],
    *,
    settings: Settings,
    source: str,
) -> None:
    """Stream chosen zip members to chosen paths, enforcing the size limits while writing.

    The target paths are chosen by the caller (never taken from the archive), and the bytes
    written are counted, so a member whose header understates its size is stopped.

    Parameters
    ----------
    data
        The zip archive (already checked with :func:`inspect_zip`).
    members
        Pairs of (member, destination path).
    settings
        Supplies ``max_unzipped_bytes`` and ``max_zip_ratio``.
    source
        Name of the upload, for messages.

    Raises
    ------
    UnsafeUploadError
        When extraction exceeds the total size or ratio limit, or a member exceeds its
        declared size.
    SchemeError
        When a member cannot be decompressed (corrupt archive).
    """
    pairs = list(members)
    with contextlib.ExitStack() as stack:
        writers = [stack.enter_context(target.open("wb")) for _, target in pairs]
        for position, chunk in _member_chunks(
            data, [info for info, _ in pairs], settings=settings, source=source
        ):
            writers[position].write(chunk)


_KML_NS = re.compile(r"^\{[^}]*\}")
_XINCLUDE_NS = "{http://www.w3.org/2001/XInclude}"
# why: a style's icon is never fetched (hiap draws the scheme itself), and Google Earth puts one
# in nearly every file; an href anywhere else names data to load and is refused
_STYLE_TAGS = frozenset({"Style", "StyleMap", "IconStyle", "ListStyle", "ItemIcon", "Icon"})
_REFERENCE_REFUSAL = (
    "and hiap never fetches references named inside an upload. Save the scheme's own "
    "placemarks as a plain KML (File > Save Place As… in Google Earth, or export from your GIS) "
    "and upload that."
)


def _local(tag: object) -> str:
    return _KML_NS.sub("", tag) if isinstance(tag, str) else ""


def check_xml_safe(data: bytes, *, source: str) -> Element:
    """Parse KML with defusedxml, refusing dangerous constructs; return the root element.

    Refused: a VRT document; any DTD (KML never needs one), entity declarations (billion
    laughs) and external entities; XInclude; ``NetworkLink`` elements; any ``href`` (element or
    ``xlink:href`` attribute) except a style's icon, which hiap never fetches; a root element
    other than ``<kml>``.

    Parameters
    ----------
    data
        The KML document.
    source
        Name of the upload, for messages.

    Returns
    -------
    xml.etree.ElementTree.Element
        The parsed ``<kml>`` element.

    Raises
    ------
    UnsafeUploadError
        When the document declares a DTD or entities, or refers to other files.
    SchemeError
        When the document is not well-formed XML or not KML.
    """
    refuse_vrt(data, source=source)
    try:
        root = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise UnsafeUploadError(
            "The KML was refused: it declares a DTD or XML entities "
            f"({type(exc).__name__}), which can expand to gigabytes (the 'billion laughs' "
            "attack) or read other files. KML needs neither: export the file again from "
            "your mapping tool.",
            source=source,
        ) from None
    except (ParseError, ValueError, UnicodeDecodeError, LookupError) as exc:
        raise SchemeError(
            f"The file is not well-formed KML/XML ({excerpt(str(exc), limit=60)}). Export it "
            "again from your mapping tool, or upload GeoJSON instead.",
            source=source,
        ) from None
    if _local(root.tag) != "kml":
        raise SchemeError(
            f"The file is XML but not KML (its root element is <{excerpt(_local(root.tag))}>, "
            "not <kml>). Export the scheme as KML from your mapping tool, or upload GeoJSON.",
            source=source,
        )
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.startswith(_XINCLUDE_NS):
            raise UnsafeUploadError(
                "The KML was refused: it uses XInclude to pull in other files, "
                + _REFERENCE_REFUSAL,
                source=source,
            )
        if _local(tag) == "NetworkLink":
            raise UnsafeUploadError(
                "The KML was refused: it holds a NetworkLink, which points to other files on "
                "the web. Save the scheme's own placemarks as a plain KML (not a network link) "
                "and upload that.",
                source=source,
            )
        if any(_local(name) == "href" for name in element.attrib):
            raise UnsafeUploadError(
                f"The KML was refused: <{excerpt(_local(tag))}> has an href attribute naming "
                "another file or web address, " + _REFERENCE_REFUSAL,
                source=source,
            )
        if _local(tag) == "href":
            holder = parents.get(element)
            chain = []
            while holder is not None:
                chain.append(_local(holder.tag))
                holder = parents.get(holder)
            if not (chain and chain[0] == "Icon" and _STYLE_TAGS.intersection(chain[1:])):
                inside = chain[0] if chain else "kml"
                raise UnsafeUploadError(
                    f"The KML was refused: an <href> in <{excerpt(inside)}> names another file "
                    "or web address, " + _REFERENCE_REFUSAL,
                    source=source,
                )
    return root
