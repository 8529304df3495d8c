import geopandas as gpd
import pytest
import shapely

from hiap.indicators.greenspace import GREENSPACE_STANDARDS, greenspace_access
from hiap.indicators.walkgraph import WalkGraph

from .conftest import X0, Y0, homes_at


def _sites(*boxes: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    geoms = [shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes]
    return gpd.GeoDataFrame(
        {"area_ha": [g.area / 1e4 for g in geoms]}, geometry=geoms, crs=27700
    )


def test_standards_measured_along_the_network(grid: WalkGraph) -> None:
    # A 2.5 ha park 10 m east of the grid's east edge, level with rows 0-1 (x 610-860 m).
    park = _sites((610, 0, 860, 100))
    assert park["area_ha"].iloc[0] == pytest.approx(2.5)
    # Walks to the nearest node beside the park, (6,0) or (6,1):
    # (3,0): 300 m yes; (2,0): 400 m no; (5,4): 100 + 300 = 400 m no; (6,4): 300 m yes.
    homes = homes_at(grid, (3, 0), (2, 0), (5, 4), (6, 4))
    shares = greenspace_access(grid, homes, park)
    assert shares["angst_2ha_300m_share"] == pytest.approx(0.5)
    assert shares["gi_local_2ha_300m_share"] == pytest.approx(0.5)
    assert shares["gi_doorstep_05ha_200m_share"] == pytest.approx(0.0)  # nobody within 200 m
    assert shares["gi_neighbourhood_10ha_1km_share"] == 0.0  # too small
    assert shares["angst_20ha_2km_share"] == 0.0


def test_straight_line_for_the_2km_standard(grid: WalkGraph) -> None:
    # 21 ha wood 1.5 km north of the grid: no street reaches it, but ANGSt's 2 km is crow-fly.
    wood = _sites((0, 2100, 700, 2400))
    homes = homes_at(grid, (0, 6), (0, 0))  # 1.5 km and 2.1 km away
    shares = greenspace_access(grid, homes, wood)
    assert shares["angst_20ha_2km_share"] == pytest.approx(0.5)
    assert shares["gi_neighbourhood_10ha_1km_share"] == 0.0


def test_homes_inside_a_site_have_it_on_the_doorstep(grid: WalkGraph) -> None:
    park = _sites((150, 150, 250, 250))  # 1 ha, no node within 20 m, homes inside at (2,2)
    homes = homes_at(grid, (2, 2))
    shares = greenspace_access(grid, homes, park)
    assert shares["gi_doorstep_05ha_200m_share"] == 1.0


def test_every_catalogue_standard_is_measured(grid: WalkGraph) -> None:
    shares = greenspace_access(grid, homes_at(grid, (0, 0)), _sites())
    assert set(shares) == {s.id for s in GREENSPACE_STANDARDS}
