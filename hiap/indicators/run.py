"""Measure every indicator hiap can for a scheme: :func:`assess_indicators`.

It picks the OSM extract covering the scheme, builds (or loads from cache) the walk network
around it, lays home points on the site, loads GP practices, hospitals and population, and
measures each indicator of :data:`hiap.indicators.results.INDICATOR_IDS` it has data for.
Indicators it cannot measure are listed with the reason and what to do (download a feed,
give the number of dwellings...) instead of failing the whole assessment.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.access.engine import DRIVE_ROADS_LABEL, AccessOptions, AccessResult, measure_access
from hiap.access.feeds import feed_stops
from hiap.access.network import (
    MIN_WALKWAY_SHARE,
    DirectResources,
    choose_extract,
    walkway_share,
)
from hiap.attribution import OGL, OSM
from hiap.checklists import load_indicators
from hiap.checklists.models import IndicatorDirection
from hiap.data.gp_lists import add_list_sizes, load_gp_list_sizes
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.osm import find_osm_extract
from hiap.data.population import load_area_origins
from hiap.errors import HiapError, SchemeError
from hiap.indicators import capacity, food, greenspace, neighbourhood, play
from hiap.indicators.homes import (
    Homes,
    snap_destinations,
    weighted_quantile,
    weighted_share,
)
from hiap.indicators.osm_features import OsmFeatures, extract_osm_features
from hiap.indicators.results import (
    INDICATOR_IDS,
    IndicatorReport,
    IndicatorResult,
    UnavailableIndicator,
)
from hiap.indicators.walkgraph import WalkGraph, minutes_to_metres
from hiap.indicators.with_scheme import World
from hiap.schemes.models import Scheme
from hiap.schemes.points import DEFAULT_SPACING_M, scheme_points
from hiap.settings import Settings
from isochrones.errors import IsochronesError
from isochrones.gtfs import Feed
from isochrones.network import WalkNetwork, build_walk_graph
from isochrones.transit import DEFAULT_WINDOW, FallbackWalk

WALK_CONVENTION = (
    "homes and destinations joined to the nearest street edge (the straight line to the "
    "street and the walk along it to either end counted), as in `hiap access walk`"
)
"""How the walk indicators attach points to the network, for their method sentences."""

__all__ = [
    "GP_CATCHMENT_MIN",
    "NETWORK_MARGIN_M",
    "Progress",
    "SharedInputs",
    "assess_at_homes",
    "assess_indicators",
    "find_osm_extract",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

Progress = Callable[[float, str], None]
"""Called with the fraction done (0-1) and what is being done."""

NETWORK_MARGIN_M = 3000.0
"""Walk network kept around the site: a 30-minute walk (2.4 km) plus room for detours."""

FACILITY_REACH_M = NETWORK_MARGIN_M + 5000.0
"""GP practices and hospitals are loaded this far around the site (and counted this far by
public transport under the straight-line fallback)."""

GP_CATCHMENT_MIN = 30.0
"""Walk catchment of the 2SFCA (the DfT JTS 30-minute band)."""

NEIGHBOURS_M = 1000.0
"""Existing residents whose small-area centroid lies this close to the site's homes are its
neighbours (GP capacity around the site)."""

NO_FEED = (
    "No timetable (a GTFS feed, or TransXChange files with NaPTAN stops) has a stop near this "
    "area. Download the bus timetables for the area (hiap data download gtfs) or pass a feed."
)

_NAMES: dict[str, tuple[str, str, bool]] = {
    "gp_walk_min": ("Walk time to the nearest GP surgery", "min", False),
    "hospital_walk_min": ("Walk time to the nearest hospital", "min", False),
    "gp_pt_min": ("Public transport time to the nearest GP surgery", "min", False),
    "hospital_pt_min": ("Public transport time to the nearest hospital", "min", False),
    "gp_count_15min_walk": ("GP surgeries within a 15 minute walk", "count", True),
    "gp_count_30min_walk": ("GP surgeries within a 30 minute walk", "count", True),
    "angst_2ha_300m_share": ("Homes within 300 m of 2 ha greenspace (ANGSt)", "share", True),
    "angst_20ha_2km_share": ("Homes within 2 km of 20 ha greenspace (ANGSt)", "share", True),
    "gi_doorstep_05ha_200m_share": ("Homes within 200 m of 0.5 ha doorstep greenspace", "share", True),
    "gi_local_2ha_300m_share": ("Homes within 300 m of 2 ha local greenspace", "share", True),
    "gi_neighbourhood_10ha_1km_share": ("Homes within 1 km of 10 ha neighbourhood greenspace", "share", True),
    "net_dwellings_per_ha": ("Residential density (net, housing parcels)", "dwellings/ha", True),
    "dwellings_per_ha": ("Residential density (gross, whole site)", "dwellings/ha", True),
    "everyday_destinations_800m": ("Everyday destination types within 800 m", "count", True),
    "intersection_density_per_km2": ("Street intersection density", "per km²", True),
    "footway_share": ("Streets with a footway or path", "share", True),
    "bus_stop_400m_share": ("Homes within 400 m of a bus stop", "share", True),
    "bus_frequency_per_hour": ("Buses per hour at the nearest stop", "buses/hour", True),
    "takeaways_400m_schools": ("Hot food takeaways within 400 m of schools", "count", False),
    "fast_food_to_healthy_ratio": ("Fast food outlets per healthy food outlet", "ratio", False),
    "playground_400m_share": ("Homes within 400 m of a playground", "share", True),
    "sports_800m_share": ("Homes within 800 m of sports facilities", "share", True),
    "gp_capacity_2sfca": ("People per GP practice within a 30-minute walk (2SFCA)", "people per practice", False),
}


class SharedInputs:
    """Inputs read once and shared by several runs on the same site (baseline, with scheme...).

    The GP practices, hospitals, population and OSM features a run reads depend only on the
    site and the data directory, so a comparison of several worlds reads them once. A loader
    that fails fails the same way for every run (its error is kept and raised again). Make one
    per comparison; never share one between sites or settings.
    """

    def __init__(self) -> None:
        self._values: dict[str, object] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        """Return the value stored under ``key``, loading it (or its HiapError) the first time."""
        if key not in self._values:
            try:
                self._values[key] = load()
            except HiapError as exc:
                self._values[key] = exc
        value = self._values[key]
        if isinstance(value, HiapError):
            raise value
        return value  # type: ignore[return-value]


@dataclass
class _Run:
    scheme: Scheme
    settings: Settings
    site: BaseGeometry
    world: World | None = None
    shared: SharedInputs = field(default_factory=SharedInputs)
    osm_path: Path | None = None
    spacing_m: float = DEFAULT_SPACING_M
    accept_drive_roads: bool = False
    drive_note: str = ""
    names: dict[str, tuple[str, str, bool]] = field(default_factory=lambda: dict(_NAMES))
    results: dict[str, IndicatorResult] = field(default_factory=dict)
    home_values: dict[str, np.ndarray] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def add(
        self,
        indicator_id: str,
        value: float,
        *,
        method: str,
        source: str,
        buffer_m: float | None = None,
        notes: tuple[str, ...] | list[str] = (),
        details: dict[str, float] | None = None,
    ) -> None:
        name, unit, higher = self.names[indicator_id]
        if not np.isfinite(value):
            self.skip(indicator_id, "None was reachable within the area the data covers. " + " ".join(notes))
            return
        self.results[indicator_id] = IndicatorResult(
            id=indicator_id, name=name, value=round(float(value), 4), unit=unit,
            higher_is_better=higher, method=method, source=source, buffer_m=buffer_m,
            notes=tuple(n for n in (*notes, self.drive_note if indicator_id != "dwellings_per_ha" else "") if n),
            details={k: round(float(v), 4) for k, v in (details or {}).items() if np.isfinite(v)},
        )

    def skip(self, indicator_id: str, reason: str) -> None:
        self.unavailable.setdefault(indicator_id, reason.strip())


def _graph_of(network: object) -> WalkGraph:
    if isinstance(network, WalkGraph):
        return network
    if isinstance(network, WalkNetwork):
        return WalkGraph.from_network(network)
    if isinstance(network, nx.MultiDiGraph):
        return WalkGraph.from_graph(network)
    raise TypeError(
        f"network must be a WalkGraph, WalkNetwork or projected MultiDiGraph, got {type(network).__name__}"
    )


def assess_indicators(
    scheme: Scheme,
    *,
    settings: Settings,
    network: WalkGraph | WalkNetwork | nx.MultiDiGraph | None = None,
    feed: Feed | None = None,
    osm_path: Path | str | None = None,
    spacing_m: float = DEFAULT_SPACING_M,
    progress: Progress | None = None,
    world: World | None = None,
    accept_drive_roads: bool = False,
) -> IndicatorReport:
    """Measure every indicator the data allows for a scheme.

    Parameters
    ----------
    scheme
        A housing or mixed scheme with a site boundary (EPSG:27700).
    settings
        Data and cache folders.
    network
        The walk network to use (a :class:`WalkGraph`, the routing core's
        :class:`~isochrones.network.WalkNetwork`, or a projected graph); by default it is
        built from ``osm_path`` around the site and cached.
    feed
        A GTFS feed for the bus indicators and public-transport times; without one those
        indicators are listed as unavailable.
    osm_path
        The OSM extract for destinations and greenspace (and the network); by default the one
        in the data directory that covers the site.
    spacing_m
        Spacing of the grid of home points laid on the site.
    progress
        Called as ``progress(fraction, message)`` as the work proceeds.
    world
        What to measure besides today's map (:mod:`hiap.indicators.with_scheme`): the homes
        of a proposal and, with the scheme, its paths (added to a copy of ``network``),
        facilities, greenspace, stops and new residents. By default a grid of homes over the
        site and the scheme's dwellings as new residents.

    Returns
    -------
    IndicatorReport
        Measured indicators in catalogue order, and the ones not measured with the reason.

    Raises
    ------
    SchemeError
        When the scheme has no site boundary.
    """
    report, _ = assess_at_homes(
        scheme, settings=settings, network=network, feed=feed, osm_path=osm_path,
        spacing_m=spacing_m, progress=progress, world=world,
        accept_drive_roads=accept_drive_roads,
    )
    return report


def assess_at_homes(
    scheme: Scheme,
    *,
    settings: Settings,
    network: WalkGraph | WalkNetwork | nx.MultiDiGraph | None = None,
    feed: Feed | None = None,
    osm_path: Path | str | None = None,
    spacing_m: float = DEFAULT_SPACING_M,
    progress: Progress | None = None,
    world: World | None = None,
    shared: SharedInputs | None = None,
    accept_drive_roads: bool = False,
    service_day: dt.date | None = None,
) -> tuple[IndicatorReport, gpd.GeoDataFrame]:
    """Measure the indicators as :func:`assess_indicators` does, and keep each home's values.

    Parameters are those of :func:`assess_indicators`, ``shared``: inputs read once for
    several runs on the same site (:class:`SharedInputs`), and ``service_day``: the day
    public transport is timed on (default: the feed's busiest weekday,
    :func:`hiap.indicators.neighbourhood.weekday_service_date`).

    Returns
    -------
    tuple
        The report, and the home points (EPSG:27700) with ``weight`` and, where measured,
        ``gp_walk_min``, ``hospital_walk_min`` and one ``..._within`` flag per greenspace
        standard (for maps of what a scheme changes).
    """
    say: Progress = progress or (lambda _f, _m: None)
    if scheme.boundary is None or scheme.boundary.empty:
        raise SchemeError(
            "Indicators are measured from homes on a site: this scheme has no boundary. "
            "Draw or upload the site boundary (a polygon).",
            source=scheme.source_name or None,
        )
    site = shapely.union_all(scheme.boundary.geometry.to_numpy())
    run = _Run(scheme, settings, site, world, shared or SharedInputs(), spacing_m=spacing_m,
               accept_drive_roads=accept_drive_roads, names=_catalogue_names())
    notes: list[str] = list(world.notes) if world is not None else []
    start = time.perf_counter()

    say(0.05, "Reading OpenStreetMap features")
    # One extract and one walk network per site: runs sharing inputs (a comparison's worlds,
    # phases and neighbours) choose and build them once.
    path = (
        Path(osm_path)
        if osm_path is not None
        else run.shared.get("extract", lambda: _best_extract(settings, site))
    )
    run.osm_path = path
    features: OsmFeatures | None = None
    if path is None:
        reason = (
            "No OpenStreetMap extract in the data directory covers this site. Put an .osm.pbf "
            "of the area in the data directory's osm/ folder (hiap data download osm)."
        )
        if settings.fallback_walk:
            reason += (
                " The straight-line walking fallback (on) measures only the walks to GP "
                "practices and hospitals, whose lists come from the NHS, not OSM, and public "
                "transport to them when a timetable serves the site."
            )
        for ind in INDICATOR_IDS:
            if ind not in ("dwellings_per_ha",):
                run.skip(ind, reason)
    else:
        features = run.shared.get("features", lambda: extract_osm_features(path, settings=settings))
        run.sources.append(features.source)
        if world is not None:
            features = world.features(features)

    graph: WalkGraph | None = None
    if network is not None:
        graph = _graph_of(network)
    elif path is not None:
        say(0.15, "Building the walk network")
        try:
            g, graph = run.shared.get(f"walk_graph:{path}", lambda: _walk_graph(path, site, settings))
        except IsochronesError as exc:
            for ind in INDICATOR_IDS:
                run.skip(ind, f"The walk network could not be built: {exc}")
        else:
            if walkway_share(g) < MIN_WALKWAY_SHARE and accept_drive_roads:
                run.drive_note = DRIVE_ROADS_LABEL
            elif walkway_share(g) < MIN_WALKWAY_SHARE:
                reason = (
                    f"{path.name} holds drive roads only (no footways, paths or other "
                    "walkways), so walks would follow carriageways. Use an extract with "
                    "footways (hiap data download osm), or accept drive roads as an "
                    "approximation (--accept-drive-roads; every walk indicator is then labelled)."
                )
                for ind in INDICATOR_IDS:
                    if ind != "dwellings_per_ha":
                        run.skip(ind, reason)
                graph = None
    if graph is not None and world is not None:
        edited, edit = world.network(graph.network)
        if edit is not None:
            # Baseline junctions as they were; new ones where the designer drew them (joins
            # of the split path's extra vertices are for routing, not junctions).
            graph = WalkGraph(edited, np.concatenate([graph.street_count, edit.street_count]))
            notes.append(edit.rule)

    # The service day is today's timetable's, so a proposed route (whose calendar runs every
    # day) cannot move the comparison to another day.
    if feed is not None:
        if service_day is None:
            try:
                service_day = neighbourhood.weekday_service_date(feed)
            except HiapError as exc:  # reported by the bus indicators
                logger.info("no weekday service in %s: %s", feed.source, exc)
        if world is not None:
            feed, timetable_notes = world.timetable(feed)
            notes.extend(timetable_notes)

    points = world.homes if world is not None else scheme_points(scheme.boundary, spacing_m=spacing_m)
    _density(run)
    if graph is not None and features is not None:
        homes = Homes.snap(graph, points)
        far = float(np.median(homes.offset_m))
        if far > 500:
            reason = (
                f"The site is {far:.0f} m from the nearest street of the walk network; the OSM "
                "extract does not cover it. Use an extract of the area around the site."
            )
            for ind in INDICATOR_IDS:
                if ind != "dwellings_per_ha":
                    run.skip(ind, reason)
        else:
            edge_note = _edge_note(site, features)
            say(0.3, "Walk access to GPs and hospitals")
            facilities, loaded = _health(run, graph, homes.points, edge_note)
            say(0.5, "Greenspace")
            _greenspace(run, graph, homes, features, edge_note)
            say(0.6, "Neighbourhood and streets")
            _neighbourhood(run, graph, homes, features, facilities.get("gp"), edge_note)
            say(0.7, "Food and play")
            _food_and_play(run, graph, homes, features, edge_note)
            say(0.8, "Buses")
            _buses(run, graph, homes, feed, service_day if world is not None else None)
            say(0.9, "GP capacity")
            wide = _capacity_graph(run, graph) if network is None else graph
            _capacity(run, wide, homes if wide is graph else Homes.snap(wide, homes.points),
                      facilities.get("gp"), edge_note)
            say(0.95, "Public transport")
            _public_transport(run, graph, homes.points, feed, loaded, service_day)
    elif path is None and settings.fallback_walk:
        # Asked for, and no extract covers the site: the labelled straight-line walk to the
        # NHS-listed GPs and hospitals, through the one access engine. Nothing from OSM.
        say(0.3, "Walk access to GPs and hospitals (straight-line fallback)")
        walk = FallbackWalk()
        notes.append(
            "No OpenStreetMap walk network covers the site: walks to GP practices and hospitals "
            f"are the straight line x {walk.circuity:g} at {walk.speed_kph:g} km/h (the labelled "
            "walking fallback), which cannot see rivers, railways or missing crossings, nor any "
            "new path."
        )
        if world is not None and world.proposal is not None and not world.proposal.paths.empty:
            notes.append(
                "The proposal's paths are not used: with the straight-line fallback there is no "
                "network to add them to, so they cannot shorten any walk."
            )
        for ind in ("gp_walk_min", "hospital_walk_min", "gp_count_15min_walk",
                    "gp_count_30min_walk", "gp_pt_min", "hospital_pt_min"):
            run.unavailable.pop(ind, None)  # measured now, or skipped with the engine's reason
        _, loaded = _health(run, None, points, lambda _m: "")
        say(0.6, "Public transport (straight-line fallback walks to and from stops)")
        _public_transport(run, None, points, feed, loaded, service_day)
    for ind in INDICATOR_IDS:
        if ind not in run.results:
            run.skip(ind, "Not measured.")
    say(1.0, "Done")
    logger.info("indicators for %s in %.2f s", scheme.name, time.perf_counter() - start)
    results = tuple(run.results[i] for i in INDICATOR_IDS if i in run.results)
    missing = tuple(
        UnavailableIndicator(id=i, name=run.names[i][0], reason=run.unavailable[i])
        for i in INDICATOR_IDS
        if i not in run.results
    )
    report = IndicatorReport(
        scheme_name=scheme.name,
        results=results,
        unavailable=missing,
        sources=tuple(dict.fromkeys(run.sources)),
        points=len(points),
        notes=tuple(notes),
    )
    homes_frame = points[["weight", "geometry"]].copy()
    for key, values in run.home_values.items():
        if len(values) == len(homes_frame):
            homes_frame[key] = values
    return report, homes_frame


def _walk_graph(
    path: Path, site: BaseGeometry, settings: Settings
) -> tuple[nx.MultiDiGraph, WalkGraph]:
    """Build (or load from the cache) the walk network around a site."""
    g = build_walk_graph(path, area=site, margin_m=NETWORK_MARGIN_M, cache_dir=settings.cache_dir)
    return g, WalkGraph.from_graph(g)


def _best_extract(settings: Settings, site: BaseGeometry) -> Path | None:
    """Return the extract whose walk network covers most of the site (None when none does)."""
    try:
        return choose_extract(
            settings, site, resources=DirectResources(settings), margin_m=NETWORK_MARGIN_M
        ).path
    except HiapError as exc:
        logger.info("no OSM extract for the site: %s", exc)
        return None


def _catalogue_names() -> dict[str, tuple[str, str, bool]]:
    """Return names, units and directions from ``checklists/indicators.yaml``.

    So the checklists and the measurements speak alike; the built-in ones are used where the
    catalogue cannot be read.
    """
    names = dict(_NAMES)
    try:
        catalogue = load_indicators()
    except HiapError as exc:
        logger.warning("indicator catalogue not read, using built-in names: %s", exc)
        return names
    for ind in catalogue.indicators:
        if ind.id in names and ind.id != "dwellings_per_ha":  # we measure gross, not net
            higher = ind.direction == IndicatorDirection.HIGHER_IS_BETTER
            names[ind.id] = (ind.name, ind.unit, higher)
    return names


def _edge_note(site: BaseGeometry, features: OsmFeatures) -> Callable[[float], str]:
    extent = shapely.box(*features.bounds)

    def note(buffer_m: float) -> str:
        if extent.contains(site.buffer(buffer_m)):
            return ""
        return (
            f"The {buffer_m:.0f} m search area around the site reaches past the edge of the OSM "
            "extract; anything beyond it is missed, so this may understate access."
        )

    return note


def _density(run: _Run) -> None:
    parcels = run.world.parcels if run.world is not None else None
    net = neighbourhood.net_density(parcels)
    if net is not None:
        run.add(
            "net_dwellings_per_ha", net.dwellings_per_ha,
            method=(
                f"{net.dwellings:,} dwellings on {net.parcels} housing parcels divided by the "
                f"parcels' area of {net.area_ha:.1f} ha."
            ),
            source="The proposal's homes layer (parcels with their dwellings).",
            notes=("Net density: the housing parcels only; HNT.4.1 uses its net thresholds.",),
        )  # fmt: skip
    else:
        run.skip(
            "net_dwellings_per_ha",
            "No housing-parcel layer (a proposal's homes layer of polygons with dwellings): "
            "HNT.4.1 is suggested from the gross density, with the gross thresholds.",
        )
    dph = run.scheme.density_dph
    if dph is None:
        run.skip(
            "dwellings_per_ha",
            "The scheme does not say how many dwellings it has; add 'dwellings' to its details.",
        )
        return
    run.add(
        "dwellings_per_ha", dph,
        method=(
            f"{run.scheme.metadata.dwellings:,} dwellings divided by the site area of "
            f"{run.scheme.area_ha:.1f} ha."
        ),
        source=f"Scheme details ({run.scheme.metadata.source or run.scheme.source_name or 'as entered'}).",
        notes=(
            "Gross density: the whole site area, including roads and open space, not the net "
            "residential area"
            + ("." if net is not None else "; HNT.4.1 uses its gross thresholds (no parcels)."),
        ),
    )  # fmt: skip


def _access(
    run: _Run, graph: WalkGraph | None, points: gpd.GeoDataFrame, kind: str,
    destinations: gpd.GeoDataFrame, *,
    feed: Feed | None = None, day: dt.date | None = None,
) -> AccessResult:
    """Time the homes to the nearest of ``destinations`` with the one access engine.

    Public transport under the straight-line fallback (no network to build) counts the
    destinations loaded as far as :data:`FACILITY_REACH_M`: a bus reaches beyond the walk.
    """
    buffer_m = FACILITY_REACH_M if graph is None and feed is not None else NETWORK_MARGIN_M
    options = AccessOptions(
        mode="transit" if feed is not None else "walk", to=kind,
        buffer_km=buffer_m / 1000.0, level="none",
        new_residents=float(run.scheme.new_residents or 0.0), home_spacing_m=run.spacing_m,
        draw_isochrones=False, date=day, window=DEFAULT_WINDOW, step_min=2.0,
        accept_drive_roads=run.accept_drive_roads, max_snap_m=run.settings.origin_max_snap_m,
        fallback=FallbackWalk() if graph is None else None,
    )
    return measure_access(
        run.settings, options, scheme=run.scheme.boundary, home_points=points,
        osm_path=run.osm_path, network=graph.network if graph is not None else None, feed=feed,
        destinations=destinations,
    )


def _per_home(
    result: AccessResult, column: str, points: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Return a run's values at every scheme home point and the weights of those it timed.

    The engine leaves out home points off every walkable street (listed in
    ``result.excluded``); they get NaN and weight 0, so they count in no median or share.
    """
    assert result.homes is not None  # the engine timed the homes
    at = result.homes["home"].to_numpy(dtype=np.int64)
    values = np.full(len(points), np.nan)
    values[at] = result.homes[column].to_numpy(dtype=float)
    weight = np.zeros(len(points))
    weight[at] = points["weight"].to_numpy(dtype=float)[at]
    return values, weight


