"""Static figures for reports: the boundary map, the HNT radar and the Blue Zones bars.

Everything is drawn with matplotlib's object API (``Figure`` + Agg canvas), never ``pyplot``:
pyplot keeps global state, which would leak between the app's concurrent sessions. Figures
are returned as PNG bytes, ready to be inlined as data URIs. No web tiles are fetched: the site
map is drawn offline in British National Grid metres, on the streets, paths, water and green
spaces of the local OpenStreetMap extract when one covers the site
(:mod:`hiap.viz.osm_base`), else on a plain grid that says so.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.projections.polar import PolarAxes
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from hiap import attribution as _attribution

if TYPE_CHECKING:
    from hiap.viz.osm_base import BaseLayers

__all__ = [
    "BNG",
    "MAP_ATTRIBUTION",
    "bar_chart_png",
    "boundary_geometry_bng",
    "boundary_map_png",
    "nice_scale_length_m",
    "radar_chart_png",
    "site_frame_bng",
]

BNG = "EPSG:27700"
MAP_ATTRIBUTION = (
    "Scheme boundary as supplied with the assessment. British National Grid (EPSG:27700). "
    "Drawn by hiap without base-map tiles: no local OpenStreetMap extract covers the site."
)
BASE_MAP_ATTRIBUTION = (
    "Scheme boundary as supplied with the assessment. British National Grid (EPSG:27700).\n"
    f"Streets, paths, water and green spaces: {_attribution.OSM}."
)
_INK = "#1d2b36"
_ACCENT = "#00567a"
_FILL = "#7fb8d0"
_SITE_ON_BASE = "#d95f02"  # orange: water on the base is blue, so the site must not be
_DPI = 150


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": "hiap"})
    return buffer.getvalue()


def boundary_geometry_bng(boundary: Mapping[str, Any]) -> BaseGeometry:
    """Convert a WGS84 GeoJSON boundary to one shapely geometry in British National Grid.

    Parameters
    ----------
    boundary
        A GeoJSON geometry, Feature or FeatureCollection in longitude/latitude.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The union of all geometries, in metres (EPSG:27700).

    Raises
    ------
    ValueError
        When the GeoJSON holds no geometry.
    """
    kind = boundary.get("type")
    if kind == "FeatureCollection":
        parts = [f.get("geometry") for f in boundary.get("features", [])]
    elif kind == "Feature":
        parts = [boundary.get("geometry")]
    else:
        parts = [boundary]
    geoms = [shape(p) for p in parts if p]
    if not geoms:
        raise ValueError("the boundary GeoJSON holds no geometry to draw")
    to_bng = Transformer.from_crs("EPSG:4326", BNG, always_xy=True)
    merged = unary_union(geoms)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = to_bng.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(merged, project)


def nice_scale_length_m(span_m: float) -> float:
    """Return a round scale-bar length (1, 2 or 5 x 10^n m) near a quarter of ``span_m``.

    Parameters
    ----------
    span_m
        Width of the map in metres.

    Returns
    -------
    float
        The bar length in metres.
    """
    target = max(span_m / 4.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            vertices.append(xy)
            code = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            code[0] = MplPath.MOVETO
            code[-1] = MplPath.CLOSEPOLY
            codes.append(code)
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def site_frame_bng(
    boundary: Mapping[str, Any], *, width_in: float = 6.5, height_in: float = 4.2
) -> tuple[float, float, float, float]:
    """Return the box (EPSG:27700) the site map of ``boundary`` shows, with its margin.

    Parameters
    ----------
    boundary
        GeoJSON in WGS84.
    width_in, height_in
        The figure size the box is shaped for.

    Returns
    -------
    tuple of float
        (minx, miny, maxx, maxy) in metres.
    """
    geom = boundary_geometry_bng(boundary)
    minx, miny, maxx, maxy = geom.bounds
    span = max(maxx - minx, maxy - miny, 50.0)
    pad = span * 0.18
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    aspect = width_in / (height_in - 0.5)
    half_w = max((maxx - minx) / 2 + pad, ((maxy - miny) / 2 + pad) * aspect)
    half_h = half_w / aspect
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def boundary_map_png(
    boundary: Mapping[str, Any],
    *,
    title: str | None = None,
    base: BaseLayers | None = None,
    attribution: str | None = None,
    width_in: float = 6.5,
    height_in: float = 4.2,
) -> bytes:
    """Draw the scheme boundary with a scale bar, north arrow and attribution.

    Parameters
    ----------
    boundary
        GeoJSON in WGS84 (as stored in :attr:`hiap.assessment.Assessment.boundary`).
    title
        Caption drawn above the map.
    base
        Streets, paths, water and green spaces to draw beneath the site
        (:func:`hiap.viz.osm_base.local_base` of :func:`site_frame_bng`); without it the site
        is drawn on a plain grid.
    attribution
        Source line printed under the map; by default the OpenStreetMap (ODbL) line when a
        base is drawn, else a line saying the map has no base.
    width_in, height_in
        Figure size in inches.

    Returns
    -------
    bytes
        A PNG image.
    """
    geom = boundary_geometry_bng(boundary)
    x0, y0, x1, y1 = site_frame_bng(boundary, width_in=width_in, height_in=height_in)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
    drawn_base = base is not None and not base.empty
    if attribution is None:
        attribution = BASE_MAP_ATTRIBUTION if drawn_base else MAP_ATTRIBUTION

    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_axes((0.02, 0.13, 0.96, 0.79 if title else 0.85))
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_facecolor("#f4f6f5")
    # A 1 km / 100 m national grid in light lines gives the reader a sense of scale.
    grid_m = 1000.0 if half_w > 1500 else 100.0
    for x in np.arange(math.ceil((cx - half_w) / grid_m) * grid_m, cx + half_w, grid_m):
        ax.axvline(x, color="#d5dbd9", lw=0.6, zorder=0)
    for y in np.arange(math.ceil((cy - half_h) / grid_m) * grid_m, cy + half_h, grid_m):
        ax.axhline(y, color="#d5dbd9", lw=0.6, zorder=0)
    if base is not None and drawn_base:
        from hiap.viz.osm_base import base_legend, draw_base

        draw_base(ax, base)
        site = Patch(facecolor=(0.85, 0.37, 0.01, 0.12), edgecolor=_SITE_ON_BASE, lw=1.5,
                     label="The site")  # fmt: skip
        legend = ax.legend(handles=[site, *base_legend(base)], loc="upper left", fontsize=6.5,
                           frameon=True, framealpha=0.9)  # fmt: skip
        legend.set_zorder(10)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#8a9a9f")

    path = _polygon_path(geom)
    if path is not None and drawn_base:
        # A faint fill beneath the base, so the streets and water inside the site read clearly.
        ax.add_patch(PathPatch(path, facecolor=_SITE_ON_BASE, edgecolor="none", alpha=0.12,
                               zorder=0.1))  # fmt: skip
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=_SITE_ON_BASE, lw=2, zorder=3))
    elif path is not None:
        ax.add_patch(PathPatch(path, facecolor=_FILL, edgecolor=_ACCENT, lw=2, alpha=0.55))
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=_ACCENT, lw=2))
    else:  # lines or points: draw them as they are
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=_ACCENT, lw=2, marker="o" if len(xy) == 1 else "")

    # Scale bar, bottom left, in alternating black and white halves.
    bar = nice_scale_length_m(2 * half_w)
    x0 = cx - half_w + 0.06 * half_w
    y0 = cy - half_h + 0.08 * half_h
    h = 0.025 * half_h
    ax.add_patch(Rectangle((x0, y0), bar / 2, h, facecolor=_INK, edgecolor=_INK, lw=0.8))
    ax.add_patch(
        Rectangle((x0 + bar / 2, y0), bar / 2, h, facecolor="white", edgecolor=_INK, lw=0.8)
    )
    label = f"{bar / 1000:g} km" if bar >= 1000 else f"{bar:g} m"
    ax.text(x0, y0 + 2.2 * h, "0", ha="center", va="bottom", fontsize=7, color=_INK)
    ax.text(x0 + bar, y0 + 2.2 * h, label, ha="center", va="bottom", fontsize=7, color=_INK)

    # North arrow, top right. Grid north: BNG's false origin makes true north within ~1°.
    ax_x = cx + half_w - 0.07 * half_w
    ax_y = cy + half_h - 0.3 * half_h
    ax.add_patch(
        FancyArrow(
            ax_x,
            ax_y,
            0,
            0.15 * half_h,
            width=0.018 * half_w,
            head_width=0.06 * half_w,
            head_length=0.07 * half_h,
            length_includes_head=True,
            color=_INK,
        )
    )
    ax.text(
        ax_x,
        ax_y + 0.17 * half_h,
        "N",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color=_INK,
    )

    if title:
        fig.text(0.02, 0.955, title, fontsize=10, fontweight="bold", color=_INK, va="center")
    area_ha = geom.area / 10_000
    fig.text(
        0.02,
        0.085,
        f"Boundary area {area_ha:,.1f} ha. Grid squares {grid_m / 1000:g} km."
        if area_ha > 0
        else f"Grid squares {grid_m / 1000:g} km.",
        fontsize=7,
        color=_INK,
    )
    fig.text(0.02, 0.012, attribution, fontsize=6.5, color="#4a5a60", va="bottom",
             linespacing=1.3)  # fmt: skip
    return _png(fig)


def radar_chart_png(
    labels: Sequence[str],
    values_pct: Sequence[float | None],
    *,
    title: str | None = None,
    width_in: float = 7.0,
    height_in: float = 4.3,
) -> bytes:
    """Draw a radar (spider) chart of per-principle scores as percentages.

    Parameters
    ----------
    labels
        One short label per axis (e.g. ``"1 Plan ahead"``).
    values_pct
        Score per axis, 0 to 100; ``None`` (nothing scored) is drawn at 0 and marked "n/s".
    title
        Chart title.
    width_in, height_in
        Figure size in inches (the radar is a circle in the middle, labels around it).

    Returns
    -------
    bytes
        A PNG image.
    """
    if len(labels) != len(values_pct) or len(labels) < 3:
        raise ValueError("a radar chart needs at least 3 labels, one value per label")
    n = len(labels)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    values = np.array([0.0 if v is None else float(v) for v in values_pct])
    fig = Figure(figsize=(width_in, height_in))
    side_in = 0.68 * height_in
    box = ((1 - side_in / width_in) / 2, 0.13, side_in / width_in, 0.68)
    ax = cast(PolarAxes, fig.add_axes(box, projection="polar"))
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25%", "50%", "75%", "100%"], fontsize=6.5, color="#6b7a80")
    ax.set_xticks(angles)
    ax.set_xticklabels([])
    closed_a = np.append(angles, angles[0])
    closed_v = np.append(values, values[0])
    ax.plot(closed_a, closed_v, color=_ACCENT, lw=2)
    ax.fill(closed_a, closed_v, color=_FILL, alpha=0.45)
    ax.scatter(angles, values, s=14, color=_ACCENT, zorder=3)
    for angle, label, value in zip(angles, labels, values_pct, strict=True):
        text = f"{label}\n{'n/s' if value is None else f'{value:.0f}%'}"
        ha = "center"
        if 0.05 < angle < np.pi - 0.05:
            ha = "left"
        elif np.pi + 0.05 < angle < 2 * np.pi - 0.05:
            ha = "right"
        ax.text(angle, 118, text, ha=ha, va="center", fontsize=7.5, color=_INK)
    ax.grid(color="#c9d2d5", lw=0.6)
    ax.spines["polar"].set_color("#9aa8ad")
    if title:
        fig.text(0.5, 0.965, title, ha="center", fontsize=10, fontweight="bold", color=_INK)
    return _png(fig)


def bar_chart_png(
    labels: Sequence[str],
    values_pct: Sequence[float | None],
    *,
    title: str | None = None,
    width_in: float = 6.5,
) -> bytes:
    """Draw a horizontal bar chart of scores as percentages.

    Parameters
    ----------
    labels
        One label per bar, top to bottom.
    values_pct
        Score per bar, 0 to 100; ``None`` is drawn as an empty bar marked "not scored".
    title
        Chart title.
    width_in
        Width in inches (the height follows the number of bars).

    Returns
    -------
    bytes
        A PNG image.
    """
    if len(labels) != len(values_pct) or not labels:
        raise ValueError("a bar chart needs one value per label, and at least one label")
    n = len(labels)
    fig = Figure(figsize=(width_in, 0.9 + 0.42 * n))
    ax = fig.add_axes((0.36, 0.12 + 0.1 / n, 0.58, 0.74 if title else 0.82))
    y = np.arange(n)[::-1]
    values = [0.0 if v is None else float(v) for v in values_pct]
    ax.barh(y, [100] * n, color="#e6ecee", height=0.62)
    ax.barh(y, values, color=_ACCENT, height=0.62)
    for yi, value in zip(y, values_pct, strict=True):
        text = "not scored" if value is None else f"{value:.0f}%"
        ax.text(101.5, yi, text, va="center", fontsize=7.5, color=_INK)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8, color=_INK)
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0", "25", "50", "75", "100%"], fontsize=7, color="#6b7a80")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        fig.text(0.02, 0.95, title, fontsize=10, fontweight="bold", color=_INK, va="top")
    return _png(fig)
