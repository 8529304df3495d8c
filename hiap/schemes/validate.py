"""Validate a read scheme once, reporting every problem together with its remedy.

Checks, in order: features present; geometry usable (invalid polygons are repaired with
:func:`shapely.make_valid`, and the repair is recorded in the notes); polygons present for a
housing scheme and lines for a transport scheme; a known coordinate system (GeoJSON and KML
are WGS84 by definition; a Shapefile needs its ``.prj``); coordinates in Great Britain and not
in latitude/longitude order; a plausible size (0.1 ha to 100 km² for a site, 50 m to 200 km
for a route); and the metadata. Geometry is then reprojected to British National Grid.

Validation works on shapely geometries and attribute values (:mod:`hiap.schemes.features`),
without pandas or geopandas: the scheme's GeoDataFrames are built only when asked for.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import pyproj.exceptions
import shapely
from pydantic import ValidationError

from hiap.errors import SchemeError
from hiap.schemes.features import FeatureRows, Features
from hiap.schemes.models import (
    BNG_EPSG,
    SCHEME_KINDS,
    WGS84_EPSG,
    Scheme,
    SchemeKind,
    SchemeMetadata,
    consistency_problems,
    metadata_problems,
)
from hiap.schemes.readers import RawScheme
from hiap.schemes.safety import excerpt

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

logger = logging.getLogger(__name__)

MIN_SITE_AREA_M2 = 1_000.0
"""0.1 ha: smaller than any scheme worth assessing; usually a units or CRS mistake."""
MAX_SITE_AREA_M2 = 100_000_000.0
"""100 km²: larger than any single development (Northstowe is about 5 km²)."""
MIN_ROUTE_LENGTH_M = 50.0
MAX_ROUTE_LENGTH_M = 200_000.0
HIGH_DENSITY_DPH = 250.0
"""Above this gross density the dwellings or the boundary are probably wrong; noted, not refused."""

# Great Britain in WGS84 degrees, with a margin for the coast: Scilly and Land's End to Lowestoft,
# Shetland to the Lizard.
GB_LON_MIN, GB_LON_MAX = -8.8, 2.0
GB_LAT_MIN, GB_LAT_MAX = 49.8, 61.0

_POLYGONAL = ("Polygon", "MultiPolygon")
_LINEAL = ("LineString", "MultiLineString", "LinearRing")
_PUNTAL = ("Point", "MultiPoint")
_MULTI = {
    "poly": shapely.MultiPolygon,
    "line": shapely.MultiLineString,
    "point": shapely.MultiPoint,
}


def _in_gb(minx: float, miny: float, maxx: float, maxy: float) -> bool:
    return GB_LON_MIN <= minx <= maxx <= GB_LON_MAX and GB_LAT_MIN <= miny <= maxy <= GB_LAT_MAX


_Rows = list[tuple[int, shapely.Geometry]]


def _split_geometries(
    geometries: Sequence[shapely.Geometry | None], notes: list[str]
) -> tuple[_Rows, _Rows, _Rows]:
    """Split geometries into (position, geometry) polygons, lines and points.

    Collections are split into their parts.
    """
    rows: dict[str, _Rows] = {"poly": [], "line": [], "point": []}
    n_missing = 0
    for position, geom in enumerate(geometries):
        if geom is None or geom.is_empty:
            n_missing += 1
            continue
        parts = shapely.get_parts(geom) if geom.geom_type == "GeometryCollection" else [geom]
        grouped: dict[str, list[shapely.Geometry]] = {"poly": [], "line": [], "point": []}
        for part in parts:
            if part.is_empty:
                continue
            if part.geom_type in _POLYGONAL:
                grouped["poly"].append(part)
            elif part.geom_type in _LINEAL:
                grouped["line"].append(part)
            elif part.geom_type in _PUNTAL:
                grouped["point"].append(part)
        for key, found in grouped.items():
            if len(found) == 1:
                rows[key].append((position, found[0]))
            elif found:
                flat = [g for f in found for g in shapely.get_parts(f)]
                rows[key].append((position, _MULTI[key](flat)))
    if n_missing:
        notes.append(
            f"{n_missing} feature(s) without usable geometry were ignored (empty, or shapes "
            "too broken to build, such as a ring of fewer than 4 points)."
        )
    return rows["poly"], rows["line"], rows["point"]


def _split_by_type(
    frame: gpd.GeoDataFrame, notes: list[str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split features into polygons, lines and points; collections are split into parts."""
    import geopandas as gpd

    attrs = frame.drop(columns=frame.geometry.name)
    split = _split_geometries(frame.geometry.to_numpy(), notes)
    rows = dict(zip(("poly", "line", "point"), split, strict=True))

    def build(key: str) -> gpd.GeoDataFrame:
        positions = [p for p, _ in rows[key]]
        geoms = [g for _, g in rows[key]]
        part = attrs.iloc[positions].reset_index(drop=True)
        return gpd.GeoDataFrame(part, geometry=gpd.GeoSeries(geoms, crs=frame.crs), crs=frame.crs)

    return build("poly"), build("line"), build("point")


