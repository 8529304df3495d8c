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
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from hiap import attribution
from hiap.data.osm import find_osm_extract
from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones import BNG_CRS
from isochrones.gtfs import Feed, load_feed, load_transxchange, merge_feeds
from isochrones.network import WalkNetwork, build_walk_graph
from isochrones.scenarios import apply_scenario, diff_times, load_scenario
from isochrones.transit import (
    build_transit_network,
    local_utm_crs,
    transit_indicators,
    window_travel_times,
)

__all__ = [
    "TransitAccessResult",
    "find_gtfs_feeds",
    "keep_weighted",
    "load_points",
    "transit_access",
    "write_transit_geopackage",
]

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class TransitAccessResult:
    """Per-origin travel times (and scenario changes) and area indicators."""

    origins: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    indicators: pd.DataFrame
    attribution: tuple[str, ...]


LON_LAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"))
"""CSV column pairs read as WGS84 degrees."""

XY_COLUMNS = (("x", "y"), ("easting", "northing"))
"""CSV column pairs read as coordinates in an explicitly given CRS."""


def _pair(frame: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    for a, b in pairs:
        if a in lower and b in lower:
            return lower[a], lower[b]
    return None


def _check_coordinates(gdf: gpd.GeoDataFrame, *, source: Path, crs_label: str) -> None:
    """Raise DataError unless every point is finite and inside the CRS's area of use."""
    bad_xy = ~(np.isfinite(gdf.geometry.x) & np.isfinite(gdf.geometry.y))
    if bad_xy.any():
        raise DataError(
            f"{source}: {int(bad_xy.sum())} row(s) have missing or non-numeric coordinates "
            f"(first at row {int(np.flatnonzero(bad_xy.to_numpy())[0])}); fill or drop them."
        )
    crs = gdf.crs
    area = crs.area_of_use if crs is not None else None
    west, south, east, north = area.bounds if area is not None else (-180, -90, 180, 90)
    # A little slack: points just past a projected CRS's official area are still sound.
    margin = 0.0 if (west, south, east, north) == (-180, -90, 180, 90) else 2.0
    wgs = gdf.geometry if crs is not None and crs.equals("EPSG:4326") else gdf.geometry.to_crs(4326)
    lon, lat = wgs.x.to_numpy(), wgs.y.to_numpy()
    outside = ~(
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon >= max(west - margin, -180))
        & (lon <= min(east + margin, 180))
        & (lat >= max(south - margin, -90))
        & (lat <= min(north + margin, 90))
    )
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        x, y = gdf.geometry.x.iat[i], gdf.geometry.y.iat[i]
        raise DataError(
            f"{source}: {int(outside.sum())} of {len(gdf)} points lie outside where {crs_label} "
            f"is valid (first: row {i}, ({x:g}, {y:g})). Check the coordinate system: lon/lat "
            "columns are read as WGS84 degrees; for x/y give the CRS (--points-crs, e.g. "
            "EPSG:27700 for British National Grid eastings/northings)."
        )


def load_points(
    path: Path, *, crs: str | None = None, weight_col: str | None = None
) -> gpd.GeoDataFrame:
    """Read points from a CSV or any vector file, in WGS84.

    Parameters
    ----------
    path
        ``.csv`` with ``lon``/``lat`` (or ``longitude``/``latitude``) columns in WGS84
        degrees, or with ``x``/``y`` (or ``easting``/``northing``) columns in ``crs``; or a
        GeoPackage, GeoJSON or shapefile (polygons are replaced by a point inside them).
    crs
        The CRS of a CSV's ``x``/``y`` columns (e.g. ``"EPSG:27700"``); required for them,
        because x/y alone do not say whether they are degrees or metres. When given, ``x``/``y``
        are used even if ``lon``/``lat`` columns also exist.
    weight_col
        Keep only rows where this column is above zero (missing values count as zero); the
        column must exist.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with the file's other columns.

    Raises
    ------
    DataError
        When the file is missing, has no usable coordinate columns, the CRS is unknown, the
        points lie outside where their CRS is valid, or ``weight_col`` is absent.
    """
    if not path.is_file():
        raise DataError(f"{path} does not exist; give a CSV with lon/lat or a GeoPackage.")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path)
        xy = _pair(frame, XY_COLUMNS)
        lonlat = _pair(frame, LON_LAT_COLUMNS)
        if crs is not None:
            if xy is None:
                raise DataError(
                    f"{path}: a CRS ({crs}) was given for x/y columns but there are none "
                    f"(have {list(frame.columns)}); name them x and y (or easting and northing), "
                    "or drop the CRS to read lon/lat in WGS84."
                )
            cols, label = xy, crs
        elif lonlat is not None:
            cols, label, crs = lonlat, "WGS84 lon/lat", "EPSG:4326"
        elif xy is not None:
            raise DataError(
                f"{path}: has {xy[0]}/{xy[1]} columns but no CRS for them. Give it "
                "(--points-crs EPSG:27700 for British National Grid, EPSG:4326 for degrees), "
                "or name WGS84 degree columns lon and lat."
            )
        else:
            raise DataError(
                f"{path}: no coordinate columns (have {list(frame.columns)}); give lon/lat "
                "(WGS84 degrees) or x/y with their CRS."
            )
        x = pd.to_numeric(frame[cols[0]], errors="coerce")
        y = pd.to_numeric(frame[cols[1]], errors="coerce")
        try:
            gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=crs)
        except pyproj.exceptions.CRSError:
            raise DataError(
                f"{path}: {crs!r} is not a coordinate reference system pyproj knows; "
                "give an EPSG code such as EPSG:27700 or EPSG:4326."
            ) from None
        _check_coordinates(gdf, source=path, crs_label=label)
        gdf = gdf.to_crs("EPSG:4326")
    else:
        gdf = gpd.read_file(path)
        if gdf.crs is None:
            raise DataError(f"{path} has no CRS; save it with one.")
        gdf["geometry"] = gdf.geometry.representative_point()
        _check_coordinates(gdf, source=path, crs_label=gdf.crs.name)
        gdf = gdf.to_crs("EPSG:4326")
    if weight_col is not None:
        gdf = keep_weighted(gdf, weight_col, source=path)
    if gdf.empty:
        raise DataError(f"{path}: no usable points.")
    return gdf.reset_index(drop=True)