def _health(
    run: _Run, graph: WalkGraph | None, points: gpd.GeoDataFrame, edge: Callable[[float], str]
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, gpd.GeoDataFrame]]:
    """Walk times to GPs and hospitals; ``graph`` None walks by the labelled straight-line fallback.

    Returns the places the walk reached (for the walk-based indicators) and every place loaded
    (for public transport, which reaches beyond the walk network).
    """
    found: dict[str, gpd.GeoDataFrame] = {}
    loaded: dict[str, gpd.GeoDataFrame] = {}
    reach_m = FACILITY_REACH_M
    for kind, loader in (("gp", load_gp_practices), ("hospital", load_hospitals)):
        label = "GP practice" if kind == "gp" else "hospital"
        try:
            fac = run.shared.get(kind, lambda: loader(run.settings, area=run.site, buffer_m=reach_m))  # noqa: B023
            if kind == "gp" and run.world is not None:
                fac = run.world.gps(fac)
            # why: loaded is not walkable: a hospital beyond the walk network is still a bus
            # ride away, so public transport gets the places even when the walk finds none
            loaded[kind] = fac
            result = _access(run, graph, points, label, fac)
        except HiapError as exc:
            run.skip(f"{kind}_walk_min", str(exc))
            if kind == "gp":
                for ind in ("gp_count_15min_walk", "gp_count_30min_walk", "gp_capacity_2sfca"):
                    run.skip(ind, str(exc))
            continue
        notes: list[str] = list(result.warnings)
        if graph is not None:
            how, convention, network_source = (
                "along the OSM street and path network", WALK_CONVENTION, run.sources[0]
            )
        else:
            how = f"along the straight line x {FallbackWalk().circuity:g} (no walk network: the labelled fallback)"
            convention = "a straight line cannot see rivers, railways or missing crossings"
            network_source = "no OSM walk network"
        on_network = "on the OSM network" if graph is not None else "by the straight-line fallback"
        found[kind] = fac
        src = _facility_source(fac, kind)
        run.sources.append(src)
        minutes, weight = _per_home(result, "walk_min", points)
        run.home_values[f"{kind}_walk_min"] = minutes
        median = weighted_quantile(minutes, weight, 0.5)
        p90 = weighted_quantile(minutes, weight, 0.9)
        extra: dict[str, float] = {}
        if kind == "hospital" and fac.attrs.get("hospital_classes"):
            # "hospital" means the classes asked for (default: acute with a type 1 A&E), from
            # hiap's sourced classification; community, mental health and private hospitals
            # are not counted unless picked
            from hiap.data.hospitals import HOSPITAL_CLASSES

            kinds = "; ".join(HOSPITAL_CLASSES[c] for c in fac.attrs["hospital_classes"])
            extra = {"hospitals_counted": float(len(fac))}
            notes.append(
                f"Hospitals counted: {kinds} ({len(fac)} within reach), as classified in hiap's "
                "hospital_classes.csv (type 1 A&E per NHS England A&E statistics)."
            )
        if not np.isfinite(median):
            run.skip(
                f"{kind}_walk_min",
                f"No {label} is within reach of most of the site's homes on the walk network built "
                f"around it (the OSM extract, up to {NETWORK_MARGIN_M / 1000:.0f} km beyond the "
                "site). Use an OSM extract that covers the surrounding area.",
            )
        notes.append(edge(minutes_to_metres(median if np.isfinite(median) else 60.0)))
        off = int((result.excluded["kind"] == "destination").sum()) if len(result.excluded) else 0
        if off:
            notes.append(
                f"{off} {label}s within {NETWORK_MARGIN_M / 1000:.0f} km lie off the walk "
                "network built for this site and were not routed to."
            )
        run.add(
            f"{kind}_walk_min", median,
            method=(
                f"Median over {len(points)} home points on the site of the walk time at 4.8 km/h "
                f"{how} to the nearest {label}"
                f"{' (acute with a type 1 A&E unless other classes are picked)' if kind == 'hospital' else ''}, "
                f"{convention}."
            ),
            source=f"{src}; {network_source}",
            notes=notes,
            details={
                "p90_min": p90,
                "share_within_15_min": weighted_share(minutes <= 15, weight),
                "share_within_30_min": weighted_share(minutes <= 30, weight),
                **extra,
            },
        )
        if kind == "gp":
            for cutoff in (15, 30):
                counts = _per_home(result, f"reachable_{cutoff}min", points)[0]
                run.add(
                    f"gp_count_{cutoff}min_walk",
                    weighted_quantile(counts, weight, 0.5),
                    method=(
                        f"Number of open GP practices within a {cutoff} minute walk (4.8 km/h "
                        f"{on_network}) of the median home point of the site, {convention}."
                    ),
                    source=f"{src}; {network_source}",
                    notes=[edge(minutes_to_metres(cutoff))],
                    details={"max": float(np.nanmax(counts)), "min": float(np.nanmin(counts))},
                )
    return found, loaded


