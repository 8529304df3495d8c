"""Folium maps of access to health services, built without Streamlit (so they are testable).

Which function to use when:

* :func:`band_colours` -- the sequential colour of each travel-time band (dark = near).
* :func:`access_map` -- isochrone bands, origins coloured by travel time, GP surgeries and
  hospitals (name and code on click), bus stops and the scheme, with a legend, a layer control
  and the OpenStreetMap attribution.
* :func:`difference_map` -- a bus scenario: origins coloured by the change in travel time,
  with the new route and its stops.
* :func:`draw_map` -- an empty base map with the draw tool, for sketching a new bus route.
* :func:`capacity_map` -- people per GP practice (2SFCA) at the LSOAs around a scheme and at
  its home points, with the GP practices and the scheme.

Inputs may be in any CRS and are never modified; everything is drawn in WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure
from folium.plugins import Draw

from hiap import attribution
from hiap.indicators.capacity import (
    list_pressure_text,
    people_per_practice_phrase,
    people_per_practice_text,
    round_people,
)
from hiap.viz.maps import SCHEME_STYLE, WGS84, add_layer, badge_marker, base_map, map_text

if TYPE_CHECKING:
    from hiap.schemes import Scheme

__all__ = [
    "BAND_PALETTE",
    "CAPACITY_PALETTE",
    "CHANGE_COLOURS",
    "DESTINATION_STYLES",
    "access_map",
    "add_draw_tool",
    "band_colours",
    "capacity_classes",
    "capacity_map",
    "difference_map",
    "draw_map",
]

BAND_PALETTE: tuple[str, ...] = (
    "#08306b",
    "#08519c",
    "#2171b5",
    "#4292c6",
    "#6baed6",
    "#9ecae1",
    "#c6dbef",
    "#deebf7",
)
"""Sequential blues (ColorBrewer Blues, reversed): the nearest band is the darkest."""

CHANGE_COLOURS = {"faster": "#1a9850", "same": "#bdbdbd", "slower": "#d73027", "new": "#2166ac"}
"""Difference layer: faster (green), unchanged, slower (red), newly reached (blue)."""

DESTINATION_STYLES: dict[str, dict[str, str]] = {
    "gp": {"label": "GP surgeries", "colour": "#c2185b", "badge": "GP"},
    "hospital": {"label": "Hospitals", "colour": "#b71c1c", "badge": "H"},
    "healthcare": {"label": "Healthcare facilities", "colour": "#c2185b", "badge": "+"},
}
"""Marker colour, badge text and layer label of each kind of destination."""

CAPACITY_PALETTE: tuple[str, ...] = ("#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#c51b8a", "#7a0177")
"""Sequential purples (ColorBrewer RdPu): more GP supply per resident (fewer people per
practice) is darker."""

NO_SUPPLY_COLOUR = "#969696"

STOP_COLOUR = "#ff6f00"
NEW_ROUTE_COLOUR = "#6a1b9a"


def band_colours(bands_min: Sequence[float]) -> list[str]:
    """Return one colour per band, spread evenly over :data:`BAND_PALETTE`.

    Parameters
    ----------
    bands_min
        Band limits in minutes, smallest first.

    Returns
    -------
    list of str
        Hex colours, darkest for the smallest band.
    """
    count = len(bands_min)
    if count == 0:
        return []
    if count == 1:
        return [BAND_PALETTE[0]]
    last = len(BAND_PALETTE) - 1
    return [BAND_PALETTE[round(i * last / (count - 1))] for i in range(count)]


def _legend_html(title: str, entries: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:10px;background:{colour};'
        f'margin-right:4px;opacity:0.85"></span>{label}</div>'
        for colour, label in entries
    )
    return (
        '<div class="hiap-legend" style="position: fixed; top: 10px; left: 50px; z-index: 9999; '
        'background: rgba(255,255,255,0.9); padding: 4px 8px; font-size: 12px; '
        f'border-radius: 4px; box-shadow: 0 0 4px #888;"><b>{title}</b>{rows}</div>'
    )


def _add_legend(fmap: folium.Map, title: str, entries: Sequence[tuple[str, str]]) -> None:
    # Plain HTML, not branca's colormap: that one fetches d3 from a CDN, and a map must
    # still draw where the app runs without internet access.
    cast(Figure, fmap.get_root()).html.add_child(folium.Element(_legend_html(title, entries)))


def _band_entries(bands_min: Sequence[float]) -> list[tuple[str, str]]:
    bands = [float(b) for b in bands_min]
    lows = [0.0, *bands[:-1]]
    return [
        (colour, f"{low:g}-{high:g} min")
        for colour, low, high in zip(band_colours(bands), lows, bands, strict=True)
    ]


def _bounds(frames: Sequence[gpd.GeoDataFrame | None]) -> tuple[float, float, float, float]:
    boxes = [f.to_crs(WGS84).total_bounds for f in frames if f is not None and not f.empty]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        return (-0.5, 52.0, 0.5, 52.75)  # why: Cambridgeshire and Peterborough when nothing is drawn
    return (
        float(min(b[0] for b in boxes)),
        float(min(b[1] for b in boxes)),
        float(max(b[2] for b in boxes)),
        float(max(b[3] for b in boxes)),
    )


def _add_bands(
    fmap: folium.Map, bands: gpd.GeoDataFrame, *, name: str, colours: Mapping[float, str]
) -> None:
    group = folium.FeatureGroup(name=name)
    shown = bands.to_crs(WGS84).sort_values("band_min", ascending=False)
    for row in shown.itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
        colour = colours[float(row.band_min)]
        style = {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.45}
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, style=style: style,
            tooltip=f"within {float(row.band_min):g} min",
        ).add_to(group)
    group.add_to(fmap)


def _band_of(minutes: float, bands: Sequence[float]) -> float | None:
    for band in bands:
        if minutes <= band:
            return float(band)
    return None


def _add_origins(
    fmap: folium.Map,
    origins: gpd.GeoDataFrame,
    *,
    time_col: str,
    name: str,
    bands: Sequence[float],
    colours: Mapping[float, str],
) -> None:
    group = folium.FeatureGroup(name=name)
    shown = origins.to_crs(WGS84)
    label_col = "name" if "name" in shown.columns else ("code" if "code" in shown.columns else None)
    for _, row in shown.iterrows():
        point = row.geometry
        minutes = float(row[time_col])
        band = _band_of(minutes, bands) if math.isfinite(minutes) else None
        colour = colours[band] if band is not None else "#969696"
        if band is not None:
            text = f"{minutes:.1f} min"
        elif math.isfinite(minutes):
            text = f"{minutes:.1f} min (beyond {bands[-1]:g} min)"
        else:
            text = "not reached"
        label = f"{row[label_col]}: {text}" if label_col else text
        if "population" in shown.columns:
            label += f" (population {float(row['population']):,.0f})"
        folium.CircleMarker(
            [point.y, point.x], radius=5, color="#333333", weight=1, fill=True,
            fill_color=colour, fill_opacity=0.9, tooltip=label,
        ).add_to(group)
    group.add_to(fmap)


def _add_destinations(fmap: folium.Map, kind: str, frame: gpd.GeoDataFrame) -> None:
    style = DESTINATION_STYLES.get(kind, DESTINATION_STYLES["healthcare"])
    group = folium.FeatureGroup(name=style["label"])
    shown = frame.to_crs(WGS84)
    size = 22 if len(shown) <= 40 else 16  # why: smaller badges where there are many
    for _, row in shown.iterrows():
        # why escape: names can come from an uploaded proposal's facilities layer, and the
        # popup and tooltip are HTML inside JavaScript template literals in the map's page.
        name = map_text(row.get("name", ""))
        code = map_text(row.get("code", ""))
        postcode = map_text(row.get("postcode", ""))
        popup = f"<b>{name}</b><br>Code: {code}" + (f"<br>{postcode}" if postcode else "")
        hospital_class = row.get("hospital_class_label")
        if isinstance(hospital_class, str):  # the class of a hospital (hiap.data.hospitals)
            popup += f"<br>{map_text(hospital_class)}"
        site_kind = row.get("site_kind")
        if isinstance(site_kind, str):  # main or branch surgery (hiap.data.gp_branches)
            popup += f"<br>{map_text(site_kind)}"
        badge_marker(
            (row.geometry.y, row.geometry.x), badge=style["badge"], colour=style["colour"],
            tooltip=name or code, popup=popup, size_px=size,
        ).add_to(group)
    group.add_to(fmap)


def _add_stops(fmap: folium.Map, stops: gpd.GeoDataFrame, *, name: str, colour: str) -> None:
    # why: a city feed has thousands of stops; start them hidden so they do not bury the times
    group = folium.FeatureGroup(name=name, show=len(stops) <= 300)
    shown = stops.to_crs(WGS84)
    for _, row in shown.iterrows():
        label = str(row.get("stop_name", row.get("name", "")) or "stop")
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x], radius=2.5, color=colour, weight=1, fill=True,
            fill_opacity=0.9, tooltip=label,
        ).add_to(group)
    group.add_to(fmap)


def _add_attribution_note(fmap: folium.Map, lines: Sequence[str]) -> None:
    # The tile attribution covers the base map; the data lines go in a small corner note.
    text = " · ".join(dict.fromkeys([attribution.OSM, *lines]))
    html = (
        '<div style="position: fixed; bottom: 18px; left: 8px; z-index: 9999; '
        'background: rgba(255,255,255,0.8); font-size: 10px; padding: 2px 4px; max-width: 60%;">'
        f"{text}</div>"
    )
    cast(Figure, fmap.get_root()).html.add_child(folium.Element(html))


def access_map(
    *,
    isochrones: gpd.GeoDataFrame | None = None,
    isochrone_label: str = "Walking time",
    origins: gpd.GeoDataFrame | None = None,
    origin_time_col: str = "time_min",
    origin_label: str = "Areas by travel time",
    bands_min: Sequence[float] = (5, 10, 15, 20, 30),
    destinations: Mapping[str, gpd.GeoDataFrame] | None = None,
    stops: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    attribution_lines: Sequence[str] = (),
) -> folium.Map:
    """Return a map of access to health services.

    Parameters
    ----------
    isochrones
        Nested bands (``band_min``, geometry), e.g. from :func:`isochrones.isochrone_polygons`.
    isochrone_label
        Layer name and legend caption of the bands (``"<label> (min)"``).
    origins
        Points with ``origin_time_col`` minutes (``inf``: not reached), optional ``name``,
        ``code`` and ``population``; drawn as circles in the band colours.
    origin_time_col
        Column of minutes in ``origins``.
    origin_label
        Layer name of the origins.
    bands_min
        Band limits in minutes, for the colours and the legend.
    destinations
        ``{"gp": frame, "hospital": frame}`` (or ``"healthcare"``): points with ``name`` and
        ``code`` shown on click.
    stops
        Bus stops (``stop_name``), drawn small.
    scheme
        The scheme, drawn as its boundary, route and stops.
    attribution_lines
        Data attribution lines shown in a corner note (OSM is always included).

    Returns
    -------
    folium.Map
        With a legend, a layer control and the OSM attribution.
    """
    bands = sorted(float(b) for b in bands_min)
    if isochrones is not None and not isochrones.empty:
        bands = sorted({*bands, *(float(b) for b in isochrones["band_min"])})
    colours = dict(zip(bands, band_colours(bands), strict=True))
    frames: list[gpd.GeoDataFrame | None] = [isochrones, origins]
    if scheme is not None:
        frames += [scheme.boundary, scheme.lines]
    if not any(f is not None and not f.empty for f in frames) and destinations:
        frames += list(destinations.values())
    fmap = base_map(_bounds(frames))
    if isochrones is not None and not isochrones.empty:
        _add_bands(fmap, isochrones, name=f"{isochrone_label} (min)", colours=colours)
    if origins is not None and not origins.empty:
        _add_origins(fmap, origins, time_col=origin_time_col, name=origin_label, bands=bands, colours=colours)
    if stops is not None and not stops.empty:
        _add_stops(fmap, stops, name="Bus stops", colour=STOP_COLOUR)
    for kind, frame in (destinations or {}).items():
        if frame is not None and not frame.empty:
            _add_destinations(fmap, kind, frame)
    if scheme is not None:
        _add_scheme(fmap, scheme)
    _add_legend(fmap, f"{isochrone_label} (min)", [*_band_entries(bands), ("#969696", f"beyond {bands[-1]:g} min")])
    _add_attribution_note(fmap, attribution_lines)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _add_scheme(fmap: folium.Map, scheme: Scheme) -> None:
    label = scheme.metadata.name
    if scheme.boundary is not None and not scheme.boundary.empty:
        add_layer(fmap, scheme.boundary, name=f"Scheme: {label}", style=SCHEME_STYLE)
    if scheme.lines is not None and not scheme.lines.empty:
        add_layer(
            fmap, scheme.lines, name="Scheme route",
            style={"color": NEW_ROUTE_COLOUR, "weight": 5, "opacity": 0.85},
        )


def difference_map(
    diff: gpd.GeoDataFrame,
    *,
    change_col: str = "change_min",
    base_col: str = "base_min",
    scenario_col: str = "scenario_min",
    route_lines: gpd.GeoDataFrame | None = None,
    route_stops: gpd.GeoDataFrame | None = None,
    threshold_min: float = 0.5,
    attribution_lines: Sequence[str] = (),
) -> folium.Map:
    """Return a map of a scenario's change in travel time per origin.

    Parameters
    ----------
    diff
        Origins (points) with the baseline, scenario and change columns in minutes; change is
        scenario minus baseline (negative: faster; ``-inf``: newly reached).
    change_col, base_col, scenario_col
        Column names.
    route_lines, route_stops
        The new or changed route and its stops, drawn on top.
    threshold_min
        Changes smaller than this (in either direction) count as unchanged.
    attribution_lines
        Data attribution lines shown in a corner note (OSM is always included).

    Returns
    -------
    folium.Map
        Layers "Faster", "Slower", "Unchanged", "Newly reached", the route, a layer control.
    """
    fmap = base_map(_bounds([diff, route_lines]))
    shown = diff.to_crs(WGS84)
    groups = {
        "new": folium.FeatureGroup(name="Newly reached"),
        "faster": folium.FeatureGroup(name="Faster"),
        "slower": folium.FeatureGroup(name="Slower"),
        "same": folium.FeatureGroup(name="Unchanged", show=False),
    }
    label_col = "name" if "name" in shown.columns else ("code" if "code" in shown.columns else None)
    for _, row in shown.iterrows():
        change = float(row[change_col])
        base, scen = float(row[base_col]), float(row[scenario_col])
        if not math.isfinite(base) and math.isfinite(scen):
            kind = "new"
        elif math.isfinite(change) and change <= -threshold_min:
            kind = "faster"
        elif math.isfinite(change) and change >= threshold_min:
            kind = "slower"
        else:
            kind = "same"
        text = f"{base:.1f} → {scen:.1f} min" if math.isfinite(base) else f"not reached → {scen:.1f} min"
        if label_col:
            text = f"{row[label_col]}: {text}"
        radius = 4 + min(8.0, abs(change) / 2) if math.isfinite(change) else 8
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x], radius=radius, color=CHANGE_COLOURS[kind],
            weight=1, fill=True, fill_opacity=0.8, tooltip=text,
        ).add_to(groups[kind])
    for group in groups.values():
        group.add_to(fmap)
    if route_lines is not None and not route_lines.empty:
        add_layer(
            fmap, route_lines, name="Scenario route",
            style={"color": NEW_ROUTE_COLOUR, "weight": 5, "opacity": 0.9},
        )
    if route_stops is not None and not route_stops.empty:
        _add_stops(fmap, route_stops, name="Scenario stops", colour=NEW_ROUTE_COLOUR)
    _add_legend(fmap, "Change in travel time", [
        (CHANGE_COLOURS["new"], "newly reached"),
        (CHANGE_COLOURS["faster"], f"faster by {threshold_min:g} min or more"),
        (CHANGE_COLOURS["same"], "unchanged"),
        (CHANGE_COLOURS["slower"], f"slower by {threshold_min:g} min or more"),
    ])
    _add_attribution_note(fmap, attribution_lines)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def draw_map(
    bounds_wgs84: tuple[float, float, float, float],
    *,
    stops: gpd.GeoDataFrame | None = None,
    route_lines: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Return a base map with the draw tool (lines and markers) for sketching a bus route.

    Parameters
    ----------
    bounds_wgs84
        Area to show, ``(minx, miny, maxx, maxy)`` in longitude/latitude.
    stops
        Existing bus stops, for reference.
    route_lines
        A route drawn or uploaded earlier, shown so it can be checked.

    Returns
    -------
    folium.Map
        With the Draw control (polyline and marker only) and a layer control.
    """
    fmap = base_map(bounds_wgs84)
    if stops is not None and not stops.empty:
        _add_stops(fmap, stops, name="Bus stops", colour=STOP_COLOUR)
    if route_lines is not None and not route_lines.empty:
        add_layer(
            fmap, route_lines, name="Scenario route",
            style={"color": NEW_ROUTE_COLOUR, "weight": 5, "opacity": 0.9},
        )
    add_draw_tool(fmap, ("polyline", "marker"), colour=NEW_ROUTE_COLOUR)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def add_draw_tool(fmap: folium.Map, tools: Sequence[str], *, colour: str) -> None:
    """Add the draw tool (the folium Draw plugin, served from the app) offering only ``tools``.

    Parameters
    ----------
    fmap
        The map (changed in place).
    tools
        Leaflet.draw shapes to offer: ``polyline``, ``polygon``, ``rectangle``, ``marker``.
    colour
        Colour of drawn lines and shapes.
    """
    shapes = ("polyline", "polygon", "rectangle", "circle", "circlemarker", "marker")
    options: dict[str, object] = {s: False for s in shapes if s not in tools}
    for shape in tools:
        options[shape] = True if shape == "marker" else {"shapeOptions": {"color": colour}}
    Draw(export=False, draw_options=options, edit_options={"edit": False}).add_to(fmap)


