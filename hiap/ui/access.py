"""Cached loads and runs for the access and scenario pages.

Read-only, shared objects (walk networks, feeds, transit networks) are ``st.cache_resource``
keyed by the files' SHA-256 digests, so an edited file is never served stale; result frames are
``st.cache_data`` (each caller gets a copy). Parameters starting with ``_`` are the big
objects Streamlit must not hash; the key that stands for them is passed alongside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from hiap.access import WalkAccessResult, find_osm_extract, load_walk_network, walk_access
from hiap.access.walk import Destination
from hiap.access_runs import (
    TransitArea,
    porto_alegre_demo,
    scheme_access,
    scheme_gp_capacity,
    scheme_transit_area,
    transit_times,
    walk_times,
)
from hiap.indicators.capacity import GpCapacity
from hiap.settings import Settings
from hiap.ui.data_picker import data_file_picker
from hiap.ui.jobs import heavy_job
from isochrones import WalkNetwork, build_walk_graph, isochrone_polygons
from isochrones.cache import file_digest
from isochrones.gtfs import Feed, load_feed, merge_feeds
from isochrones.scenarios import Scenario, apply_scenario
from isochrones.transit import TransitNetwork, build_transit_network

__all__ = [
    "PtBundle",
    "area_walk_network",
    "demo_bundle",
    "digest",
    "feed_resource",
    "gp_capacity_cached",
    "porto_alegre_area",
    "scenario_feed",
    "scheme_access_cached",
    "scheme_bundle",
    "transit_network_resource",
    "transit_times_cached",
    "uk_data_overrides",
    "walk_access_cached",
    "walk_isochrones_cached",
    "walk_network_resource",
    "walk_times_cached",
]


def digest(path: str | Path) -> str:
    """SHA-256 of a file (memoised per path, size and modification time)."""
    return file_digest(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def walk_network_resource(
    osm_path: str, osm_digest: str, *, crs: str, cache_dir: str | None
) -> WalkNetwork:
    """Return the whole extract's walk network, built once per file digest and shared read-only."""
    del osm_digest  # part of the cache key only
    graph = build_walk_graph(osm_path, to_crs=crs, cache_dir=cache_dir)
    return WalkNetwork.from_graph(graph)


@st.cache_resource(show_spinner=False, max_entries=4)
def feed_resource(paths: tuple[str, ...], digests: tuple[str, ...]) -> Feed:
    """Return a feed (several merged), loaded once per set of file digests and shared read-only."""
    del digests
    feeds = [load_feed(p) for p in paths]
    return feeds[0] if len(feeds) == 1 else merge_feeds(feeds)


@st.cache_resource(show_spinner=False, max_entries=8)
def transit_network_resource(
    _feed: Feed, feed_key: str, _walk: WalkNetwork, walk_key: str, date: dt.date
) -> TransitNetwork:
    """Return the feed's timetable for a date, stops linked on the walk network (shared read-only)."""
    del feed_key, walk_key
    return build_transit_network(_feed, date, walk=_walk)


@st.cache_resource(show_spinner=False)
def porto_alegre_area(_settings: Settings, data_dir: str) -> TransitArea:
    """Return the Porto Alegre demo's origins and destinations (read once per data directory)."""
    del data_dir
    return porto_alegre_demo(_settings)