def _repair_geometries(
    geometries: Sequence[shapely.Geometry], notes: list[str], problems: list[str], label: str
) -> list[shapely.Geometry] | None:
    """Repair invalid polygons with make_valid, keeping only their polygonal parts.

    Returns the repaired geometries, or ``None`` when all were valid.
    """
    geoms = np.asarray(geometries, dtype=object)
    valid = shapely.is_valid(geoms)
    if valid.all():
        return None
    fixed = geoms.copy()
    repaired = []
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(geoms[i])
        made = shapely.make_valid(geoms[i])
        kept = [p for p in shapely.get_parts(made) if p.geom_type in _POLYGONAL]
        kept_parts = [g for p in kept for g in shapely.get_parts(p)]
        if not kept_parts:
            problems.append(
                f"Polygon {i + 1} is invalid ({reason}) and has no area once repaired; "
                "redraw it as a closed outline that does not cross itself."
            )
            continue
        fixed[i] = kept_parts[0] if len(kept_parts) == 1 else shapely.MultiPolygon(kept_parts)
        repaired.append(f"polygon {i + 1}: {reason}")
    if repaired:
        notes.append(
            f"Repaired {len(repaired)} invalid polygon(s){label} with shapely make_valid "
            f"({'; '.join(repaired)}). Check the repaired outline is the intended site."
        )
    return list(fixed)


def _repair_polygons(
    polys: gpd.GeoDataFrame, notes: list[str], problems: list[str], *, label: str = ""
) -> gpd.GeoDataFrame:
    """Repair invalid polygons with make_valid, keeping only their polygonal parts."""
    import geopandas as gpd

    if polys.empty:
        return polys
    fixed = _repair_geometries(polys.geometry.to_numpy(), notes, problems, label)
    if fixed is None:
        return polys
    out = polys.copy()
    out[out.geometry.name] = gpd.GeoSeries(fixed, crs=polys.crs, index=polys.index)
    return out


def _crs_problem(raw: RawScheme) -> str:
    if raw.file_format == "shapefile":
        return (
            "The shapefile has no .prj file, so its coordinate system is unknown. Include the "
            ".prj your GIS wrote beside the .shp (for British National Grid it declares "
            "EPSG:27700) in the zip, or re-export the layer with its coordinate system."
        )
    return (
        f"The {raw.format_label} layer declares no coordinate system. Assign one in your GIS "
        "(EPSG:27700 British National Grid, or EPSG:4326 WGS84) and export again."
    )


