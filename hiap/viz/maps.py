"""Folium maps of schemes and their surroundings, built without Streamlit.

Everything is drawn in WGS84 (what web maps use); inputs may be in any CRS and are never
modified. Every map carries the OpenStreetMap attribution.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import folium
import geopandas as gpd

from hiap import attribution

if TYPE_CHECKING:
    from hiap.schemes import Scheme

WGS84 = "EPSG:4326"
SCHEME_STYLE = {"color": "#7b2cbf", "weight": 3, "fillColor": "#c77dff", "fillOpacity": 0.25}
ROUTE_STYLE = {"color": "#d00000", "weight": 5, "opacity": 0.85}


def base_map(bounds_wgs84: tuple[float, float, float, float]) -> folium.Map:
    """Return an OpenStreetMap base map fitted to ``(minx, miny, maxx, maxy)`` in WGS84.

    Parameters
    ----------
    bounds_wgs84
        Bounding box in longitude/latitude.

    Returns
    -------
    folium.Map
        A map with the OSM attribution and the bounds fitted.
    """
    minx, miny, maxx, maxy = bounds_wgs84
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles="OpenStreetMap",
        attr=attribution.OSM_TILE_ATTRIBUTION,
        control_scale=True,
    )
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def map_text(value: object) -> str:
    """Return ``value`` as text safe inside folium's popup and tooltip HTML.

    Use it for every name that can come from an upload (scheme, stops, proposal layers).
    Folium puts popup and tooltip HTML inside JavaScript template literals, so a backtick or
    ``${`` would end the string as surely as ``<script>`` would start one.

    Parameters
    ----------
    value
        Any value; ``None`` becomes an empty string.

    Returns
    -------
    str
        HTML-escaped text with backticks and dollar signs as character references.
    """
    text = html.escape(str(value or ""))
    return text.replace("`", "&#96;").replace("$", "&#36;")


def badge_marker(
    location: tuple[float, float],
    *,
    badge: str,
    colour: str,
    tooltip: str | None = None,
    popup: str | None = None,
    size_px: int = 22,
) -> folium.Marker:
    """Return a round marker with a short text badge ("GP", "H", "3"), drawn in plain HTML.

    Every point marker with a symbol on hiap's maps is one of these: folium's ``Icon`` draws
    its glyph with Font Awesome or Glyphicons fonts fetched from a CDN, which a locked-down
    network refuses, leaving a blank square; this needs no font file and no plugin.

    Parameters
    ----------
    location
        ``(latitude, longitude)`` in WGS84 degrees.
    badge
        One to three characters of text on the marker (escaped here).
    colour
        Fill colour; the badge text is white, so use a dark colour (4.5:1 or more).
    tooltip, popup
        Text shown on hover and on click; already escaped (see :func:`map_text`).
    size_px
        Diameter in pixels.

    Returns
    -------
    folium.Marker
        The marker, to add to a map or layer.
    """
    html_badge = (
        f'<div style="background:{colour};'
        "color:#fff;border:2px solid #fff;border-radius:50%;box-sizing:border-box;"
        f"width:{size_px}px;height:{size_px}px;line-height:{size_px - 4}px;text-align:center;"
        f"font:bold {max(size_px // 2, 8)}px sans-serif;box-shadow:0 0 3px #333;"
        f'">{map_text(badge)}</div>'
    )
    return folium.Marker(
        list(location),
        tooltip=tooltip or None,
        popup=folium.Popup(popup, max_width=260) if popup else None,
        icon=folium.DivIcon(
            html=html_badge,
            icon_size=(size_px, size_px),
            icon_anchor=(size_px // 2, size_px // 2),
            class_name="hiap-badge",
        ),
    )


def add_layer(
    fmap: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    style: dict[str, object],
    tooltip_fields: list[str] | None = None,
) -> folium.GeoJson:
    """Add a GeoDataFrame to a map as a named GeoJSON layer.

    Parameters
    ----------
    fmap
        The map to draw on.
    frame
        Features in any CRS (reprojected to WGS84 on a copy).
    name
        Layer name shown in the layer control.
    style
        Leaflet path style.
    tooltip_fields
        Columns to show on hover.

    Returns
    -------
    folium.GeoJson
        The layer that was added.
    """
    shown = frame.to_crs(WGS84)
    keep = [c for c in (tooltip_fields or []) if c in shown.columns]
    shown = shown[[*keep, "geometry"]]
    for column in keep:
        shown[column] = shown[column].map(map_text)
    tooltip = folium.GeoJsonTooltip(fields=keep) if keep else None
    layer = folium.GeoJson(
        shown.__geo_interface__,
        name=name,
        style_function=lambda _feature: style,
        tooltip=tooltip,
    )
    layer.add_to(fmap)
    return layer


def scheme_map(scheme: Scheme) -> folium.Map:
    """Return a map of a scheme: its boundary, any proposed route and stops.

    Parameters
    ----------
    scheme
        A validated scheme.

    Returns
    -------
    folium.Map
        OSM base map fitted to the scheme with a layer control.
    """
    layers: list[gpd.GeoDataFrame] = []
    if scheme.boundary is not None and not scheme.boundary.empty:
        layers.append(scheme.boundary)
    if scheme.lines is not None and not scheme.lines.empty:
        layers.append(scheme.lines)
    if scheme.stops is not None and not scheme.stops.empty:
        layers.append(scheme.stops)
    bounds = _union_bounds(layers)
    fmap = base_map(bounds)
    label = scheme.metadata.name
    if scheme.boundary is not None and not scheme.boundary.empty:
        add_layer(fmap, scheme.boundary, name=f"Scheme: {label}", style=SCHEME_STYLE)
    if scheme.lines is not None and not scheme.lines.empty:
        add_layer(fmap, scheme.lines, name="Proposed route", style=ROUTE_STYLE)
    if scheme.stops is not None and not scheme.stops.empty:
        stops = scheme.stops.to_crs(WGS84)
        group = folium.FeatureGroup(name="Proposed stops")
        for index, point in enumerate(stops.geometry, start=1):
            name = stops.iloc[index - 1].get("name", f"Stop {index}")
            folium.CircleMarker(
                [point.y, point.x], radius=6, color="#d00000", fill=True, tooltip=map_text(name)
            ).add_to(group)
        group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _union_bounds(frames: list[gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """Return the WGS84 bounds covering every frame (Cambridgeshire when there are none)."""
    if not frames:
        return (-0.5, 52.0, 0.5, 52.75)  # why: Cambridgeshire and Peterborough before any scheme
    boxes = [frame.to_crs(WGS84).total_bounds for frame in frames]
    return (
        float(min(b[0] for b in boxes)),
        float(min(b[1] for b in boxes)),
        float(max(b[2] for b in boxes)),
        float(max(b[3] for b in boxes)),
    )
