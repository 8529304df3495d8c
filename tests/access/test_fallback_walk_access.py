"""measure_access's labelled straight-line fallback where no extract covers the area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.access.engine import AccessOptions, measure_access
from hiap.access.network_choice import NO_WALK_NETWORK
from hiap.errors import DataError, SettingsError
from hiap.settings import get_settings
from isochrones.transit import FallbackWalk

X0, Y0 = 545_000.0, 265_000.0  # fields north-west of Cambridge, British National Grid


def _inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    site = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 200, Y0 + 200)], crs=27700)
    homes = gpd.GeoDataFrame(
        {"weight": [0.5, 0.5]}, geometry=gpd.points_from_xy([X0, X0 + 200], [Y0, Y0]), crs=27700
    )
    gps = gpd.GeoDataFrame(
        {"code": ["A1", "B2"], "name": ["North", "East"]},
        geometry=gpd.points_from_xy([X0 - 300, X0 + 600], [Y0 - 400, Y0]),
        crs=27700,
    )
    return site, homes, gps


def test_the_fallback_is_asked_for_and_labelled(tmp_path: Path) -> None:
    (tmp_path / "osm").mkdir()
    settings = get_settings(environ={"HIAP_DATA_DIR": str(tmp_path), "HIAP_CACHE_DIR": str(tmp_path / "c")})
    site, homes, gps = _inputs()
    options = AccessOptions(level="none", buffer_km=2.0, draw_isochrones=False)
    with pytest.raises(DataError):  # not asked for: refused as before
        measure_access(settings, options, scheme=site, home_points=homes, destinations=gps)
    asked = AccessOptions(level="none", buffer_km=2.0, draw_isochrones=False, fallback=FallbackWalk())
    result = measure_access(settings, asked, scheme=site, home_points=homes, destinations=gps)
    assert result.homes is not None
    # Home 1: 500 m to North (3-4-5) x 1.3 = 650 m; home 2: 400 m to East x 1.3 = 520 m.
    assert result.homes["walk_min"].tolist() == pytest.approx([650 / 80, 520 / 80])
    assert result.homes["nearest_code"].tolist() == ["A1", "B2"]
    assert result.osm_path.name == NO_WALK_NETWORK
    assert "every walk is straight line x 1.3" in result.warnings[0]
    assert result.parameters["Walking fallback"].startswith("straight line x 1.3 at 4.8 km/h")
    # A walking run has no access/egress cap: its labels say only what applies.
    for said in (result.warnings[0], result.parameters["Walking fallback"]):
        assert "no isochrones" in said
        assert "access/egress" not in said and "1,600" not in said
    assert result.isochrones is None
    with pytest.raises(SettingsError, match="one at a time"):
        AccessOptions(mode="both", fallback=FallbackWalk())


def test_the_fallback_label_says_what_applies_to_the_mode() -> None:
    walk = AccessOptions(level="none", fallback=FallbackWalk(max_access_m=900.0))
    ride = AccessOptions(level="none", mode="transit", fallback=FallbackWalk(max_access_m=900.0))
    assert walk.describe()["Walking fallback"] == (
        "straight line x 1.3 at 4.8 km/h (no walk network, no isochrones)"
    )
    assert "access/egress at most 900 m" in ride.describe()["Walking fallback"]
    assert AccessOptions(level="none").fallback_label == ""