def keep_weighted(points: gpd.GeoDataFrame, column: str, *, source: Path) -> gpd.GeoDataFrame:
    """Keep the points whose ``column`` is above zero (missing or non-numeric count as zero).

    Parameters
    ----------
    points
        Points with the column.
    column
        A weight: population, number of services.
    source
        The file the points came from, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A filtered copy.

    Raises
    ------
    DataError
        When the column is missing or no row is above zero.
    """
    if column not in points:
        raise DataError(
            f"{source}: no column {column!r} to weight by (have "
            f"{[c for c in points.columns if c != 'geometry']})."
        )
    weight = pd.to_numeric(points[column], errors="coerce")
    if weight.isna().any():
        logger.warning(
            "%s: %d row(s) without a %s value left out", source, int(weight.isna().sum()), column
        )
    kept = points.loc[weight.fillna(0).to_numpy() > 0]
    if kept.empty:
        raise DataError(f"{source}: no row has {column!r} above zero.")
    return kept.copy()


def _stops_box(path: Path) -> BaseGeometry | None:
    """Return the WGS84 bounding box of a GTFS zip's or folder's stops (None if unreadable)."""
    try:
        if path.is_dir():
            frame = pd.read_csv(path / "stops.txt", usecols=["stop_lat", "stop_lon"])
        else:
            with zipfile.ZipFile(path) as zf:
                name = next(n for n in zf.namelist() if n.split("/")[-1] == "stops.txt")
                with zf.open(name) as handle:
                    frame = pd.read_csv(handle, usecols=["stop_lat", "stop_lon"])
    except (OSError, ValueError, KeyError, StopIteration, zipfile.BadZipFile) as exc:
        logger.warning("GTFS feed %s skipped: cannot read its stops (%s)", path, exc)
        return None
    lat = pd.to_numeric(frame["stop_lat"], errors="coerce").dropna()
    lon = pd.to_numeric(frame["stop_lon"], errors="coerce").dropna()
    if lat.empty or lon.empty:
        return None
    return shapely.box(lon.min(), lat.min(), lon.max(), lat.max())


def find_gtfs_feeds(settings: Settings, *, area: BaseGeometry) -> list[Path]:
    """Pick the GTFS feeds in the data directory whose stops reach into an area.

    Parameters
    ----------
    settings
        Gives the data directory (the ``gtfs`` dataset's files are searched).
    area
        The study area in WGS84 (e.g. the box around the origins and destinations).

    Returns
    -------
    list of Path
        Every feed whose stops' bounding box overlaps the area, in file-name order (several
        are merged: buses and trains of one city come as separate feeds).

    Raises
    ------
    DataError
        When there is no feed, or none overlaps the area.
    """
    files = find_dataset_files(DATASETS["gtfs"], settings.data_dir)
    where = settings.data_dir / "transit"
    if not files:
        raise DataError(
            f"No GTFS feed in {where}. Run `hiap data download gtfs` or pass --gtfs FILE."
        )
    found = [p for p in files if (box := _stops_box(p)) is not None and box.intersects(area)]
    if not found:
        raise DataError(
            f"None of the GTFS feeds in {where} ({', '.join(p.name for p in files)}) has stops "
            "in the area of the origins and destinations. Run `hiap data download gtfs` for this "
            "region or pass --gtfs FILE."
        )
    return found


def _find_osm(settings: Settings, area: BaseGeometry) -> Path:
    """Return the data directory's OSM extract covering most of a WGS84 area."""
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", BNG_CRS, always_xy=True)
    west, south, east, north = area.bounds
    bounds = to_bng.transform_bounds(west, south, east, north, densify_pts=21)
    if not np.isfinite(bounds).all():
        raise DataError(
            "The origins and destinations are outside Great Britain, where the data directory's "
            "OSM extracts are looked up; pass --osm FILE with an extract of the area."
        )
    return find_osm_extract(settings, area=shapely.box(*bounds))


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
    gtfs: Sequence[Path] | None = None,
    osm: Path | None = None,
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
        GTFS zips/folders or TransXChange ``.xml`` files (merged when several); ``None``:
        every GTFS feed of the data directory with stops around the origins and destinations
        (see :func:`find_gtfs_feeds`).
    osm
        OSM extract covering the area; ``None``: the data directory's extract covering most
        of it (:func:`hiap.data.osm.find_osm_extract`, Great Britain only).
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

    if gtfs is None or osm is None:
        points = pd.concat([origins.geometry.to_crs(4326), destinations.geometry.to_crs(4326)])
        area = shapely.box(*points.total_bounds)
        gtfs = find_gtfs_feeds(settings, area=area) if gtfs is None else gtfs
        osm = _find_osm(settings, area) if osm is None else osm
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
        attribution=(f"Street network {attribution.OSM}", f"Timetables: {feed.source}"),
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
