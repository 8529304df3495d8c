"""Maps of the bus corridor and of the ranked service changes (folium, no Streamlit).

Each map shows the routes as lines, the stops, and the areas coloured by travel time (or
the candidate changes as markers), with the OSM base-map attribution; the data attributions
(TNDS, NaPTAN, ONS) go in the caption or table beside it, as text alternatives do.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.viz.access_maps import DESTINATION_STYLES
from hiap.viz.maps import add_layer, badge_marker, base_map, map_text

__all__ = ["TIME_BANDS_MIN", "corridor_map", "priorities_map", "time_colour"]

TIME_BANDS_MIN = (15, 30, 45, 60, 90)
# Sequential, colour-blind safe (viridis stops), dark enough on the light OSM tiles.
_COLOURS = ("#1a9850", "#66bd63", "#a6a000", "#f46d43", "#d73027", "#67001f")
_ROUTE_COLOURS = ("#08519c", "#6a3d9a", "#b15928", "#006d2c", "#e7298a")


def time_colour(minutes: float) -> str:
    """Colour of a travel time: one per band of :data:`TIME_BANDS_MIN`, the last beyond 90."""
    if not np.isfinite(minutes):
        return _COLOURS[-1]
    for band, colour in zip(TIME_BANDS_MIN, _COLOURS, strict=False):
        if minutes <= band:
            return colour
    return _COLOURS[-2]


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = frame.to_crs("EPSG:4326").total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def _add_routes(fmap: folium.Map, routes: gpd.GeoDataFrame) -> None:
    for i, (name, group) in enumerate(routes.groupby("name")):
        add_layer(
            fmap,
            group,
            name=f"Route {name}",
            style={"color": _ROUTE_COLOURS[i % len(_ROUTE_COLOURS)], "weight": 4, "opacity": 0.8},
            tooltip_fields=["name", "stops"],
        )


def corridor_map(
    origins: gpd.GeoDataFrame,
    routes: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    column: str,
    label: str,
) -> folium.Map:
    """Map the corridor: routes, stops, hospitals, GPs, LSOAs coloured by ``column`` minutes.

    Parameters
    ----------
    origins
        LSOA points with ``name`` and ``column``.
    routes, stops, destinations
        From :class:`hiap.corridor.CorridorResult`.
    column
        Minutes to colour by.
    label
        What the minutes are, for the tooltip and legend.

    Returns
    -------
    folium.Map
        With a layer control.
    """
    fmap = base_map(_bounds(origins))
    _add_routes(fmap, routes)
    used = stops.loc[stops["corridor"]] if "corridor" in stops else stops
    stop_layer = folium.FeatureGroup(name="Bus stops")
    for row in used.itertuples():
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=2,
            color="#333333",
            weight=1,
            tooltip=map_text(row.stop_name),
        ).add_to(stop_layer)
    stop_layer.add_to(fmap)
    area_layer = folium.FeatureGroup(name=f"LSOAs: {label}")
    shown = origins.to_crs("EPSG:4326")
    for row in shown.itertuples():
        minutes = float(getattr(row, column))
        text = "unreachable" if not np.isfinite(minutes) else f"{minutes:.0f} min"
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=7,
            color="#222222",
            weight=1,
            fill=True,
            fill_color=time_colour(minutes),
            fill_opacity=0.9,
            tooltip=f"{map_text(row.name)}: {text} ({map_text(label)})",
        ).add_to(area_layer)
    area_layer.add_to(fmap)
    dest_layer = folium.FeatureGroup(name="Acute hospitals and GP practices")
    for row in destinations.to_crs("EPSG:4326").itertuples():
        acute = row.kind == "acute hospital"
        style = DESTINATION_STYLES["hospital" if acute else "gp"]
        badge_marker(
            (row.geometry.y, row.geometry.x), badge=style["badge"], colour=style["colour"],
            tooltip=f"{map_text(row.name)} ({map_text(row.kind)})",
        ).add_to(dest_layer)
    dest_layer.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def priorities_map(
    table: pd.DataFrame, routes: gpd.GeoDataFrame, origins: gpd.GeoDataFrame, *, top: int = 10
) -> folium.Map:
    """Map the routes and the top ``top`` candidate changes that have a place, by rank.

    Parameters
    ----------
    table
        The ranking (``rank``, ``label``, ``lon``, ``lat``, ``minutes_saved``).
    routes
        Route lines.
    origins
        LSOA points (for the map's extent).

    Returns
    -------
    folium.Map
        Markers for diversions and new stops; route-wide changes are in the table.
    """
    fmap = base_map(_bounds(origins))
    _add_routes(fmap, routes)
    layer = folium.FeatureGroup(name="Candidate changes (rank)")
    placed = table.dropna(subset=["lon", "lat"]).nsmallest(top, "rank")
    for row in placed.itertuples():
        badge_marker(
            (float(str(row.lat)), float(str(row.lon))), badge=str(row.rank), colour="#08306b",
            tooltip=f"#{row.rank}: {map_text(row.label)}; {row.minutes_saved:,.0f} person-minutes saved",
            size_px=24,
        ).add_to(layer)
    layer.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
