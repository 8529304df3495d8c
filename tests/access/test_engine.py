"""The access engine on hand-built street grids, against times worked out by hand.

Grid blocks are 100 m; at 4.8 km/h (80 m a minute) 100 m is 1.25 minutes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from shapely.geometry import Point

from hiap.access import AccessOptions, AccessResult, measure_access
from hiap.errors import DataError
from hiap.settings import Settings, get_settings
from isochrones import WalkNetwork
from isochrones.gtfs import load_feed
from tests.indicators.conftest import build_grid_graph, grid_xy
from tests.isochrones.gtfs.tiny import one_route, write_feed


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("engine")
    return get_settings(environ={}, data_dir=tmp / "data", cache_dir=tmp / "cache")


@pytest.fixture(scope="module")
def grid() -> WalkNetwork:
    return WalkNetwork.from_graph(build_grid_graph())


def _points(*xy: tuple[float, float], codes: list[str] | None = None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes or [f"P{i}" for i in range(len(xy))], "name": [f"Point {i}" for i in range(len(xy))],
         "population": np.full(len(xy), 100.0)},
        geometry=[Point(x, y) for x, y in xy], crs=27700,
    )


def _walk(settings: Settings, network: WalkNetwork, origins: gpd.GeoDataFrame,
          destinations: gpd.GeoDataFrame, **options: object) -> AccessResult:
    return measure_access(
        settings, AccessOptions(to="GP practice", draw_isochrones=False, **options),  # type: ignore[arg-type]
        network=network, origins=origins, destinations=destinations,
    )


def test_walk_minutes_to_the_nearest(settings: Settings, grid: WalkNetwork) -> None:
    res = _walk(settings, grid, _points(grid_xy(0, 0), grid_xy(5, 5)),
                _points(grid_xy(6, 6), grid_xy(0, 3), codes=["G1", "G2"]))
    # (0,0) -> (0,3) is 300 m = 3.75 min; (5,5) -> (6,6) is 200 m = 2.5 min.
    assert res.origins["walk_min"].tolist() == pytest.approx([3.75, 2.5])
    assert res.origins["time_min"].tolist() == pytest.approx([3.75, 2.5])
    assert res.origins["nearest_code"].tolist() == ["G2", "G1"]
    assert res.overall.loc["all", "pop_share_within_15min"] == 1.0
    assert res.parameters["Snapping"].startswith("nearest street edge")


def test_points_join_the_nearest_edge(settings: Settings, grid: WalkNetwork) -> None:
    # A home 10 m south of the middle of the street (0,0)-(1,0) and a GP 20 m west of the
    # middle of (0,2)-(0,3): 10 m to the street, 50 m along it to (0,0), 200 m north to (0,2),
    # 50 m along to the GP's point on the street and 20 m to the door: 330 m = 4.125 min.
    # (Joined to the nearest node instead it would be 51 + 200 + 54 = 305 m.)
    x0, y0 = grid_xy(0, 0)
    res = _walk(settings, grid, _points((x0 + 50, y0 - 10)), _points((x0 - 20, y0 + 250)))
    assert res.origins["walk_min"].tolist() == pytest.approx([330 / 80])
    assert res.origins["snap_m"].tolist() == pytest.approx([10.0])


def test_points_off_the_network_are_excluded_with_the_reason(settings: Settings, grid: WalkNetwork) -> None:
    x0, y0 = grid_xy(0, 0)
    res = _walk(settings, grid, _points((x0, y0), (x0 - 700, y0)),
                _points((x0 - 600, y0), (x0, y0 + 300), codes=["FAR", "G"]))
    assert res.origins["code"].tolist() == ["P0"]
    assert res.destinations["code"].tolist() == ["G"]
    excluded = res.excluded.set_index("code")
    assert excluded.loc["FAR", "kind"] == "destination" and excluded.loc["P1", "kind"] == "origin"
    assert excluded.loc["P1", "distance_m"] == pytest.approx(700.0)
    assert "more than 500 m" in excluded.loc["P1", "reason"]
    assert res.dropped_origins == 1
    assert res.origins["walk_min"].tolist() == pytest.approx([300 / 80])


def test_counts_within_the_bands(settings: Settings) -> None:
    network = WalkNetwork.from_graph(build_grid_graph(25, 3))
    # From (0,1): a GP 300 m away and one 2 km away (25 min): one within 15, two within 30.
    res = _walk(settings, network, _points(grid_xy(0, 1)), _points(grid_xy(3, 1), grid_xy(20, 1)))
    row = res.origins.iloc[0]
    assert (row["reachable_15min"], row["reachable_30min"]) == (1, 2)


def test_no_destination_in_reach_is_an_error(settings: Settings, grid: WalkNetwork) -> None:
    far = _points((grid_xy(0, 0)[0] + 30_000, grid_xy(0, 0)[1]))
    with pytest.raises(DataError, match="No GP practice lies within"):
        _walk(settings, grid, _points(grid_xy(0, 0)), far)


def _line_feed(folder: Path) -> Path:
    """A bus every 10 minutes from (1,1) to (23,1), 5 minutes' ride, 06:30-11:00."""
    to_ll = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)
    a_lon, a_lat = to_ll.transform(*grid_xy(1, 1))
    b_lon, b_lat = to_ll.transform(*grid_xy(23, 1))
    stops = [("A", "A", a_lon, a_lat), ("B", "B", b_lon, b_lat)]
    return write_feed(folder, one_route(stops, first_min=6 * 60 + 30, headway_min=10, trips=28, ride_min=5))


