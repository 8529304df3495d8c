"""Show a folium map in the app so that it works offline (drop-in for ``st_folium``).

Pages call :func:`st_folium` from here instead of ``streamlit_folium``: the map's libraries
come from the app itself and, when the browser cannot reach the tiles, a base map drawn from
the local OpenStreetMap extract replaces them (:mod:`hiap.viz.offline`).
"""

from __future__ import annotations

import logging
from typing import Any

import folium
import streamlit as st
import streamlit_folium

from hiap.ui.settings import app_settings
from hiap.viz.offline import make_offline_ready

__all__ = ["st_folium"]

logger = logging.getLogger(__name__)

_MARGIN_M = 300.0
_MAX_SIDE_M = 8_000.0  # the local base covers the map's area up to this size, around its centre


@st.cache_data(show_spinner=False, max_entries=32)
def _local_layers(
    box_bng: tuple[float, float, float, float], extract_digest_key: str, extract: str
) -> tuple[Any, Any]:
    """Streets and green spaces of the local extract inside a box (EPSG:27700), simplified."""
    from pathlib import Path

    import shapely

    from hiap.indicators.osm_features import extract_osm_features

    features = extract_osm_features(Path(extract), settings=app_settings())
    area = shapely.box(*box_bng)
    streets = features.streets[features.streets.intersects(area)][["is_path", "geometry"]]
    green = features.greenspace[features.greenspace.intersects(area)][["geometry"]]
    streets = streets.assign(geometry=streets.geometry.simplify(3.0))
    green = green.assign(geometry=green.geometry.simplify(5.0))
    return streets, green


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
    half_w = min((x1 - x0) / 2 + _MARGIN_M, _MAX_SIDE_M / 2)
    half_h = min((y1 - y0) / 2 + _MARGIN_M, _MAX_SIDE_M / 2)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def st_folium(fig: folium.Map, **kwargs: Any) -> Any:
    """Show ``fig`` like ``streamlit_folium.st_folium``, ready to work without the internet.

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
    import shapely

    from hiap.data.osm import find_osm_extract
    from hiap.errors import HiapError

    streets = green = None
    box = _box_bng(fig)
    if box is not None:
        try:
            extract = find_osm_extract(app_settings(), area=shapely.box(*box), required=False)
            if extract is not None:
                stat = extract.stat()
                x0, y0, x1, y1 = (float(round(v)) for v in box)  # a stable cache key
                streets, green = _local_layers(
                    (x0, y0, x1, y1), f"{stat.st_size}-{stat.st_mtime_ns}", str(extract)
                )
        except (HiapError, OSError) as exc:  # no local base: the map still shows, with a note
            logger.info("no local OSM base for the map: %s", exc)
    # why: under server.baseUrlPath (e.g. behind a council proxy at /hiap) the static files
    # are served at /hiap/app/static, not /app/static
    base_url_path = str(st.get_option("server.baseUrlPath") or "")
    make_offline_ready(fig, streets=streets, greenspace=green, base_url_path=base_url_path)
    return streamlit_folium.st_folium(fig, **kwargs)
