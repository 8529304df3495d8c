"""Static figures of a scheme's measured evidence: the walking access map and the equity chart.

Drawn offline with matplotlib's object API (no pyplot state, no web tiles), in British
National Grid, in the style of :mod:`hiap.viz.figures`; returned as PNG bytes for the report
chapters in :mod:`hiap.reports.evidence`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, PathPatch, Rectangle
from matplotlib.patheffects import withStroke
from shapely.geometry.base import BaseGeometry

from hiap import attribution
from hiap.viz.figures import BNG, _png, _polygon_path, boundary_geometry_bng, nice_scale_length_m
from hiap.viz.osm_base import BaseLayers, base_legend, draw_base

__all__ = ["ACCESS_MAP_ATTRIBUTION", "access_map_frame_bng", "access_map_png", "equity_chart_png"]

ACCESS_MAP_ATTRIBUTION = f"{attribution.OSM}; {attribution.OGL}"
"""The source line printed under the access map."""

_INK = "#1d2b36"
_MUTED = "#4a5a60"
_SCHEME = "#d95f02"
_GP = "#c2185b"
_HOSPITAL = "#b71c1c"
_BAR = "#2171b5"
_EMPTY = "#bdbdbd"


def _as_bng(boundary: Mapping[str, Any] | BaseGeometry) -> BaseGeometry:
    if isinstance(boundary, BaseGeometry):
        return boundary
    return boundary_geometry_bng(boundary)


def _points_bng(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if frame is None or frame.empty:
        return None
    if frame.crs is None:
        raise ValueError("access_map_png: destination points have no CRS")
    return frame.to_crs(BNG)


def _draw_geometry(ax: Any, geom: BaseGeometry, **style: Any) -> None:
    path = _polygon_path(geom)
    if path is not None:
        ax.add_patch(PathPatch(path, **style))


def _scale_bar_and_north(ax: Any, cx: float, cy: float, half_w: float, half_h: float) -> None:
    bar = nice_scale_length_m(2 * half_w)
    x0 = cx - half_w + 0.05 * half_w
    y0 = cy - half_h + 0.07 * half_h
    h = 0.022 * half_h
    ax.add_patch(Rectangle((x0 - 0.03 * half_w, y0 - 0.04 * half_h), bar + 0.09 * half_w,
                           0.16 * half_h, facecolor="white", edgecolor="none", alpha=0.8, zorder=8))
    ax.add_patch(Rectangle((x0, y0), bar / 2, h, facecolor=_INK, edgecolor=_INK, lw=0.8, zorder=9))
    ax.add_patch(Rectangle((x0 + bar / 2, y0), bar / 2, h, facecolor="white", edgecolor=_INK,
                           lw=0.8, zorder=9))
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    ax.text(x0, y0 + 2.2 * h, "0", ha="center", va="bottom", fontsize=7, color=_INK, zorder=9)
    ax.text(x0 + bar, y0 + 2.2 * h, label, ha="center", va="bottom", fontsize=7, color=_INK,
            zorder=9)
    # Grid north: in British National Grid it is within about a degree of true north here.
    nx, ny = cx + half_w - 0.07 * half_w, cy + half_h - 0.3 * half_h
    ax.add_patch(FancyArrow(nx, ny, 0, 0.15 * half_h, width=0.018 * half_w,
                            head_width=0.06 * half_w, head_length=0.07 * half_h,
                            length_includes_head=True, color=_INK, zorder=9))
    ax.text(nx, ny + 0.17 * half_h, "N", ha="center", va="bottom", fontsize=10,
            fontweight="bold", color=_INK, zorder=9)


@dataclass(frozen=True)
class _Layout:
    cx: float
    cy: float
    half_w: float
    half_h: float
    height_in: float
    foot_in: float
    box_h: float


def _layout(
    site: BaseGeometry, bands: gpd.GeoDataFrame, *, width_in: float, title: str | None
) -> _Layout:
    """Frame the bands and the site (far-away hospitals are left off, not zoomed to)."""
    frame = shapely.union_all([site, *bands.geometry.to_numpy()])
    minx, miny, maxx, maxy = frame.bounds
    pad = max(maxx - minx, maxy - miny, 200.0) * 0.05
    span_w, span_h = maxx - minx + 2 * pad, maxy - miny + 2 * pad
    # Size the figure to the area's shape so the page holds no empty band above the map.
    map_w_in = width_in * 0.96
    # Capped so that the map and the chapter's opening paragraphs share one A4 page.
    map_h_in = min(max(map_w_in * span_h / span_w, 3.6), 0.72 * map_w_in)
    title_in, foot_in = (0.35 if title else 0.1), 0.62
    height_in = map_h_in + title_in + foot_in
    aspect = map_w_in / map_h_in
    half_w = max(span_w / 2, span_h / 2 * aspect)
    return _Layout(
        (minx + maxx) / 2, (miny + maxy) / 2, half_w, half_w / aspect, height_in, foot_in,
        map_h_in / height_in,
    )


def access_map_frame_bng(
    isochrones: gpd.GeoDataFrame,
    *,
    boundary: Mapping[str, Any] | BaseGeometry,
    title: str | None = None,
    width_in: float = 7.0,
) -> tuple[float, float, float, float]:
    """Return the box (EPSG:27700) :func:`access_map_png` shows for these arguments.

    Parameters
    ----------
    isochrones, boundary, title, width_in
        As :func:`access_map_png`.

    Returns
    -------
    tuple of float
        (minx, miny, maxx, maxy), e.g. for :func:`hiap.viz.osm_base.local_base`.
    """
    if isochrones.crs is None:
        raise ValueError("access_map_frame_bng: the isochrones have no CRS")
    lay = _layout(_as_bng(boundary), isochrones.to_crs(BNG), width_in=width_in, title=title)
    return (lay.cx - lay.half_w, lay.cy - lay.half_h, lay.cx + lay.half_w, lay.cy + lay.half_h)


def access_map_png(
    isochrones: gpd.GeoDataFrame,
    *,
    boundary: Mapping[str, Any] | BaseGeometry,
    gps: gpd.GeoDataFrame | None = None,
    hospitals: gpd.GeoDataFrame | None = None,
    streets: Sequence[BaseGeometry] | np.ndarray | None = None,
    base: BaseLayers | None = None,
    title: str | None = None,
    attribution_line: str = ACCESS_MAP_ATTRIBUTION,
    width_in: float = 7.0,
) -> bytes:
    """Draw walking-time bands, GP surgeries, hospitals and the scheme on a static map.

    Parameters
    ----------
    isochrones
        ``band_min`` and polygon geometry (:func:`isochrones.isochrone_polygons`), any CRS.
    boundary
        The scheme: GeoJSON in WGS84 (as an assessment stores it) or a geometry in
        EPSG:27700.
    gps, hospitals
        Points with ``name`` (and ``code``), any CRS; each is marked and labelled.
    streets
        Street and path lines in EPSG:27700 (e.g. the walk network's ``edge_geometry``),
        drawn faintly beneath the bands for context (when no ``base`` is given).
    base
        Streets, paths, water and green spaces of the local OpenStreetMap extract
        (:func:`hiap.viz.osm_base.local_base` of :func:`access_map_frame_bng`): green and
        water beneath the bands, streets and paths over them.
    title
        Drawn above the map.
    attribution_line
        Source line printed under the map.
    width_in
        Figure width in inches; the height follows the shape of the area (within limits).

    Returns
    -------
    bytes
        A PNG image (British National Grid, scale bar, north arrow, legend).
    """
    if isochrones.crs is None:
        raise ValueError("access_map_png: the isochrones have no CRS")
    site = _as_bng(boundary)
    bands = isochrones.to_crs(BNG).sort_values("band_min")
    gp_points = _points_bng(gps)
    hospital_points = _points_bng(hospitals)

    layout = _layout(site, bands, width_in=width_in, title=title)
    cx, cy, half_w, half_h = layout.cx, layout.cy, layout.half_w, layout.half_h
    height_in, foot_in, box_h = layout.height_in, layout.foot_in, layout.box_h

    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_axes((0.02, foot_in / height_in, 0.96, box_h))
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_facecolor("#f7f8f7")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#8a9a9f")
    grid_m = 1000.0 if half_w > 1500 else 100.0
    for gx in np.arange(math.ceil((cx - half_w) / grid_m) * grid_m, cx + half_w, grid_m):
        ax.axvline(gx, color="#e2e7e6", lw=0.5, zorder=0)
    for gy in np.arange(math.ceil((cy - half_h) / grid_m) * grid_m, cy + half_h, grid_m):
        ax.axhline(gy, color="#e2e7e6", lw=0.5, zorder=0)
    view = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    on_base = base is not None and not base.empty
    if base is not None and on_base:
        # Green and water beneath the bands; streets and paths over them, so they read in them.
        draw_base(ax, base, zorder=0.55, lines_zorder=1.2, hatch_water=True)
    elif streets is not None and len(streets):
        lines = np.asarray(streets, dtype=object)
        lines = lines[shapely.intersects(lines, view)]
        segments = [np.asarray(line.coords) for line in lines if line is not None]
        ax.add_collection(LineCollection(segments, colors="#c3cacc", linewidths=0.45, zorder=0.6))
    _draw_geometry(ax, site, facecolor=_SCHEME, edgecolor="none", alpha=0.13, zorder=0.5)

    # Farthest band first so the nearer (darker) ones lie on top; dark = near, as in the app.
    limits = [float(b) for b in bands["band_min"]]
    cmap = colormaps["Blues"]
    shades = np.linspace(0.85, 0.25, num=len(limits)) if len(limits) > 1 else np.array([0.7])
    colours = {limit: cmap(float(shade)) for limit, shade in zip(limits, shades, strict=True)}
    for limit, geom in reversed(list(zip(limits, bands.geometry, strict=True))):
        _draw_geometry(ax, geom, facecolor=colours[limit], edgecolor="none", zorder=1)
    _draw_geometry(ax, site, facecolor="none", edgecolor=_SCHEME, lw=2.0, zorder=4)

    halo = [withStroke(linewidth=2.6, foreground="white")]
    shown_hospitals = 0
    for points, colour, marker, size in (
        (gp_points, _GP, "o", 34),
        (hospital_points, _HOSPITAL, "P", 70),
    ):
        if points is None:
            continue
        inside = points[points.intersects(view)]
        if colour == _HOSPITAL:
            shown_hospitals = len(inside)
        ax.scatter(inside.geometry.x, inside.geometry.y, s=size, marker=marker, color=colour,
                   edgecolor="white", linewidth=0.9, zorder=6)
        for point, name in zip(inside.geometry, inside.get("name", pd.Series(dtype=str)),
                               strict=False):
            label = str(name).title() if str(name).isupper() else str(name)
            ax.annotate(label, (point.x, point.y), xytext=(5, 4), textcoords="offset points",
                        fontsize=6.5, color=_INK, path_effects=halo, zorder=7)
    _scale_bar_and_north(ax, cx, cy, half_w, half_h)

    handles: list[Any] = [
        Patch(facecolor=colours[limit], edgecolor="none",
              label=f"≤ {limit:g} min" if i == 0 else f"{limits[i - 1]:g}–{limit:g} min")
        for i, limit in enumerate(limits)
    ]
    if base is not None and on_base:
        handles += base_legend(base, hatch_water=True)
    elif streets is not None and len(streets):
        handles.append(Line2D([], [], color="#c3cacc", lw=1.2, label="Streets and paths"))
    handles.append(Patch(facecolor=(0.85, 0.37, 0.01, 0.13), edgecolor=_SCHEME, lw=1.5,
                         label="Scheme boundary"))
    if gp_points is not None:
        handles.append(Line2D([], [], marker="o", ls="", color=_GP, markeredgecolor="white",
                              markersize=6, label="GP surgery"))
    if hospital_points is not None and shown_hospitals:
        handles.append(Line2D([], [], marker="P", ls="", color=_HOSPITAL,
                              markeredgecolor="white", markersize=8, label="Hospital"))
    legend = ax.legend(handles=handles, title="Walk to nearest GP", loc="upper left",
                       fontsize=7, title_fontsize=7.5, frameon=True, framealpha=0.92)
    legend.set_zorder(10)

    if title:
        fig.text(0.02, 1 - 0.2 / height_in, title, fontsize=10, fontweight="bold", color=_INK,
                 va="center")
    fig.text(0.02, 0.36 / height_in, "Walking time from the nearest GP surgery along the "
             f"OpenStreetMap network at 4.8 km/h. Grid squares {grid_m / 1000:g} km "
             "(British National Grid, EPSG:27700).", fontsize=6.4, color=_INK)
    fig.text(0.02, 0.14 / height_in, attribution_line, fontsize=6.2, color=_MUTED)
    return _png(fig)


def equity_chart_png(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    mode_label: str = "Walking time",
    width_in: float = 6.8,
    height_in: float = 3.6,
) -> bytes:
    """Draw population-weighted travel time by IMD decile as a static bar chart.

    Parameters
    ----------
    table
        From :func:`hiap.equity.times_by_imd_decile`.
    title
        Chart title.
    mode_label
        What the time is (``"Walking time"``).
    width_in, height_in
        Figure size in inches.

    Returns
    -------
    bytes
        A PNG image; deciles with no area on the network are grey stubs marked "not covered".
    """
    deciles = [int(d) for d in table.index]
    values = table["pop_weighted_mean_time_min"].to_numpy(dtype=float)
    covered = (table["origins"].to_numpy() > 0) & np.isfinite(values)
    top = float(np.nanmax(np.where(covered, values, np.nan))) if covered.any() else 10.0
    stub = top * 0.03
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_axes((0.1, 0.2, 0.87, 0.68 if title else 0.76))
    x = np.arange(len(deciles))
    ax.bar(x, np.where(covered, values, stub), color=[_BAR if c else _EMPTY for c in covered],
           width=0.66)
    for xi, value, ok, count in zip(x, values, covered, table["origins"], strict=True):
        text = f"{value:.1f}\n({int(count)})" if ok else "not\ncovered"
        ax.text(float(xi), (value if ok else stub) + top * 0.02, text, ha="center", va="bottom",
                fontsize=6.8, color=_INK if ok else "#7b8a90")
    ax.set_xticks(x)
    ax.set_xticklabels([str(d) for d in deciles], fontsize=7.5, color=_INK)
    ax.set_xlabel("IMD 2019 decile (1 = most deprived 10 % of England)", fontsize=7.5,
                  color=_INK)
    ax.set_ylabel(f"{mode_label} (min,\npopulation-weighted mean)", fontsize=7.5, color=_INK)
    ax.set_ylim(0, top * 1.3)
    ax.tick_params(axis="y", labelsize=7, colors="#6b7a80")
    ax.grid(axis="y", color="#e3e8ea", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        fig.text(0.02, 0.95, title, fontsize=10, fontweight="bold", color=_INK, va="top")
    fig.text(0.02, 0.03, "Bar labels: minutes (number of LSOAs). " + attribution.OGL + ".",
             fontsize=6.2, color=_MUTED)
    return _png(fig)
