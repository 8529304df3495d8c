"""Routing of an access run: walking (one multi-source pass) and public transport (window).

:func:`walk_leg` adds ``walk_min`` and the nearest destination to the origins and homes (and
draws the isochrones); :func:`transit_leg` adds the median time over the departure window
and its spread, for the baseline timetable and a scenario's. Both refuse a run in which no
destination can be reached, rather than return a table of NaN.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hiap.access.feeds import default_date, feed_stops, find_gtfs_feeds, timetable_files
from hiap.access.network import Resources
from hiap.access.options import AccessOptions, Progress
from hiap.access.places import RunFrame
from hiap.errors import DataError, NothingInReachError, SettingsError
from hiap.settings import Settings
from isochrones import JTS_BANDS_MIN, WalkNetwork, catchments, isochrone_polygons, origin_access
from isochrones.access_summary import straight_line_access
from isochrones.cache import file_digest
from isochrones.errors import IsochronesError
from isochrones.gtfs import Feed
from isochrones.scenarios import Scenario, apply_scenario
from isochrones.transit import TransitNetwork, build_transit_network, window_travel_times

__all__ = ["feed_paths_for", "timed_points", "transit_leg", "walk_leg"]


def timed_points(
    options: AccessOptions, orig: gpd.GeoDataFrame, homes: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Return the points whose times make the result (the homes alone with ``level="none"``)."""
    return homes if options.level == "none" and homes is not None else orig


def feed_paths_for(
    settings: Settings,
    options: AccessOptions,
    frame: RunFrame,
    *,
    feeds: Sequence[Path] | None,
    feed: Feed | None,
) -> tuple[Path, ...]:
    """Return the timetable files of a transit run: those given, or those covering the area."""
    if not options.rides or feed is not None:
        return ()
    # Timetables first: without one there is nothing to route, whatever the streets.
    if feeds is not None:  # a folder of TransXChange files counts as its files
        return timetable_files([Path(p) for p in feeds])
    if frame.site_area is not None:
        box = gpd.GeoSeries([frame.site_area.buffer(frame.margin_m)], crs=frame.crs).to_crs(4326).iloc[0]
        return tuple(find_gtfs_feeds(settings, area=box))
    raise SettingsError("Give the timetables (--gtfs) or an area to find them around.")


def _nearest_labels(table: pd.DataFrame, destinations: gpd.GeoDataFrame) -> None:
    nearest = table["nearest"].to_numpy()
    for column in ("code", "name"):
        values = destinations[column].to_numpy() if column in destinations else np.full(len(destinations), None)
        table[f"nearest_{column}"] = pd.Series(
            [values[i] if i >= 0 else None for i in nearest], index=table.index, dtype="string"
        )


def _walk_times(
    network: WalkNetwork, points: gpd.GeoDataFrame, dest: gpd.GeoDataFrame, options: AccessOptions
) -> gpd.GeoDataFrame:
    """Join walking minutes to the nearest destination (edge snapping) to ``points``."""
    if len(points) == 0:
        return points.assign(walk_min=pd.Series(dtype=float), nearest=pd.Series(dtype="int64"),
                             nearest_code=pd.Series(dtype="string"),
                             nearest_name=pd.Series(dtype="string"))
    walk = origin_access(
        network, points, dest, speed_kph=options.speed_kph, bands_min=JTS_BANDS_MIN,
        count_reachable=options.count_reachable, snap_to="edge",
    )
    out = points.join(walk.rename(columns={"time_min": "walk_min"}))
    _nearest_labels(out, dest)
    return out


