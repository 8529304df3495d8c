import geopandas as gpd
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes.points import scheme_points


def test_grid_points_inside_square() -> None:
    square = shapely.box(500_010, 300_010, 500_190, 300_190)
    pts = scheme_points(square, spacing_m=50)
    assert len(pts) == 9  # 50 m multiples 500_050..500_150 each way
    assert pts["weight"].sum() == pytest.approx(1.0)
    assert pts.crs.to_epsg() == 27700
    assert shapely.contains(square, pts.geometry.to_numpy()).all()


def test_tiny_site_gets_one_point_inside() -> None:
    tiny = shapely.box(500_001, 300_001, 500_020, 300_020)
    pts = scheme_points(tiny, spacing_m=75)
    assert len(pts) == 1 and tiny.contains(pts.geometry.iloc[0])


def test_grid_is_anchored_on_multiples_of_the_spacing() -> None:
    poly = shapely.Polygon([(500_003, 300_007), (500_900, 300_100), (500_400, 300_800)])
    pts = scheme_points(poly, spacing_m=75)
    coords = shapely.get_coordinates(pts.geometry.to_numpy())
    assert len(pts) > 20
    assert (coords % 75 == 0).all()


def test_wrong_crs_is_refused() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(0, 52, 0.01, 52.01)], crs=4326)
    with pytest.raises(SchemeError, match="EPSG:27700"):
        scheme_points(frame)


def test_empty_boundary_is_refused() -> None:
    with pytest.raises(SchemeError, match="no area"):
        scheme_points(shapely.LineString([(0, 0), (1, 1)]))