def _facility_source(fac: gpd.GeoDataFrame, kind: str) -> str:
    files = ", ".join(fac.attrs.get("files", [])) or "data directory"
    if fac.attrs.get("source") == "osm":  # the loaders' fallback when the NHS files are absent
        tags = " / ".join(fac.attrs.get("osm_tags", []))
        return f"OpenStreetMap {tags} ({files}; {OSM})"
    if kind == "gp":
        return f"NHS ODS epraccur GP practices ({files}; {OGL})"
    return f"NHS.UK hospital list ({files}; {OGL})"


def _greenspace(
    run: _Run, graph: WalkGraph, homes: Homes, features: OsmFeatures, edge: Callable[[float], str]
) -> None:
    distances = greenspace.greenspace_distances(graph, homes, features.greenspace)
    shares = {}
    for std in greenspace.GREENSPACE_STANDARDS:
        run.home_values[f"{std.id.removesuffix('_share')}_within"] = distances[std.id] <= std.within_m
        shares[std.id] = weighted_share(distances[std.id] <= std.within_m, homes.weight)
    for std in greenspace.GREENSPACE_STANDARDS:
        how = "along the walk network" if std.along_network else "in a straight line"
        run.add(
            std.id, shares[std.id],
            method=(
                f"Share of the site's home points within {std.within_m:.0f} m ({how}) of an "
                f"accessible greenspace site of at least {std.min_area_ha:g} ha mapped in OSM "
                "(parks, gardens, nature reserves, commons, recreation grounds, village greens, "
                "open-access woods; touching areas merged)."
            ),
            source=f"{std.standard}; {features.source}",
            buffer_m=std.within_m,
            notes=[
                edge(std.within_m),
                "OSM does not record how natural a park feels or where its gates are: sites are "
                "entered at the street nodes on or next to their edge.",
            ],
        )


