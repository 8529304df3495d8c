"""Every cached access computation of the app, each keyed here from content digests.

The caches are shared by every user of the server, so a key must change whenever the answer
can: it is built by :func:`hiap.access.keys.access_key` from the options (date, window, step,
bands, buffer, destinations...), the scheme's geometry, the digests of the OSM extract and
feeds (by content, not path) and of the data directory's files. Every other key here goes
through the same builder (:func:`hiap.access.keys.answer_key`), so each carries the code
version too. Pages never build a key.

* :func:`access_result` -- :func:`hiap.access.measure_access`, one cached answer per key.
* :func:`gp_capacity_result` -- GP capacity (2SFCA) around a scheme.
* :func:`demo_area` -- the Porto Alegre sample's points.
* :class:`CachedResources` -- the read-only walk graphs, networks, feeds and timetables the
  runs share (``st.cache_resource``, keyed by file digests and the clip area).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st
from shapely.geometry.base import BaseGeometry

from hiap.access import AccessOptions, AccessResult, measure_access
from hiap.access.capacity import scheme_gp_capacity
from hiap.access.demo import DemoArea, porto_alegre_demo
from hiap.access.feeds import stops_files_for, timetable_files
from hiap.access.keys import (
    access_key,
    answer_key,
    content_digest,
    data_digest,
    files_digest,
    frame_digest,
    geometry_digest,
)
from hiap.access.network import DirectResources, load_timetables
from hiap.indicators.capacity import GpCapacity
from hiap.schemes import Scheme
from hiap.settings import Settings
from isochrones import WalkNetwork
from isochrones.cache import file_digest
from isochrones.gtfs import Feed
from isochrones.scenarios import Scenario
from isochrones.transit import TransitNetwork, build_transit_network

__all__ = [
    "CachedResources",
    "access_result",
    "demo_area",
    "gp_capacity_result",
    "scheme_digest",
]


def scheme_digest(scheme: Scheme) -> str:
    """Return a key that changes whenever the scheme's geometry or metadata changes."""
    metadata = scheme.metadata.model_dump_json()
    return content_digest({"metadata": metadata, "boundary": scheme.boundary})[:32]


# ---------------------------------------------------------------- shared read-only inputs


