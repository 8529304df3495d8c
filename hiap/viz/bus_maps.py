"""Maps of the bus corridor and of the ranked service changes (folium, no Streamlit).

Each map shows the routes as lines, the stops, and the areas coloured by travel time (or
the candidate changes as markers), with the OSM base-map attribution; the data attributions
(TNDS, NaPTAN, ONS) go in the caption or table beside it, as text alternatives do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.viz.access_maps import DESTINATION_STYLES
from hiap.viz.maps import add_layer, badge_marker, base_map, map_text

if TYPE_CHECKING:
    from hiap.corridor.priorities import PriorityResult

__all__ = [
    "PRIORITIES_MAP_ATTRIBUTION",
    "TIME_BANDS_MIN",
    "corridor_map",
    "priorities_map",
    "priorities_map_png",
    "time_colour",
]

PRIORITIES_MAP_ATTRIBUTION = (
    "Bus routes: Traveline National Dataset; stops: NaPTAN (DfT); LSOAs: ONS; practices and "
    "hospitals: NHS ODS. Contains public sector information licensed under the Open "
    "Government Licence v3.0."
)

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


def priorities_map_png(result: PriorityResult, *, top: int = 10) -> bytes:
    """Draw the ranking as a static map for the report (offline, British National Grid).

    The routes as lines, the LSOAs as grey dots (size by residents), the acute hospitals and
    GP practices, and the top ``top`` candidate changes that have a place (diversions,
    extensions, new stops) as numbered markers; route-wide changes (frequency, span) are in
    the table beside it.

    Parameters
    ----------
    result
        From :func:`hiap.corridor.priorities.run_priorities` or ``test_route_line``.
    top
        How many ranked places to number.

    Returns
    -------
    bytes
        A PNG with a legend, scale note and the attribution line.
    """
    from matplotlib.figure import Figure

    from hiap.viz.figures import _png

    fig = Figure(figsize=(8.0, 7.0), dpi=150)
    ax = fig.subplots()
    bng = "EPSG:27700"
    for i, (name, group) in enumerate(result.routes.to_crs(bng).groupby("name")):
        colour = _ROUTE_COLOURS[i % len(_ROUTE_COLOURS)]
        for geom in group.geometry:
            x, y = geom.xy
            ax.plot(x, y, color=colour, lw=2.2, alpha=0.85, zorder=2)
        ax.plot([], [], color=colour, lw=2.2, label=f"Route {name}")
    origins = result.origins.to_crs(bng)
    pop = origins["population"].to_numpy(float) if "population" in origins else np.ones(len(origins))
    ax.scatter(origins.geometry.x, origins.geometry.y, s=4 + 14 * pop / max(pop.max(), 1),
               color="#8c8c8c", edgecolors="none", zorder=1, label="LSOA (size: residents)")
    if result.destinations is not None and len(result.destinations):
        dest = result.destinations.to_crs(bng)
        acute = dest["kind"] == "acute hospital"
        ax.scatter(dest.geometry.x[acute], dest.geometry.y[acute], marker="P", s=110,
                   color="#b2182b", edgecolors="#ffffff", zorder=5, label="Acute hospital (A&E)")
        ax.scatter(dest.geometry.x[~acute], dest.geometry.y[~acute], marker="s", s=14,
                   color="#2166ac", zorder=3, label="GP practice")
    placed = result.table.dropna(subset=["lon", "lat"]).head(top) if "lon" in result.table else None
    if placed is not None and len(placed):
        pts = gpd.GeoSeries(gpd.points_from_xy(placed["lon"], placed["lat"]), crs=4326).to_crs(bng)
        # why: several changes share a place (a hospital): fan the numbers out around it and
        # draw the best on top, with a leader line to the place itself
        offsets = ((14, 14), (-14, 14), (14, -14), (-14, -14), (0, 20), (20, 0), (0, -20), (-20, 0))
        for i, (rank, pt) in enumerate(zip(placed["rank"], pts, strict=True)):
            ax.annotate(
                str(int(rank)), (pt.x, pt.y), xytext=offsets[i % len(offsets)],
                textcoords="offset points", ha="center", va="center", fontsize=7,
                color="#ffffff", fontweight="bold", zorder=20 - i,
                bbox={"boxstyle": "circle,pad=0.25", "fc": "#1d2b36", "ec": "#ffffff"},
                arrowprops={"arrowstyle": "-", "color": "#1d2b36", "lw": 0.8},
            )
        ax.plot([], [], marker="o", color="#1d2b36", ls="none", label="Ranked change (rank)")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.legend(loc="lower center", ncol=4, fontsize=7, frameon=False, bbox_to_anchor=(0.5, 0.03))
    ax.set_title("Candidate bus service changes ranked by minutes saved", fontsize=10)
    fig.text(0.99, 0.005, PRIORITIES_MAP_ATTRIBUTION, ha="right", va="bottom", fontsize=5.5,
             color="#4a5a60")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.94, bottom=0.12)
    return _png(fig)