def capacity_classes(values: Sequence[float], *, classes: int = 5) -> list[float]:
    """Return upper class limits for positive scores: quantiles, rounded, distinct.

    Parameters
    ----------
    values
        Scores (zero and non-finite ones are left out: they get their own colour).
    classes
        Most classes wanted (at most ``len(CAPACITY_PALETTE)``).

    Returns
    -------
    list of float
        Increasing upper limits; the last is the largest value. Empty when no value is positive.
    """
    data = np.asarray([v for v in values if math.isfinite(v) and v > 0], dtype=float)
    if data.size == 0:
        return []
    count = max(1, min(classes, len(CAPACITY_PALETTE)))
    limits = np.quantile(data, np.linspace(0, 1, count + 1)[1:])
    # why: three significant figures keep the legend readable without merging close classes
    rounded = [float(f"{x:.3g}") for x in limits[:-1]] + [float(limits[-1])]
    return sorted(set(rounded))


def _capacity_colour(value: float, limits: Sequence[float]) -> str:
    """Colour of a people-per-practice class: fewer people per practice (more supply) is darker."""
    if not math.isfinite(value) or value <= 0 or not limits:
        return NO_SUPPLY_COLOUR
    step = (len(CAPACITY_PALETTE) - 1) / max(1, len(limits) - 1)
    palette = CAPACITY_PALETTE[::-1]
    for i, limit in enumerate(limits):
        if value <= limit:
            return palette[round(i * step)]
    return palette[-1]


