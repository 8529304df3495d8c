import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from hiap.indicators.access import facilities_within_walk, walk_access
from hiap.indicators.food import fast_food_ratio, takeaways_near_schools
from hiap.indicators.homes import Homes
from hiap.indicators.play import share_within_walk
from hiap.indicators.walkgraph import WalkGraph

from .conftest import grid_xy, homes_at, points_at


def test_walk_minutes_to_nearest_gp(grid: WalkGraph) -> None:
    gps = points_at((6, 6), (0, 3))
    homes = homes_at(grid, (0, 0), (5, 5))
    res = walk_access(grid, homes, gps)
    # (0,0) -> (0,3) is 300 m = 3.75 min; (5,5) -> (6,6) is 200 m = 2.5 min at 4.8 km/h.
    assert res.minutes == pytest.approx([3.75, 2.5])
    assert res.facilities_used == 2


def test_walk_joins_homes_and_gps_to_the_nearest_edge(grid: WalkGraph) -> None:
    # A home 10 m south of the middle of the street (0,0)-(1,0) and a GP 20 m west of the
    # middle of (0,2)-(0,3): 10 m to the street, 50 m along it to (0,0), 200 m north to (0,2),
    # 50 m along to the GP's point on the street and 20 m to the door: 330 m = 4.125 min.
    # (Joined to the nearest node instead it would be 51 + 200 + 54 = 305 m.)
    x0, y0 = grid_xy(0, 0)
    home = gpd.GeoDataFrame({"weight": [1.0]}, geometry=[Point(x0 + 50, y0 - 10)], crs=27700)
    gp = gpd.GeoDataFrame(geometry=[Point(x0 - 20, y0 + 250)], crs=27700)
    res = walk_access(grid, Homes.snap(grid, home), gp)
    assert res.minutes == pytest.approx([330 / 80])
    assert res.nearest.tolist() == [0]
    homes = Homes.snap(grid, home)
    assert facilities_within_walk(grid, homes, gp, cutoff_min=330 / 80 + 0.01).tolist() == [1]
    assert facilities_within_walk(grid, homes, gp, cutoff_min=330 / 80 - 0.01).tolist() == [0]


def test_facilities_off_the_network_are_left_out(grid: WalkGraph) -> None:
    x0, y0 = grid_xy(0, 0)
    gps = gpd.GeoDataFrame(geometry=[Point(x0 - 600, y0), Point(x0, y0 + 300)], crs=27700)
    res = walk_access(grid, homes_at(grid, (0, 0)), gps)
    assert (res.facilities_used, res.facilities_off_network) == (1, 1)
    assert res.nearest.tolist() == [1]
    assert res.minutes == pytest.approx([300 / 80])


def test_gp_counts_within_cutoff(grid: WalkGraph) -> None:
    gps = points_at((6, 6), (0, 3), (3, 3))
    homes = homes_at(grid, (0, 0), (6, 6))
    # 5 min = 400 m. From (0,0): (0,3) at 300 m only. From (6,6): itself and nothing else
    # ((3,3) is 600 m away).
    assert facilities_within_walk(grid, homes, gps, cutoff_min=5).tolist() == [1, 1]
    # 10 min = 800 m: (0,0) reaches (0,3) and (3,3) at 600 m; (6,6) reaches (6,6), (3,3).
    assert facilities_within_walk(grid, homes, gps, cutoff_min=10).tolist() == [2, 2]


def test_takeaways_within_400m_walk_of_schools(grid: WalkGraph) -> None:
    school = points_at((2, 2))
    # (4,3) is a 300 m walk from the school; (6,4) is a 600 m walk: not counted.
    takeaways = points_at((4, 3), (6, 4))
    homes = homes_at(grid, (1, 0))
    assert takeaways_near_schools(grid, homes, school, takeaways) == (1, 1)


def test_school_beyond_800m_does_not_serve_the_scheme(grid: WalkGraph) -> None:
    school = points_at((6, 6))
    homes = homes_at(grid, (0, 0))  # 1200 m away
    assert takeaways_near_schools(grid, homes, school, points_at((6, 5))) == (0, 0)


def test_fast_food_ratio_per_home(grid: WalkGraph) -> None:
    fast = points_at((4, 3), (6, 4))
    healthy = points_at((0, 0))
    homes = homes_at(grid, (1, 0), (6, 6))
    ratio, ff, good = fast_food_ratio(grid, homes, fast, healthy)
    # (1,0): fast food at 600 m and 900 m -> 1; supermarket at 100 m -> 1; ratio 1 / (1 + 1).
    # (6,6): fast food at 500 m and 200 m -> 2; supermarket 1200 m -> 0; ratio 2 / (0 + 1).
    assert ff.tolist() == [1, 2] and good.tolist() == [1, 0]
    assert ratio == pytest.approx([0.5, 2.0])


def test_playground_share(grid: WalkGraph) -> None:
    playground = points_at((3, 3))
    homes = homes_at(grid, (3, 0), (3, 1), (0, 0), (6, 6))  # 300, 200, 600, 600 m
    assert share_within_walk(grid, homes, playground, within_m=400) == pytest.approx(0.5)
    empty = gpd.GeoDataFrame(geometry=[], crs=27700)
    assert share_within_walk(grid, homes, empty, within_m=400) == 0.0
    assert np.isclose(share_within_walk(grid, homes, playground, within_m=600), 1.0)