def _neighbourhood(
    run: _Run,
    graph: WalkGraph,
    homes: Homes,
    features: OsmFeatures,
    gps: gpd.GeoDataFrame | None,
    edge: Callable[[float], str],
) -> None:
    pois = features
    dests = {
        "food_shop": snap_destinations(graph, pois.of("supermarket", "convenience", "greengrocer").geometry),
        "primary_school": snap_destinations(graph, pois.of("school").query("primary").geometry),
        "pharmacy": snap_destinations(graph, pois.of("pharmacy").geometry),
        "gp": snap_destinations(graph, (gps if gps is not None and not gps.empty else pois.of("gp")).geometry),
        "bus_stop": snap_destinations(graph, pois.of("bus_stop").geometry),
        "park": greenspace.greenspace_entries(graph, features.greenspace),
    }
    counts, shares = neighbourhood.everyday_destinations(graph, homes, dests)
    run.add(
        "everyday_destinations_800m", weighted_quantile(counts.astype(float), homes.weight, 0.5),
        method=(
            "Number of the six everyday destination types (food shop, primary school, pharmacy, "
            "GP, bus stop, park) with one within an 800 m walk of the median home point."
        ),
        source=f"{features.source}; GP practices from NHS ODS ({OGL})",
        buffer_m=800.0,
        notes=[
            edge(800.0),
            "Primary schools are those OSM marks with isced:level=1 or whose name says primary, "
            "infant or junior; unnamed schools are not counted.",
        ],
        details={f"share_{k}": v for k, v in shares.items()},
    )
    area = run.site.buffer(400.0)
    density, n_junctions = neighbourhood.intersection_density(graph, area)
    run.add(
        "intersection_density_per_km2", density,
        method=(
            "Junctions of three or more walkable streets or paths (OSMnx street_count) per km² "
            "of the site and a 400 m buffer around it."
        ),
        source=features.source,
        buffer_m=400.0,
        notes=[edge(400.0)],
        details={"junctions": float(n_junctions), "area_km2": area.area / 1e6},
    )
    share, km = neighbourhood.footway_share(features.streets, run.site.buffer(100.0))
    if km == 0:
        run.skip("footway_share", "OSM shows no streets for motor traffic in or next to the site.")
    else:
        run.add(
            "footway_share", share,
            method=(
                "Share of the length of streets for motor traffic in the site (and 100 m around "
                "it) that OSM shows with a footway or cycleway, tagged on the street or drawn as "
                "a separate path within 12 m alongside."
            ),
            source=features.source,
            buffer_m=100.0,
            notes=["Where OSM has not mapped pavements, this understates them."],
            details={"street_km": km},
        )
    near_stop = neighbourhood.stops_within(graph, homes, dests["bus_stop"])
    run.home_values["bus_stop_400m_within"] = near_stop
    run.home_values["everyday_destinations_800m"] = counts.astype(float)
    run.add(
        "bus_stop_400m_share", weighted_share(near_stop, homes.weight),
        method="Share of the site's home points within a 400 m walk of a bus stop mapped in OSM.",
        source=f"CIHT, Buses in Urban Developments (2018); {features.source}",
        buffer_m=400.0,
        notes=[edge(400.0), "OSM does not say whether a stop is still served; a GTFS feed does."],
    )


