"""Show a folium map in the app so that it works offline (drop-in for ``st_folium``).

Pages call :func:`st_folium` from here instead of ``streamlit_folium``: the map's libraries
come from the app itself and, when the browser cannot reach the tiles, a base map drawn from
the local OpenStreetMap extract replaces them (:mod:`hiap.viz.offline`). Under every map, its
layers are listed in text (:func:`hiap.viz.text_alternatives.map_layers`), the map's text
alternative for screen readers (WCAG 1.1.1).
"""

from __future__ import annotations

import logging
from typing import Any

import folium
import streamlit as st
import streamlit_folium

from hiap.ui.settings import app_settings
from hiap.viz.offline import make_offline_ready
from hiap.viz.osm_base import BaseLayers, local_base
from hiap.viz.text_alternatives import map_layers

__all__ = ["st_folium"]

logger = logging.getLogger(__name__)

_MARGIN_M = 300.0


@st.cache_data(show_spinner=False, max_entries=32)
def _local_base(box_bng: tuple[float, float, float, float], osm_digest: str) -> BaseLayers | None:
    """Return the local extract's base features inside a box (EPSG:27700), keyed by content."""
    del osm_digest  # in the key only: a changed or added extract gives a new answer
    return local_base(box_bng, settings=app_settings())


def _box_bng(fmap: folium.Map) -> tuple[float, float, float, float] | None:
    import pyproj

    bounds = fmap.get_bounds()
    corners = [float(v) for corner in bounds or [] for v in corner if v is not None]
    if len(corners) != 4:
        if not fmap.location:
            return None
        lat, lon = fmap.location
        corners = [float(lat), float(lon), float(lat), float(lon)]
    lat0, lon0, lat1, lon1 = corners
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x0, y0, x1, y1 = to_bng.transform_bounds(lon0, lat0, lon1, lat1)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # local_base caps the box's size around its centre
    half_w = (x1 - x0) / 2 + _MARGIN_M
    half_h = (y1 - y0) / 2 + _MARGIN_M
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def st_folium(fig: folium.Map, **kwargs: Any) -> Any:
    """Show ``fig`` like ``streamlit_folium.st_folium``, ready to work without the internet.

    Under the map, a table lists its layers in text (what each shows, how many features, the
    first names), as its text alternative.

    Parameters
    ----------
    fig
        A finished folium map (changed in place: local libraries, hidden local base layer).
    **kwargs
        Passed to ``streamlit_folium.st_folium``.

    Returns
    -------
    Any
        What ``streamlit_folium.st_folium`` returns.
    """
    from hiap.access.keys import data_digest

    layers = map_layers(fig)  # before the hidden local base is added: it is not a layer to list
    base = None
    box = _box_bng(fig)
    if box is not None:
        try:
            x0, y0, x1, y1 = (float(round(v)) for v in box)  # a stable cache key
            base = _local_base((x0, y0, x1, y1), data_digest(app_settings(), ("osm",)))
        except OSError as exc:  # no local base: the map still shows, with a note
            logger.info("no local OSM base for the map: %s", exc)
    # why: under server.baseUrlPath (e.g. behind a council proxy at /hiap) the static files
    # are served at /hiap/app/static, not /app/static
    base_url_path = str(st.get_option("server.baseUrlPath") or "")
    make_offline_ready(fig, base=base, base_url_path=base_url_path)
    returned = streamlit_folium.st_folium(fig, **kwargs)
    # why st.table: an HTML <table> a screen reader can walk (st.dataframe draws on a canvas)
    with st.expander("The map in text: its layers"):
        st.table(layers.set_index("Layer"))
    return returned
