"""Cached loads and runs for the Buses page (Cambridgeshire's TransXChange timetables).

The feed is a ``st.cache_resource`` (read-only, shared) keyed by the settings' data
directory; results are ``st.cache_data`` keyed by every option, so each user gets a copy.
Every run holds a heavy-job slot (hiap.jobs), like the other pages' routing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from hiap.corridor import CambsFeed, CorridorConfig, CorridorResult, load_cambs_feed, run_corridor
from hiap.corridor.priorities import PriorityResult, run_priorities, test_route_line
from hiap.settings import Settings
from hiap.ui.jobs import heavy_job
from isochrones.transit import FallbackWalk

__all__ = ["cambs_feed", "corridor_result", "priorities_result", "route_test_result"]


@st.cache_resource(show_spinner="Reading the TransXChange timetables and NaPTAN stops…")
def cambs_feed(_settings: Settings, data_dir: str) -> CambsFeed:
    """Return the combined Cambridgeshire feed (one per data directory)."""
    return load_cambs_feed(_settings)


def _bar() -> Callable[[str, float], None]:
    bar = st.progress(0.0, text="Starting")

    def update(stage: str, frac: float) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=stage)

    return update


def _config(date: dt.date, fallback: bool, step_min: float = 1.0) -> CorridorConfig:
    return CorridorConfig(
        date=date, step_min=step_min, fallback=FallbackWalk() if fallback else None
    )


@st.cache_data(show_spinner=False, max_entries=8)
def corridor_result(
    _settings: Settings,
    _cambs: CambsFeed,
    data_dir: str,
    date: dt.date,
    fallback: bool,
    step_min: float,
) -> CorridorResult:
    """Run the corridor analysis (cached per date, walking mode and step)."""
    bar = _bar()
    with heavy_job("running the corridor analysis"):
        result = run_corridor(
            _settings,
            _cambs,
            _config(date, fallback, step_min),
            progress=bar,
        )
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def priorities_result(
    _settings: Settings, _cambs: CambsFeed, data_dir: str, date: dt.date, fallback: bool
) -> PriorityResult:
    """Generate and rank the candidate changes (cached per date and walking mode)."""
    bar = _bar()
    with heavy_job("ranking the candidate changes"):
        result = run_priorities(
            _settings,
            _cambs,
            _config(date, fallback),
            progress=bar,
        )
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def route_test_result(
    _settings: Settings,
    _cambs: CambsFeed,
    data_dir: str,
    date: dt.date,
    fallback: bool,
    line: tuple[tuple[float, float], ...],
    name: str,
    headway_min: float,
    first: dt.time,
    last: dt.time,
) -> PriorityResult:
    """Test a drawn route (a transport scheme's line) against the feed."""
    bar = _bar()
    with heavy_job("testing the route"):
        result = test_route_line(
            _settings,
            _cambs,
            _config(date, fallback),
            line_lonlat=list(line),
            name=name,
            headway_min=headway_min,
            first=first,
            last=last,
            progress=bar,
        )
    return result
