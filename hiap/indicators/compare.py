"""What a scheme changes: every indicator measured on today's map and with the scheme built.

:func:`assess_proposal` builds (or loads from cache) the walk network around the site ONCE
and runs the indicator runner (:func:`hiap.indicators.run.assess_at_homes`) in two worlds
(:mod:`hiap.indicators.with_scheme`) from the same homes: the baseline (today's map) and with
the scheme (its paths on a copy of the network, its facilities, greenspace, stops and new
residents). Where the proposal names phases, each phase built so far is measured too. The
existing residents around the site (small areas within :data:`NEIGHBOURS_M`) are measured in
both worlds, so a new GP or park that helps the neighbours shows, and so does the pressure of
the new residents on their practices (the GP capacity analysis with the new residents added).

:meth:`Comparison.table` is the one table "baseline -> with scheme -> change" with the
direction of each change for health; :func:`hudu_from_change` turns it into a direction for
each HUDU topic (positive / negative / neutral / uncertain against the baseline) with the
figures named in the evidence.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.assessment import Direction
from hiap.checklists.models import Catalogue
from hiap.data.population import load_area_origins
from hiap.errors import HiapError
from hiap.indicators.capacity import people_per_practice_phrase
from hiap.indicators.criteria import HuduSuggestion
from hiap.indicators.results import INDICATOR_IDS, IndicatorReport, IndicatorResult
from hiap.indicators.run import (
    NEIGHBOURS_M,
    NETWORK_MARGIN_M,
    Progress,
    SharedInputs,
    assess_at_homes,
)
from hiap.indicators.with_scheme import World, baseline_world, scheme_world
from hiap.schemes.points import DEFAULT_SPACING_M
from hiap.schemes.proposal import Proposal
from hiap.settings import Settings
from isochrones.gtfs import Feed

__all__ = [
    "NEIGHBOURS_M",
    "ChangeDirection",
    "Comparison",
    "assess_proposal",
    "change_direction",
    "compare_reports",
    "hudu_from_change",
    "proposal_feed",
    "proposal_service_day",
]

logger = logging.getLogger(__name__)

ChangeDirection = Literal["better", "worse", "no change", "not measured"]

# Smallest change that counts, by unit: half a percentage point of homes, a quarter minute,
# one whole count; otherwise 1% of the baseline value.
_TOLERANCE = {"share": 0.005, "min": 0.25, "count": 0.5}
_RELATIVE_TOLERANCE = 0.01


def change_direction(
    baseline: float | None, with_scheme: float | None, *, unit: str, higher_is_better: bool
) -> ChangeDirection:
    """Say whether a change is better or worse for health, or too small to count.

    Parameters
    ----------
    baseline, with_scheme
        The two values (``None`` when not measured).
    unit
        The indicator's unit (sets the smallest change that counts).
    higher_is_better
        The indicator's direction for health.

    Returns
    -------
    str
        ``better``, ``worse``, ``no change`` or ``not measured``.
    """
    if baseline is None or with_scheme is None:
        return "not measured"
    delta = with_scheme - baseline
    tol = _TOLERANCE.get(unit, _RELATIVE_TOLERANCE * max(abs(baseline), 1e-9))
    if abs(delta) < tol:
        return "no change"
    return "better" if (delta > 0) == higher_is_better else "worse"


def compare_reports(
    baseline: IndicatorReport, with_scheme: IndicatorReport, *, label: str = "with scheme"
) -> pd.DataFrame:
    """Return one row per indicator: baseline, with scheme, change and its direction for health.

    Parameters
    ----------
    baseline, with_scheme
        The two reports (same homes).
    label
        Column name of the second world.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``indicator``, ``unit``, ``baseline``, ``label``, ``change``,
        ``for health`` (better / worse / no change / not measured), ``baseline shown``,
        ``label shown`` (formatted values) and ``reason`` (why a value is missing).
    """
    rows: list[dict[str, object]] = []
    reasons = {u.id: u.reason for u in (*with_scheme.unavailable, *baseline.unavailable)}
    for ind in INDICATOR_IDS:
        a, b = baseline.get(ind), with_scheme.get(ind)
        ref: IndicatorResult | None = b or a
        if ref is None:
            rows.append(
                {
                    "id": ind,
                    "indicator": ind,
                    "unit": "",
                    "baseline": None,
                    label: None,
                    "change": None,
                    "for health": "not measured",
                    "baseline shown": "-",
                    f"{label} shown": "-",
                    "reason": reasons.get(ind, ""),
                }
            )
            continue
        va = a.value if a else None
        vb = b.value if b else None
        rows.append(
            {
                "id": ind,
                "indicator": ref.name,
                "unit": ref.unit,
                "baseline": va,
                label: vb,
                "change": None if va is None or vb is None else round(vb - va, 4),
                "for health": change_direction(
                    va, vb, unit=ref.unit, higher_is_better=ref.higher_is_better
                ),
                "baseline shown": _shown(a),
                f"{label} shown": _shown(b),
                "reason": "" if a and b else reasons.get(ind, ""),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Comparison:
    """A proposal measured on today's map and with the scheme built.

    Attributes
    ----------
    proposal
        The proposal assessed.
    baseline, with_scheme
        The site's reports in the two worlds (same homes).
    homes
        Home points with per-home values of both worlds (``gp_walk_min_baseline``,
        ``gp_walk_min_with``, ``gp_walk_min_change``, and the greenspace flags), for maps.
    phases
        ``(label, baseline, with scheme)`` for each phase, measured from the homes built by
        the end of it, when the proposal names more than one phase.
    neighbours
        The existing residents around the site in both worlds, or ``None`` when none live
        within :data:`NEIGHBOURS_M` (or the population data are missing).
    notes
        What the comparison assumed (homes, additions, joins), for the methods text.
    """

    proposal: Proposal
    baseline: IndicatorReport
    with_scheme: IndicatorReport
    homes: gpd.GeoDataFrame
    phases: tuple[tuple[str, IndicatorReport, IndicatorReport], ...] = ()
    neighbours: tuple[IndicatorReport, IndicatorReport] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def table(self) -> pd.DataFrame:
        """Return the site's "baseline -> with scheme -> change" table (see :func:`compare_reports`)."""
        return compare_reports(self.baseline, self.with_scheme)

    def neighbours_table(self) -> pd.DataFrame | None:
        """Return the same table for the existing residents around the site, if measured."""
        if self.neighbours is None:
            return None
        table = compare_reports(*self.neighbours)
        # Their GP capacity is the site run's neighbours figure (the new residents compete
        # with them there); measured from their own points it would leave the residents out.
        keep = ~table["id"].isin(_SITE_ONLY)
        rows = [table[keep]]
        site = self._neighbour_capacity()
        if site is not None:
            rows.append(pd.DataFrame([site]))
        return pd.concat(rows, ignore_index=True)

    def _neighbour_capacity(self) -> dict[str, object] | None:
        a, b = self.baseline.get("gp_capacity_2sfca"), self.with_scheme.get("gp_capacity_2sfca")
        # Saved runs from before the figure was people per practice carry no such detail.
        va = a.details.get("neighbours_people_per_practice") if a else None
        vb = b.details.get("neighbours_people_per_practice") if b else None
        if va is None or vb is None:
            return None
        return {
            "id": "gp_capacity_2sfca_neighbours",
            "indicator": "People per GP practice for the existing residents around the site (2SFCA)",
            "unit": "people per practice",
            "baseline": va,
            "with scheme": vb,
            "change": round(vb - va, 4),
            "for health": change_direction(
                va, vb, unit="people per practice", higher_is_better=False
            ),
            "baseline shown": people_per_practice_phrase(va),  # as the site's row reads
            "with scheme shown": people_per_practice_phrase(vb),
            "reason": "",
        }

    def phase_table(self) -> pd.DataFrame | None:
        """Return, for each phase, the change it brings to the homes built by then.

        Returns
        -------
        pandas.DataFrame or None
            ``id``, ``indicator``, ``unit`` and per phase ``<phase>: baseline``,
            ``<phase>: with scheme``, ``<phase>: for health``; ``None`` without phases.
        """
        if not self.phases:
            return None
        table = self.table()[["id", "indicator", "unit"]].copy()
        for label, before, after in self.phases:
            part = compare_reports(before, after)
            table[f"{label}: baseline"] = part["baseline shown"].to_numpy()
            table[f"{label}: with scheme"] = part["with scheme shown"].to_numpy()
            table[f"{label}: for health"] = part["for health"].to_numpy()
        return table


