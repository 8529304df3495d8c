"""KML read by hiap itself: parsed with defusedxml, placemarks turned into shapely geometries.

GDAL never sees an uploaded KML (its KML drivers can follow links to other files). The document
is first checked by :func:`hiap.schemes.safety.check_xml_safe` (no DTD, entities, XInclude,
NetworkLink or href), then every ``Placemark`` becomes one row: its geometry (Point,
LineString, LinearRing, Polygon, MultiGeometry), its ``name``, its ``description`` (as
``Description``, as GDAL named it) and its ``ExtendedData`` values. Each top-level ``Folder``
is a layer, as in GDAL; placemarks outside any folder are in the document's own layer.
"""

from __future__ import annotations

import math
from xml.etree.ElementTree import Element

import shapely

from hiap.errors import SchemeError
from hiap.schemes.safety import check_xml_safe, excerpt, refuse_references

MAX_MULTIGEOMETRY_DEPTH = 4
_FIX = "Export the scheme again as KML from your mapping tool, or upload GeoJSON instead."
_GEOMETRY_TAGS = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry")


class _MalformedError(Exception):
    """A placemark that does not follow the KML specification (turned into SchemeError)."""


def _local(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c) == name), None)


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    return "".join(element.itertext()).strip()


def _coordinates(element: Element | None, *, at_least: int, what: str) -> list[tuple[float, float]]:
    text = _text(_child(element, "coordinates")) if element is not None else None
    if not text:
        return []
    points = []
    for token in text.split():
        parts = token.split(",")
        if not 2 <= len(parts) <= 3:
            raise _MalformedError(f"'{excerpt(token)}' is not a lon,lat[,alt] position")
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise _MalformedError(f"'{excerpt(token)}' is not a lon,lat[,alt] position") from None
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise _MalformedError("a coordinate is not a finite number")
        points.append((lon, lat))
    if len(points) < at_least:
        raise _MalformedError(f"a {what} needs at least {at_least} positions")
    return points


def _ring(boundary: Element | None) -> list[tuple[float, float]]:
    ring = _child(boundary, "LinearRing") if boundary is not None else None
    return _coordinates(ring, at_least=4, what="polygon ring")


def _geometry(element: Element, *, depth: int = 0) -> shapely.Geometry:
    kind = _local(element)
    if kind == "Point":
        points = _coordinates(element, at_least=1, what="Point")
        return shapely.Point(points[0]) if points else shapely.Point()
    if kind in ("LineString", "LinearRing"):
        return shapely.LineString(_coordinates(element, at_least=2, what=kind))
    if kind == "Polygon":
        outer = _ring(_child(element, "outerBoundaryIs"))
        inner = [_ring(b) for b in element if _local(b) == "innerBoundaryIs"]
        return shapely.Polygon(outer, [r for r in inner if r]) if outer else shapely.Polygon()
    if depth >= MAX_MULTIGEOMETRY_DEPTH:
        raise _MalformedError(f"MultiGeometry is nested more than {MAX_MULTIGEOMETRY_DEPTH} deep")
    parts = [_geometry(c, depth=depth + 1) for c in element if _local(c) in _GEOMETRY_TAGS]
    return shapely.GeometryCollection([p for p in parts if not p.is_empty])


def _extended_data(placemark: Element) -> dict[str, str]:
    values: dict[str, str] = {}
    extended = _child(placemark, "ExtendedData")
    if extended is None:
        return values
    for item in extended.iter():
        name = item.get("name")
        if _local(item) == "Data" and name:
            values[name] = _text(_child(item, "value")) or ""
        elif _local(item) == "SimpleData" and name:
            values[name] = _text(item) or ""
    return values


def _placemarks(container: Element) -> list[Element]:
    return [e for e in container.iter() if _local(e) == "Placemark"]


def _layers(root: Element) -> dict[str, list[Element]]:
    """Placemarks by layer: each top-level Folder, and the document's own placemarks."""
    document = root
    for tag in ("Document", "Folder"):
        found = _child(root, tag)
        if found is not None:
            document = found
            break
    layers: dict[str, list[Element]] = {}
    loose: list[Element] = []
    for item in document:
        if _local(item) == "Folder":
            name = _text(_child(item, "name")) or f"Folder {len(layers) + 1}"
            layers.setdefault(name, []).extend(_placemarks(item))
        elif _local(item) == "Placemark":
            loose.append(item)
    if loose or not layers:
        name = _text(_child(document, "name")) or "Placemarks"
        layers = {name: loose, **layers} if name not in layers else layers
    return layers


KmlLayer = tuple[list[dict[str, str | None]], list[shapely.Geometry | None]]
"""A KML layer as read: one attribute record and one geometry (or ``None``) per placemark."""


def kml_layers(data: bytes, *, source: str) -> dict[str, KmlLayer]:
    """Read a KML document into records and shapely geometries per layer (folder), in WGS84.

    Parameters
    ----------
    data
        The KML document (its size was already checked).
    source
        The upload's display name, for messages.

    Returns
    -------
    dict of str to (records, geometries)
        Layers by name, in document order: one attribute record (``name``, ``Description``,
        ExtendedData values) and one geometry per placemark.

    Raises
    ------
    UnsafeUploadError
        When the document declares entities or refers to other files (see
        :func:`~hiap.schemes.safety.check_xml_safe`), or a value names a GDAL virtual path.
    SchemeError
        When the document is not KML or a placemark's geometry is malformed.
    """
    root = check_xml_safe(data, source=source)
    for element in root.iter():
        for where, text in (("a KML element", element.text), *element.attrib.items()):
            if text:
                refuse_references(text, where=where, source=source)
    layers: dict[str, KmlLayer] = {}
    for name, placemarks in _layers(root).items():
        rows: list[dict[str, str | None]] = []
        geometries: list[shapely.Geometry | None] = []
        for number, placemark in enumerate(placemarks, start=1):
            shapes = [_geometry_of(placemark, number, source=source)]
            row: dict[str, str | None] = {"name": _text(_child(placemark, "name"))}
            description = _text(_child(placemark, "description"))
            if description:
                row["Description"] = description
            row.update(_extended_data(placemark))
            rows.append(row)
            geometries.extend(shapes)
        layers[name] = (rows, geometries)
    return layers


def _geometry_of(placemark: Element, number: int, *, source: str) -> shapely.Geometry | None:
    element = next((c for c in placemark if _local(c) in _GEOMETRY_TAGS), None)
    if element is None:
        return None
    try:
        geometry = _geometry(element)
    except _MalformedError as exc:
        raise SchemeError(
            f"The file could not be read as KML (placemark {number}: {exc}). {_FIX}",
            source=source,
        ) from None
    if isinstance(geometry, shapely.GeometryCollection) and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry
