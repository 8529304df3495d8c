"""Public-transport access to health services: glue between Settings, files and isochrones.

:func:`transit_access` loads one or more GTFS feeds (or TransXChange files), the walk network
of an OSM extract, origins and destinations, runs range-RAPTOR over the departure window and
summarises per origin (minimum, percentiles, planned-departure times) and for the area (JTS
indicators). With a scenario file it also runs the edited feed and gives the differences.
Everything is projected to the local UTM zone of the origins (no British-only CRS assumed).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.gtfs import Feed, load_feed, load_transxchange, merge_feeds
from isochrones.network import WalkNetwork, build_walk_graph
from isochrones.scenarios import apply_scenario, diff_times, load_scenario
from isochrones.transit import (
    build_transit_network,
    local_utm_crs,
    transit_indicators,
    window_travel_times,
)

__all__ = ["TransitAccessResult", "load_points", "transit_access", "write_transit_geopackage"]

logger = logging.getLogger(__name__)

OSM_NOTE = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class TransitAccessResult:
    """Per-origin travel times (and scenario changes) and area indicators."""

    origins: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    indicators: pd.DataFrame
    attribution: tuple[str, ...]


def load_points(path: Path, *, weight_col: str | None = None) -> gpd.GeoDataFrame:
    """Read points from a CSV (``lon``/``lat`` columns) or any vector file, in WGS84.

    Parameters
    ----------
    path
        ``.csv`` with ``lon`` and ``lat`` (or ``longitude``/``latitude``), or a GeoPackage,
        GeoJSON or shapefile (polygons are replaced by a point inside them).
    weight_col
        If given and present, keep only rows where this column is above zero.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with the file's other columns.

    Raises
    ------
    DataError
        When the file is missing or has no coordinates.
    """
    if not path.is_file():
        raise DataError(f"{path} does not exist; give a CSV with lon/lat or a GeoPackage.")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path)
        lon = next((c for c in ("lon", "longitude", "x") if c in frame), None)
        lat = next((c for c in ("lat", "latitude", "y") if c in frame), None)
        if lon is None or lat is None:
            raise DataError(f"{path}: no lon/lat columns (have {list(frame.columns)}).")
        gdf = gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame[lon], frame[lat]), crs="EPSG:4326"
        )
    else:
        gdf = gpd.read_file(path)
        if gdf.crs is None:
            raise DataError(f"{path} has no CRS; save it with one.")
        gdf = gdf.to_crs("EPSG:4326")
        gdf["geometry"] = gdf.geometry.representative_point()
    if weight_col is not None and weight_col in gdf:
        gdf = gdf.loc[pd.to_numeric(gdf[weight_col], errors="coerce").fillna(0) > 0]
    if gdf.empty:
        raise DataError(f"{path}: no usable points.")
    return gdf.reset_index(drop=True)


def _load_timetables(paths: Sequence[Path]) -> Feed:
    feeds = []
    for p in paths:
        if p.suffix.lower() == ".xml":
            feeds.append(load_transxchange(p, require_coordinates=True))
        else:
            feeds.append(load_feed(p))
    if len(feeds) == 1:
        return feeds[0]
    return merge_feeds(feeds, prefixes=[f"{p.stem}:" for p in paths])


def transit_access(
    settings: Settings,
    *,
    gtfs: Sequence[Path],
    osm: Path,
    date: dt.date,
    destinations: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    window: tuple[dt.time, dt.time] = (dt.time(7), dt.time(10)),
    scenario: Path | None = None,
    percentiles: Sequence[float] = (25, 50, 75),
    max_walk_min: float = 60.0,
    count_reachable: bool = False,
    bands_min: Sequence[float] = (15, 30, 45, 60),
    progress: Callable[[str, int, int], None] | None = None,
) -> TransitAccessResult:
    """Travel time by public transport and walking from every origin to the nearest destination.

    Parameters
    ----------
    settings
        hiap settings (``cache_dir`` holds the walk network cache).
    gtfs
        GTFS zips/folders or TransXChange ``.xml`` files (merged when several).
    osm
        OSM extract covering the area.
    date
        Service day.
    destinations, origins
        Points in WGS84; origins may have a ``population`` column.
    window
        Departure window (inclusive, 1-minute steps).
    scenario
        Optional scenario file (JSON/YAML) to compare with the baseline.
    percentiles
        Percentiles of travel time across the window.
    max_walk_min
        Walking all the way is considered up to this many minutes.
    count_reachable
        Also count the destinations each origin reaches within each band (median time over
        the window; a many-to-many run, slower: about 2 minutes for Porto Alegre's 1,124 x 117).
    bands_min
        Bands of the indicators, in minutes.
    progress
        Called as ``progress(stage, done, total)``.

    Returns
    -------
    TransitAccessResult
        Origins with ``min_min``, ``p<q>_min``, ``planned_p<q>_min`` (and ``*_scenario`` /
        ``*_change`` columns with a scenario) and an indicators table.
    """

    def report(stage: str, done: int = 0, total: int = 1) -> None:
        if progress is not None:
            progress(stage, done, total)

    report("Loading timetables")
    feed = _load_timetables(gtfs)
    centre = origins.geometry.union_all().centroid
    crs = local_utm_crs(centre.x, centre.y)
    report("Building the walk network")
    walk = WalkNetwork.from_graph(
        build_walk_graph(osm, to_crs=crs.to_string(), cache_dir=Path(settings.cache_dir))
    )
    lo = window[0].hour * 3600 + window[0].minute * 60
    hi = window[1].hour * 3600 + window[1].minute * 60
    o_xy = np.column_stack([origins.to_crs(crs).geometry.x, origins.to_crs(crs).geometry.y])
    d_xy = np.column_stack(
        [destinations.to_crs(crs).geometry.x, destinations.to_crs(crs).geometry.y]
    )
    population = (
        origins["population"].to_numpy(float) if "population" in origins else np.ones(len(origins))
    )

    def run(f: Feed, label: str) -> tuple[pd.DataFrame, pd.Series]:
        report(f"Linking stops ({label})")
        net = build_transit_network(f, date, walk=walk, time_window_s=(lo, hi + 4 * 3600))
        res = window_travel_times(
            net,
            o_xy,
            d_xy,
            window=window,
            percentiles=percentiles,
            nearest=True,
            max_walk_min=max_walk_min,
            progress=lambda done, total: report(f"Routing ({label})", done, total),
        )
        frame = res.to_frame()
        median_col = f"p{percentiles[len(percentiles) // 2]:g}_min"
        counts: dict[float, np.ndarray] = {}
        if count_reachable:
            full = window_travel_times(
                net,
                o_xy,
                d_xy,
                window=window,
                percentiles=(50,),
                max_walk_min=max_walk_min,
                max_travel_min=max(bands_min),
                progress=lambda done, total: report(f"Services reachable ({label})", done, total),
            )
            median = full.percentile_s(50) / 60.0
            for band in bands_min:
                counts[band] = (median <= band).sum(axis=1)
                frame[f"reachable_{band:g}min"] = counts[band]
        ind = transit_indicators(
            frame[median_col].to_numpy(), population, reachable_counts=counts, bands_min=bands_min
        )
        return frame, ind

    base, base_ind = run(feed, "baseline")
    out = origins.copy()
    indicators = base_ind.to_frame("baseline").T
    if scenario is not None:
        scen = load_scenario(scenario)
        edited = apply_scenario(feed, scen, base_dir=scenario.parent)
        scen_frame, scen_ind = run(edited, f"scenario {scen.name}")
        diff = diff_times(base, scen_frame)
        for col in diff.columns:
            out[col] = diff[col].to_numpy()
        indicators = pd.concat([indicators, scen_ind.to_frame(scen.name).T])
        indicators.loc["change"] = indicators.iloc[1] - indicators.iloc[0]
    else:
        for col in base.columns:
            out[col] = base[col].to_numpy()
    report("Done", 1, 1)
    return TransitAccessResult(
        origins=out,
        destinations=destinations,
        indicators=indicators,
        attribution=(f"Street network {OSM_NOTE}", f"Timetables: {feed.source}"),
    )


def write_transit_geopackage(result: TransitAccessResult, path: Path) -> Path:
    """Write origins, destinations and indicators as layers of a GeoPackage.

    Parameters
    ----------
    result
        From :func:`transit_access`.
    path
        Target ``.gpkg``.

    Returns
    -------
    Path
        The file written.
    """
    origins = result.origins.copy()
    num = origins.select_dtypes("number").columns
    origins[num] = origins[num].replace([np.inf, -np.inf], np.nan)
    origins.to_file(path, layer="origins", driver="GPKG")
    result.destinations.to_file(path, layer="destinations", driver="GPKG")
    ind = result.indicators.reset_index(names="run")
    gpd.GeoDataFrame(ind, geometry=[None] * len(ind), crs=origins.crs).to_file(
        path, layer="indicators", driver="GPKG"
    )
    return path
