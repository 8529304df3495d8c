"""Report chapters of a scheme's measured evidence: indicators, access map, equity, scenario.

Which function to use when:

* :func:`evidence_sections` -- every chapter the evidence at hand allows, in report order;
  pass the result to :func:`hiap.reports.render_html` / :func:`~hiap.reports.render_pdf` as
  ``extra_sections``.
* :func:`indicators_section`, :func:`access_section`, :func:`equity_section`,
  :func:`scenario_section` -- one chapter each, when a caller has only part of the evidence.
* :func:`hiap.viz.evidence_figures.access_map_png` and ``equity_chart_png`` -- the static
  figures on their own (re-exported here).
* :func:`scheme_from_assessment` and :func:`measure_evidence` -- rebuild the scheme a saved
  assessment describes and measure its indicators and walking access to GP surgeries (what
  ``hiap report --evidence`` runs).

Figures are drawn by :mod:`hiap.viz.evidence_figures` (offline, British National Grid).
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
from shapely.geometry.base import BaseGeometry

from hiap import attribution
from hiap.access.engine import AccessResult
from hiap.assessment import Assessment
from hiap.equity import IMD_DECILES, times_by_imd_decile
from hiap.errors import DataError, HiapError, SchemeError
from hiap.indicators.results import IndicatorReport, IndicatorResult
from hiap.reports.context import ReportSection
from hiap.schemes import SchemeMetadata, read_scheme
from hiap.schemes.models import Scheme
from hiap.settings import Settings
from hiap.viz.evidence_figures import (
    ACCESS_MAP_ATTRIBUTION,
    access_map_frame_bng,
    access_map_png,
    equity_chart_png,
)
from hiap.viz.figures import BNG, boundary_geometry_bng
from hiap.wording import count

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

DEFAULT_BANDS_MIN: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 30.0)
"""Walking bands drawn on the access map (minutes)."""

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
        Walking access to GP surgeries around the scheme (:func:`hiap.access.measure_access`):
        the run the user saw, or one measured for the report (said in ``walk_note``).
    walk_note
        How the walking result came to the report (printed with its parameters).
    scheme_access
        One-row indicator table of the scheme's own new residents (by default the walk
        result's own scheme row).
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
    walk: AccessResult | None = None
    walk_note: str | None = None
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
        f"hiap measured {measured} of "
        f"{count(measured + len(report.unavailable), 'spatial indicator')} for "
        f"{report.scheme_name} from open data, from {count(report.points, 'home point')} laid on "
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
    walk: AccessResult,
    *,
    note: str | None = None,
    boundary: Mapping[str, Any] | BaseGeometry,
    scheme_access: pd.DataFrame | None = None,
    new_residents: float | None = None,
    hospitals: gpd.GeoDataFrame | None = None,
    streets: Sequence[BaseGeometry] | np.ndarray | None = None,
    settings: Settings | None = None,
) -> ReportSection:
    """Build the "Access to healthcare" chapter: the walking map and the JTS-style indicators.

    Parameters
    ----------
    walk
        Walking access to GP surgeries around the scheme.
    note
        How the result came to the report (the run seen in the app, or measured for it).
    boundary
        The scheme boundary (GeoJSON in WGS84, or a geometry in EPSG:27700).
    scheme_access
        One-row indicator table of the scheme's new residents, if measured.
    new_residents
        How many residents ``scheme_access`` stands for.
    hospitals
        Hospitals to mark on the map as well.
    streets
        Street lines (EPSG:27700) to draw faintly for context, when there is no local base.
    settings
        Gives the data directory: the map is drawn on its local OpenStreetMap extract's
        streets, paths, water and green spaces (:func:`hiap.viz.osm_base.local_base`).

    Returns
    -------
    ReportSection
        The map and one row per area (scheme, surrounding area, each district).
    """
    if walk.isochrones is None:
        raise ValueError("access_section: the walk result has no isochrones to map")
    base = None
    if settings is not None:
        from hiap.viz.osm_base import local_base

        base = local_base(access_map_frame_bng(walk.isochrones, boundary=boundary),
                          settings=settings)  # fmt: skip
    png = access_map_png(walk.isochrones, boundary=boundary, gps=walk.destinations,
                         hospitals=hospitals, streets=streets, base=base)
    if scheme_access is None and "walk" in walk.summaries:
        scheme_access = walk.summaries["walk"].scheme
        new_residents = new_residents or (walk.options.new_residents or None)
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
    paragraphs.extend(walk.warnings)
    paragraphs.append(
        (note + " " if note else "")
        + "Parameters: " + "; ".join(f"{k}: {v}" for k, v in walk.parameters.items()) + "."
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
        (e.g. :attr:`hiap.access.AccessResult.origins`).
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
    settings: Settings | None = None,
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
    settings
        Gives the data directory whose OpenStreetMap extract the access map is drawn on.

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
            access_section(evidence.walk, boundary=boundary, note=evidence.walk_note,
                           scheme_access=evidence.scheme_access,
                           new_residents=evidence.new_residents, hospitals=evidence.hospitals,
                           streets=evidence.streets, settings=settings)
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
    from hiap.access import AccessOptions, DirectResources, measure_access
    from hiap.data.health import load_hospitals
    from hiap.indicators import assess_indicators

    def tell(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    if scheme.boundary is None or scheme.boundary.empty:
        raise SchemeError(["the scheme has no boundary; evidence is measured from a boundary"])
    boundary = scheme.boundary.to_crs(BNG)
    area = shapely.make_valid(shapely.union_all(boundary.geometry.to_numpy()))
    problems: list[str] = []
    tell(0.0, "Measuring the spatial indicators")
    indicators = assess_indicators(
        scheme, settings=settings, progress=lambda f, m: tell(0.6 * f, m),
    )
    tell(0.6, "Walking access to GP surgeries")
    walk = hospitals = streets = None
    residents = float(scheme.new_residents or 0.0)
    try:
        options = AccessOptions(
            to="gp", buffer_km=buffer_km, bands_min=tuple(float(b) for b in bands_min),
            new_residents=residents, max_snap_m=settings.origin_max_snap_m,
        )
        walk = measure_access(
            settings, options, scheme=boundary, area_label=scheme.name,
            progress=lambda f, m: tell(0.6 + 0.3 * f, f"Walking access: {m}"),
        )
        tell(0.9, "Streets and hospitals for the map")
        # Same extract, area and buffer as the walk run: served from the on-disk array cache.
        streets = DirectResources(settings).walk_network(
            walk.osm_path, area=area, area_crs=BNG, margin_m=buffer_km * 1000.0, to_crs=BNG
        ).edge_geometry
        hospitals = load_hospitals(settings, area=area.buffer(buffer_km * 1000.0 + 3000.0))
    except (HiapError, ValueError) as error:
        logger.warning("walking access for the report failed: %s", error)
        problems.append(f"Walking access to GP surgeries: {error}")
    tell(1.0, "Evidence measured")
    return SchemeEvidence(
        indicators=indicators, walk=walk, hospitals=hospitals, streets=streets,
        scheme_access=walk.summaries["walk"].scheme if walk is not None else None,
        walk_note="Measured for this report (hiap report --evidence).",
        new_residents=residents or None, problems=tuple(problems),
    )


def evidence_available(assessment: Assessment, *, settings: Settings) -> bool:
    """Return whether evidence can be measured: a boundary and an OSM extract overlapping it."""
    from hiap.data.osm import find_osm_extract

    if assessment.boundary is None:
        return False
    try:
        site = boundary_geometry_bng(assessment.boundary)
        find_osm_extract(settings, area=site)
    except (DataError, ValueError):
        return False
    return True