@st.cache_data(show_spinner=False, max_entries=32)
def walk_access_cached(
    _settings: Settings,
    settings_key: str,
    boundary_wkb: bytes,
    to: str,
    bands_min: tuple[float, ...],
    buffer_km: float,
    osm_path: str,
    osm_digest: str,
) -> WalkAccessResult:
    """:func:`hiap.access.walk_access` around a scheme, cached per input."""
    del settings_key, osm_digest
    area = shapely.from_wkb(boundary_wkb)
    return walk_access(
        _settings,
        to=cast(Destination, to),
        osm_path=osm_path,
        area=area,
        buffer_km=buffer_km,
        bands_min=bands_min,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def transit_times_cached(
    _network: TransitNetwork,
    network_key: str,
    _origins: gpd.GeoDataFrame,
    _destinations: gpd.GeoDataFrame,
    points_key: str,
    window: tuple[dt.time, dt.time],
    step_min: float,
) -> pd.DataFrame:
    """:func:`hiap.access_runs.transit_times`, cached per network, points and window."""
    del network_key, points_key
    return transit_times(
        _network, _origins, _destinations, window=window, step_min=step_min
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def scenario_feed(_feed: Feed, feed_key: str, scenario_json: str) -> Feed:
    """Return the baseline feed with a scenario applied (a new object; the baseline is untouched)."""
    del feed_key
    return apply_scenario(_feed, Scenario.model_validate_json(scenario_json))


@st.cache_resource(show_spinner=False, max_entries=4)
def area_walk_network(
    _settings: Settings, osm_path: str, osm_digest: str, boundary_wkb: bytes, buffer_km: float
) -> WalkNetwork:
    """Return the walk network around a scheme (same build and disk cache as the walk run)."""
    del osm_digest
    _, network, _ = load_walk_network(
        _settings, osm_path=osm_path, area=shapely.from_wkb(boundary_wkb), buffer_km=buffer_km
    )
    return network


@st.cache_data(show_spinner=False, max_entries=32)
def scheme_access_cached(
    _network: WalkNetwork,
    network_key: str,
    _boundary: gpd.GeoDataFrame,
    _destinations: gpd.GeoDataFrame,
    inputs_key: str,
    new_residents: float,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """:func:`hiap.access_runs.scheme_access`, cached per network, scheme and destinations."""
    del network_key, inputs_key
    return scheme_access(_network, _boundary, _destinations, new_residents=new_residents)


@st.cache_data(show_spinner=False, max_entries=16)
def gp_capacity_cached(
    _settings: Settings,
    settings_key: str,
    boundary_wkb: bytes,
    osm_path: str,
    osm_digest: str,
    new_residents: float,
    catchment_min: float,
    margin_m: float,
) -> GpCapacity | None:
    """:func:`hiap.access_runs.scheme_gp_capacity` for a boundary (EPSG:27700), cached per input."""
    del settings_key, osm_digest
    boundary = gpd.GeoDataFrame(geometry=[shapely.from_wkb(boundary_wkb)], crs=27700)
    return scheme_gp_capacity(
        _settings, boundary, osm_path=osm_path, new_residents=new_residents,
        catchment_min=catchment_min, margin_m=margin_m,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def walk_times_cached(
    _network: WalkNetwork,
    network_key: str,
    _origins: gpd.GeoDataFrame,
    _destinations: gpd.GeoDataFrame,
    points_key: str,
) -> pd.DataFrame:
    """:func:`hiap.access_runs.walk_times`, cached per network and points."""
    del network_key, points_key
    return walk_times(_network, _origins, _destinations)


@st.cache_data(show_spinner=False, max_entries=32)
def walk_isochrones_cached(
    _network: WalkNetwork,
    network_key: str,
    _destinations: gpd.GeoDataFrame,
    points_key: str,
    bands_min: tuple[float, ...],
) -> gpd.GeoDataFrame:
    """Return walking isochrones from the nearest destination, cached per network, points and bands."""
    del network_key, points_key
    return isochrone_polygons(_network, _destinations, bands_min=bands_min)


@dataclass(frozen=True)
class PtBundle:
    """An area with its walk network and baseline feed, ready for public-transport runs."""

    area: TransitArea
    network: WalkNetwork
    network_key: str
    feed: Feed
    feed_key: str


def demo_bundle(settings: Settings) -> PtBundle:
    """Load (once per server) the Porto Alegre demo: area, walk network and EPTC feed.

    Raises
    ------
    HiapError, IsochronesError, FeedError
        When the sample files are missing or unreadable (the page shows the message).
    """
    area = porto_alegre_area(settings, str(settings.data_dir))
    osm_digest = digest(area.osm_path)
    with (
        heavy_job("loading the Porto Alegre network"),
        st.status("Loading the Porto Alegre walk network and timetable…") as status,
    ):
        network = walk_network_resource(
            str(area.osm_path), osm_digest, crs=area.crs,
            cache_dir=None if settings.cache_dir is None else str(settings.cache_dir),
        )
        feed_digests = tuple(digest(p) for p in area.feed_paths)
        feed = feed_resource(tuple(str(p) for p in area.feed_paths), feed_digests)
        status.update(
            label=f"Walk network {network.n_nodes:,} junctions; feed {len(feed.routes)} routes, "
            f"{len(feed.stops):,} stops",
            state="complete",
        )
    return PtBundle(area, network, osm_digest, feed, ":".join(feed_digests))


def uk_data_overrides(settings: Settings) -> tuple[Path | None, list[Path] | None]:
    """Offer another OSM extract and GTFS feed for the area around a scheme.

    Files are chosen from the data directory or uploaded (see :mod:`hiap.ui.data_picker`);
    a typed server path is offered only when ``HIAP_ALLOW_LOCAL_PATHS`` is on.

    Returns
    -------
    tuple
        The OSM extract chosen (None: pick from the data directory) and the feeds to use
        (None: those in the data directory).
    """
    with st.expander("Use other data (OSM extract, GTFS feed)"):
        osm = data_file_picker(settings, "osm", key="access.osm")
        feed = data_file_picker(settings, "gtfs", key="access.gtfs")
    return osm, [feed] if feed is not None else None


def scheme_bundle(
    settings: Settings,
    boundary: gpd.GeoDataFrame,
    *,
    buffer_km: float,
    osm_path: Path | None = None,
    feeds: list[Path] | None = None,
) -> PtBundle:
    """Return the area around a UK scheme with its walk network and the GTFS feed(s) covering it.

    Raises
    ------
    HiapError
        When no OSM extract or no feed covers the scheme (the message says how to get one).
    """
    area = shapely.make_valid(shapely.union_all(boundary.to_crs(27700).geometry.to_numpy()))
    osm = osm_path if osm_path is not None else find_osm_extract(settings, area=area)
    osm_digest = digest(osm)
    transit_area = scheme_transit_area(
        settings, boundary, osm_path=osm, buffer_km=buffer_km, feeds=feeds
    )
    with heavy_job("building the walk network and timetable"):
        network = area_walk_network(settings, str(osm), osm_digest, shapely.to_wkb(area), buffer_km)
        feed_digests = tuple(digest(p) for p in transit_area.feed_paths)
        feed = feed_resource(tuple(str(p) for p in transit_area.feed_paths), feed_digests)
    return PtBundle(transit_area, network, f"{osm_digest}:{buffer_km}", feed, ":".join(feed_digests))
