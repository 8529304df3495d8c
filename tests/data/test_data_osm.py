"""Choosing the OSM extract for an area, on the real extracts in the shared data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from hiap.data.osm import find_osm_extract
from hiap.errors import DataError
from hiap.indicators.run import find_osm_extract as indicators_find
from hiap.settings import Settings, get_settings

# Hampton (Peterborough) and Rutland: the two extracts in the shared data, 20 km apart.
HAMPTON_LL = box(-0.28, 52.53, -0.26, 52.54)
RUTLAND_LL = box(-0.70, 52.60, -0.60, 52.68)


def _bng(geom: object) -> object:
    return gpd.GeoSeries([geom], crs=4326).to_crs(27700).iloc[0]


def test_one_function_everywhere() -> None:
    assert indicators_find is find_osm_extract


def test_picks_the_extract_covering_the_area(real_settings: Settings) -> None:
    assert "hampton" in find_osm_extract(real_settings, area=_bng(HAMPTON_LL)).name
    assert "rutland" in find_osm_extract(real_settings, area=_bng(RUTLAND_LL)).name


def test_largest_overlap_wins(real_settings: Settings) -> None:
    # Mostly over Rutland, reaching 1 km into the Hampton extract (which sorts first): the
    # extract covering more of the area wins, not the first that touches it.
    mostly_rutland = _bng(box(-0.70, 52.53, -0.28, 52.54))
    assert "rutland" in find_osm_extract(real_settings, area=mostly_rutland).name
    mostly_hampton = _bng(box(-0.44, 52.53, -0.25, 52.54))
    assert "hampton" in find_osm_extract(real_settings, area=mostly_hampton).name


def _only_these_extracts(real_settings: Settings, tmp_path: Path, *patterns: str) -> Settings:
    """A data directory holding only the named real extracts, whatever else the real one has."""
    osm = tmp_path / "data" / "osm"
    osm.mkdir(parents=True)
    for pattern in patterns:
        found = sorted((real_settings.data_dir / "osm").glob(pattern))
        if not found:
            pytest.skip(f"no extract matching {pattern} in the data directory")
        (osm / found[0].name).symlink_to(found[0])
    return get_settings(environ={}, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def test_no_overlap_raises_or_returns_none(real_settings: Settings, tmp_path: Path) -> None:
    # Cambridge lies 40 km from Hampton and Rutland: neither extract reaches it.
    settings = _only_these_extracts(real_settings, tmp_path, "*hampton*.osm", "rutland*.osm.pbf")
    cambridge = box(544_000, 256_000, 548_000, 260_000)
    with pytest.raises(DataError, match="overlaps the area"):
        find_osm_extract(settings, area=cambridge)
    assert find_osm_extract(settings, area=cambridge, required=False) is None


def test_empty_data_dir(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path)
    with pytest.raises(DataError, match="hiap data download osm"):
        find_osm_extract(settings)
    assert find_osm_extract(settings, required=False) is None