@st.cache_resource(show_spinner=False, max_entries=6)
def _walk_network(
    key: str, _direct: DirectResources, _osm_path: Path, _area: BaseGeometry | None,
    area_crs: str, margin_m: float, to_crs: str,
) -> WalkNetwork:
    del key
    return _direct.walk_network(
        _osm_path, area=_area, area_crs=area_crs, margin_m=margin_m, to_crs=to_crs
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _feed(key: str, _paths: tuple[Path, ...], _stops: tuple[Path, ...]) -> Feed:
    del key
    return load_timetables(_paths, stops=_stops)


@st.cache_resource(show_spinner=False, max_entries=8)
def _transit_network(
    key: str, _feed: Feed, _walk: WalkNetwork, date: dt.date, window_s: tuple[int, int]
) -> TransitNetwork:
    del key
    return build_transit_network(_feed, date, walk=_walk, time_window_s=window_s)


class CachedResources:
    """:class:`hiap.access.Resources` served from the server's shared caches.

    Objects are read-only (the routing core never mutates a network or feed), so sharing one
    between sessions is safe. A scenario's edited feed is not one of ours: its timetable is
    built afresh, while the baseline's stays cached.
    """

    def __init__(self, settings: Settings) -> None:
        self._direct = DirectResources(settings)
        self._settings = settings
        self._cache_dir = settings.cache_dir
        self._keys: dict[int, str] = {}

    def walk_network(
        self, osm_path: Path, *, area: BaseGeometry | None, area_crs: str, margin_m: float,
        to_crs: str,
    ) -> WalkNetwork:
        """Return the walk network, keyed by the extract's digest, the area, margin and CRS."""
        key = answer_key({
            "what": "walk_network", "osm": file_digest(osm_path), "area": geometry_digest(area),
            "area_crs": area_crs, "margin_m": margin_m, "to_crs": to_crs,
        })
        # a failed build raises DataError naming the file (DirectResources); nothing is cached
        network = _walk_network(key, self._direct, osm_path, area, area_crs, margin_m, to_crs)
        self._keys[id(network)] = key
        return network

    def feed(self, paths: Sequence[Path]) -> Feed:
        """Return the timetable, keyed by the files' (and NaPTAN stops files') content digests."""
        files = timetable_files(paths)
        stops = stops_files_for(self._settings, files)
        key = answer_key({"what": "feed", "files": files_digest([*files, *stops])})
        feed = _feed(key, files, stops)
        self._keys[id(feed)] = key
        return feed

    def transit_network(
        self, feed: Feed, walk: WalkNetwork, date: dt.date, window_s: tuple[int, int]
    ) -> TransitNetwork:
        """Return the timetable of a date on the walk network (cached for known feeds)."""
        feed_key, walk_key = self._keys.get(id(feed)), self._keys.get(id(walk))
        if feed_key is None or walk_key is None:
            return build_transit_network(feed, date, walk=walk, time_window_s=window_s)
        key = answer_key({"what": "transit_network", "feed": feed_key, "walk": walk_key})
        return _transit_network(key, feed, walk, date, window_s)


# ---------------------------------------------------------------- answers


@st.cache_data(show_spinner=False, max_entries=32)
def _access_result(key: str, _settings: Settings, _inputs: dict[str, Any]) -> AccessResult:
    del key
    return measure_access(_settings, resources=CachedResources(_settings), **_inputs)


def access_result(
    settings: Settings,
    options: AccessOptions,
    *,
    area: BaseGeometry | None = None,
    area_label: str | None = None,
    scheme: gpd.GeoDataFrame | None = None,
    osm_path: Path | None = None,
    feeds: Sequence[Path] | None = None,
    origins: gpd.GeoDataFrame | None = None,
    destinations: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
) -> AccessResult:
    """Return :func:`hiap.access.measure_access` for these inputs, computed once per key.

    The key (:func:`hiap.access.keys.access_key`) holds the digests of every input, so two
    schemes, two dates or two edits of the same feed file never share an answer. No
    Streamlit element is drawn inside (a cached function replays its elements); callers wrap
    the call in ``st.spinner``.

    Parameters
    ----------
    settings
        The app's settings.
    options
        What to measure.
    area, area_label, scheme, osm_path, feeds, origins, destinations, scenario
        As :func:`hiap.access.measure_access`.

    Returns
    -------
    AccessResult
        A copy of the cached answer.
    """
    key = access_key(
        settings, options, area=area, scheme=scheme, osm_path=osm_path, feeds=feeds,
        origins=origins, destinations=destinations, scenario=scenario,
    )
    inputs = {
        "options": options, "area": area, "area_label": area_label, "scheme": scheme,
        "osm_path": osm_path, "feeds": feeds, "origins": origins, "destinations": destinations,
        "scenario": scenario,
    }
    return _access_result(key, settings, inputs)


@st.cache_data(show_spinner=False, max_entries=16)
def _gp_capacity(
    key: str, _settings: Settings, _boundary: gpd.GeoDataFrame, _osm_path: Path,
    new_residents: float, catchment_min: float, margin_m: float,
) -> GpCapacity | None:
    del key
    return scheme_gp_capacity(
        _settings, _boundary, osm_path=_osm_path, new_residents=new_residents,
        catchment_min=catchment_min, margin_m=margin_m,
    )


def gp_capacity_result(
    settings: Settings, boundary: gpd.GeoDataFrame, *, osm_path: Path, new_residents: float,
    catchment_min: float, margin_m: float,
) -> GpCapacity | None:
    """Return GP capacity (2SFCA) around a scheme, computed once per content key."""
    key = answer_key({
        "what": "gp_capacity", "boundary": frame_digest(boundary), "osm": file_digest(osm_path),
        "data": data_digest(settings), "new_residents": new_residents,
        "catchment_min": catchment_min, "margin_m": margin_m,
    })
    return _gp_capacity(key, settings, boundary, osm_path, new_residents, catchment_min, margin_m)


@st.cache_data(show_spinner=False, max_entries=2)
def _demo_area(key: str, _settings: Settings) -> DemoArea:
    del key
    return porto_alegre_demo(_settings)


def demo_area(settings: Settings) -> DemoArea:
    """Return the Porto Alegre sample's points (read once per content of its files)."""
    from hiap.access.demo import PORTO_ALEGRE_DIR

    folder = settings.data_dir / PORTO_ALEGRE_DIR
    files = sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []
    key = answer_key({"what": "demo_area", "files": files_digest(files) if files else "missing"})
    return _demo_area(key, settings)
