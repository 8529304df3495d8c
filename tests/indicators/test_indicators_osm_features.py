from pathlib import Path

import pytest

from hiap.errors import DataError
from hiap.indicators.osm_features import extract_osm_features
from hiap.settings import Settings, get_settings

from .conftest import OsmWriter

X, Y = 500_000.0, 300_000.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(environ={"HIAP_CACHE_DIR": str(tmp_path / "cache")})


def _tagged_file(path: Path) -> Path:
    osm = OsmWriter()
    a, b = osm.node(X, Y), osm.node(X + 200, Y)
    osm.way(1, [a, b], {"highway": "residential", "sidewalk": "left"})
    c, d = osm.node(X, Y + 50), osm.node(X + 200, Y + 50)
    osm.way(2, [c, d], {"highway": "footway"})
    osm.area(10, (X, Y + 100, X + 200, Y + 200), {"leisure": "park", "name": "North Park"})
    # touches North Park: one site of 4 ha together
    osm.area(11, (X + 200, Y + 100, X + 400, Y + 200), {"leisure": "nature_reserve"})
    osm.area(12, (X, Y + 1000, X + 100, Y + 1100), {"leisure": "garden", "access": "private"})
    osm.area(13, (X + 500, Y + 1000, X + 600, Y + 1100), {"landuse": "grass"})
    osm.area(14, (X + 1000, Y, X + 1100, Y + 100), {"natural": "wood"})
    osm.area(15, (X + 1000, Y + 500, X + 1100, Y + 600), {"natural": "wood", "access": "permissive"})
    osm.area(16, (X - 300, Y, X - 200, Y + 100), {"amenity": "school", "name": "St Mary's Infant School"})
    osm.node(X - 500, Y, {"amenity": "school", "name": "Hilltop Academy"})
    osm.node(X - 600, Y, {"amenity": "school", "isced:level": "1;2"})
    osm.node(X - 700, Y, {"amenity": "fast_food"})
    osm.node(X - 800, Y, {"shop": "greengrocer"})
    osm.node(X - 900, Y, {"leisure": "playground", "access": "private"})
    osm.node(X - 950, Y, {"leisure": "pitch"})
    osm.node(X - 990, Y, {"public_transport": "platform", "bus": "yes"})
    osm.area(20, (X, Y - 400, X + 100, Y - 300), {"natural": "water", "name": "Lake"})
    osm.area(21, (X + 200, Y - 400, X + 300, Y - 300), {"landuse": "reservoir"})
    e, f = osm.node(X, Y - 600), osm.node(X + 500, Y - 600)
    osm.way(22, [e, f], {"waterway": "river", "name": "Nene"})
    g, h = osm.node(X, Y - 700), osm.node(X + 500, Y - 700)
    osm.way(23, [g, h], {"waterway": "weir"})  # a structure, not water to draw
    return osm.write(path)


def test_tag_rules(tmp_path: Path, settings: Settings) -> None:
    f = extract_osm_features(_tagged_file(tmp_path / "t.osm"), settings=settings)
    green = f.greenspace.sort_values("area_ha").reset_index(drop=True)
    # The open wood (1 ha) and the park + reserve merged (4 ha); private, grass and the
    # wood without public access left out.
    assert green["area_ha"].round(2).tolist() == [1.0, 4.0]
    assert green.loc[1, "kinds"] == "leisure=nature_reserve;leisure=park"
    assert green.loc[1, "name"] == "North Park"
    cats = f.pois.groupby("category")["osm_id"].count().to_dict()
    assert cats == {
        "school": 3, "fast_food": 1, "greengrocer": 1, "sports": 1, "bus_stop": 1,
    }  # the private playground is not listed
    primary = dict(zip(f.pois["name"], f.pois["primary"], strict=False))
    assert primary["St Mary's Infant School"] and not primary["Hilltop Academy"]
    assert f.pois.loc[f.pois["kind"] == "school", "primary"].sum() == 2  # isced 1;2 too
    streets = f.streets.set_index("highway")
    assert bool(streets.loc["residential", "sidewalk"]) and bool(streets.loc["footway", "is_path"])
    assert f.pois.crs.to_epsg() == 27700
    assert "edits up to 2024-05-01" in f.source
    water = f.water.set_index("kind")
    assert sorted(water.index) == ["landuse=reservoir", "natural=water", "waterway=river"]
    assert water.loc["natural=water", "name"] == "Lake"
    assert water.loc["natural=water"].geometry.area == pytest.approx(10_000, rel=0.01)
    assert water.loc["waterway=river"].geometry.length == pytest.approx(500, rel=0.01)
    assert f.water.crs.to_epsg() == 27700


def test_cache_returns_the_same(tmp_path: Path, settings: Settings) -> None:
    path = _tagged_file(tmp_path / "t.osm")
    first = extract_osm_features(path, settings=settings)
    assert any((settings.cache_dir / "osm_features").iterdir())
    again = extract_osm_features(path, settings=settings)
    assert again.pois.equals(first.pois)
    assert again.greenspace.geometry.geom_equals(first.greenspace.geometry).all()
    assert again.source == first.source and again.bounds == first.bounds
    assert again.water.geometry.geom_equals(first.water.geometry).all()


def test_missing_and_bad_files(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(DataError, match="not found"):
        extract_osm_features(tmp_path / "nowhere.osm.pbf", settings=settings)
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not xml")
    with pytest.raises(DataError, match=r"bad\.osm"):
        extract_osm_features(bad, settings=settings)


def test_hampton_extract(settings: Settings) -> None:
    real = get_settings()
    f = extract_osm_features(real.data_dir / "osm" / "peterborough_hampton_2012.osm", settings=settings)
    cats = f.pois["category"].value_counts().to_dict()
    assert cats["school"] == 7 and cats["bus_stop"] == 6 and cats["playground"] == 4
    assert f.greenspace["area_ha"].max() == pytest.approx(73.4, abs=0.5)
    assert len(f.streets) == 913  # every highway way of the file (SOURCES.md)
    # 13 natural=water areas and 2 canal ways (grep of the file)
    assert f.water["kind"].value_counts().to_dict() == {"natural=water": 13, "waterway=canal": 2}
    assert "2012-10-20" in f.source