def _capacity_tooltip(row: pd.Series, *, catchment_min: float) -> str:
    """Hover text of a place: its name, people per practice, list pressure and residents."""
    text = people_per_practice_phrase(float(row["people_per_practice"]), catchment_min=catchment_min)
    if "list_pressure" in row.index and math.isfinite(float(row["list_pressure"])):
        text += f"; list pressure {list_pressure_text(float(row['list_pressure']))}"
    for label in ("name", "code"):
        if label in row.index and isinstance(row[label], str):
            text = f"{row[label]}: {text}"
            break
    if "population" in row.index:
        text += f" (residents {float(row['population']):,.0f})"
    return text


def _add_scores(
    fmap: folium.Map,
    points: gpd.GeoDataFrame,
    *,
    name: str,
    limits: Sequence[float],
    catchment_min: float,
    radius: float,
) -> None:
    group = folium.FeatureGroup(name=name)
    for _, row in points.to_crs(WGS84).iterrows():
        shown = round_people(float(row["people_per_practice"]))  # classed as it reads
        point = row.geometry if row.geometry.geom_type == "Point" else row.geometry.representative_point()
        folium.CircleMarker(
            [point.y, point.x], radius=radius, color="#333333", weight=1, fill=True,
            fill_color=_capacity_colour(shown, limits), fill_opacity=0.9,
            tooltip=_capacity_tooltip(row, catchment_min=catchment_min),
        ).add_to(group)
    group.add_to(fmap)