def test_bus_beats_a_half_hour_walk(settings: Settings, tmp_path: Path) -> None:
    network = WalkNetwork.from_graph(build_grid_graph(25, 3))
    feed = load_feed(_line_feed(tmp_path))
    options = AccessOptions(mode="both", to="GP practice", draw_isochrones=False,
                            date=dt.date(2025, 1, 7), window=(dt.time(7), dt.time(10)), step_min=2.0)
    res = measure_access(settings, options, network=network, feed=feed,
                         origins=_points(grid_xy(0, 1), grid_xy(24, 0)), destinations=_points(grid_xy(24, 1)))
    # Home (0,1): 75 s walk to stop A, wait, 5 min ride, 75 s walk to the GP. Leaving at
    # 0, 2, 4, 6 or 8 minutes past the ten, the bus is 10, 8, 6, 4 or 2 minutes away: trips of
    # 16.25, 14.25, 12.25, 10.25 and 8.25 minutes, whose median is 12.25 (walking: 30 min).
    # Home (24,0) walks 100 m to the GP: 1.25 minutes.
    assert res.origins["transit_min"].tolist() == pytest.approx([12.25, 1.25], abs=0.05)
    assert res.origins["walk_min"].tolist() == pytest.approx([30.0, 1.25])
    assert res.origins["time_min"].tolist() == pytest.approx([30.0, 1.25])  # walking first in "both"
    assert set(res.summaries) == {"walk", "transit"}
    assert res.summaries["transit"].overall.loc["all", "pop_share_within_15min"] == 1.0
    assert res.summaries["walk"].overall.loc["all", "pop_share_within_15min"] == 0.5


def _scheme(x_min: float, y_min: float, x_max: float, y_max: float) -> gpd.GeoDataFrame:
    from shapely.geometry import box

    return gpd.GeoDataFrame({"name": ["Site"]}, geometry=[box(x_min, y_min, x_max, y_max)], crs=27700)


def _homes(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"weight": np.full(len(xy), 1.0 / len(xy))}, geometry=[Point(x, y) for x, y in xy], crs=27700
    )


def _at_homes(settings: Settings, grid: WalkNetwork, homes: gpd.GeoDataFrame | None,
              scheme: gpd.GeoDataFrame, **options: object) -> AccessResult:
    return measure_access(
        settings,
        AccessOptions(to="GP practice", level="none", new_residents=400.0, draw_isochrones=False,
                      **options),  # type: ignore[arg-type]
        network=grid, scheme=scheme, home_points=homes,
        destinations=_points(grid_xy(0, 3), codes=["G"]),
    )


