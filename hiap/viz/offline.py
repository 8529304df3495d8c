"""Maps that work without the internet: local map libraries and a base map from local OSM.

Folium pages load Leaflet and its plugins from public CDNs and tiles from openstreetmap.org;
on a locked-down council network or a laptop on a site visit both fail and the map is blank.
Two things fix that, both applied to a finished map by :func:`make_offline_ready`:

- :func:`use_local_assets` points every CDN link at the copies the app serves itself
  (``static/vendor``, served by Streamlit at ``/app/static/``, or ``/BASE/app/static/`` when
  the app runs under ``server.baseUrlPath``: see :func:`static_url`). Links with no local copy
  (icon fonts for marker glyphs) are dropped: hiap's markers use no icon font
  (:func:`hiap.viz.maps.badge_marker` draws them in plain HTML).
- :func:`add_local_base` adds, hidden, a base layer drawn from the local OSM extract (streets,
  paths, water and green spaces, selected by :func:`hiap.viz.osm_base.local_base`, the same
  selection the report maps are drawn on) and a few lines of JavaScript: when the tiles
  cannot be reached (Leaflet's ``tileerror``), the tile layer is removed, the local base
  shown, and a note says so. Online, nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import folium
from branca.element import MacroElement
from jinja2 import Template

from hiap import attribution
from hiap.viz.osm_base import BASE_STYLE

if TYPE_CHECKING:
    from hiap.viz.osm_base import BaseLayers

__all__ = [
    "LOCAL_ASSETS",
    "STATIC_URL",
    "add_local_base",
    "external_links",
    "make_offline_ready",
    "static_url",
    "use_local_assets",
]

STATIC_URL = "/app/static/vendor"
"""Where Streamlit serves ``static/vendor`` (``server.enableStaticServing = true``) at the root."""


def static_url(base_url_path: str = "") -> str:
    """Return where the app serves ``static/vendor`` under Streamlit's ``server.baseUrlPath``.

    Parameters
    ----------
    base_url_path
        The app's base path (``server.baseUrlPath``, e.g. ``"hiap"`` or ``"/tools/hiap/"``);
        empty when the app runs at the root of its host.

    Returns
    -------
    str
        An absolute path such as ``/hiap/app/static/vendor`` (``/app/static/vendor`` at the root).
    """
    base = "/".join(part for part in base_url_path.split("/") if part)
    return f"/{base}{STATIC_URL}" if base else STATIC_URL

LOCAL_ASSETS: dict[str, str | None] = {
    # the end of a CDN URL -> the local copy under STATIC_URL (None: drop the link)
    "leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet.draw.js": "leaflet-draw/leaflet.draw.js",
    "leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
    "jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "leaflet.awesome-markers.js": "awesome-markers/leaflet.awesome-markers.js",
    "leaflet.awesome-markers.css": "awesome-markers/leaflet.awesome-markers.css",
    # Glyph fonts for marker icons and the rotate helper: decoration only, no local copy.
    "bootstrap-glyphicons.css": None,
    "fontawesome-free@6.2.0/css/all.min.css": None,
    "leaflet.awesome.rotate.min.css": None,
}

LOCAL_BASE_NAME = "Local OpenStreetMap base (offline)"
OFFLINE_NOTE = (
    "Map tiles could not be loaded (no internet?). Showing streets, paths, water and green spaces "
    "from the local OpenStreetMap extract instead."
)
NO_BASE_NOTE = (
    "Map tiles could not be loaded (no internet?), and no local OpenStreetMap extract covers "
    "this area: the map shows hiap's layers on a blank background."
)


def _elements(element: object) -> Iterator[object]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def _local(url: str, served: str) -> str | bool | None:
    """Return the local URL for ``url``; ``None`` to drop it; ``False`` if not a CDN link."""
    for ending, local in LOCAL_ASSETS.items():
        if url.endswith(ending):
            return f"{served}/{local}" if local else None
    return False


def use_local_assets(fmap: folium.Map, *, base_url_path: str = "") -> folium.Map:
    """Point every CDN script and stylesheet of ``fmap`` at the app's own copies.

    Parameters
    ----------
    fmap
        A finished map (plugins added); changed in place (instance attributes only, never
        folium's classes, which other sessions share).
    base_url_path
        Streamlit's ``server.baseUrlPath`` (see :func:`static_url`).

    Returns
    -------
    folium.Map
        The same map.
    """
    served = static_url(base_url_path)
    for element in _elements(fmap):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept = []
            for name, url in links:
                local = _local(url, served)
                if local is False:
                    kept.append((name, url))
                elif local is not None:
                    kept.append((name, local))
            setattr(element, attr, kept)
    return fmap


def external_links(fmap: folium.Map) -> list[str]:
    """Return the scripts and stylesheets of ``fmap`` that would come from outside the app.

    Parameters
    ----------
    fmap
        A map.

    Returns
    -------
    list of str
        URLs not served by the app (empty when the map is offline-ready).
    """
    found: list[str] = []
    for element in _elements(fmap):
        for attr in ("default_js", "default_css"):
            found.extend(url for _, url in getattr(element, attr, []) or [])
    return [url for url in found if url.startswith(("http://", "https://", "//"))]


_FALLBACK = Template(
    """
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var tiles = {{ this.tiles }};
    var base = {{ this.base }};
    var shown = false;
    function fallBack() {
        if (shown) { return; }
        shown = true;
        if (tiles) { map.removeLayer(tiles); }
        if (base) {
            base.addTo(map);
            base.bringToBack();
            if (map.attributionControl) {
                map.attributionControl.addAttribution({{ this.attribution|tojson }});
            }
        }
        var note = L.control({position: 'bottomright'});  // clear of the data credits
        note.onAdd = function() {
            var div = L.DomUtil.create('div', 'hiap-offline-note');
            div.setAttribute('role', 'status');
            div.style.cssText = 'background:#fff;color:#1a1a1a;padding:4px 8px;' +
                'border:1px solid #555;font:13px sans-serif;max-width:22em;';
            div.textContent = {{ this.note|tojson }};
            return div;
        };
        note.addTo(map);
    }
    if (tiles) { tiles.on('tileerror', fallBack); } else { fallBack(); }
})();
{% endmacro %}
"""
)


class _OfflineFallback(MacroElement):
    """Swap the tiles for the local base when the browser cannot load tiles."""

    _template = _FALLBACK

    def __init__(self, tiles: str, base: str, note: str) -> None:
        super().__init__()
        self._name = "OfflineFallback"
        self.tiles = tiles
        self.base = base
        self.note = note
        # The local base is OpenStreetMap data too: keep its licence on the map.
        self.attribution = attribution.OSM


def add_local_base(fmap: folium.Map, *, base: BaseLayers | None = None) -> folium.Map:
    """Add a hidden base layer from local OSM data, shown when the tiles cannot be reached.

    Parameters
    ----------
    fmap
        The map; changed in place.
    base
        Streets, paths, water and green spaces (:func:`hiap.viz.osm_base.local_base`);
        ``None`` or empty: the fallback only shows a note that there is no local base.

    Returns
    -------
    folium.Map
        The same map.
    """
    tiles = next(
        (c for c in fmap._children.values() if isinstance(c, folium.TileLayer)), None
    )
    has_data = base is not None and not base.empty
    base_name = "null"
    if base is not None and has_data:
        group = folium.FeatureGroup(name=LOCAL_BASE_NAME, show=False, control=False)
        style = BASE_STYLE
        streets = base.streets.to_crs("EPSG:4326")
        paths = streets[streets["is_path"].astype(bool)]
        layers = (
            (base.green, {"color": style["green_edge"], "weight": 0.5,
                          "fillColor": style["green_fill"], "fillOpacity": 0.9}),
            (base.water, {"color": style["water_edge"], "weight": 1,
                          "fillColor": style["water_fill"], "fillOpacity": 0.9}),
            (streets.drop(index=paths.index), {"color": style["road"], "weight": 2}),
            (paths, {"color": style["path"], "weight": 1.2, "dashArray": "4 3"}),
        )  # fmt: skip
        for frame, look in layers:
            if frame.empty:
                continue
            folium.GeoJson(
                frame.to_crs("EPSG:4326")[["geometry"]],
                style_function=lambda _, look=look: look,
                interactive=False,
            ).add_to(group)
        group.add_to(fmap)
        base_name = group.get_name()
    _OfflineFallback(
        tiles.get_name() if tiles is not None else "null",
        base_name,
        OFFLINE_NOTE if has_data else NO_BASE_NOTE,
    ).add_to(fmap)
    return fmap


def make_offline_ready(
    fmap: folium.Map,
    *,
    base: BaseLayers | None = None,
    base_url_path: str = "",
) -> folium.Map:
    """Make a finished map work offline: local libraries, and a local base when tiles fail.

    Parameters
    ----------
    fmap
        A finished map (every layer and plugin added); changed in place.
    base
        Local OSM base features for the fallback (see :func:`add_local_base`).
    base_url_path
        Streamlit's ``server.baseUrlPath``, where the app's libraries are served from
        (see :func:`static_url`).

    Returns
    -------
    folium.Map
        The same map.
    """
    add_local_base(fmap, base=base)
    return use_local_assets(fmap, base_url_path=base_url_path)
