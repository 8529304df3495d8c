"""GeoJSON read by hiap itself: ``json`` with size and depth limits, geometries built by shapely.

GDAL never sees an uploaded GeoJSON. Its GeoJSON driver would follow a ``crs`` link to any
URL (server-side request forgery), and GDAL picks a driver by sniffing content, so a file
named ``.geojson`` holding a VRT document would be opened as a VRT. Here the bytes must be a
JSON object; the ``crs`` member may only *name* a system (``EPSG:27700``,
``urn:ogc:def:crs:EPSG::27700``, CRS84); every string is checked for GDAL virtual paths; and
each geometry is built from its coordinates by strict code that raises hiap's own
:class:`~hiap.errors.SchemeError` for anything malformed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyproj
import shapely

from hiap.errors import SchemeError, UnsafeUploadError
from hiap.schemes.features import Features
from hiap.schemes.safety import excerpt, refuse_references, refuse_vrt

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted. A MultiPolygon in a FeatureCollection is
nine levels deep; a deeper document is refused before it is parsed (a hostile one can be
nested thousands deep to exhaust the parser)."""
MAX_COLLECTION_DEPTH = 4
"""Deepest nesting of GeometryCollections accepted."""

_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
# Named coordinate systems accepted in an old-style (pre-RFC 7946) "crs" member.
_EPSG_NAME = re.compile(
    r"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[0-9.]*:|https?://www\.opengis\.net/def/crs/EPSG/0/)"
    r"(\d{4,6})$",
    re.IGNORECASE,
)
_CRS84_NAME = re.compile(r"^(?:urn:ogc:def:crs:OGC:[0-9.]*:CRS84|OGC:CRS84|CRS84)$", re.IGNORECASE)
# why: strings are blanked before the depth count so brackets inside them do not count
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_FIX = (
    "Check it opens in a GIS (e.g. QGIS) and export it again as GeoJSON (a FeatureCollection "
    "of Polygons or LineStrings)."
)


def _depth(raw: bytes) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, strings excluded (vectorised)."""
    blanked = np.frombuffer(_JSON_STRING.sub(b'""', raw), dtype=np.uint8)
    opens = (blanked == ord("{")) | (blanked == ord("["))
    closes = (blanked == ord("}")) | (blanked == ord("]"))
    steps = opens.astype(np.int32) - closes.astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """Yield (where, text) for every string (keys too) in a parsed JSON document."""
    stack: list[tuple[str, Any]] = [("the document", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                yield where, key
                stack.append((f"'{key}'", child))
        elif isinstance(item, list):
            stack.extend((where, child) for child in item)


def _crs(document: dict[str, Any], *, source: str) -> str:
    """Return the CRS an old-style ``crs`` member names (default WGS84), refusing links."""
    member = document.get("crs")
    if member is None:
        return "EPSG:4326"
    kind = member.get("type") if isinstance(member, dict) else None
    properties = member.get("properties") if isinstance(member, dict) else None
    if kind in ("link", "url") or (isinstance(properties, dict) and "href" in properties):
        href = properties.get("href", "") if isinstance(properties, dict) else ""
        raise UnsafeUploadError(
            f"The GeoJSON was refused: its 'crs' member links to another file or web address "
            f"('{excerpt(str(href))}'), and hiap never fetches references named inside an "
            "upload. Remove the 'crs' member (GeoJSON is WGS84 longitude/latitude) or name the "
            'system instead, e.g. {"type": "name", "properties": {"name": "EPSG:27700"}}.',
            source=source,
        )
    name = properties.get("name") if kind == "name" and isinstance(properties, dict) else None
    if isinstance(name, str):
        if _CRS84_NAME.match(name.strip()):
            return "EPSG:4326"
        match = _EPSG_NAME.match(name.strip())
        if match:
            return f"EPSG:{int(match.group(1))}"
    raise SchemeError(
        f"The GeoJSON's 'crs' member is not one hiap understands ('{excerpt(json.dumps(member))}'"
        "). Remove it (GeoJSON is WGS84 longitude/latitude) or name an EPSG code, e.g. "
        '{"type": "name", "properties": {"name": "EPSG:27700"}}.',
        source=source,
    )


class _MalformedError(Exception):
    """A geometry that does not follow the GeoJSON specification (turned into SchemeError)."""


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or not 2 <= len(value) <= 4:
        raise _MalformedError("a position must be a list of 2 or 3 numbers")
    x, y = value[0], value[1]
    for number in (x, y):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _MalformedError("a coordinate is not a number")
        if not math.isfinite(number):
            raise _MalformedError("a coordinate is not a finite number")
    return float(x), float(y)


def _positions(value: Any, *, at_least: int, what: str) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise _MalformedError(f"a {what} must be a list of positions")
    points = [_position(item) for item in value]
    if points and len(points) < at_least:
        raise _MalformedError(f"a {what} needs at least {at_least} positions")
    return points


def _polygon(value: Any) -> shapely.Polygon:
    if not isinstance(value, list):
        raise _MalformedError("a polygon must be a list of rings")
    rings = [_positions(ring, at_least=4, what="polygon ring") for ring in value]
    rings = [ring for ring in rings if ring]
    if not rings:
        return shapely.Polygon()
    return shapely.Polygon(rings[0], rings[1:])


def _geometry(value: Any, *, depth: int = 0) -> shapely.Geometry | None:
    """Build one shapely geometry from a GeoJSON geometry object (2D; Z dropped)."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise _MalformedError(f"the geometry type must be one of {', '.join(_GEOMETRY_TYPES)}")
    kind = value["type"]
    if kind == "GeometryCollection":
        parts = value.get("geometries")
        if not isinstance(parts, list) or depth >= MAX_COLLECTION_DEPTH:
            raise _MalformedError(
                "a GeometryCollection needs a 'geometries' list (nested at most 4)"
            )
        built = [_geometry(part, depth=depth + 1) for part in parts]
        return shapely.GeometryCollection([g for g in built if g is not None])
    coords = value.get("coordinates")
    if kind == "Point":
        return shapely.Point(_position(coords)) if coords != [] else shapely.Point()
    if kind == "MultiPoint":
        return shapely.MultiPoint(_positions(coords, at_least=1, what="MultiPoint"))
    if kind == "LineString":
        return shapely.LineString(_positions(coords, at_least=2, what="LineString"))
    if not isinstance(coords, list):
        raise _MalformedError(f"a {kind} needs a 'coordinates' list")
    if kind == "MultiLineString":
        lines = [_positions(line, at_least=2, what="LineString") for line in coords]
        return shapely.MultiLineString([line for line in lines if line])
    if kind == "Polygon":
        return _polygon(coords)
    polygons = [_polygon(polygon) for polygon in coords]
    return shapely.MultiPolygon([p for p in polygons if not p.is_empty])


