"""Report chapters of a scheme's measured evidence: indicators, access map, equity, scenario.

Which function to use when:

* :func:`evidence_sections` -- every chapter the evidence at hand allows, in report order;
  pass the result to :func:`hiap.reports.render_html` / :func:`~hiap.reports.render_pdf` as
  ``extra_sections``.
* :func:`indicators_section`, :func:`access_section`, :func:`equity_section`,
  :func:`scenario_section` -- one chapter each, when a caller has only part of the evidence.
* :func:`access_map_png`, :func:`equity_chart_png` -- the static figures on their own.
* :func:`scheme_from_assessment` and :func:`measure_evidence` -- rebuild the scheme a saved
  assessment describes and measure its indicators and walking access to GP surgeries (what
  ``hiap report --evidence`` runs).

Figures are drawn offline with matplotlib's object API (no pyplot state, no web tiles), in
British National Grid, in the style of :mod:`hiap.reports.figures`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
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
from hiap.access.walk import WalkAccessResult
from hiap.assessment import Assessment
from hiap.equity import IMD_DECILES, times_by_imd_decile
from hiap.errors import DataError, HiapError, SchemeError
from hiap.indicators.results import IndicatorReport, IndicatorResult
from hiap.reports.context import ReportSection
from hiap.reports.figures import (
    BNG,
    _png,
    _polygon_path,
    boundary_geometry_bng,
    nice_scale_length_m,
)
from hiap.schemes import SchemeMetadata, read_scheme
from hiap.schemes.models import Scheme
from hiap.settings import Settings

__all__ = [
    "ACCESS_MAP_ATTRIBUTION",
    "DEFAULT_BANDS_MIN",
    "ScenarioResult",
    "SchemeEvidence",
    "access_map_png",
    "access_section",
    "equity_chart_png",
    "equity_section",
    "evidence_available",
    "evidence_sections",
    "indicators_section",
    "measure_evidence",
    "scenario_section",
    "scheme_from_assessment",
]

logger = logging.getLogger(__name__)

ACCESS_MAP_ATTRIBUTION = f"{attribution.OSM}; {attribution.OGL}"
"""The source line printed under the access map."""

DEFAULT_BANDS_MIN: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 30.0)
"""Walking bands drawn on the access map (minutes)."""

_INK = "#1d2b36"
_MUTED = "#4a5a60"
_SCHEME = "#d95f02"
_GP = "#c2185b"
_HOSPITAL = "#b71c1c"
_BAR = "#2171b5"
_EMPTY = "#bdbdbd"

Progress = Callable[[float, str], None]


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class ScenarioResult:
    """A transport scenario's effect, as the scenario page computes it.

    Attributes
    ----------
    name
        The scenario's name (e.g. the new route's).
    table
        :func:`hiap.equity.newly_within` output: one row per IMD decile (or ``"all"``) with
        ``population``, ``within_before``, ``within_after``, ``newly_within``,
        ``no_longer_within`` and ``net_change``.
    threshold_min
        The time limit the table counts residents within.
    destination
        What the time is to (``"a GP surgery"``).
    mode
        How the time is travelled (``"public transport"``).
    """

    name: str
    table: pd.DataFrame
    threshold_min: float = 30.0
    destination: str = "a GP surgery"
    mode: str = "public transport"


@dataclass(frozen=True)
class SchemeEvidence:
    """Everything measured for a scheme that the report can show.

    Attributes
    ----------
    indicators
        The automated indicators (:func:`hiap.indicators.assess_indicators`).
    walk
        Walking access to GP surgeries around the scheme (:func:`hiap.access.walk_access`).
    scheme_access
        One-row indicator table of the scheme's own new residents
        (:func:`hiap.access_runs.scheme_access`).
    hospitals
        Hospitals to mark on the map (EPSG:27700).
    streets
        The walk network's street and path lines (EPSG:27700), drawn beneath the bands.
    new_residents
        Dwellings x persons per dwelling.
    problems
        What could not be measured, and why (printed in the report).
    """

    indicators: IndicatorReport | None = None
    walk: WalkAccessResult | None = None
    scheme_access: pd.DataFrame | None = None
    hospitals: gpd.GeoDataFrame | None = None
    streets: np.ndarray | None = None
    new_residents: float | None = None
    problems: tuple[str, ...] = ()


# ------------------------------------------------------------------ formatting


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "not reached"
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) < 1:
        return f"{value:.2f}"
    return f"{value:,.1f}"


def _value_and_unit(result: IndicatorResult) -> tuple[str, str]:
    if result.unit == "share":
        return f"{result.value:.0%}", "% of home points"
    return _number(result.value), result.unit


def _pct(value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):.0%}"


def _minutes(value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):.1f}"


def _people(value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):,.0f}"


def _decile_label(decile: object) -> str:
    try:
        number = int(decile)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(decile)
    if number == 1:
        return "1 (most deprived)"
    if number == 10:
        return "10 (least deprived)"
    return str(number)


# ------------------------------------------------------------------ indicators


def _source_parts(source: str) -> list[str]:
    """Split a source string at top-level "; " (not inside parentheses)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(source):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0:
            parts.append(source[start:i].strip())
            start = i + 1
    parts.append(source[start:].strip())
    return [p.rstrip(".") for p in parts if p]


