"""Cached loads and runs for the Buses page (Cambridgeshire's TransXChange timetables).

The feed is a ``st.cache_resource`` (read-only, shared) and results are ``st.cache_data``
(each user gets a copy). Both caches are shared by every user of the server, so each key is
built here by :func:`hiap.access.keys.bus_key` from the content digests of the TransXChange
files, NaPTAN stops, destinations, population and OSM extracts, with the service day,
windows, step, fallback walking settings and route (never from a folder name or flag).
Every run holds a heavy-job slot (hiap.jobs), like the other pages' routing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from hiap.access import AccessResult
from hiap.access.keys import bus_key
from hiap.corridor import CambsFeed, CorridorConfig, CorridorResult, load_cambs_feed, run_corridor
from hiap.corridor.priorities import (
    PriorityResult,
    SchemeRoute,
    run_priorities,
    test_route_line,
)
from hiap.corridor.route_access import scheme_route_access
from hiap.settings import Settings
from hiap.ui.jobs import heavy_job
from isochrones.transit import FallbackWalk

__all__ = [
    "RANKING_KEY",
    "cambs_feed",
    "corridor_config",
    "corridor_result",
    "priorities_result",
    "remember_ranking",
    "route_access_result",
    "route_test_result",
    "session_ranking",
]


@st.cache_resource(show_spinner="Reading the TransXChange timetables and NaPTAN stops…")
def _cambs_feed(key: str, _settings: Settings) -> CambsFeed:
    del key
    return load_cambs_feed(_settings)


def cambs_feed(settings: Settings) -> CambsFeed:
    """Return the combined Cambridgeshire feed (one per content of the timetable files)."""
    return _cambs_feed(bus_key(settings, "feed", {}), settings)


def _bar() -> Callable[[str, float], None]:
    bar = st.progress(0.0, text="Starting")

    def update(stage: str, frac: float) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=stage)

    return update


def corridor_config(date: dt.date, fallback: bool, step_min: float = 1.0) -> CorridorConfig:
    """Return the options of a Buses page run (the fallback with its default settings)."""
    return CorridorConfig(
        date=date, step_min=step_min, fallback=FallbackWalk() if fallback else None
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _corridor(key: str, _settings: Settings, _cambs: CambsFeed, _config: CorridorConfig) -> CorridorResult:
    del key
    bar = _bar()
    with heavy_job("running the corridor analysis"):
        return run_corridor(_settings, _cambs, _config, progress=bar)


def corridor_result(settings: Settings, cambs: CambsFeed, config: CorridorConfig) -> CorridorResult:
    """Run the corridor analysis, once per content of the data and every option."""
    key = bus_key(settings, "corridor", {"config": config})
    return _corridor(key, settings, cambs, config)


@st.cache_data(show_spinner=False, max_entries=4)
def _priorities(
    key: str, _settings: Settings, _cambs: CambsFeed, _config: CorridorConfig
) -> PriorityResult:
    del key
    bar = _bar()
    with heavy_job("ranking the candidate changes"):
        return run_priorities(_settings, _cambs, _config, progress=bar)


def priorities_result(
    settings: Settings, cambs: CambsFeed, config: CorridorConfig
) -> PriorityResult:
    """Generate and rank the candidate changes, once per content of the data and options."""
    key = bus_key(settings, "priorities", {"config": config})
    return _priorities(key, settings, cambs, config)


@st.cache_data(show_spinner=False, max_entries=4)
def _route_test(
    key: str, _settings: Settings, _cambs: CambsFeed, _config: CorridorConfig, _route: SchemeRoute
) -> PriorityResult:
    del key
    bar = _bar()
    with heavy_job("testing the route"):
        return test_route_line(
            _settings,
            _cambs,
            _config,
            line_lonlat=list(_route.line),
            name=_route.name,
            headway_min=_route.headway_min,
            first=_route.first,
            last=_route.last,
            progress=bar,
        )


def route_test_result(
    settings: Settings, cambs: CambsFeed, config: CorridorConfig, route: SchemeRoute
) -> PriorityResult:
    """Test a drawn route (a transport scheme's line and service) against the feed.

    Keyed by the route's vertices, name and service as well as the data and options.
    """
    key = bus_key(settings, "route", {"config": config, "route": route})
    return _route_test(key, settings, cambs, config, route)


RANKING_KEY = "hiap.buses.ranking"
"""Session key of the last ranking shown on the Buses page (for the report)."""


def remember_ranking(result: PriorityResult) -> None:
    """Keep the ranking this session was shown, for the assessment report."""
    st.session_state[RANKING_KEY] = result


def session_ranking() -> PriorityResult | None:
    """Return the ranking shown on the Buses page in this session (for the report), if any."""
    result = st.session_state.get(RANKING_KEY)
    return result if isinstance(result, PriorityResult) else None


@st.cache_data(show_spinner=False, max_entries=8)
def _route_access(
    key: str, _settings: Settings, _cambs: CambsFeed, _config: CorridorConfig,
    _route: SchemeRoute, to: str,
) -> AccessResult:
    del key
    with heavy_job("testing the route"):
        return scheme_route_access(
            _settings, _cambs, _route, date=_config.date, to=to, fallback=_config.fallback
        )


def route_access_result(
    settings: Settings, cambs: CambsFeed, config: CorridorConfig, route: SchemeRoute, to: str
) -> AccessResult:
    """Measure access along a scheme's route without and with it, through the access engine.

    Keyed by the data's content, the day, the walking fallback, the route's line and service
    and the destination; no Streamlit element is drawn inside (wrap it in ``st.spinner``).
    """
    key = bus_key(settings, "route-access", {"config": config, "route": route, "to": to})
    return _route_access(key, settings, cambs, config, route, to)