def _features(document: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(geometry, properties) pairs of a FeatureCollection, a Feature or a bare geometry."""
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise _MalformedError("a FeatureCollection needs a 'features' list")
    elif kind == "Feature":
        features = [document]
    elif kind in _GEOMETRY_TYPES:
        return [(document, {})]
    else:
        raise _MalformedError(
            "the top-level 'type' must be FeatureCollection, Feature or a geometry"
        )
    pairs = []
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _MalformedError("every member of 'features' must be a Feature object")
        properties = feature.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise _MalformedError("a Feature's 'properties' must be an object or null")
        pairs.append((feature.get("geometry"), properties or {}))
    return pairs


def _cell(value: Any) -> Any:
    # why: nested values become JSON text, as GDAL gave them; columns stay flat
    return json.dumps(value) if isinstance(value, dict | list) else value


def parse_geojson(data: bytes, *, source: str) -> Features:
    """Parse GeoJSON bytes into shapely geometries and attribute records, with hiap's checks.

    Parameters
    ----------
    data
        The file's bytes (its size was already checked against the upload limit).
    source
        The upload's display name, for messages.

    Returns
    -------
    Features
        One per feature, with its properties as attributes, in the CRS the file declares
        (WGS84 by default, as RFC 7946 requires); ``.frame`` is the GeoDataFrame.

    Raises
    ------
    UnsafeUploadError
        For a VRT document, a ``crs`` link, or a GDAL virtual path in any string.
    SchemeError
        When the bytes are not well-formed GeoJSON (the message says which rule failed).
    """
    refuse_vrt(data, source=source)
    raw = data.removeprefix(b"\xef\xbb\xbf")
    if not raw.lstrip().startswith(b"{"):
        raise SchemeError(
            f"The file is named as GeoJSON but its content is not a JSON object. {_FIX}",
            source=source,
        )
    depth = _depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise UnsafeUploadError(
            f"The GeoJSON was refused: it nests arrays and objects {depth} levels deep, more "
            f"than the {MAX_JSON_DEPTH} a scheme needs. {_FIX}",
            source=source,
        )
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SchemeError(
            f"The file could not be read as GeoJSON: it is not UTF-8 text. {_FIX}",
            source=source,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SchemeError(
            f"The file could not be read as GeoJSON (not valid JSON: {excerpt(str(exc), limit=60)}"
            f"). {_FIX}",
            source=source,
        ) from None
    if not isinstance(document, dict):
        raise SchemeError(f"The GeoJSON's top level is not an object. {_FIX}", source=source)
    for where, text in _strings(document):
        refuse_references(text, where=where, source=source)
    crs = _crs(document, source=source)
    try:
        pairs = _features(document)
        geometries = []
        for number, (geometry, _) in enumerate(pairs, start=1):
            try:
                geometries.append(_geometry(geometry))
            except _MalformedError as exc:
                raise _MalformedError(f"feature {number}: {exc}") from None
    except _MalformedError as exc:
        raise SchemeError(
            f"The file could not be read as GeoJSON ({exc}). {_FIX}", source=source
        ) from None
    records = [{key: _cell(value) for key, value in props.items()} for _, props in pairs]
    return Features.from_records(
        [records], geometries, pyproj.CRS.from_user_input(crs), rename_geometry=True
    )