def assess_proposal(
    proposal: Proposal,
    *,
    settings: Settings,
    osm_path: Path | str | None = None,
    feed: Feed | None = None,
    spacing_m: float = DEFAULT_SPACING_M,
    by_phase: bool = True,
    neighbours: bool = True,
    progress: Progress | None = None,
    service_day: dt.date | None = None,
) -> Comparison:
    """Measure every indicator on today's map and with the scheme built.

    Parameters
    ----------
    proposal
        The proposal (:func:`hiap.schemes.proposal.read_proposal`).
    settings
        Data and cache folders.
    osm_path
        The OSM extract; by default the one in the data directory covering the site.
    feed
        A GTFS feed for the bus and public-transport indicators.
    spacing_m
        Spacing of home points in parcels (and over the site without a homes layer).
    by_phase
        Also measure each phase built so far, when the proposal names phases.
    neighbours
        Also measure the existing residents around the site.
    progress
        Called as ``progress(fraction, message)``.
    service_day
        The day public transport is timed on; by default :func:`proposal_service_day` of
        ``feed`` (said in the notes).

    Returns
    -------
    Comparison
        Both worlds' reports, per-home values for maps, phases and neighbours.
    """
    say: Progress = progress or (lambda _f, _m: None)
    scheme = proposal.scheme
    site = scheme.footprint
    day_note: list[str] = []
    if feed is not None and service_day is None:
        try:
            service_day, why = proposal_service_day(feed)
            day_note.append(f"Public transport is timed on {why}")
        except HiapError as exc:  # the public-transport indicators say so
            logger.info("no service day: %s", exc)
    stages = _stages(proposal) if by_phase else ()
    # The extract (chosen by walk-network coverage), the walk network, GP practices, hospitals,
    # population and OSM features: chosen, built or read once for every run of the comparison.
    shared = SharedInputs()
    runs = 2 + 2 * len(stages) + (2 if neighbours else 0)
    done = 0

    def step(label: str) -> Progress:
        start = done / runs

        def inner(fraction: float, message: str) -> None:
            say(start + fraction / runs, f"{label}: {message}")

        return inner

    def measure(world: World, label: str) -> tuple[IndicatorReport, gpd.GeoDataFrame]:
        nonlocal done
        out = assess_at_homes(
            scheme,
            settings=settings,
            feed=feed,
            osm_path=osm_path,
            spacing_m=spacing_m,
            progress=step(label),
            world=world,
            shared=shared,
            service_day=service_day,
        )
        done += 1
        return out

    base_world = baseline_world(proposal, spacing_m=spacing_m)
    with_world = scheme_world(proposal, spacing_m=spacing_m)
    baseline, base_homes = measure(base_world, "Baseline")
    with_scheme, with_homes = measure(with_world, "With the scheme")
    homes = base_homes[["weight", "geometry"]].copy()
    for col in base_homes.columns.drop(["weight", "geometry"]):
        homes[f"{col}_baseline"] = base_homes[col].to_numpy()
        if col in with_homes:
            homes[f"{col}_with"] = with_homes[col].to_numpy()
            if base_homes[col].dtype.kind == "f":
                with np.errstate(invalid="ignore"):  # inf - inf: unreachable in both worlds
                    change = with_homes[col].to_numpy() - base_homes[col].to_numpy()
                homes[f"{col}_change"] = change
    phase_reports = []
    for label, built in stages:
        if built.homes.empty and not proposal.homes.empty:
            continue  # no homes yet: nobody to measure from
        before, _ = measure(baseline_world(built, spacing_m=spacing_m), f"{label} baseline")
        after, _ = measure(scheme_world(built, spacing_m=spacing_m), label)
        phase_reports.append((label, before, after))
    neighbour_reports = None
    notes = [*with_world.notes, *with_scheme.notes[len(with_world.notes) :], *day_note]
    if stages and stages[0][0].startswith("by "):
        notes.append(
            "Phase by phase by year: homes count from their 'year' and facilities from their "
            "'opening_year' (a GP or school counts only once open); features without a year "
            "follow their phase, built once any home of that phase is."
        )
    if neighbours:
        points = _neighbour_points(settings, site)
        if points is None or points.empty:
            notes.append(
                f"No small-area population centroid lies within {NEIGHBOURS_M:g} m of the site: no existing residents to measure."
            )
        else:
            nb_base = World("neighbours baseline", points, 0.0, None)
            nb_with = World(
                "neighbours with scheme", points, 0.0, proposal, with_world.join_within_m
            )
            neighbour_reports = (
                measure(nb_base, "Neighbours")[0],
                measure(nb_with, "Neighbours with the scheme")[0],
            )
            notes.append(
                f"Existing residents: {len(points)} census output areas ({points['population'].sum():,.0f} "
                f"residents) whose centroid lies within {NEIGHBOURS_M:g} m of the site, weighted by population."
            )
    say(1.0, "Done")
    return Comparison(
        proposal=proposal,
        baseline=baseline,
        with_scheme=with_scheme,
        homes=homes,
        phases=tuple(phase_reports),
        neighbours=neighbour_reports,
        notes=tuple(dict.fromkeys(notes)),
    )


