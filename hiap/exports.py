"""Access results as files a planner opens straight in QGIS: GeoPackage (layers) and CSV.

:func:`write_geopackage` is the one GeoPackage writer: every layer in British National Grid
(EPSG:27700), field names carrying their units (``time_min``, ``band_min``), and the
``layer_styles`` table QGIS reads when it opens a layer, holding a QML and an SLD style for
each: isochrone bands coloured from near (dark) to far (light), GP practices as blue circles,
hospitals as red squares. :func:`to_geopackage_bytes` returns the same file as bytes for a
download button. Both work on copies.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.gdal_safety import guard_gdal

__all__ = ["to_csv_bytes", "to_geopackage_bytes", "write_geopackage"]

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"

# Columns whose names lack their unit, renamed on export so QGIS users read the unit.
UNIT_NAMES = {"time": "time_min", "distance": "distance_m", "area": "area_ha", "length": "length_m"}

# Bands from near to far: dark to light blue-green (colour-blind safe, prints in grey).
BAND_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#eff3ff")
GP_COLOUR, HOSPITAL_COLOUR = "#1f4e9c", "#c0392b"


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        dtype = out[column].dtype
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
            out[column] = out[column].map(lambda v: v if v is None else str(v))
        elif pd.api.types.is_float_dtype(dtype):
            # GeoPackage has no infinity; an unreached origin is stored as empty (NULL).
            out[column] = out[column].replace([np.inf, -np.inf], np.nan)
    return out


def _rgb(hex_colour: str, alpha: int = 255) -> str:
    value = hex_colour.lstrip("#")
    return ",".join(str(int(value[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _qml_symbol(index: int, geometry: str, colour: str) -> str:
    """One QGIS symbol: a fill for polygons, a marker (circle or square) for points."""
    if geometry == "fill":
        options = {
            "color": _rgb(colour, 150),
            "outline_color": _rgb("#333333"),
            "outline_width": "0.2",
            "style": "solid",
        }
        layer_class = "SimpleFill"
    elif geometry == "line":
        options = {"line_color": _rgb(colour), "line_width": "0.6"}
        layer_class = "SimpleLine"
    else:
        shape = "square" if colour == HOSPITAL_COLOUR else "circle"
        options = {
            "color": _rgb(colour),
            "name": shape,
            "size": "3.2",
            "outline_color": _rgb("#ffffff"),
            "outline_width": "0.4",
        }
        layer_class = "SimpleMarker"
    body = "".join(
        f'<Option name="{k}" type="QString" value="{v}"/>' for k, v in options.items()
    )
    return (
        f'<symbol type="{geometry}" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{layer_class}" enabled="1" pass="0" locked="0">'
        f'<Option type="Map">{body}</Option></layer></symbol>'
    )


def _qml(renderer: str) -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}</qgis>'
    )


def _sld(layer: str, rules: Sequence[tuple[str, str | None, str, str]]) -> str:
    """Return an SLD 1.1 style: ``(label, band value or None, geometry kind, colour)`` per rule."""
    parts = []
    for label, value, geometry, colour in rules:
        where = (
            "<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>band_min</ogc:PropertyName>"
            f"<ogc:Literal>{value}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
            if value is not None
            else ""
        )
        if geometry == "fill":
            symbol = (
                f'<se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">{colour}'
                '</se:SvgParameter><se:SvgParameter name="fill-opacity">0.6</se:SvgParameter>'
                '</se:Fill><se:Stroke><se:SvgParameter name="stroke">#333333</se:SvgParameter>'
                "</se:Stroke></se:PolygonSymbolizer>"
            )
        else:
            shape = "square" if colour == HOSPITAL_COLOUR else "circle"
            symbol = (
                f"<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>{shape}"
                f'</se:WellKnownName><se:Fill><se:SvgParameter name="fill">{colour}'
                "</se:SvgParameter></se:Fill></se:Mark><se:Size>9</se:Size></se:Graphic>"
                "</se:PointSymbolizer>"
            )
        parts.append(f"<se:Rule><se:Name>{label}</se:Name>{where}{symbol}</se:Rule>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.1.0" '
        'xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:se="http://www.opengis.net/se">'
        f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{layer}</se:Name>"
        f"<se:FeatureTypeStyle>{''.join(parts)}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>"
    )


def layer_style(name: str, frame: gpd.GeoDataFrame) -> tuple[str, str, str] | None:
    """Return ``(QML, SLD, description)`` for a layer hiap styles, else ``None``.

    Parameters
    ----------
    name
        The layer name.
    frame
        The layer (its columns and geometry decide the style).

    Returns
    -------
    tuple of str or None
        Bands (a ``band_min`` column on polygons) are coloured near to far; destinations
        (GP practices, or hospitals: a ``has_ae`` or ``sector`` column) get point symbols.
    """
    kinds = set(frame.geom_type.dropna())
    if "band_min" in frame.columns and kinds <= {"Polygon", "MultiPolygon"}:
        bands = sorted({float(b) for b in frame["band_min"].dropna()})
        rules = [
            (f"{b:g} min", f"{b:g}", "fill", BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)])
            for i, b in enumerate(bands)
        ]
        categories = "".join(
            f'<category value={quoteattr(value)} symbol="{i}" label={quoteattr(label)} render="true"/>'
            for i, (label, value, _, _) in enumerate(rules)
        )
        symbols = "".join(_qml_symbol(i, "fill", colour) for i, (*_, colour) in enumerate(rules))
        renderer = (
            '<renderer-v2 type="categorizedSymbol" attr="band_min" symbollevels="0" '
            f'enableorderby="0" forceraster="0"><categories>{categories}</categories>'
            f"<symbols>{symbols}</symbols></renderer-v2>"
        )
        return _qml(renderer), _sld(name, rules), "walking time bands, near to far"
    if kinds <= {"Point", "MultiPoint"} and "name" in frame.columns:
        hospital = bool({"has_ae", "sector"} & set(frame.columns))
        colour, label = (HOSPITAL_COLOUR, "hospital") if hospital else (GP_COLOUR, "GP practice")
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_qml_symbol(0, "marker", colour)}</symbols></renderer-v2>'
        )
        return _qml(renderer), _sld(name, [(label, None, "marker", colour)]), f"{label}s"
    return None


def _write_styles(path: Path, styles: Mapping[str, tuple[str, str, str, str]]) -> None:
    """Add the ``layer_styles`` table QGIS reads (the schema QGIS itself creates)."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
            "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
            "update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"
        )
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles')"
        )
        for layer, (geometry_column, qml, sld, description) in styles.items():
            conn.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'hiap', '')",
                (layer, geometry_column, layer, qml, sld, description),
            )


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write GeoDataFrames as styled layers of one GeoPackage, in EPSG:27700.

    Parameters
    ----------
    layers
        ``{layer_name: frame}``; each frame needs a CRS. Empty frames are skipped.
    path
        The ``.gpkg`` file to write (replaced if it exists).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        When no layer has rows, or a layer has no CRS.
    """
    kept = {name: frame for name, frame in layers.items() if frame is not None and not frame.empty}
    if not kept:
        raise ValueError("write_geopackage: every layer is empty; there is nothing to export.")
    for name, frame in kept.items():
        if frame.crs is None:
            raise ValueError(f"write_geopackage: layer {name!r} has no CRS.")
    out = Path(path)
    if out.exists():
        out.unlink()
    styles: dict[str, tuple[str, str, str, str]] = {}
    guard_gdal()
    for name, frame in kept.items():
        plain = _plain(frame.to_crs(BNG)).rename(columns=UNIT_NAMES)
        plain.to_file(out, layer=name, driver="GPKG", engine="pyogrio")
        style = layer_style(name, plain)
        if style is not None:
            styles[name] = ("geom", *style)  # pyogrio names the GeoPackage column "geom"
    if styles:
        _write_styles(out, styles)
    return out


def to_geopackage_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """Return :func:`write_geopackage`'s file as bytes (for a download button).

    Parameters
    ----------
    layers
        ``{layer_name: frame}``; each frame needs a CRS. Empty frames are skipped.

    Returns
    -------
    bytes
        The ``.gpkg`` file: EPSG:27700, with QGIS styles in its ``layer_styles`` table.

    Raises
    ------
    ValueError
        When no layer has rows, or a layer has no CRS.
    """
    with tempfile.TemporaryDirectory() as folder:
        return write_geopackage(layers, Path(folder) / "access.gpkg").read_bytes()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return a table as UTF-8 CSV; points gain ``lon``/``lat`` columns instead of geometry.

    Parameters
    ----------
    frame
        A DataFrame or GeoDataFrame (points are written as WGS84 longitude/latitude; other
        geometries as WKT).

    Returns
    -------
    bytes
        The CSV file; unreached times (``inf``) are written as empty cells.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = frame.geometry
        table = pd.DataFrame(frame.drop(columns=geometry.name))
        if frame.crs is not None and bool((geometry.geom_type == "Point").all()):
            ll = geometry.to_crs(WGS84)
            table["lon"] = ll.x.round(6).to_numpy()
            table["lat"] = ll.y.round(6).to_numpy()
        else:
            table["wkt"] = geometry.to_wkt().to_numpy()
    else:
        table = frame.copy()
    table = table.replace([np.inf, -np.inf], np.nan)
    return table.to_csv(index=False).encode("utf-8")