def _short_source(part: str) -> str:
    head = part.split(" (", 1)[0].strip()
    return head if 0 < len(head) <= 60 else head[:57].rstrip() + "..."


def indicators_section(report: IndicatorReport) -> ReportSection:
    """Build the "Spatial evidence" chapter: each indicator with value, unit, method, source.

    Parameters
    ----------
    report
        The scheme's measured indicators.

    Returns
    -------
    ReportSection
        One table row per indicator; the ones not measured say why in the method column.
        Sources are cited by number in the table and listed in full above it.
    """
    numbers: dict[str, int] = {}

    def cite(source: str) -> str:
        cited = []
        for part in _source_parts(source):
            number = numbers.setdefault(part, len(numbers) + 1)
            cited.append(f"{_short_source(part)} [{number}]")
        return "; ".join(cited)

    rows: list[tuple[str, str, str, str, str]] = []
    for result in report.results:
        value, unit = _value_and_unit(result)
        method = result.method
        if result.notes:
            method += " Caveat: " + " ".join(result.notes)
        rows.append((result.name, value, unit, method, cite(result.source)))
    for missing in report.unavailable:
        rows.append((missing.name, "not measured", "", f"Not measured: {missing.reason}", "–"))
    measured = len(report.results)
    paragraphs = [
        f"hiap measured {measured} of {measured + len(report.unavailable)} spatial indicators "
        f"for {report.scheme_name} from open data, from {report.points:,} home points laid on "
        "the site. Walking distances and times follow the OpenStreetMap street and path "
        "network at 4.8 km/h (the DfT Journey Time Statistics speed); shares are of the "
        "home points.",
        "These values are evidence for the assessor, not scores: each criterion that refers "
        "to an indicator shows the measured value and a suggested score, which the assessor "
        "accepts or overrides with a reason (see the checklist chapters).",
    ]
    for source in report.sources:
        for part in _source_parts(source):
            numbers.setdefault(part, len(numbers) + 1)
    paragraphs.extend(f"[{number}] {part}." for part, number in numbers.items())
    return ReportSection(
        title="Spatial evidence",
        paragraphs=tuple(paragraphs),
        table_header=("Indicator", "Value", "Unit", "Method", "Source"),
        table_rows=tuple(rows),
    )


# ------------------------------------------------------------------ access map


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