PT_STOPS_NEAR_M = 800.0
"""A timetable is used for a proposal when one of its stops lies this close to the site (the
distance at which the public-transport indicators count a feed as serving the site)."""


def proposal_feed(
    proposal: Proposal, *, settings: Settings, paths: Sequence[Path] | None = None
) -> Feed | None:
    """Return the timetable to compare public transport with (and add the bus route to).

    The data directory's GTFS feeds whose stops reach the site come first; where none does,
    its TransXChange bus timetables (Cambridgeshire's, with stops placed by its NaPTAN
    files, as ``hiap buses`` reads them) are used when one of their stops lies within
    :data:`PT_STOPS_NEAR_M` of the site.

    Parameters
    ----------
    proposal
        The proposal (its site chooses the data directory's feeds).
    settings
        Gives the data directory.
    paths
        GTFS zips/folders or TransXChange ``.xml`` files to use instead.

    Returns
    -------
    Feed or None
        The (merged) timetable, or ``None`` when the data directory has none with stops near
        the site (the public-transport indicators then say so).
    """
    from hiap.access.feeds import feed_stops, find_gtfs_feeds
    from hiap.access.network import load_timetables_with_stops
    from hiap.data.registry import DATASETS, find_dataset_files

    if paths:
        return load_timetables_with_stops(settings, [Path(p) for p in paths])
    area = gpd.GeoSeries([proposal.scheme.footprint.buffer(NETWORK_MARGIN_M)], crs=27700)
    try:
        found = find_gtfs_feeds(settings, area=area.to_crs(4326).iloc[0])
    except HiapError as exc:
        logger.info("no GTFS timetable for the proposal: %s", exc)
    else:
        return load_timetables_with_stops(settings, found)
    txc = find_dataset_files(DATASETS["txc"], settings.data_dir)
    if not txc:
        return None
    try:
        feed = load_timetables_with_stops(settings, txc)
    except HiapError as exc:
        logger.info("the TransXChange timetables cannot be used: %s", exc)
        return None
    near = feed_stops(feed).to_crs(27700).dwithin(proposal.scheme.footprint, PT_STOPS_NEAR_M)
    return feed if bool(near.any()) else None