def _total_bounds(geometries: Any) -> np.ndarray:
    """(minx, miny, maxx, maxy) of all geometries together, NaN ignored (as geopandas)."""
    bounds = shapely.bounds(np.asarray(geometries, dtype=object)).reshape(-1, 4)
    if len(bounds) == 0:
        return np.full(4, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN, as geopandas
        return np.array(
            [
                np.nanmin(bounds[:, 0]),
                np.nanmin(bounds[:, 1]),
                np.nanmax(bounds[:, 2]),
                np.nanmax(bounds[:, 3]),
            ]
        )


def _to_crs(geometries: Any, crs: pyproj.CRS, target: int) -> np.ndarray:
    """Reproject 2D shapely geometries from ``crs`` to EPSG ``target`` (as geopandas to_crs)."""
    target_crs = pyproj.CRS.from_user_input(target)
    geometries = np.asarray(geometries, dtype=object)
    if crs.is_exact_same(target_crs):
        return geometries  # as geopandas: the same system, coordinates untouched
    transformer = pyproj.Transformer.from_crs(crs, target_crs, always_xy=True)

    def move(coords: np.ndarray) -> np.ndarray:
        xs, ys = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([xs, ys])

    return np.asarray(shapely.transform(geometries, move))


def _location_problems(raw: RawScheme, geoms: gpd.GeoSeries) -> list[str]:
    """Check the coordinates lie in Great Britain and are not in (lat, lon) order."""
    return _located(raw, geoms.to_numpy(), geoms.crs)


def _located(raw: RawScheme, geoms: Any, crs: pyproj.CRS) -> list[str]:
    """Check the coordinates lie in Great Britain and are not in (lat, lon) order."""
    minx, miny, maxx, maxy = (float(v) for v in _total_bounds(geoms))
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return ["Some coordinates are not finite numbers (NaN or infinity); redraw the scheme."]
    if crs.is_geographic:
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            hint = ""
            if minx >= 0 and maxx <= 700_000 and miny >= 0 and maxy <= 1_300_000:
                hint = (
                    " They look like British National Grid eastings and northings in metres: "
                    "GeoJSON must be WGS84 longitude/latitude (RFC 7946), so re-export it as "
                    "WGS84, or save it as a GeoPackage or Shapefile declaring EPSG:27700."
                )
            return [
                f"The coordinates (x {minx:,.0f} to {maxx:,.0f}, y {miny:,.0f} to {maxy:,.0f}) "
                f"are not degrees, yet the {raw.format_label} file says they are "
                f"longitude/latitude ({excerpt(crs.name, limit=60)}).{hint or ' Declare the right coordinate system.'}"
            ]
        lon_lat = (minx, miny, maxx, maxy)
    else:
        try:
            bounds = _total_bounds(_to_crs(geoms, crs, WGS84_EPSG))
        except (pyproj.exceptions.ProjError, ValueError) as exc:
            return [
                f"The coordinates could not be converted from {excerpt(crs.name, limit=60)} to WGS84 ({excerpt(str(exc))}); "
                "declare the coordinate system the scheme was drawn in (usually EPSG:27700)."
            ]
        lon_lat = tuple(float(v) for v in bounds)  # type: ignore[assignment]
        if not all(math.isfinite(v) for v in lon_lat):
            return [
                f"The coordinates do not fit the declared coordinate system {excerpt(crs.name, limit=60)}; "
                "declare the one the scheme was drawn in (usually EPSG:27700)."
            ]
    lon_min, lat_min, lon_max, lat_max = lon_lat
    if _in_gb(lon_min, lat_min, lon_max, lat_max):
        return []
    where = f"longitude {lon_min:.4f} to {lon_max:.4f}, latitude {lat_min:.4f} to {lat_max:.4f}"
    if crs.is_geographic and _in_gb(lat_min, lon_min, lat_max, lon_max):
        return [
            f"The coordinates look swapped: they read as {where}, but as (latitude, longitude) "
            "they would fall in Great Britain. GeoJSON and KML store longitude first "
            "(x = longitude, y = latitude); swap the two values of every coordinate pair."
        ]
    if not crs.is_geographic:
        try:
            transformer = pyproj.Transformer.from_crs(crs, WGS84_EPSG, always_xy=True)
            xs, ys = transformer.transform([miny, maxy], [minx, maxx])
        except (pyproj.exceptions.ProjError, ValueError):
            xs, ys = [math.inf, math.inf], [math.inf, math.inf]
        if all(math.isfinite(v) for v in (*xs, *ys)) and _in_gb(min(xs), min(ys), max(xs), max(ys)):
            return [
                f"The scheme lies outside Great Britain in its declared coordinate system "
                f"{excerpt(crs.name, limit=60)} ({where}), but with x and y exchanged it would fall in Great "
                "Britain: the coordinates look swapped (x is the easting, y the northing), or "
                "the coordinate system is not the one the scheme was drawn in. Swap the two "
                "values of every coordinate pair, or declare the right coordinate system."
            ]
    return [
        f"The scheme lies outside Great Britain ({where}). hiap assesses schemes in Great "
        "Britain (its data cover Cambridgeshire and Peterborough). Check the coordinate "
        "system: British National Grid metres must be declared as EPSG:27700, and GeoJSON "
        "must be WGS84 longitude/latitude."
    ]


def _plain(value: Any) -> Any:
    """Turn numpy and pandas scalars into plain Python values for pydantic."""
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp (pandas is not imported here)
        return value.to_pydatetime()
    return value


def metadata_from_attributes(frame: pd.DataFrame, notes: list[str]) -> dict[str, Any]:
    """Collect scheme metadata fields found among the features' attributes.

    Only the metadata field names are looked at (other attributes are left alone). A field is
    used when every feature that sets it agrees on its value; otherwise it is noted and skipped.

    Parameters
    ----------
    frame
        The scheme's main features (polygons, or lines for a transport scheme).
    notes
        Receives a note for every field the features disagree on.

    Returns
    -------
    dict
        The agreed values, by field name.
    """
    return _metadata_from(frame.columns, lambda name: frame[name].tolist(), notes)


def _metadata_from(
    columns: Collection[str], values_of: Callable[[str], list[Any]], notes: list[str]
) -> dict[str, Any]:
    """:func:`metadata_from_attributes` on any table: its column names and a column getter."""
    values: dict[str, Any] = {}
    for name in SchemeMetadata.model_fields:
        if name not in columns:
            continue
        column = [_plain(v) for v in values_of(name)]
        present = [v for v in column if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        if isinstance(present[0] if present else None, str):
            present = [v.strip() if isinstance(v, str) else v for v in present]
            present = [v for v in present if v != ""]
        distinct = list(dict.fromkeys(repr(v) for v in present))
        if len(distinct) == 1:
            value = present[0]
            values[name] = (
                value.lower() if name in ("kind", "mode") and isinstance(value, str) else value
            )
        elif len(distinct) > 1:
            notes.append(
                f"The features give different values for '{name}' "
                f"({', '.join(excerpt(v) for v in distinct[:4])}); none was used. Give the "
                "scheme's value explicitly."
            )
    return values


def _infer_kind(n_poly: int, n_line: int) -> SchemeKind | None:
    if n_poly and n_line:
        return "mixed"
    if n_poly:
        return "housing"
    if n_line:
        return "transport"
    return None


def _counts(n_poly: int, n_line: int, n_point: int) -> str:
    return f"{n_poly} polygon(s), {n_line} line(s) and {n_point} point(s)"


def validate_scheme(
    raw: RawScheme,
    *,
    kind: SchemeKind | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Scheme:
    """Check a read scheme and build the :class:`Scheme`, reporting all problems at once.

    Parameters
    ----------
    raw
        The file as read by :func:`hiap.schemes.readers.read_raw`.
    kind
        The kind of scheme; when ``None``, the metadata's kind, else inferred from the
        geometry (polygons: housing; lines: transport; both: mixed).
    metadata
        Metadata values that win over those found in the file's attributes.

    Returns
    -------
    Scheme
        The validated scheme, geometry in EPSG:27700, with notes on every repair.

    Raises
    ------
    SchemeError
        Listing every problem found, each with its remedy.
    """
    source = raw.source_name
    notes = list(raw.notes)
    problems: list[str] = []
    features = raw.features
    if len(features) == 0:
        raise SchemeError(
            "The file holds no features: it is empty. Draw the scheme (a boundary polygon for "
            "housing, a line for a route) and export it again.",
            source=source,
        )
    polys, lines, points = _split_geometries(features.geometries, notes)
    if not polys and not lines and not points:
        raise SchemeError(
            "None of the file's features has usable geometry. Redraw the scheme boundary as a "
            "polygon (or the route as a line) and export it again.",
            source=source,
        )

    explicit = dict(metadata or {})
    if kind is not None and kind not in SCHEME_KINDS:
        problems.append(f"Unknown kind '{kind}'; use one of {', '.join(SCHEME_KINDS)}.")
        kind = None
    main = polys if polys else lines
    found_notes: list[str] = []
    found = _metadata_of_rows(features, main, found_notes)
    chosen_kind: Any = kind or explicit.get("kind") or found.get("kind")
    if chosen_kind is None:
        chosen_kind = _infer_kind(len(polys), len(lines))
    if chosen_kind == "transport" and polys and lines:
        found_notes = []
        found = _metadata_of_rows(features, lines, found_notes)
    notes.extend(found_notes)
    if kind is not None and found.get("kind") not in (None, kind):
        notes.append(f"The file says kind '{found['kind']}'; using '{kind}' as requested.")

    if chosen_kind is None:
        raise SchemeError(
            f"The file has only {_counts(len(polys), len(lines), len(points))}: a housing "
            "scheme needs its site boundary as a polygon, and a transport scheme its route as "
            "a line (stops may be points). Draw the boundary or the route and export again.",
            source=source,
        )
    problems.extend(
        _geometry_kind_problems(chosen_kind, len(polys), len(lines), len(points), notes)
    )
    all_geoms = [geom for rows in (polys, lines, points) for _, geom in rows]
    if chosen_kind == "transport":
        polys = []
    if chosen_kind == "housing":
        lines, points = [], []

    polys = _repair_rows(polys, notes, problems, "")
    crs = features.crs
    source_crs = ""
    if crs is None:
        problems.append(_crs_problem(raw))
    else:
        source_crs = crs.to_string()
        wgs84 = pyproj.CRS.from_epsg(WGS84_EPSG)
        if raw.file_format == "geojson" and not crs.equals(wgs84, ignore_axis_order=True):
            notes.append(
                f"The GeoJSON declares its coordinate system as {source_crs} (an older "
                "practice: RFC 7946 GeoJSON is always WGS84); it was used as declared."
            )
        located = _located(raw, all_geoms, crs)
        problems.extend(located)
        if not located:
            polys, lines, points = (_rows_to_bng(rows, crs) for rows in (polys, lines, points))
            polys = _repair_rows(polys, notes, problems, " after reprojection")
            problems.extend(
                _size_problems([g for _, g in polys], [g for _, g in lines], chosen_kind)
            )

    values = {**found, **explicit, "kind": chosen_kind}
    values.setdefault("name", _default_name(source))
    try:
        meta = SchemeMetadata.model_validate(values)
    except ValidationError as exc:
        problems.extend(metadata_problems(exc))
        if all(err["loc"] for err in exc.errors()):
            # why: pydantic skips the cross-field check when a field fails; run it here so
            # every problem is reported in one go
            problems.extend(f"Scheme metadata: {p}." for p in consistency_problems(values))
        meta = None
    if problems or meta is None:
        raise SchemeError(problems, source=source)

    area_ha = float(shapely.union_all(np.asarray([g for _, g in polys], dtype=object)).area)
    area_ha /= 10_000.0
    if meta.kind in ("housing", "mixed") and meta.dwellings is None:
        notes.append("No dwellings given: new residents cannot be estimated.")
    if meta.dwellings and area_ha > 0 and meta.dwellings / area_ha > HIGH_DENSITY_DPH:
        notes.append(
            f"Gross density is {meta.dwellings / area_ha:,.0f} dwellings per hectare, far above "
            "typical new development (30 to 100); check the dwellings and that the boundary is "
            "complete."
        )
    boundary, routes, stops = (_feature_rows(features, rows) for rows in (polys, lines, points))
    return Scheme(
        metadata=meta,
        boundary=boundary,
        lines=routes,
        stops=stops,
        notes=tuple(notes),
        source_name=source,
        source_crs=source_crs,
    )


def _metadata_of_rows(features: Features, rows: _Rows, notes: list[str]) -> dict[str, Any]:
    """:func:`metadata_from_attributes` of the features at the rows' positions."""
    positions = [position for position, _ in rows]
    names = [name for name in SchemeMetadata.model_fields if features.has_column(name)]
    return _metadata_from(names, lambda name: features.column(name, positions), notes)


def _repair_rows(rows: _Rows, notes: list[str], problems: list[str], label: str) -> _Rows:
    """:func:`_repair_polygons` on (position, polygon) rows."""
    if not rows:
        return rows
    fixed = _repair_geometries([g for _, g in rows], notes, problems, label)
    if fixed is None:
        return rows
    return [(position, geom) for (position, _), geom in zip(rows, fixed, strict=True)]


def _rows_to_bng(rows: _Rows, crs: pyproj.CRS) -> _Rows:
    if not rows:
        return rows
    moved = _to_crs([g for _, g in rows], crs, BNG_EPSG)
    return [(position, geom) for (position, _), geom in zip(rows, moved, strict=True)]


def _feature_rows(features: Features, rows: _Rows) -> FeatureRows | None:
    if not rows:
        return None
    return FeatureRows(features, [p for p, _ in rows], [g for _, g in rows], BNG_EPSG)


def _geometry_kind_problems(
    kind: str, n_polys: int, n_lines: int, n_points: int, notes: list[str]
) -> list[str]:
    """Check the kind has the geometry it needs; note what it will ignore."""
    problems = []
    counts = _counts(n_polys, n_lines, n_points)
    if kind in ("housing", "mixed") and not n_polys:
        problems.append(
            f"No polygons: a {kind} scheme needs its site boundary as a polygon, but the "
            f"file has {counts}. Draw the red-line boundary as a closed polygon"
            + (", or choose kind 'transport' for a route." if n_lines else ".")
        )
    if kind in ("transport", "mixed") and not n_lines:
        problems.append(
            f"No lines: a {kind} scheme needs its route or link as a line, but the file "
            f"has {counts}. Draw the proposed route as a line (stops may be points)."
        )
    if kind == "housing" and n_lines:
        notes.append(f"{n_lines} line(s) ignored: kind 'mixed' would keep them as routes.")
    if kind == "housing" and n_points:
        notes.append(f"{n_points} point(s) ignored: only transport schemes have stops.")
    if kind == "transport" and n_polys:
        notes.append(f"{n_polys} polygon(s) ignored: kind 'mixed' would keep them.")
    return problems


def _default_name(source: str) -> str:
    stem = source.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("_", " ").replace("-", " ").strip() or "Unnamed scheme"


def _size_problems(
    polys: Sequence[shapely.Geometry], lines: Sequence[shapely.Geometry], kind: SchemeKind | None
) -> list[str]:
    problems = []
    if polys:
        area_m2 = float(shapely.union_all(np.asarray(polys, dtype=object)).area)
        if area_m2 < MIN_SITE_AREA_M2:
            problems.append(
                f"The site is {area_m2 / 10_000:.4f} ha ({area_m2:,.0f} m²), under the 0.1 ha "
                "minimum: too small for a scheme. Check the coordinate system (metres against "
                "degrees) and that the whole site is drawn."
            )
        elif area_m2 > MAX_SITE_AREA_M2:
            problems.append(
                f"The site covers {area_m2 / 1e6:,.1f} km², over the 100 km² maximum for one "
                "scheme. Draw only the development site, not the district or study area, and "
                "check the coordinate system."
            )
    if lines:
        length_m = float(np.sum(shapely.length(np.asarray(lines, dtype=object))))
        if length_m < MIN_ROUTE_LENGTH_M:
            problems.append(
                f"The route is {length_m:,.1f} m long, under the {MIN_ROUTE_LENGTH_M:.0f} m "
                "minimum. Draw the whole proposed route and check the coordinate system."
            )
        elif length_m > MAX_ROUTE_LENGTH_M:
            problems.append(
                f"The routes total {length_m / 1000:,.0f} km, over the "
                f"{MAX_ROUTE_LENGTH_M / 1000:.0f} km maximum for one scheme. Draw only the "
                "proposed link and check the coordinate system."
            )
    return problems