def capacity_map(
    areas: gpd.GeoDataFrame,
    *,
    homes: gpd.GeoDataFrame | None = None,
    gps: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    layer_label: str = "People per GP practice (2SFCA)",
    catchment_min: float = 30.0,
    attribution_lines: Sequence[str] = (),
) -> folium.Map:
    """Return a map of people per GP practice by two-step floating catchment.

    The figures read as on every other screen: "about 1 GP practice per N people", rounded
    by :func:`hiap.indicators.capacity.people_per_practice_text`, and list pressure by
    :func:`~hiap.indicators.capacity.list_pressure_text`.

    Parameters
    ----------
    areas
        Population points (LSOA centroids) with ``people_per_practice`` (infinite where no
        practice is in reach), optional ``list_pressure``, ``population`` and ``name`` /
        ``code`` (:func:`hiap.access.capacity.capacity_points`).
    homes
        The scheme's home points with the same columns, drawn smaller.
    gps
        GP practices (``name``, ``code`` on click).
    scheme
        The scheme, drawn as its boundary.
    layer_label
        Name of the areas' layer and title of the legend.
    catchment_min
        The walk catchment, for the legend's "none within" class.
    attribution_lines
        Data attribution lines shown in a corner note (OSM is always included).

    Returns
    -------
    folium.Map
        With a legend, a layer control and the OpenStreetMap attribution.
    """
    values = [round_people(float(v)) for v in areas["people_per_practice"]]
    if homes is not None and not homes.empty:
        values += [round_people(float(v)) for v in homes["people_per_practice"]]
    # the limits are figures as shown, so a place's tooltip and its legend class agree
    limits = sorted({round_people(x) for x in capacity_classes(values)})
    frames: list[gpd.GeoDataFrame | None] = [areas, homes]
    if scheme is not None:
        frames.append(scheme.boundary)
    fmap = base_map(_bounds(frames))
    if not areas.empty:
        _add_scores(fmap, areas, name=layer_label, limits=limits, catchment_min=catchment_min, radius=7)
    if homes is not None and not homes.empty:
        _add_scores(fmap, homes, name="Scheme homes (new residents)", limits=limits,
                    catchment_min=catchment_min, radius=3)
    if gps is not None and not gps.empty:
        _add_destinations(fmap, "gp", gps)
    if scheme is not None:
        _add_scheme(fmap, scheme)
    entries = [
        (_capacity_colour(high, limits),
         f"up to {people_per_practice_text(high)}" if i == 0
         else f"{people_per_practice_text(limits[i - 1])}-{people_per_practice_text(high)}")
        for i, high in enumerate(limits)
    ]
    entries.append((NO_SUPPLY_COLOUR, people_per_practice_text(float("inf"), catchment_min=catchment_min)))
    _add_legend(fmap, layer_label, entries)
    _add_attribution_note(fmap, attribution_lines)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
