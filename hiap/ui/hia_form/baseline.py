"""The health baseline around a scheme, built once per boundary and data directory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st

from hiap.errors import HiapError
from hiap.hia.baseline import BaselineProfile, build_baseline
from hiap.ui.settings import app_settings
from hiap.ui.text import plain

__all__ = ["baseline_profile"]


@st.cache_data(show_spinner=False, max_entries=16)
def _baseline_cached(boundary_json: str | None, data_dir: str) -> BaselineProfile:
    boundary = json.loads(boundary_json) if boundary_json else None
    return build_baseline(app_settings(), boundary=boundary)


def baseline_profile(boundary: Mapping[str, Any] | None) -> BaselineProfile | None:
    """Return the health baseline around a boundary (or the region), or show why not.

    Parameters
    ----------
    boundary
        The scheme boundary (GeoJSON, WGS84), or ``None`` for the region only.

    Returns
    -------
    BaselineProfile or None
        ``None`` when the life expectancy file is missing (the message says how to add it).
    """
    text = json.dumps(boundary, sort_keys=True) if boundary is not None else None
    try:
        with st.spinner("Gathering the health baseline..."):
            return _baseline_cached(text, str(app_settings().data_dir))
    except HiapError as error:
        st.error(f"The health baseline cannot be built: {plain(error)}")
        return None