def _food_and_play(
    run: _Run, graph: WalkGraph, homes: Homes, features: OsmFeatures, edge: Callable[[float], str]
) -> None:
    schools = features.of("school")
    takeaways = features.of("fast_food")
    n_take, n_schools = food.takeaways_near_schools(graph, homes, schools, takeaways)
    run.add(
        "takeaways_400m_schools", float(n_take),
        method=(
            "Hot food takeaways (OSM amenity=fast_food) within a 400 m walk of the schools "
            "within an 800 m walk of the site's homes."
        ),
        source=f"PHE, Using the planning system to promote healthy weight environments (2020); {features.source}",
        buffer_m=1200.0,
        notes=[edge(1200.0), "" if n_schools else "No school is within an 800 m walk of the site."],
        details={"schools": float(n_schools)},
    )
    ratio, ff, good = food.fast_food_ratio(
        graph, homes, takeaways, features.of("supermarket", "greengrocer", "market")
    )
    run.add(
        "fast_food_to_healthy_ratio", weighted_quantile(ratio, homes.weight, 0.5),
        method=(
            "Median over the site's home points of fast-food outlets divided by (supermarkets + "
            "greengrocers + markets + 1) within an 800 m walk."
        ),
        source=features.source,
        buffer_m=800.0,
        notes=[edge(800.0)],
        details={"median_fast_food": weighted_quantile(ff.astype(float), homes.weight, 0.5),
                 "median_healthy": weighted_quantile(good.astype(float), homes.weight, 0.5)},
    )
    playground = play.homes_within_walk(graph, homes, features.of("playground"), within_m=400.0)
    sports = play.homes_within_walk(graph, homes, features.of("sports"), within_m=800.0)
    run.home_values["playground_400m_within"] = playground
    run.home_values["sports_800m_within"] = sports
    run.add(
        "playground_400m_share",
        weighted_share(playground, homes.weight),
        method="Share of the site's home points within a 400 m walk of a playground mapped in OSM.",
        source=f"Fields in Trust, Guidance for Outdoor Sport and Play (2015); {features.source}",
        buffer_m=400.0,
        notes=[edge(400.0)],
    )
    run.add(
        "sports_800m_share",
        weighted_share(sports, homes.weight),
        method=(
            "Share of the site's home points within an 800 m walk of a pitch, sports centre, "
            "fitness centre, track or swimming pool mapped in OSM (not private)."
        ),
        source=f"Sport England, Active Design (2023); {features.source}",
        buffer_m=800.0,
        notes=[edge(800.0)],
    )