def proposal_service_day(feed: Feed) -> tuple[dt.date, str]:
    """Return the service day public transport is compared on, and why, as ``hiap buses`` does.

    A Tuesday of the feed's normal timetable (:func:`isochrones.gtfs.typical_date`): for the
    Cambridgeshire TransXChange files, Tuesday 31 March 2020 (their first week, 24 March,
    ran the reduced COVID-19 timetable).

    Parameters
    ----------
    feed
        Today's timetable.

    Returns
    -------
    tuple
        The date, and a sentence saying why it was chosen.

    Raises
    ------
    DataError
        When no Tuesday of the feed's first half-year runs a trip.
    """
    from hiap.errors import DataError
    from isochrones.errors import IsochronesError
    from isochrones.gtfs import typical_date

    try:
        return typical_date(feed)
    except IsochronesError as exc:
        raise DataError(f"No service day for public transport: {exc}") from None


def _stages(proposal: Proposal) -> tuple[tuple[str, Proposal], ...]:
    """Return the stages to measure: by year when homes or facilities are dated, else by phase."""
    if len(proposal.years) > 1:
        return tuple((f"by {year}", proposal.upto_year(year)) for year in proposal.years)
    if len(proposal.phases) > 1:
        return tuple((f"to phase {phase}", proposal.upto(phase)) for phase in proposal.phases)
    return ()


def _neighbour_points(settings: Settings, site: shapely.Geometry) -> gpd.GeoDataFrame | None:
    """Output-area centroids within NEIGHBOURS_M of the site but outside it, weighted by people."""
    try:
        areas = load_area_origins(settings, level="oa")
    except HiapError as exc:
        logger.info("no output areas for the neighbours: %s", exc)
        return None
    ring = site.buffer(NEIGHBOURS_M).difference(site)
    near = areas[areas.within(ring) & (areas["population"] > 0)]
    if near.empty:
        return near
    pop = near["population"].to_numpy(float)
    return gpd.GeoDataFrame(
        {"weight": pop / pop.sum(), "population": pop},
        geometry=near.geometry.to_numpy(),
        crs=near.crs,
    )


# Measured for the site as a whole (not from the homes): the same for the neighbours' table.
_SITE_ONLY = (
    "gp_capacity_2sfca",
    "net_dwellings_per_ha",
    "dwellings_per_ha",
    "intersection_density_per_km2",
    "footway_share",
)