def access_map_png(
    isochrones: gpd.GeoDataFrame,
    *,
    boundary: Mapping[str, Any] | BaseGeometry,
    gps: gpd.GeoDataFrame | None = None,
    hospitals: gpd.GeoDataFrame | None = None,
    streets: Sequence[BaseGeometry] | np.ndarray | None = None,
    title: str | None = None,
    attribution_line: str = ACCESS_MAP_ATTRIBUTION,
    width_in: float = 7.0,
) -> bytes:
    """Draw walking-time bands, GP surgeries, hospitals and the scheme on a static map.

    Parameters
    ----------
    isochrones
        ``band_min`` and polygon geometry (:func:`isochrones.isochrones`), any CRS.
    boundary
        The scheme: GeoJSON in WGS84 (as an assessment stores it) or a geometry in
        EPSG:27700.
    gps, hospitals
        Points with ``name`` (and ``code``), any CRS; each is marked and labelled.
    streets
        Street and path lines in EPSG:27700 (e.g. the walk network's ``edge_geometry``),
        drawn faintly beneath the bands for context.
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

    # The map frames the bands and the site; far-away hospitals are left off, not zoomed to.
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
    box_h = map_h_in / height_in
    aspect = map_w_in / map_h_in
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max(span_w / 2, span_h / 2 * aspect)
    half_h = half_w / aspect

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
    if streets is not None and len(streets):
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
    if streets is not None and len(streets):
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


def _access_row(label: str, table: pd.DataFrame) -> tuple[str, str, str, str, str, str]:
    row = table.iloc[0]
    return (
        label,
        _people(row.get("population")),
        _minutes(row.get("pop_weighted_mean_time_min")),
        _pct(row.get("pop_share_within_15min")),
        _pct(row.get("pop_share_within_30min")),
        _minutes(row.get("pop_weighted_reachable_30min")),
    )


def access_section(
    walk: WalkAccessResult,
    *,
    boundary: Mapping[str, Any] | BaseGeometry,
    scheme_access: pd.DataFrame | None = None,
    new_residents: float | None = None,
    hospitals: gpd.GeoDataFrame | None = None,
    streets: Sequence[BaseGeometry] | np.ndarray | None = None,
) -> ReportSection:
    """Build the "Access to healthcare" chapter: the walking map and the JTS-style indicators.

    Parameters
    ----------
    walk
        Walking access to GP surgeries around the scheme.
    boundary
        The scheme boundary (GeoJSON in WGS84, or a geometry in EPSG:27700).
    scheme_access
        One-row indicator table of the scheme's new residents, if measured.
    new_residents
        How many residents ``scheme_access`` stands for.
    hospitals
        Hospitals to mark on the map as well.
    streets
        Street lines (EPSG:27700) to draw faintly for context.

    Returns
    -------
    ReportSection
        The map and one row per area (scheme, surrounding area, each district).
    """
    png = access_map_png(walk.isochrones, boundary=boundary, gps=walk.destinations,
                         hospitals=hospitals, streets=streets)
    rows = []
    if scheme_access is not None and not scheme_access.empty:
        who = f" ({new_residents:,.0f} new residents)" if new_residents else ""
        rows.append(_access_row(f"Scheme{who}", scheme_access))
    rows.append(_access_row(f"Surrounding area ({len(walk.origins)} LSOAs)", walk.overall))
    for district, part in walk.by_district.iterrows():
        rows.append(_access_row(f"{district} (district, on the network)", part.to_frame().T))
    names = ", ".join(sorted(str(n).title() for n in walk.destinations["name"]))
    paragraphs = [
        "Walking times to the nearest GP surgery, measured door to door along the "
        "OpenStreetMap street and path network at 4.8 km/h, as in the Department for "
        "Transport's Journey Time Statistics (JTS). The table gives JTS-style indicators: "
        "residents, their population-weighted mean time, the share within 15 and 30 minutes "
        "and the number of GP surgeries within 30 minutes, averaged over residents.",
        f"GP surgeries on the network ({len(walk.destinations)}): {names}. The surrounding "
        f"area is the populated LSOAs within reach of the walk network ({walk.osm_path.name}); "
        f"{walk.dropped_origins} LSOA(s) lay off the network and are left out.",
    ]
    if scheme_access is not None and not scheme_access.empty:
        paragraphs.append(
            "The scheme's row is its own new residents (dwellings × persons per dwelling), "
            "spread over a regular grid of home points on the site."
        )
    paragraphs.append("Sources: " + "; ".join(walk.attribution) + ".")
    return ReportSection(
        title="Access to healthcare",
        paragraphs=tuple(paragraphs),
        image_png=png,
        caption="Walking time to the nearest GP surgery, with the scheme boundary, GP "
        "surgeries and hospitals. " + ACCESS_MAP_ATTRIBUTION,
        table_header=("Area", "Residents", "Mean time (min)", "Within 15 min",
                      "Within 30 min", "GPs within 30 min"),
        table_rows=tuple(rows),
    )


# ------------------------------------------------------------------ equity


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


def equity_section(
    origins: pd.DataFrame,
    *,
    destination: str = "GP surgery",
    mode_label: str = "Walking time",
    threshold_min: float = 30.0,
) -> ReportSection:
    """Build the "Equity" chapter: travel time by deprivation, as a chart and a table.

    Parameters
    ----------
    origins
        One row per area with ``time_min``, ``population`` and ``imd_decile``
        (e.g. :attr:`hiap.access.WalkAccessResult.origins`).
    destination
        What the time is to, for the text.
    mode_label
        What the time is (``"Walking time"``).
    threshold_min
        The time of the "share within" column.

    Returns
    -------
    ReportSection
        The bar chart and one row per IMD decile 1-10.
    """
    table = times_by_imd_decile(origins, threshold_min=threshold_min)
    share_col = f"pop_share_within_{threshold_min:g}min"
    covered = table[
        (table["origins"] > 0) & np.isfinite(table["pop_weighted_mean_time_min"].astype(float))
    ]
    png = equity_chart_png(table, mode_label=mode_label)
    rows = [
        (
            _decile_label(decile),
            f"{int(row['origins'])}",
            _people(row["population"]) if row["origins"] else "–",
            _minutes(row["pop_weighted_mean_time_min"]),
            _pct(row[share_col]),
        )
        for decile, row in table.iterrows()
    ]
    paragraphs = [
        f"{mode_label} to the nearest {destination} for the residents of each Index of Multiple "
        "Deprivation (IMD 2019) decile among the surrounding areas (LSOAs), weighted by "
        "population. A gap between the most and the least deprived deciles is an inequality "
        "the scheme may widen or narrow.",
    ]
    times = covered["pop_weighted_mean_time_min"].to_numpy(dtype=float)
    if len(covered) >= 2:
        slowest, fastest = int(times.argmax()), int(times.argmin())
        paragraphs.append(
            f"The network covers {len(covered)} of the 10 deciles. The longest mean time is in "
            f"decile {covered.index[slowest]} ({times[slowest]:.1f} min), the shortest in "
            f"decile {covered.index[fastest]} ({times[fastest]:.1f} min). Deciles without "
            "an area on the network are marked \"not covered\"; a county extract covers them."
        )
    elif len(covered) == 1:
        paragraphs.append("The network covers one IMD decile only; no comparison can be made.")
    else:
        paragraphs.append("No area on the network has an IMD decile (England only).")
    return ReportSection(
        title="Equity: access by deprivation",
        paragraphs=tuple(paragraphs),
        image_png=png,
        caption=f"{mode_label} to the nearest {destination} by IMD decile. English Indices of "
        f"Deprivation 2019 (MHCLG) and ONS population estimates: {attribution.OGL}.",
        table_header=("IMD decile", "LSOAs", "Residents", "Mean time (min)",
                      f"Within {threshold_min:g} min"),
        table_rows=tuple(rows),
    )


# ------------------------------------------------------------------ scenario


def scenario_section(result: ScenarioResult) -> ReportSection:
    """Build the "Transport scenario" chapter: who a scenario brings within the time limit.

    Parameters
    ----------
    result
        The scenario's name and its :func:`hiap.equity.newly_within` table.

    Returns
    -------
    ReportSection
        A one-sentence summary and one row per IMD decile (or one for the whole area).
    """
    table = result.table
    needed = ["population", "within_before", "within_after", "newly_within",
              "no_longer_within", "net_change"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(
            f"scenario_section: the table lacks {missing}; pass hiap.equity.newly_within's output."
        )
    limit = f"{result.threshold_min:g} minutes"
    gained = float(table["newly_within"].sum())
    lost = float(table["no_longer_within"].sum())
    net = float(table["net_change"].sum())
    summary = (
        f"By {result.mode}, \"{result.name}\" brings {gained:,.0f} residents newly within "
        f"{limit} of {result.destination}"
        + (f", while {lost:,.0f} are no longer within it" if lost else "")
        + f" (net change {net:+,.0f})."
    )
    by_decile = table.index.name == "imd_decile" or all(
        isinstance(i, (int, np.integer)) and i in IMD_DECILES for i in table.index
    )
    if by_decile and gained > 0:
        deprived = float(table.loc[[i for i in table.index if int(i) <= 3], "newly_within"].sum())
        summary += (
            f" {deprived / gained:.0%} of the gain is in the three most deprived IMD deciles."
        )
    rows = [
        (
            _decile_label(index) if by_decile else str(index),
            *(_people(float(row[c])) for c in needed[:-1]),
            f"{float(row['net_change']):+,.0f}",
        )
        for index, row in table.iterrows()
    ]
    return ReportSection(
        title="Transport scenario",
        paragraphs=(
            summary,
            f"Residents whose {result.mode} time to the nearest {result.destination.split(' ', 1)[-1]}"
            f" is within {limit} before and after the scenario, from every departure in the "
            "window (median time per area).",
        ),
        table_header=("IMD decile" if by_decile else "Area", "Residents",
                      f"Within {limit} before", "After", "Newly within", "No longer within",
                      "Net change"),
        table_rows=tuple(rows),
    )


# ------------------------------------------------------------------ all together


def evidence_sections(
    evidence: SchemeEvidence,
    *,
    boundary: Mapping[str, Any] | BaseGeometry | None,
    scenario: ScenarioResult | None = None,
) -> list[ReportSection]:
    """Return every evidence chapter the evidence allows, in report order.

    Parameters
    ----------
    evidence
        What was measured for the scheme.
    boundary
        The scheme boundary (GeoJSON in WGS84 or a geometry in EPSG:27700); without it no
        access map is drawn.
    scenario
        A transport scenario's result, if one was run.

    Returns
    -------
    list of ReportSection
        "Spatial evidence", "Access to healthcare", "Equity" and "Transport scenario", each
        only when its evidence is there.
    """
    sections: list[ReportSection] = []
    if evidence.indicators is not None:
        section = indicators_section(evidence.indicators)
        if evidence.problems:
            section = ReportSection(
                title=section.title,
                paragraphs=(*section.paragraphs, "Not measured for this report: "
                            + " ".join(evidence.problems)),
                table_header=section.table_header,
                table_rows=section.table_rows,
            )
        sections.append(section)
    if evidence.walk is not None and boundary is not None:
        sections.append(
            access_section(evidence.walk, boundary=boundary,
                           scheme_access=evidence.scheme_access,
                           new_residents=evidence.new_residents, hospitals=evidence.hospitals,
                           streets=evidence.streets)
        )
        if "imd_decile" in evidence.walk.origins.columns:
            sections.append(equity_section(evidence.walk.origins))
    if scenario is not None:
        sections.append(scenario_section(scenario))
    return sections


def scheme_from_assessment(assessment: Assessment, *, settings: Settings) -> Scheme | None:
    """Rebuild the scheme a saved assessment describes, from its boundary and key figures.

    Parameters
    ----------
    assessment
        Holds the boundary (GeoJSON in WGS84) and ``scheme_metadata``.
    settings
        Supplies the read limits.

    Returns
    -------
    Scheme or None
        The scheme in EPSG:27700, or ``None`` when the assessment has no boundary.

    Raises
    ------
    SchemeError
        When the stored boundary is not a valid scheme.
    """
    if assessment.boundary is None:
        return None
    known = set(SchemeMetadata.model_fields)
    values = {k: v for k, v in assessment.scheme_metadata.items() if k in known}
    values["name"] = assessment.scheme_name[:200]
    try:
        metadata = SchemeMetadata.model_validate(values)
    except ValueError:
        # Free-text figures (e.g. kind "Urban extension") keep only what validates.
        keep = {"name": values["name"]}
        if isinstance(values.get("dwellings"), int):
            keep["dwellings"] = values["dwellings"]
        metadata = SchemeMetadata.model_validate(keep)
    data = json.dumps(assessment.boundary).encode("utf-8")
    return read_scheme(data, settings=settings, filename="boundary.geojson", metadata=metadata)


def measure_evidence(
    scheme: Scheme,
    *,
    settings: Settings,
    bands_min: Sequence[float] = DEFAULT_BANDS_MIN,
    buffer_km: float = 2.0,
    progress: Progress | None = None,
) -> SchemeEvidence:
    """Measure a scheme's indicators and its walking access to GP surgeries for the report.

    Parameters
    ----------
    scheme
        A scheme with a boundary (EPSG:27700).
    settings
        Data and cache folders.
    bands_min
        Walking bands of the map.
    buffer_km
        Area around the scheme the walk network, GPs and LSOAs are taken from.
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    SchemeEvidence
        What could be measured; ``problems`` says what could not, and why.

    Raises
    ------
    DataError
        When no OSM extract overlaps the scheme.
    """
    from hiap.access import find_osm_extract, load_walk_network, walk_access
    from hiap.access_runs import scheme_access
    from hiap.data.health import load_hospitals
    from hiap.indicators import assess_indicators

    def tell(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    if scheme.boundary is None or scheme.boundary.empty:
        raise SchemeError(["the scheme has no boundary; evidence is measured from a boundary"])
    boundary = scheme.boundary.to_crs(BNG)
    area = shapely.make_valid(shapely.union_all(boundary.geometry.to_numpy()))
    osm = find_osm_extract(settings, area=area)
    problems: list[str] = []
    tell(0.0, "Measuring the spatial indicators")
    indicators = assess_indicators(
        scheme, settings=settings, osm_path=osm,
        progress=lambda f, m: tell(0.6 * f, m),
    )
    tell(0.6, "Walking access to GP surgeries")
    walk = homes_table = hospitals = streets = None
    residents = float(scheme.new_residents or 0.0)
    try:
        walk = walk_access(settings, to="gp", osm_path=osm, area=area, buffer_km=buffer_km,
                           bands_min=tuple(bands_min),
                           progress=lambda step: tell(0.7, f"Walking access: {step}"))
        tell(0.9, "The scheme's new residents")
        # Same extract, area and buffer as the walk run: served from the on-disk graph cache.
        _, network, _ = load_walk_network(settings, osm_path=osm, area=area, buffer_km=buffer_km)
        streets = network.edge_geometry
        if residents > 0:
            _, homes_table = scheme_access(network, boundary, walk.destinations,
                                           new_residents=residents)
        hospitals = load_hospitals(settings, area=area.buffer(buffer_km * 1000.0 + 3000.0))
    except (HiapError, ValueError) as error:
        logger.warning("walking access for the report failed: %s", error)
        problems.append(f"Walking access to GP surgeries: {error}")
    tell(1.0, "Evidence measured")
    return SchemeEvidence(
        indicators=indicators, walk=walk, scheme_access=homes_table, hospitals=hospitals,
        streets=streets, new_residents=residents or None, problems=tuple(problems),
    )


def evidence_available(assessment: Assessment, *, settings: Settings) -> bool:
    """Return whether evidence can be measured: a boundary and an OSM extract overlapping it."""
    from hiap.access import find_osm_extract

    if assessment.boundary is None:
        return False
    try:
        site = boundary_geometry_bng(assessment.boundary)
        find_osm_extract(settings, area=site)
    except (DataError, ValueError):
        return False
    return True
