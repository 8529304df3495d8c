"""The one access engine: walking and public-transport times to health services.

Every screen and command that shows a time to a GP or hospital asks :func:`measure_access`:
``hiap access walk|transit``, ``hiap scheme assess`` (through the indicators), the Access and
Transport scenario pages, the GP capacity section and the reports. It returns one
:class:`AccessResult` holding the per-origin times, the nearest destination, the bands, the
indicator tables, the parameters and the digests of the data used, so a number can always be
traced to how it was made.

The rules, the same everywhere:

* points (homes, LSOA centroids, practices, stops) attach to the nearest street *edge*
  (:meth:`isochrones.WalkNetwork.snap` with ``to="edge"``): the straight line to the street
  and the walk along it to either end are both walked;
* origins (LSOA/OA points, given points and the scheme's home points) farther than
  ``max_snap_m`` from every street are left out and listed in :attr:`AccessResult.excluded`
  with the reason, by one rule (:func:`hiap.access.places.off_network`);
* destinations within the requested buffer of the area are always considered (those off
  every street are listed as excluded too);
* the extract is the one whose walk network covers most of the area
  (:func:`hiap.access.network.choose_extract`); the run refuses below
  :data:`~hiap.access.network.MIN_COVERAGE` and warns below full cover; a drive-only network
  is refused for walking unless the caller accepts drive roads as an approximation, and then
  every result carries that label;
* no destination within reach is an error, never a table of NaN.

The run's steps live in one module each: :mod:`hiap.access.places` (the frame, origins,
homes, destinations and the snapping rule), :mod:`hiap.access.network_choice` (the extract
and whether it will do), :mod:`hiap.access.routing` (walking and public transport) and
:mod:`hiap.access.summary` (the indicator tables); the options and the result are in
:mod:`hiap.access.options` and :mod:`hiap.access.result`. This module puts them in order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap import attribution as attribution_lines
from hiap.access.feeds import stops_files_for
from hiap.access.keys import geometry_digest
from hiap.access.network import DirectResources, Resources
from hiap.access.network_choice import RunNetwork, network_for_run
from hiap.access.options import (
    DESTINATION_LABELS,
    AccessOptions,
    Mode,
    Progress,
    options_dict,
    options_from,
)
from hiap.access.places import (
    EXCLUDED_COLUMNS,
    RunFrame,
    destinations_for,
    homes_note,
    origins_for,
    run_frame,
    scheme_homes,
)
from hiap.access.result import DRIVE_ROADS_LABEL, AccessResult, ModeSummary
from hiap.access.routing import feed_paths_for, transit_leg, walk_leg
from hiap.access.summary import summarise_mode
from hiap.data.registry import OSM_ATTRIBUTION
from hiap.settings import Settings
from isochrones import WalkNetwork
from isochrones.cache import file_digest
from isochrones.gtfs import Feed
from isochrones.scenarios import Scenario

__all__ = [
    "DESTINATION_LABELS",
    "DRIVE_ROADS_LABEL",
    "AccessOptions",
    "AccessResult",
    "Mode",
    "ModeSummary",
    "Progress",
    "measure_access",
    "options_dict",
    "options_from",
]

logger = logging.getLogger(__name__)


def _no_progress(fraction: float, message: str) -> None:
    del fraction, message


def measure_access(
    settings: Settings,
    options: AccessOptions,
    *,
    area: BaseGeometry | None = None,
    area_label: str | None = None,
    scheme: gpd.GeoDataFrame | None = None,
    home_points: gpd.GeoDataFrame | None = None,
    osm_path: Path | None = None,
    feeds: Sequence[Path] | None = None,
    origins: gpd.GeoDataFrame | None = None,
    destinations: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
    scenario_dir: Path | None = None,
    network: WalkNetwork | None = None,
    feed: Feed | None = None,
    resources: Resources | None = None,
    progress: Progress | None = None,
) -> AccessResult:
    """Measure walking and/or public-transport access to the nearest destination.

    Parameters
    ----------
    settings
        Data and cache folders.
    options
        What to measure and how (:class:`AccessOptions`).
    area
        Polygon in EPSG:27700 to measure around (grown by ``options.buffer_km``); by default
        the scheme's site, or the extent of the given origins.
    area_label
        What the area is, for messages (``"Peterborough (E06000031)"``).
    scheme
        The scheme boundary (any CRS): its home points, carrying ``options.new_residents``,
        are timed too (:attr:`AccessResult.homes`).
    home_points
        The scheme's homes (points with a ``weight`` summing to 1) when known, e.g. a
        proposal's; by default a grid over the site (``options.home_spacing_m``).
    osm_path
        The extract to walk on; by default the one whose network covers most of the area.
    feeds
        GTFS zips/folders or TransXChange ``.xml`` files (transit; merged when several).
    origins
        Populated points (a ``population`` column is used when present); by default the
        data directory's LSOA/OA centroids within the area.
    destinations
        Points with ``code`` and ``name``; by default ``options.to`` from the data directory.
    scenario
        A timetable scenario to compare with the baseline (transit).
    scenario_dir
        Folder a scenario file's relative route files are read from.
    network
        A walk network already built from ``osm_path`` (the indicators pass theirs, so every
        indicator of a scheme walks on one network); ``osm_path`` must then be given.
    feed
        A timetable already loaded (instead of ``feeds``).
    resources
        Where networks and feeds come from (the app passes its shared caches).
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    AccessResult
        Per-origin times, indicators, polygons, parameters and digests.

    Raises
    ------
    DataError
        When data is missing, the extract covers too little of the area or is drive-only
        (and drive roads were not accepted), or no destination is within reach.
    SettingsError
        When the options or inputs contradict each other.
    """
    tell = progress or _no_progress
    res = resources if resources is not None else DirectResources(settings)
    frame = run_frame(options, area=area, area_label=area_label, scheme=scheme,
                      origins=origins, destinations=destinations)
    feed_paths = feed_paths_for(settings, options, frame, feeds=feeds, feed=feed)
    stop_files = stops_files_for(settings, feed_paths)  # NaPTAN places TransXChange stops

    tell(0.05, "Choosing the OSM extract and building the walk network")
    walk_net = network_for_run(settings, options, frame, resources=res, network=network,
                               osm_path=osm_path)
    net, path = walk_net.network, walk_net.path
    warnings = list(walk_net.warnings)
    digests = {"osm": walk_net.digest}

    if frame.site_area is not None:
        reach = frame.site_area.buffer(frame.margin_m)
    else:
        assert net is not None  # without an area, a network was given or built
        hull = shapely.convex_hull(shapely.multipoints(shapely.points(net.x, net.y)))
        reach = hull.buffer(frame.margin_m)
    # The straight-line fallback reaches points off every street: none is left out for it.
    # (Walking runs keep the usual rule while a network exists; without one every walk is the
    # fallback's.)
    snap_net = None if options.fallback is not None and (net is None or options.rides) else net
    tell(0.2, "Loading destinations")
    dest, dest_label, excluded, notes = destinations_for(
        settings, options, frame, snap_net, reach=reach, given=destinations,
        network_name=path.name,
    )
    warnings.extend(notes)
    tell(0.3, "Loading populated origins")
    orig, left_out = origins_for(
        settings, options, frame, snap_net, reach=reach, given=origins, network_name=path.name
    )
    excluded.extend(left_out)
    homes, homes_out = scheme_homes(options, frame, snap_net, home_points=home_points,
                                    network_name=path.name)
    excluded.extend(homes_out)
    note = homes_note(homes_out, homes, options.max_snap_m)
    if note:
        warnings.append(note)

    summaries: dict[str, ModeSummary] = {}
    given = bool(options.new_residents)  # a scheme without dwellings adds nobody
    iso = catch = None
    if options.walks:
        orig, homes, iso, catch = walk_leg(
            net, orig, homes, dest, options, tell=tell, dest_label=dest_label,
            network_name=path.name,
        )
        summaries["walk"] = summarise_mode(orig, homes, time_col="walk_min", residents_given=given)
    day = options.date
    fallback_share = None
    if options.rides:
        day, feed_digests, fallback_share = transit_leg(
            res, net, orig, homes, dest, options, frame=frame, reach=reach, feed=feed,
            feed_paths=feed_paths, scenario=scenario, scenario_dir=scenario_dir, tell=tell,
            dest_label=dest_label,
        )
        digests.update(feed_digests)
        digests.update({f"stops:{p.name}": file_digest(p) for p in stop_files})
        summaries["transit"] = summarise_mode(orig, homes, time_col="transit_min", residents_given=given)
        if scenario is not None:
            summaries["scenario"] = summarise_mode(orig, homes, time_col="scenario_min", residents_given=given)

    primary = "walk_min" if options.walks else "transit_min"
    orig["time_min"] = orig[primary]
    if homes is not None:
        homes["time_min"] = homes[primary]
    if frame.site_area is not None:
        digests["area"] = geometry_digest(frame.site_area)
    tell(1.0, "Done")
    return AccessResult(
        options=options,
        origins=gpd.GeoDataFrame(orig, geometry="geometry", crs=frame.crs),
        homes=None if homes is None else gpd.GeoDataFrame(homes, geometry="geometry", crs=frame.crs),
        destinations=dest,
        excluded=pd.concat(excluded, ignore_index=True)
        if excluded
        else pd.DataFrame(columns=EXCLUDED_COLUMNS),
        summaries=summaries,
        isochrones=iso,
        catchments=catch,
        osm_path=path,
        feed_paths=feed_paths,
        coverage=walk_net.choice.coverage,
        warnings=tuple(warnings),
        parameters=_parameters(options, frame, walk_net, feed_paths, day, scenario,
                               fallback_share, stop_files),
        digests=digests,
        attribution=_attribution(dest, orig, feed_paths, streets=net is not None),
        area_label=frame.label,
        date=day if options.rides else None,
        fallback_share=fallback_share if options.fallback is not None else None,
    )


def _parameters(
    options: AccessOptions,
    frame: RunFrame,
    walk_net: RunNetwork,
    feed_paths: tuple[Path, ...],
    day: dt.date | None,
    scenario: Scenario | None,
    fallback_share: float | None = None,
    stop_files: tuple[Path, ...] = (),
) -> dict[str, str]:
    """Return the options and data of a run as printable labels."""
    parameters = options.describe()
    parameters.update({
        "Area": frame.label,
        "OSM extract": f"{walk_net.path.name} ({walk_net.choice.coverage:.0%} of the area on its walk network)"
        if walk_net.network is not None
        else "none covers the area: every walk is the straight-line fallback",
    })
    if options.fallback is not None and fallback_share is not None:
        parameters["Walking fallback"] = (
            f"{options.fallback_label}; {fallback_share:.0%} of walking legs used it"
        )
    if feed_paths:
        parameters["Timetables"] = ", ".join(p.name for p in feed_paths)
        if stop_files:
            parameters["Stops placed by"] = ", ".join(p.name for p in stop_files)
        parameters["Date"] = f"{day:%A %d %B %Y}" if day else parameters.get("Date", "")
    if scenario is not None:
        parameters["Scenario"] = scenario.name
    return parameters


def _attribution(
    dest: gpd.GeoDataFrame, orig: gpd.GeoDataFrame, feed_paths: tuple[Path, ...],
    *, streets: bool = True,
) -> list[str]:
    """Return the source lines of a run's streets, destinations, origins and timetables."""
    attribution = [OSM_ATTRIBUTION] if streets else []
    attribution += list(dest.attrs.get("attribution", []))
    attribution += [a for a in orig.attrs.get("attribution", []) if a not in attribution]
    if feed_paths:
        attribution.append(f"Timetables: {', '.join(p.name for p in feed_paths)}")
    if streets and attribution_lines.OSM not in " ".join(attribution):
        attribution.insert(0, f"Street network {attribution_lines.OSM}")
    return attribution
