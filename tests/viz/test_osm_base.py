"""The one base map from the local OSM extract: streets, paths, water and green spaces."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from hiap.indicators.osm_features import extract_osm_features
from hiap.settings import Settings, get_settings
from hiap.viz.figures import boundary_map_png
from hiap.viz.maps import base_map
from hiap.viz.offline import make_offline_ready
from hiap.viz.osm_base import BASE_STYLE, BaseLayers, local_base, select_base
from tests.indicators.conftest import OsmWriter

X, Y = 500_000.0, 300_000.0
BOX = (X - 100, Y - 500, X + 700, Y + 300)


def _extract(path: Path, *, with_water: bool = True) -> Path:
    osm = OsmWriter()
    a, b = osm.node(X, Y), osm.node(X + 600, Y)
    osm.way(1, [a, b], {"highway": "residential"})
    c, d = osm.node(X, Y + 100), osm.node(X + 600, Y + 100)
    osm.way(2, [c, d], {"highway": "footway"})
    osm.area(3, (X - 100, Y - 250, X + 50, Y - 100), {"leisure": "park"})
    if with_water:
        osm.area(4, (X + 300, Y - 300, X + 500, Y - 100), {"natural": "water"})
        e, f = osm.node(X, Y - 400), osm.node(X + 600, Y - 400)
        osm.way(5, [e, f], {"waterway": "stream"})
    far1, far2 = osm.node(X + 50_000, Y), osm.node(X + 50_100, Y)
    osm.way(6, [far1, far2], {"highway": "primary"})  # outside the box: not selected
    osm.write(path)
    # A header box, as Geofabrik and API extracts carry: extracts are chosen by it.
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    w, s, e, n = to_ll.transform_bounds(X - 1000, Y - 1000, X + 51_000, Y + 1000)
    bounds = f'<bounds minlat="{s:.6f}" minlon="{w:.6f}" maxlat="{n:.6f}" maxlon="{e:.6f}"/>'
    text = path.read_text().replace('<osm version="0.6">', f'<osm version="0.6">{bounds}', 1)
    path.write_text(text)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "data" / "osm").mkdir(parents=True)
    return get_settings(environ={}, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def _site() -> dict[str, object]:
    """A 150 x 250 m site between the streets and the lake, as WGS84 GeoJSON."""
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    corners = ((X + 100, Y - 200), (X + 250, Y - 200), (X + 250, Y + 50), (X + 100, Y + 50))
    ring = [list(to_ll.transform(x, y)) for x, y in (*corners, corners[0])]
    return {"type": "Polygon", "coordinates": [ring]}


def _pixels_of(png: bytes, colour: str, *, tolerance: int = 6) -> int:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    target = np.array([round(255 * v) for v in to_rgb(colour)])
    return int((np.abs(pixels - target).max(axis=2) <= tolerance).sum())


def test_select_base_cuts_to_the_box(tmp_path: Path, settings: Settings) -> None:
    features = extract_osm_features(_extract(tmp_path / "a.osm"), settings=settings)
    base = select_base(features, BOX)
    assert base.counts() == {"roads": 1, "paths": 1, "green": 1, "water": 2}
    assert sorted(base.water["kind"]) == ["natural=water", "waterway=stream"]
    assert base.streets.crs.to_epsg() == 27700 and "ODbL" in base.source


def test_local_base_finds_the_extract_in_the_data_directory(settings: Settings) -> None:
    assert local_base(BOX, settings=settings) is None  # no extract: no base
    _extract(settings.data_dir / "osm" / "here.osm")
    base = local_base(BOX, settings=settings)
    assert base is not None and base.counts()["water"] == 2


def test_water_is_drawn_on_the_report_map_only_when_the_extract_has_water(
    tmp_path: Path, settings: Settings
) -> None:
    wet = select_base(extract_osm_features(_extract(tmp_path / "w.osm"), settings=settings), BOX)
    dry_file = _extract(tmp_path / "d.osm", with_water=False)
    dry = select_base(extract_osm_features(dry_file, settings=settings), BOX)
    png_wet = boundary_map_png(_site(), base=wet)
    png_dry = boundary_map_png(_site(), base=dry)
    plain = boundary_map_png(_site())
    assert _pixels_of(png_wet, BASE_STYLE["water_fill"]) > 500
    assert _pixels_of(png_dry, BASE_STYLE["water_fill"]) == 0  # no water, no water legend
    for png in (png_wet, png_dry):
        assert _pixels_of(png, BASE_STYLE["green_fill"]) > 500
        assert _pixels_of(png, BASE_STYLE["road"], tolerance=10) > 100
    assert _pixels_of(plain, BASE_STYLE["green_fill"]) == 0


def test_the_folium_offline_base_draws_the_same_selection(
    tmp_path: Path, settings: Settings
) -> None:
    base = select_base(extract_osm_features(_extract(tmp_path / "f.osm"), settings=settings), BOX)
    html = make_offline_ready(base_map((-1.0, 52.0, -0.9, 52.1)), base=base).get_root().render()
    for colour in ("water_fill", "green_fill", "path", "road"):
        assert BASE_STYLE[colour] in html
    assert "streets, paths, water and green spaces" in html
    assert "OpenStreetMap contributors" in html
    empty = BaseLayers(
        base.streets.iloc[0:0], base.green.iloc[0:0], base.water.iloc[0:0], BOX, base.source
    )
    html = make_offline_ready(base_map((-1.0, 52.0, -0.9, 52.1)), base=empty).get_root().render()
    assert "no local OpenStreetMap extract covers this area" in html


def test_the_access_map_is_drawn_on_the_same_base(tmp_path: Path, settings: Settings) -> None:
    import shapely

    from hiap.viz.evidence_figures import access_map_frame_bng, access_map_png

    bands = gpd.GeoDataFrame(
        {"band_min": [5.0, 10.0]},
        geometry=[shapely.box(X + 350, Y + 150, X + 600, Y + 300),
                  shapely.box(X + 300, Y + 100, X + 650, Y + 350)],
        crs="EPSG:27700",
    )  # fmt: skip
    frame = access_map_frame_bng(bands, boundary=_site())
    base = select_base(extract_osm_features(_extract(tmp_path / "m.osm"), settings=settings), frame)
    png = access_map_png(bands, boundary=_site(), base=base)
    assert _pixels_of(png, BASE_STYLE["green_fill"]) > 200
    assert _pixels_of(png, BASE_STYLE["water_fill"]) < 100  # hatched, not filled: bands are blue
    assert _pixels_of(png, BASE_STYLE["water_edge"], tolerance=12) > 100
    assert _pixels_of(access_map_png(bands, boundary=_site()), BASE_STYLE["green_fill"]) == 0