def _buses(
    run: _Run, graph: WalkGraph, homes: Homes, feed: Feed | None, day: dt.date | None = None
) -> None:
    if feed is None:
        run.skip("bus_frequency_per_hour", NO_FEED)
        return
    try:
        service = neighbourhood.bus_departures_per_hour(feed, graph, homes, date=day)
    except HiapError as exc:  # a feed without weekday services
        run.skip("bus_frequency_per_hour", str(exc))
        return
    if service is None:
        run.skip("bus_frequency_per_hour", f"No stop of the feed {feed.source} lies within a 400 m walk of the site. " + NO_FEED)
        return
    run.sources.append(f"GTFS feed {feed.source}")
    run.add(
        "bus_frequency_per_hour", weighted_quantile(service.per_hour, homes.weight, 0.5),
        method=(
            f"Departures per hour ({service.window[0]:02d}:00-{service.window[1]:02d}:00 on "
            f"{service.date:%a %d %b %Y}), all routes, at the busiest stop within a 400 m walk, "
            "median over the site's home points."
        ),
        source=f"GTFS feed {feed.source}",
        buffer_m=400.0,
        details={"stops": float(service.stops)},
    )


def _public_transport(
    run: _Run,
    graph: WalkGraph | None,
    points: gpd.GeoDataFrame,
    feed: Feed | None,
    facilities: dict[str, gpd.GeoDataFrame],
    service_day: dt.date | None = None,
) -> None:
    """Time public transport door to door to GPs and hospitals.

    With ``graph`` None the walks to and from stops are the labelled straight-line fallback
    (its access/egress cap applies).
    """
    ids = ("gp_pt_min", "hospital_pt_min")
    if feed is None:
        for ind in ids:
            run.skip(ind, NO_FEED)
        return
    if feed_stops(feed).to_crs(27700).dwithin(run.site, 800.0).sum() == 0:
        for ind in ids:
            run.skip(ind, f"No stop of the feed {feed.source} lies within 800 m of the site. " + NO_FEED)
        return
    try:
        day = service_day or neighbourhood.weekday_service_date(feed)
    except HiapError as exc:
        for ind in ids:
            run.skip(ind, str(exc))
        return
    for kind, label in (("gp", "GP practice"), ("hospital", "hospital")):
        fac = facilities.get(kind)
        ind = f"{kind}_pt_min"
        if fac is None or fac.empty:
            run.skip(ind, f"No {label} locations could be loaded (see {kind}_walk_min).")
            continue
        try:
            res = _access(run, graph, points, label, fac, feed=feed, day=day)
        except (HiapError, IsochronesError) as exc:
            run.skip(ind, f"Public-transport routing failed: {exc}")
            continue
        minutes, weight = _per_home(res, "transit_min", points)
        run.home_values[ind] = minutes
        w0, w1 = res.options.window
        if graph is None:
            walks = (
                f"walking to and from stops by the labelled fallback ({res.options.fallback_label})"
                f"; {res.fallback_share or 0:.0%} of walking legs used it"
            )
            walk_source = "no OSM walk network (straight-line fallback)"
        else:
            walks, walk_source = "walking on the OSM network", run.sources[0]
        run.add(
            ind, weighted_quantile(minutes, weight, 0.5),
            method=(
                f"Median over the site's home points of the median door-to-door time to the "
                f"nearest {label} by walking and scheduled public transport, departing every 2 "
                f"minutes {w0:%H:%M}-{w1:%H:%M} on {day:%a %d %b %Y} (range-RAPTOR), {walks}, "
                "walking all the way where quicker."
            ),
            source=f"Timetable {feed.source}; {walk_source}",
            details={"p90_min": weighted_quantile(minutes, weight, 0.9)},
        )


