"""Streamlit glue for the spatial evidence page: measure once per scheme, keep per session."""

from __future__ import annotations

import streamlit as st

from hiap.indicators import IndicatorReport, assess_indicators
from hiap.schemes import Scheme
from hiap.settings import Settings
from hiap.ui.cache import scheme_digest
from hiap.ui.jobs import heavy_job

_REPORTS_KEY = "hiap.indicator_reports"


def measured_report(scheme: Scheme) -> IndicatorReport | None:
    """Return this session's indicator report for the scheme, if it was measured."""
    return st.session_state.get(_REPORTS_KEY, {}).get(scheme_digest(scheme))


def measure(scheme: Scheme, settings: Settings) -> IndicatorReport:
    """Measure the scheme's indicators with a progress bar, and keep the result in the session.

    Parameters
    ----------
    scheme
        A housing or mixed scheme with a boundary.
    settings
        The app's settings.

    Returns
    -------
    IndicatorReport
        Every measured indicator, and the ones that could not be measured with the reason.
    """
    bar = st.progress(0.0, text="Preparing the walk network and OpenStreetMap features...")

    def report_progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    with heavy_job("measuring the indicators"):
        report = assess_indicators(scheme, settings=settings, progress=report_progress)
    bar.empty()
    st.session_state.setdefault(_REPORTS_KEY, {})[scheme_digest(scheme)] = report
    return report