def hudu_from_change(table: pd.DataFrame, catalogue: Catalogue) -> tuple[HuduSuggestion, ...]:
    """Suggest each HUDU topic's direction from what the scheme changes.

    A topic's indicators are those of its cross-walked criteria. All measured changes better
    for health: positive; all worse: negative; none large enough to count: neutral; some
    better and some worse: uncertain (the assessor weighs them). The evidence names the
    figures ("walk time to the nearest GP 14.2 min -> 8.1 min, better").

    Parameters
    ----------
    table
        :meth:`Comparison.table` (or :func:`compare_reports`).
    catalogue
        The checklists and the HUDU matrix with its cross-walk.

    Returns
    -------
    tuple of HuduSuggestion
        One per topic with at least one indicator measured in both worlds.
    """
    by_id = table.set_index("id")
    value_col = next(c for c in table.columns if c.endswith(" shown") and c != "baseline shown")
    value_col = value_col.removesuffix(" shown")
    criteria = {c.id: c for checklist in catalogue.checklists for c in checklist.criteria()}
    out = []
    for topic in catalogue.hudu.topics:
        used: dict[str, str] = {}
        crit_ids: list[str] = []
        for cid in topic.crosswalk:
            criterion = criteria.get(cid)
            if criterion is None:
                continue
            # The preferred indicator measured in both worlds, else its fallback (gross density).
            ind = next(
                (
                    r.id for r in criterion.indicator_rules
                    if r.id in by_id.index and by_id.at[r.id, "for health"] != "not measured"
                ),
                None,
            )  # fmt: skip
            if ind is None:
                continue
            crit_ids.append(cid)
            used.setdefault(ind, str(by_id.at[ind, "for health"]))
        if not used:
            continue
        found = set(used.values())
        if found == {"no change"}:
            direction = Direction.NEUTRAL
        elif found <= {"better", "no change"}:
            direction = Direction.POSITIVE
        elif found <= {"worse", "no change"}:
            direction = Direction.NEGATIVE
        else:
            direction = Direction.UNCERTAIN
        figures = "; ".join(
            f"{str(by_id.at[i, 'indicator']).lower()} {by_id.at[i, 'baseline shown']!s} -> "
            f"{by_id.at[i, f'{value_col} shown']!s} ({d})"
            for i, d in used.items()
        )
        out.append(
            HuduSuggestion(
                topic_id=topic.id,
                direction=direction,
                evidence=f"Measured by hiap, today's map -> with the scheme: {figures}.",
                criteria=tuple(crit_ids),
            )
        )
    return tuple(out)


def _shown(result: IndicatorResult | None) -> str:
    """Format a value for the table, with two decimals for small rates (0.11 per 1,000)."""
    if result is None:
        return "-"
    counted = result.unit in ("share", "min") or result.unit.startswith(("count", "categories"))
    if not counted and abs(result.value) < 10:
        return f"{result.value:.2f} {result.unit}"
    return result.formatted()


def comparison_gpkg(comparison: Comparison) -> bytes:
    """Return a GeoPackage of the comparison: the homes, the proposal's layers and the tables.

    Spatial layers go through the project's one GeoPackage writer
    (:func:`hiap.exports.write_geopackage`: EPSG:27700, QGIS styles): ``homes`` (per-home
    values of both worlds, for a difference map) and ``proposal_<layer>`` for each non-empty
    layer. The tables are attribute tables: ``comparison`` (the site's) and ``neighbours``
    (when measured).

    Parameters
    ----------
    comparison
        The result of :func:`assess_proposal`.

    Returns
    -------
    bytes
        The GeoPackage file.
    """
    import tempfile

    import pyogrio

    from hiap.exports import write_geopackage
    from hiap.gdal_safety import guard_gdal
    from hiap.schemes.proposal import LAYERS

    layers: dict[str, gpd.GeoDataFrame] = {"homes": comparison.homes}
    for layer in LAYERS:
        frame = comparison.proposal.layer(layer)
        if not frame.empty:
            layers[f"proposal_{layer}"] = frame
    guard_gdal()
    with tempfile.TemporaryDirectory(prefix="hiap-comparison-") as tmp:
        path = write_geopackage(layers, Path(tmp) / "comparison.gpkg")
        tables = {"comparison": comparison.table(), "neighbours": comparison.neighbours_table()}
        for name, table in tables.items():
            if table is not None:
                numeric = table.astype({"baseline": float, "change": float})
                pyogrio.write_dataframe(numeric, path, layer=name, driver="GPKG")
        return path.read_bytes()