def test_scheme_homes_off_the_network_are_excluded_as_origins_are(
    settings: Settings, grid: WalkNetwork
) -> None:
    # Four homes of a proposal: three on the grid's streets, one 700 m west of (0,0), beyond
    # the 500 m rule: left out and listed with the reason, exactly as an LSOA point would be.
    x0, y0 = grid_xy(0, 0)
    homes = _homes(grid_xy(0, 0), grid_xy(0, 1), grid_xy(1, 3), (x0 - 700, y0))
    res = _at_homes(settings, grid, homes, _scheme(x0 - 800, y0 - 100, x0 + 700, y0 + 700))
    assert res.homes is not None
    assert res.homes["home"].tolist() == [0, 1, 2]
    # (0,0) -> (0,3) 300 m, (0,1) -> (0,3) 200 m, (1,3) -> (0,3) 100 m at 80 m a minute
    assert res.homes["walk_min"].tolist() == pytest.approx([3.75, 2.5, 1.25])
    assert res.homes["population"].sum() == pytest.approx(300.0)  # 100 residents left out
    left = res.excluded[res.excluded["kind"] == "home"]
    assert left["code"].tolist() == ["home 4"]
    assert left["distance_m"].tolist() == pytest.approx([700.0])
    assert "more than 500 m" in left["reason"].iloc[0]
    assert any("1 of the scheme's 4 home points" in w for w in res.warnings)
    assert res.dropped_origins == 0  # homes are listed as homes, not origins
    # the same run with a wider rule keeps the far home (the option reaches the rule)
    wide = _at_homes(settings, grid, homes, _scheme(x0 - 800, y0 - 100, x0 + 700, y0 + 700),
                     max_snap_m=800.0)
    assert wide.homes is not None and wide.homes["home"].tolist() == [0, 1, 2, 3]
    assert not (wide.excluded["kind"] == "home").any()


def test_scheme_grid_points_off_the_network_are_excluded(settings: Settings, grid: WalkNetwork) -> None:
    # A site reaching 1.2 km west of the grid: its grid points more than 500 m from the
    # westmost street (x0) are left out; every kept one is within 500 m of it.
    x0, y0 = grid_xy(0, 0)
    res = _at_homes(settings, grid, None, _scheme(x0 - 1200, y0, x0 + 600, y0 + 600),
                    home_spacing_m=100.0, min_coverage=0.0)
    assert res.homes is not None
    left = res.excluded[res.excluded["kind"] == "home"]
    assert len(left) > 0 and (left["distance_m"] > 500).all()
    assert (res.homes.geometry.x >= x0 - 500).all()
    # every grid point is either timed or listed, once
    listed = [int(code.removeprefix("home ")) - 1 for code in left["code"]]
    assert sorted(res.homes["home"].tolist() + listed) == list(range(len(res.homes) + len(left)))


def test_a_scheme_wholly_off_the_network_is_an_error(settings: Settings, grid: WalkNetwork) -> None:
    x0, y0 = grid_xy(0, 0)
    with pytest.raises(DataError, match="from the nearest street"):
        _at_homes(settings, grid, _homes((x0 - 2000, y0)), _scheme(x0 - 2100, y0 - 100, x0 - 1900, y0 + 100),
                  min_coverage=0.0)


def test_a_scheme_without_dwellings_adds_nobody(settings: Settings, grid: WalkNetwork) -> None:
    # The home points of a scheme that gives no dwellings are weighted equally for its own
    # figures, but count no residents and are not added to the surrounding area (the scheme's
    # row read "Population 1": the sum of the weights).
    x0, y0 = grid_xy(0, 0)
    def run(residents: float) -> AccessResult:
        return measure_access(
            settings,
            AccessOptions(to="GP practice", new_residents=residents, draw_isochrones=False,
                          home_spacing_m=100.0, min_coverage=0.0),
            network=grid, origins=_points(grid_xy(5, 5), grid_xy(6, 6)),
            scheme=_scheme(x0 + 20, y0 + 20, x0 + 280, y0 + 280),
            destinations=_points(grid_xy(0, 3), codes=["G"]),
        )
    none, some = run(0.0), run(400.0)
    walk_none, walk_some = none.summaries["walk"], some.summaries["walk"]
    assert walk_none.scheme is not None and walk_some.scheme is not None
    assert walk_none.scheme["population"].sum() == 0.0
    assert walk_some.scheme["population"].sum() == pytest.approx(400.0)
    assert walk_none.with_scheme is None and walk_some.with_scheme is not None
    # the scheme's own times do not depend on how many live there
    assert walk_none.scheme["pop_weighted_mean_time_min"].tolist() == pytest.approx(
        walk_some.scheme["pop_weighted_mean_time_min"].tolist()
    )