def _capacity_graph(run: _Run, graph: WalkGraph) -> WalkGraph:
    """Return the network of the GP capacity: the one the Access page uses, the scheme's paths added.

    The run's own network reaches :data:`NETWORK_MARGIN_M` around the site, enough for a walk
    to the nearest GP but not for the 2SFCA's second step (everyone within the catchment of
    each practice in reach); :func:`hiap.access.capacity.capacity_graph` is.
    """
    from hiap.access.capacity import capacity_graph

    if run.osm_path is None:
        return graph
    try:
        wide = capacity_graph(run.settings, run.site, run.osm_path,
                              catchment_min=GP_CATCHMENT_MIN, margin_m=NEIGHBOURS_M)
    except IsochronesError as exc:
        logger.info("GP capacity on the run's network: %s", exc)
        return graph
    if run.world is not None:
        edited, edit = run.world.network(wide.network)
        if edit is not None:
            wide = WalkGraph(edited, np.concatenate([wide.street_count, edit.street_count]))
    return wide


def _capacity(
    run: _Run, graph: WalkGraph, homes: Homes, gps: gpd.GeoDataFrame | None, edge: Callable[[float], str]
) -> None:
    if gps is None:
        return
    try:
        pop = run.shared.get("population", lambda: load_area_origins(run.settings, level="lsoa"))
    except HiapError as exc:
        run.skip("gp_capacity_2sfca", str(exc))
        return
    residents = run.world.new_residents if run.world is not None else run.scheme.new_residents or 0.0
    try:
        sizes = run.shared.get("gp_list_sizes", lambda: load_gp_list_sizes(run.settings))
        gps = add_list_sizes(gps, run.settings, sizes=sizes)
    except HiapError as exc:  # no (readable) list file: the practice count stands in, said so
        logger.info("GP list sizes not used: %s", exc)
    value = capacity.gp_capacity(
        graph, homes, gps, pop, new_residents=residents,
        catchment_min=GP_CATCHMENT_MIN, margin_m=NEIGHBOURS_M,
    )
    if value is None:
        run.skip("gp_capacity_2sfca", f"No GP practice is within a {GP_CATCHMENT_MIN:.0f} minute walk of the site's homes.")
        return
    run.sources.append(f"ONS population estimates by LSOA ({OGL})")
    listed = value.supply_kind == "list size"
    sentences = capacity.capacity_sentences(value)
    run.add(
        "gp_capacity_2sfca", value.people_per_practice,
        method=(
            f"About 1 GP practice per N people within a {GP_CATCHMENT_MIN:.0f}-minute walk of "
            "the scheme's homes, its new residents included (two-step floating catchment, "
            "Luo & Wang 2003)"
            + ("; with list pressure from the registered lists. " if listed
               else "; no list sizes available, so no list pressure. ")
            + " ".join(sentences[:-1])
        ),
        source=(
            f"NHS ODS epraccur ({OGL}); "
            + (f"NHS Digital patients registered at a GP practice ({OGL}); " if listed else "")
            + f"ONS mid-2020 LSOA population ({OGL}); {OSM} walk network"
        ),
        buffer_m=minutes_to_metres(GP_CATCHMENT_MIN),
        notes=[
            edge(minutes_to_metres(2 * GP_CATCHMENT_MIN)),
            *sentences,
            ""
            if listed
            else "Supply is the number of practices, not GPs or list sizes: a large practice "
            "counts as much as a small one.",
            f"Population at LSOA centroids ({pop.attrs.get('centroid_kind', 'centroids')}); "
            f"{value.dropped_population:,.0f} residents at centroids off the walk network were left out.",
            "For a built scheme its residents are already in the census population, so adding them again overstates demand.",
        ],
        details={
            "people_per_practice": value.people_per_practice,
            "list_pressure": value.list_pressure,
            "list_pressure_today": value.list_pressure_today,
            "list_places_per_1000": value.per_1000["2sfca"],
            "patients_per_practice": value.patients_per_practice,
            "e2sfca_stepped": value.per_1000["stepped"],
            "gaussian": value.per_1000["gaussian"],
            "practices_in_reach": float(value.practices),
            "new_residents": residents,
            "neighbours_people_per_practice": _neighbours_people_per_practice(value.areas),
        },
    )


def _neighbours_people_per_practice(areas: gpd.GeoDataFrame) -> float:
    """People per GP practice for the existing residents around the site (population-weighted).

    1 / their population-weighted practice-count 2SFCA, as ``people_per_practice`` is at the
    homes ("about 1 practice per N people"; fewer is better).

    The areas are those whose centroid lies within :data:`NEIGHBOURS_M` of the homes; with
    the scheme, its new residents compete for the same practices, so this shows the pressure
    the scheme puts on its neighbours' practices (or the relief a new practice brings).
    """
    near = areas[areas["complete"]]
    return capacity.weighted_inverse(near["practices_per_person_2sfca"], near["population"])