def _scaled(tell: Progress, start: float, span: float, message: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        tell(start + span * done / max(total, 1), message)

    return report


def _transit_times(
    network: TransitNetwork,
    frame: pd.DataFrame,
    dest: gpd.GeoDataFrame,
    options: AccessOptions,
    *,
    prefix: str,
    progress: Callable[[int, int], None],
) -> float | None:
    """Add ``<prefix>_min`` (median over the window), its spread and planned-departure time.

    Returns the share of walking legs walked by the fallback (None without one).
    """
    extra = sorted({float(p) for p in options.percentiles} - {25.0, 50.0, 75.0})
    columns = [f"{prefix}_min", f"{prefix}_min_min", f"{prefix}_p25_min", f"{prefix}_p75_min",
               f"{prefix}_planned_min", *[f"{prefix}_p{p:g}_min" for p in extra]]
    if options.transit_counts:
        columns += [f"{prefix}_reachable_{b:g}min" for b in JTS_BANDS_MIN]
    if len(frame) == 0:
        for col in columns:
            frame[col] = pd.Series(dtype=float)
        return None
    xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
    d_xy = np.column_stack([dest.geometry.x.to_numpy(), dest.geometry.y.to_numpy()])
    run = window_travel_times(
        network, xy, d_xy, window=options.window, step_min=options.step_min,
        percentiles=sorted({25.0, 50.0, 75.0, *extra}), nearest=True,
        max_walk_min=options.max_walk_min, max_travel_min=options.max_travel_min,
        progress=progress,
    )
    times = run.to_frame()
    frame[f"{prefix}_min"] = times["p50_min"].to_numpy()
    frame[f"{prefix}_min_min"] = times["min_min"].to_numpy()
    frame[f"{prefix}_p25_min"] = times["p25_min"].to_numpy()
    frame[f"{prefix}_p75_min"] = times["p75_min"].to_numpy()
    frame[f"{prefix}_planned_min"] = times["planned_p50_min"].to_numpy()
    for p in extra:
        frame[f"{prefix}_p{p:g}_min"] = times[f"p{p:g}_min"].to_numpy()
    if options.transit_counts:
        full = window_travel_times(
            network, xy, d_xy, window=options.window, step_min=options.step_min,
            percentiles=(50,), max_walk_min=options.max_walk_min,
            max_travel_min=max(JTS_BANDS_MIN), progress=progress,
        )
        median = full.percentile_s(50) / 60.0
        for band in JTS_BANDS_MIN:
            frame[f"{prefix}_reachable_{band:g}min"] = (median <= band).sum(axis=1)
    return run.fallback_share.get("all") if run.fallback_share else None


RETURN_MAX_TRAVEL_MIN = 150.0
"""The journey home counted for the last bus back when no ``max_travel_min`` is set."""


def _hhmm(seconds: float) -> str:
    if not np.isfinite(seconds) or seconds < 0:
        return "none"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _last_bus_back(
    outward: TransitNetwork,
    back: TransitNetwork,
    frame: pd.DataFrame,
    dest: gpd.GeoDataFrame,
    options: AccessOptions,
) -> None:
    """Add the last practical bus back home from each origin's quickest destination.

    The destination is the one with the lowest median time over the outward window (every
    ``return_step_min``); the last bus back is the latest departure of the return window from
    it that gets home within the journey limit by public transport (walking all the way home
    is not a bus back).
    """
    assert options.return_window is not None
    if len(frame) == 0:
        for col, dtype in (("return_code", "string"), ("return_name", "string"),
                           ("last_back_s", float), ("last_back", "string")):
            frame[col] = pd.Series(dtype=dtype)
        return
    limit = options.max_travel_min or RETURN_MAX_TRAVEL_MIN
    xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
    d_xy = np.column_stack([dest.geometry.x.to_numpy(), dest.geometry.y.to_numpy()])
    to_each = window_travel_times(
        outward, xy, d_xy, window=options.window, step_min=options.return_step_min,
        percentiles=(50,), max_walk_min=options.max_walk_min, max_travel_min=limit,
    )
    quickest = np.argmin(to_each.travel_s[:, :, 0], axis=1)
    used = np.unique(quickest)  # route back only from destinations someone goes to
    home = window_travel_times(
        back, d_xy[used], xy, window=options.return_window, step_min=options.return_step_min,
        percentiles=(50,), max_walk_min=0.01, max_travel_min=limit,
    )
    assert home.last_departure_s is not None
    row = np.searchsorted(used, quickest)
    last = home.last_departure_s[row, np.arange(len(frame))]
    for column in ("code", "name"):
        values = dest[column].astype("string").to_numpy() if column in dest else np.full(len(dest), None)
        frame[f"return_{column}"] = pd.Series(values[quickest], index=frame.index, dtype="string")
    frame["last_back_s"] = last
    frame["last_back"] = pd.Series([_hhmm(v) for v in last], index=frame.index, dtype="string")



def _straight_walk_times(
    points: gpd.GeoDataFrame, dest: gpd.GeoDataFrame, options: AccessOptions
) -> gpd.GeoDataFrame:
    """Join walking minutes by the straight-line fallback (no network) to ``points``."""
    assert options.fallback is not None
    walk = straight_line_access(
        points, dest, circuity=options.fallback.circuity, speed_kph=options.speed_kph,
        bands_min=JTS_BANDS_MIN,
    )
    out = points.join(walk.rename(columns={"time_min": "walk_min"}))
    _nearest_labels(out, dest)
    return out


def walk_leg(
    network: WalkNetwork | None,
    orig: gpd.GeoDataFrame,
    homes: gpd.GeoDataFrame | None,
    dest: gpd.GeoDataFrame,
    options: AccessOptions,
    *,
    tell: Progress,
    dest_label: str,
    network_name: str,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Time the origins and homes on foot; draw the isochrones and catchments if asked.

    With no network (a fallback run no extract covers) every walk is the straight line x the
    fallback's circuity (:func:`isochrones.access_summary.straight_line_access`), and no
    isochrones or catchments are drawn.

    Returns
    -------
    tuple
        The origins and homes with walking columns, the isochrones and the catchments.

    Raises
    ------
    DataError
        When no destination can be reached on foot from any origin.
    """
    if network is None:  # no extract covers the area: the labelled straight-line fallback
        assert options.fallback is not None  # network_for_run gives no network only then
        tell(0.4, "Walking by the straight-line fallback")
        orig = _straight_walk_times(orig, dest, options)
        homes = _straight_walk_times(homes, dest, options) if homes is not None else None
        return orig, homes, None, None
    tell(0.4, "Routing on foot (one multi-source pass)")
    orig = _walk_times(network, orig, dest, options)
    if homes is not None:
        homes = _walk_times(network, homes, dest, options)
    if not np.isfinite(timed_points(options, orig, homes)["walk_min"]).any():
        raise DataError(
            f"No {dest_label} can be reached on foot from any origin on the {network_name} "
            "network (the destinations lie on streets not connected to the origins')."
        )
    iso = catch = None
    if options.draw_isochrones:
        tell(0.55, "Drawing isochrones and catchments")
        iso = isochrone_polygons(network, dest, bands_min=options.bands_min,
                                 speed_kph=options.speed_kph, snap_to="edge")
        catch = catchments(network, dest, bands_min=options.bands_min,
                           speed_kph=options.speed_kph, snap_to="edge")
        idx = catch["destination"].to_numpy()
        catch.insert(0, "code", dest["code"].to_numpy()[idx] if "code" in dest else idx)
        catch.insert(1, "name", dest["name"].to_numpy()[idx] if "name" in dest else "")
        catch = catch.drop(columns="destination")
    return orig, homes, iso, catch


def transit_leg(
    resources: Resources,
    network: WalkNetwork | None,
    orig: gpd.GeoDataFrame,
    homes: gpd.GeoDataFrame | None,
    dest: gpd.GeoDataFrame,
    options: AccessOptions,
    *,
    frame: RunFrame,
    reach: BaseGeometry,
    feed: Feed | None,
    feed_paths: tuple[Path, ...],
    scenario: Scenario | None,
    scenario_dir: Path | None,
    tell: Progress,
    dest_label: str,
) -> tuple[dt.date, dict[str, str], float | None]:
    """Add public-transport columns to the origins and homes (in place), baseline and scenario.

    With ``options.return_window``, the baseline also gets the last practical bus back
    (:func:`_last_bus_back`). ``network`` is None when every walk is the straight-line
    fallback (``options.fallback``).

    Returns
    -------
    tuple
        The service day used, the digests of the timetables and the share of walking legs
        walked by the fallback (None without it).

    Raises
    ------
    DataError
        When the timetable cannot be read, has no stop near the area, or reaches no
        destination from any origin.
    """
    digests: dict[str, str] = {}
    if feed is None:
        for p in feed_paths:
            digests[f"feed:{p.name}"] = file_digest(p) if p.is_file() else p.name
        tell(0.6, "Loading timetables")
        try:
            feed = resources.feed(feed_paths)
        except IsochronesError as exc:
            raise DataError(str(exc)) from exc
    else:
        digests["feed"] = feed.source
    runs: list[tuple[str, Feed]] = [("transit", feed)]
    if scenario is not None:
        runs.append(("scenario", apply_scenario(feed, scenario, base_dir=scenario_dir or ".")))
    # A scenario's new route may be the only service of the area (a new rural link).
    if not any(feed_stops(f, crs=frame.crs).intersects(reach).any() for _, f in runs):
        raise DataError(
            f"The timetable ({feed.source}) has no stop within "
            f"{options.buffer_km:g} km of {frame.label}: it is of another place. Use a feed "
            "covering the area (`hiap data download gtfs`, or --gtfs FILE)."
        )
    day: dt.date = options.date or default_date(feed)
    lo = options.window[0].hour * 3600 + options.window[0].minute * 60
    hi = options.window[1].hour * 3600 + options.window[1].minute * 60
    points = [("origin", orig)] + ([("home", homes)] if homes is not None else [])

    def timetable(run_feed: Feed, window_s: tuple[int, int]) -> TransitNetwork:
        if options.fallback is None and network is not None and options.max_access_min == 10.0:
            return resources.transit_network(run_feed, network, day, window_s)
        # The fallback and other access limits are built here, not in the shared cache.
        return build_transit_network(
            run_feed, day, crs=frame.crs, walk=network, fallback=options.fallback,
            max_access_min=options.max_access_min, time_window_s=window_s,
        )

    shares: list[float] = []
    for n, (run_name, run_feed) in enumerate(runs):
        tell(0.65 + 0.3 * n / len(runs), f"Preparing the timetable ({run_name})")
        tn = timetable(run_feed, (lo, hi + 4 * 3600))
        for what, table in points:
            share = _transit_times(
                tn, table, dest, options, prefix="transit" if run_name == "transit" else "scenario",
                progress=_scaled(tell, 0.65 + 0.3 * n / len(runs), 0.3 / len(runs),
                                 f"Routing by public transport ({run_name}, {what}s)"),
            )
            if share is not None:
                shares.append(share)
        if run_name == "transit" and options.return_window is not None:
            tell(0.65 + 0.3 * (n + 0.9) / len(runs), "The last bus back")
            r_lo, r_hi = (t.hour * 3600 + t.minute * 60 for t in options.return_window)
            tn_back = timetable(run_feed, (r_lo, r_hi + 4 * 3600))
            for _, table in points:
                _last_bus_back(tn, tn_back, table, dest, options)
    timed = timed_points(options, orig, homes)
    reached = np.isfinite(timed["transit_min"]).any() or (
        scenario is not None and np.isfinite(timed["scenario_min"]).any()
    )
    if not reached:
        raise NothingInReachError(
            f"No {dest_label} is within reach of any origin by public transport and walking "
            f"(up to {options.max_walk_min:g} min on foot) on {day:%A %d %B %Y}"
            + (f", with or without {scenario.name}" if scenario is not None else "")
            + ": the destinations lie beyond the network of the timetable and streets. Check "
            "that the feed, the extract and the destinations are of the same place."
        )
    if scenario is not None:
        for table in (orig, homes):
            if table is None:
                continue
            change = table["scenario_min"] - table["transit_min"]
            table["change_min"] = change.where(table["scenario_min"] != table["transit_min"], 0.0)
    return day, digests, (float(np.mean(shares)) if shares else None)
