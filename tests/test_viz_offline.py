"""Maps work without the internet: every library from the app, a local base when tiles fail."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
from folium.plugins import Draw
from shapely.geometry import LineString, box

from hiap.viz.maps import base_map
from hiap.viz.offline import (
    LOCAL_ASSETS,
    STATIC_URL,
    external_links,
    make_offline_ready,
    static_url,
)
from hiap.viz.osm_base import BaseLayers

ROOT = Path(__file__).resolve().parents[1]


def _map_with_plugins() -> folium.Map:
    fmap = base_map((0.10, 52.19, 0.14, 52.21))
    folium.Marker([52.2, 0.12], icon=folium.Icon(color="red", icon="plus")).add_to(fmap)
    Draw().add_to(fmap)
    return fmap


def test_every_library_comes_from_the_app() -> None:
    fmap = _map_with_plugins()
    assert external_links(fmap)  # folium's defaults are CDN links
    make_offline_ready(fmap)
    assert external_links(fmap) == []
    html = fmap.get_root().render()
    for local in ("leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet-draw/leaflet.draw.js"):
        assert f"{STATIC_URL}/{local}" in html
    assert "cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html


def test_the_local_copies_exist() -> None:
    served = ROOT / "static" / "vendor"
    for local in filter(None, LOCAL_ASSETS.values()):
        assert (served / local).is_file(), local
    assert "enableStaticServing = true" in (ROOT / ".streamlit" / "config.toml").read_text()


def test_local_base_is_hidden_until_the_tiles_fail() -> None:
    streets = gpd.GeoDataFrame(
        {"is_path": [False, True]},
        geometry=[LineString([(545000, 258000), (545500, 258000)]),
                  LineString([(545000, 258100), (545500, 258200)])],
        crs="EPSG:27700",
    )
    green = gpd.GeoDataFrame(geometry=[box(545100, 258300, 545300, 258500)], crs="EPSG:27700")
    water = gpd.GeoDataFrame(
        {"kind": ["natural=water"]}, geometry=[box(545400, 258300, 545500, 258400)],
        crs="EPSG:27700",
    )
    base = BaseLayers(streets, green, water, (545000, 258000, 545500, 258500), "OSM")
    fmap = make_offline_ready(_map_with_plugins(), base=base)
    html = fmap.get_root().render()
    assert "tileerror" in html and "Showing streets, paths, water and green spaces" in html
    assert "#a9cfe8" in html  # water drawn
    assert "#a0522d" in html and "#c8e6c0" in html  # paths and green drawn
    assert "OpenStreetMap contributors" in html  # the base keeps the ODbL attribution


def test_without_local_data_the_note_says_so() -> None:
    html = make_offline_ready(_map_with_plugins()).get_root().render()
    assert "no local OpenStreetMap extract covers this area" in html


def test_libraries_follow_the_base_url_path() -> None:
    # Behind a proxy at /hiap (server.baseUrlPath) Streamlit serves static/ at /hiap/app/static.
    assert static_url("") == STATIC_URL == "/app/static/vendor"
    assert static_url("hiap") == static_url("/hiap/") == "/hiap/app/static/vendor"
    assert static_url("/tools//hiap") == "/tools/hiap/app/static/vendor"
    html = make_offline_ready(_map_with_plugins(), base_url_path="hiap").get_root().render()
    assert '"/hiap/app/static/vendor/leaflet/leaflet.js"' in html
    assert '"/app/static/' not in html
