import geopandas as gpd
import numpy as np
import pytest

from hiap.indicators.food import fast_food_ratio, takeaways_near_schools
from hiap.indicators.play import share_within_walk
from hiap.indicators.walkgraph import WalkGraph

from .conftest import homes_at, points_at


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
