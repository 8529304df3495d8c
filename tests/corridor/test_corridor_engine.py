"""The corridor's public-transport times come from the one access engine (measure_access).

Real Cambridgeshire timetables and NaPTAN stops, a few LSOAs around St Ives, the explicit
straight-line walking fallback (no offline walk network covers the corridor), the last bus
back, and the options the corridor adds to :class:`hiap.access.AccessOptions`.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest

from hiap.access import AccessOptions, measure_access
from hiap.access.engine import options_dict, options_from
from hiap.corridor import CambsFeed, load_cambs_feed
from hiap.corridor.analysis import CORRIDOR_PLACES
from hiap.data.population import load_area_origins
from hiap.errors import SettingsError
from hiap.settings import SHARED_DATA_DIR, Settings, get_settings
from isochrones.transit import FallbackWalk

DAY = dt.date(2020, 3, 31)  # the normal timetable (the 2020 files start in the COVID week)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if not (SHARED_DATA_DIR / "transit" / "tnds_txc_ea").is_dir():
        pytest.skip("the Cambridgeshire TransXChange files are not in the data directory")
    return get_settings(environ={}, data_dir=SHARED_DATA_DIR,
                        cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def cambs(settings: Settings) -> CambsFeed:
    return load_cambs_feed(settings)


@pytest.fixture(scope="module")
def st_ives(settings: Settings, cambs: CambsFeed) -> gpd.GeoDataFrame:
    lat, lon = cambs.stop_coordinates[CORRIDOR_PLACES["St Ives"]]
    centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(27700).iloc[0]
    lsoa = load_area_origins(settings)
    near = lsoa[lsoa.distance(centre) <= 1200].reset_index(drop=True)
    assert 3 <= len(near) <= 15
    return near


def _options(**kw: object) -> AccessOptions:
    base: dict[str, object] = dict(
        mode="transit", to="hospital", buffer_km=0.0, date=DAY,
        window=(dt.time(9, 0), dt.time(9, 30)), step_min=5.0, count_reachable=False,
        draw_isochrones=False, fallback=FallbackWalk(), percentiles=(10, 25, 50, 75, 90),
        max_travel_min=150.0, max_access_min=20.0,
        return_window=(dt.time(12, 0), dt.time(23, 55)),
    )
    base.update(kw)
    return AccessOptions(**base)  # type: ignore[arg-type]


def test_the_fallback_is_an_explicit_public_transport_mode() -> None:
    # Walking or public transport, one at a time (walking uses it only where no extract covers
    # the area: tests/access/test_fallback_walk_access.py).
    with pytest.raises(SettingsError, match="one at a time"):
        AccessOptions(mode="both", fallback=FallbackWalk())
    with pytest.raises(SettingsError, match="percentiles"):
        AccessOptions(mode="transit", percentiles=(50, 120))
    options = _options()
    assert options_from(options_dict(options)) == options  # stored runs keep every option
    assert "straight line x 1.3" in options.describe()["Walking fallback"]


def test_st_ives_to_hinchingbrooke_with_the_fallback_and_the_bus_back(
    settings: Settings, cambs: CambsFeed, st_ives: gpd.GeoDataFrame
) -> None:
    area = st_ives.geometry.union_all().convex_hull.buffer(12_000)  # Huntingdon is ~8 km
    result = measure_access(
        settings, _options(), area=area, origins=st_ives, feed=cambs.feed,
    )
    times = result.origins
    assert len(times) == len(st_ives) and result.excluded.empty  # the fallback reaches all
    assert result.fallback_share == pytest.approx(1.0)
    assert any("No OpenStreetMap walk network covers" in w for w in result.warnings)
    assert not any("OpenStreetMap contributors" in a for a in result.attribution)
    assert set(result.destinations["name"]) == {"Hinchingbrooke Hospital"}
    assert (times["return_name"] == "Hinchingbrooke Hospital").all()
    finite = np.isfinite(times["transit_min"])
    assert finite.all()
    ordered = times[["transit_p10_min", "transit_p25_min", "transit_min",
                     "transit_p75_min", "transit_p90_min"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()
    # The last bus back is the latest that gets home: none leaves after it.
    first = times.iloc[0]
    assert first["last_back"] != "none"
    last_s = int(first["last_back_s"])
    later = (dt.datetime.combine(DAY, dt.time()) + dt.timedelta(seconds=last_s + 300)).time()
    if later < dt.time(23, 55):
        after = measure_access(
            settings, _options(return_window=(later, dt.time(23, 55))), area=area,
            origins=st_ives.iloc[[0]], feed=cambs.feed,
        )
        assert after.origins["last_back"].iloc[0] == "none"
