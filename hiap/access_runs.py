"""The pieces the access and scenario pages run, without Streamlit.

Which function to use when:

* :func:`find_feeds` / :func:`feeds_covering` -- the GTFS feeds in the data directory, and
  those whose stops lie around an area (so the page can say when none covers the scheme).
* :func:`porto_alegre_demo` -- the public-transport demo area (r5r's Porto Alegre sample:
  OSM, EPTC bus GTFS, H3 hexagons with population and healthcare counts), used because no
  Cambridgeshire feed can be had offline here.
* :func:`scheme_transit_area` -- the same bundle around a UK scheme, when a feed covers it.
* :func:`scheme_access` -- the scheme's own residents (grid points inside the boundary,
  carrying dwellings x persons per dwelling) timed to the nearest destination on foot.
* :func:`transit_times` / :func:`walk_times` -- per-origin minutes to the nearest destination.
* :func:`feed_stops`, :func:`default_date` -- bus stops as points, a weekday the feed runs.
* :func:`scheme_gp_capacity` / :func:`gp_capacity_table` -- GP practices per 1,000 residents
  within a walk (2SFCA) at the scheme and the LSOAs around it, the scheme's residents added
  to the demand; and its table (scheme, surrounding area, each district).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.data.gp_lists import add_list_sizes
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.population import load_area_origins
from hiap.data.registry import DATASETS, OSM_ATTRIBUTION, find_dataset_files
from hiap.errors import DataError
from hiap.indicators.capacity import GpCapacity, gp_capacity
from hiap.indicators.homes import Homes
from hiap.indicators.points import DEFAULT_SPACING_M, scheme_points
from hiap.indicators.walkgraph import WalkGraph, minutes_to_metres
from hiap.settings import Settings
from isochrones import BNG_CRS, WalkNetwork, origin_access, summarise_access
from isochrones.gtfs import Feed
from isochrones.network import build_walk_graph
from isochrones.transit import TransitNetwork, local_utm_crs, window_travel_times

__all__ = [
    "PORTO_ALEGRE_DIR",
    "TransitArea",
    "busiest_hour",
    "default_date",
    "feed_stops",
    "feeds_covering",
    "find_feeds",
    "gp_capacity_table",
    "porto_alegre_demo",
    "scheme_access",
    "scheme_gp_capacity",
    "scheme_transit_area",
    "transit_times",
    "walk_times",
]

PORTO_ALEGRE_DIR = Path("transit") / "porto_alegre"
"""Where the Porto Alegre sample lives in the data directory."""

R5R_ATTRIBUTION = (
    "Porto Alegre sample data: r5r (ipeaGIT, MIT); EPTC GTFS, open data of the operator"
)

GET_GTFS = (
    "Run `hiap data download gtfs` (Bus Open Data Service, East Anglia) where online, or put a "
    "GTFS .zip under transit/ in the data directory, or upload one here."
)


@dataclass(frozen=True)
class TransitArea:
    """Everything a public-transport run needs for one area.

    Attributes
    ----------
    name
        Label for messages and titles.
    osm_path
        The OSM extract the walk legs use.
    feed_paths
        GTFS feeds (merged when several).
    crs
        Metric CRS of the walk network and of ``origins``/``destinations``.
    origins
        Populated points: ``code``, ``name``, ``population`` (and ``imd_decile`` in England).
    destinations
        ``{kind: points}`` with ``code`` and ``name``.
    area_wgs84
        Bounding box of the origins, ``(minx, miny, maxx, maxy)``.
    attribution
        Lines to show with results.
    """

    name: str
    osm_path: Path
    feed_paths: tuple[Path, ...]
    crs: str
    origins: gpd.GeoDataFrame
    destinations: dict[str, gpd.GeoDataFrame]
    area_wgs84: tuple[float, float, float, float]
    attribution: tuple[str, ...] = field(default=())


def find_feeds(settings: Settings) -> list[Path]:
    """Return the GTFS ``.zip`` files in the data directory (``transit/**``)."""
    return find_dataset_files(DATASETS["gtfs"], settings.data_dir)


def _stops_box(path: Path) -> tuple[float, float, float, float] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "stops.txt"]
            if not names:
                return None
            with archive.open(names[0]) as handle:
                stops = pd.read_csv(
                    io.TextIOWrapper(handle, encoding="utf-8-sig"), usecols=["stop_lat", "stop_lon"]
                )
    except (zipfile.BadZipFile, ValueError, KeyError, OSError):
        return None
    stops = stops.dropna()
    if stops.empty:
        return None
    return (
        float(stops["stop_lon"].min()),
        float(stops["stop_lat"].min()),
        float(stops["stop_lon"].max()),
        float(stops["stop_lat"].max()),
    )


def feeds_covering(feeds: Sequence[Path], area_wgs84: shapely.Geometry) -> list[Path]:
    """Return the feeds whose stops' extent overlaps an area (WGS84 geometry)."""
    kept = []
    for path in feeds:
        box = _stops_box(path)
        if box is not None and shapely.box(*box).intersects(area_wgs84):
            kept.append(path)
    return kept


def porto_alegre_demo(settings: Settings) -> TransitArea:
    """Return the Porto Alegre public-transport demo area.

    Origins are the H3 hexagons with residents; destinations the hexagons holding at least
    one healthcare facility (the sample has counts, not names).

    Raises
    ------
    DataError
        When the sample files are missing from the data directory.
    """
    folder = settings.data_dir / PORTO_ALEGRE_DIR
    wanted = [folder / "poa_osm.pbf", folder / "poa_eptc.zip", folder / "poa_hexgrid.csv"]
    missing = [p.name for p in wanted if not p.is_file()]
    if missing:
        raise DataError(
            f"The Porto Alegre demo needs {', '.join(missing)} in {folder} (r5r's sample data, "
            "see SOURCES.md of the data directory)."
        )
    hexes = pd.read_csv(folder / "poa_hexgrid.csv", dtype={"id": str})
    crs = local_utm_crs(float(hexes["lon"].median()), float(hexes["lat"].median())).to_string()
    points = gpd.GeoDataFrame(
        hexes, geometry=gpd.points_from_xy(hexes["lon"], hexes["lat"]), crs="EPSG:4326"
    )
    points = points.rename(columns={"id": "code"})
    origins = points[points["population"] > 0].copy()
    origins["name"] = "Hexagon " + origins["code"]
    origins = origins[["code", "name", "population", "geometry"]].to_crs(crs).reset_index(drop=True)
    dest = points[points["healthcare"] > 0].copy()
    dest["name"] = dest["healthcare"].astype(int).astype(str) + " healthcare facility(ies)"
    dest = dest[["code", "name", "healthcare", "geometry"]].to_crs(crs).reset_index(drop=True)
    return TransitArea(
        name="Porto Alegre (demo)",
        osm_path=folder / "poa_osm.pbf",
        feed_paths=(folder / "poa_eptc.zip",),
        crs=crs,
        origins=origins,
        destinations={"healthcare": dest},
        area_wgs84=tuple(float(v) for v in points.total_bounds),  # type: ignore[arg-type]
        attribution=(OSM_ATTRIBUTION, R5R_ATTRIBUTION),
    )


def scheme_transit_area(
    settings: Settings,
    boundary: gpd.GeoDataFrame,
    *,
    osm_path: Path,
    buffer_km: float = 5.0,
    feeds: Sequence[Path] | None = None,
) -> TransitArea:
    """Return the public-transport area around a UK scheme (LSOA origins, GPs and hospitals).

    Raises
    ------
    DataError
        When no GTFS feed in the data directory covers the scheme (with how to get one).
    """
    area = shapely.union_all(boundary.to_crs(BNG_CRS).geometry.to_numpy()).buffer(buffer_km * 1000.0)
    area_ll = gpd.GeoSeries([area], crs=BNG_CRS).to_crs("EPSG:4326").iloc[0]
    found = list(feeds) if feeds is not None else find_feeds(settings)
    covering = feeds_covering(found, area_ll)
    if not covering:
        have = ", ".join(p.name for p in found) or "none"
        raise DataError(
            f"No GTFS feed in {settings.data_dir / 'transit'} covers this scheme (feeds found: "
            f"{have}). {GET_GTFS}"
        )
    origins = load_area_origins(settings, level="lsoa")
    origins = origins[origins.intersects(area)].reset_index(drop=True)
    if origins.empty:
        raise DataError("No populated LSOA lies within the area; the population files cover "
                        "Cambridgeshire and Peterborough only.")
    destinations = {
        "gp": load_gp_practices(settings, area=area),
        "hospital": load_hospitals(settings, area=area),
    }
    return TransitArea(
        name="Around the scheme",
        osm_path=osm_path,
        feed_paths=tuple(covering),
        crs=BNG_CRS,
        origins=origins,
        destinations=destinations,
        area_wgs84=tuple(float(v) for v in area_ll.bounds),  # type: ignore[arg-type]
        attribution=(OSM_ATTRIBUTION, *origins.attrs.get("attribution", [])),
    )


def feed_stops(feed: Feed, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Return the feed's stops as points (``stop_id``, ``stop_name``), WGS84 or ``crs``."""
    stops = feed.stops.dropna(subset=["stop_lat", "stop_lon"])
    frame = gpd.GeoDataFrame(
        stops[["stop_id", "stop_name"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]),
        crs="EPSG:4326",
    )
    return frame.to_crs(crs) if crs is not None else frame


def default_date(feed: Feed, *, today: dt.date | None = None) -> dt.date:
    """Return a Tuesday the feed's calendar covers (today's week if it does), for the date picker."""
    today = today or dt.date.today()
    if feed.calendar.empty:
        dates = pd.to_datetime(feed.calendar_dates["date"])
        if dates.empty:
            return today
        start, end = dates.min().date(), dates.max().date()
    else:
        start = pd.Timestamp(feed.calendar["start_date"].min()).date()
        end = pd.Timestamp(feed.calendar["end_date"].max()).date()
    first = today if start <= today <= end else start
    tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    return tuesday if tuesday <= end else first


def busiest_hour(feed: Feed) -> dt.time:
    """Return the start of the hour in which most trips begin (a sensible default window).

    Sample feeds may run only part of the day (r5r's Porto Alegre feed: 11:00-16:00), so a
    fixed 07:00 window could find no bus at all.
    """
    first = feed.stop_times.groupby("trip_id")["departure_s"].min()
    if first.empty:
        return dt.time(7, 0)
    hour = int((first // 3600).mode().iloc[0]) % 24
    return dt.time(hour, 0)


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])


def transit_times(
    network: TransitNetwork,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    window: tuple[dt.time, dt.time],
    step_min: float = 5.0,
    max_walk_min: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Per-origin public-transport minutes to the nearest destination over a window.

    Parameters
    ----------
    network
        From :func:`isochrones.transit.build_transit_network`.
    origins, destinations
        Points in ``network.crs``.
    window
        First and last departure.
    step_min
        Minutes between departures.
    max_walk_min
        Longest walk all the way (walking is always an option).
    progress
        Called with ``(done, total)`` origins.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``time_min`` (median over departures), ``min_min``,
        ``p25_min``, ``p75_min`` (``inf``: not reached).
    """
    result = window_travel_times(
        network, _xy(origins), _xy(destinations), window=window, step_min=step_min,
        percentiles=(25, 50, 75), nearest=True, max_walk_min=max_walk_min, progress=progress,
    )
    frame = result.to_frame()
    frame.index = origins.index
    return pd.DataFrame(
        {
            "time_min": frame["p50_min"],
            "min_min": frame["min_min"],
            "p25_min": frame["p25_min"],
            "p75_min": frame["p75_min"],
        }
    )


def walk_times(
    network: WalkNetwork, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Per-origin walking minutes to the nearest destination (``time_min``, ``nearest``)."""
    return origin_access(network, origins, destinations, count_reachable=False)


def scheme_access(
    network: WalkNetwork,
    boundary: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    new_residents: float,
    spacing_m: float = 75.0,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Measure the walking access of a scheme's new residents to the nearest destination.

    Parameters
    ----------
    network
        Walk network in EPSG:27700.
    boundary
        The scheme boundary (EPSG:27700).
    destinations
        GP practices or hospitals.
    new_residents
        Dwellings x persons per dwelling, spread evenly over the grid points.
    spacing_m
        Grid spacing of the home points.

    Returns
    -------
    tuple
        The home points (``population``, ``time_min``) and the one-row indicator table
        (:func:`isochrones.summarise_access`).
    """
    points = scheme_points(boundary, spacing_m=spacing_m)
    points["population"] = points.pop("weight") * float(new_residents)
    access = origin_access(network, points, destinations)
    table = points.join(access)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=points.crs), summarise_access(table)


def scheme_gp_capacity(
    settings: Settings,
    boundary: gpd.GeoDataFrame,
    *,
    osm_path: str | Path,
    new_residents: float,
    catchment_min: float = 30.0,
    margin_m: float = 2000.0,
    spacing_m: float = DEFAULT_SPACING_M,
) -> GpCapacity | None:
    """GP practices per 1,000 residents within a walk (2SFCA) at a scheme and around it.

    The same measure as the ``gp_capacity_2sfca`` indicator (same home points, practices and
    LSOA population), with the LSOAs up to ``margin_m`` from the scheme scored exactly too,
    so they can be mapped.

    Parameters
    ----------
    settings
        Data and cache folders.
    boundary
        The scheme boundary (any CRS).
    osm_path
        OSM extract of the walk network.
    new_residents
        Residents the scheme adds (dwellings x persons per dwelling), added to the demand.
    catchment_min
        Walk catchment in minutes (4.8 km/h).
    margin_m
        How far around the scheme the LSOAs are scored exactly.
    spacing_m
        Spacing of the grid of home points.

    Returns
    -------
    GpCapacity or None
        ``None`` when no practice is within the catchment of the scheme's homes.

    Raises
    ------
    DataError
        When the GP practice or population files are missing.
    """
    site_frame = boundary.to_crs(BNG_CRS)
    site = shapely.make_valid(shapely.union_all(site_frame.geometry.to_numpy()))
    limit_m = minutes_to_metres(catchment_min)
    # why: practices up to limit + margin away, timed a further limit out
    reach_m = 2 * limit_m + margin_m + 500.0
    graph = WalkGraph.from_graph(
        build_walk_graph(osm_path, area=site, margin_m=reach_m, cache_dir=settings.cache_dir)
    )
    homes = Homes.snap(graph, scheme_points(site_frame, spacing_m=spacing_m))
    gps = add_list_sizes(
        load_gp_practices(settings, area=site, buffer_m=limit_m + margin_m), settings
    )
    population = load_area_origins(settings, level="lsoa")
    return gp_capacity(
        graph, homes, gps, population, new_residents=new_residents,
        catchment_min=catchment_min, margin_m=margin_m,
    )


def gp_capacity_table(result: GpCapacity, *, score: str = "2sfca", scheme_label: str = "Scheme") -> pd.DataFrame:
    """Population-weighted GP supply per 1,000 residents: scheme, surrounding area, districts.

    Parameters
    ----------
    result
        From :func:`scheme_gp_capacity`.
    score
        ``"2sfca"`` (plain), ``"stepped"`` or ``"gaussian"`` (enhanced).
    scheme_label
        Label of the scheme's row.

    Returns
    -------
    pandas.DataFrame
        Indexed by area (the scheme, ``"Surrounding area"``, then each district), with
        ``population`` (the scheme's new residents on its row) and ``per_1000``. Only the
        LSOAs scored exactly (``complete``) count.
    """
    column = f"access_{score}"
    areas = result.areas[result.areas["complete"]]
    rows = {scheme_label: (float(sum(result.homes["population"])) if result.homes is not None else 0.0,
                           result.per_1000[score])}

    def weighted(frame: pd.DataFrame) -> tuple[float, float]:
        pop = frame["population"].to_numpy(float)
        total = float(pop.sum())
        value = float(np.dot(pop, frame[column].to_numpy(float)) / total) if total > 0 else float("nan")
        return total, value

    rows["Surrounding area"] = weighted(areas)
    if "lad_name" in areas.columns:
        for name, group in areas.groupby(areas["lad_name"].astype("string").fillna("unknown"), sort=True):
            rows[f"District: {name}"] = weighted(group)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["population", "per_1000"])
    table.index.name = "area"
    return table
