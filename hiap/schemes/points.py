"""Where a scheme's residents live: a regular grid of points inside the boundary.

For a proposed scheme the homes are not drawn yet, so each indicator is measured from a
regular grid of points clipped to the boundary (default every 75 m, which puts a point within
about 53 m of any spot on the site); a site too small or thin to hold a grid point is
represented by one point inside it. The grid is anchored on multiples of the spacing in
EPSG:27700, so the same boundary always gives the same points.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.errors import SchemeError

__all__ = ["DEFAULT_SPACING_M", "scheme_points"]

DEFAULT_SPACING_M = 75.0
MAX_POINTS = 20_000


def scheme_points(
    boundary: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    *,
    spacing_m: float = DEFAULT_SPACING_M,
) -> gpd.GeoDataFrame:
    """Return grid points inside a scheme boundary, each carrying an equal share of homes.

    Parameters
    ----------
    boundary
        The scheme boundary in EPSG:27700 (a frame, series or a shapely geometry in metres).
    spacing_m
        Grid spacing in metres (made coarser automatically if it would give more than
        20,000 points).

    Returns
    -------
    geopandas.GeoDataFrame
        Point geometry in EPSG:27700 and ``weight`` (the points' weights sum to 1).

    Raises
    ------
    SchemeError
        When the boundary is empty, has no area, or is not in metres.
    """
    if spacing_m <= 0:
        raise SchemeError(f"grid spacing_m must be positive, got {spacing_m}")
    if isinstance(boundary, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if boundary.crs is None or boundary.crs.to_epsg() != 27700:
            raise SchemeError(
                f"the scheme boundary must be in EPSG:27700, got {boundary.crs}; "
                "reproject it with .to_crs(27700)"
            )
        geom = shapely.union_all(boundary.geometry.to_numpy())
    else:
        geom = boundary
    if geom is None or geom.is_empty or geom.area <= 0:
        raise SchemeError("the scheme boundary is empty or has no area; draw a polygon")
    minx, miny, maxx, maxy = geom.bounds
    while ((maxx - minx) / spacing_m + 1) * ((maxy - miny) / spacing_m + 1) > MAX_POINTS:
        spacing_m *= 1.5
    xs = np.arange(np.floor(minx / spacing_m), np.ceil(maxx / spacing_m) + 1) * spacing_m
    ys = np.arange(np.floor(miny / spacing_m), np.ceil(maxy / spacing_m) + 1) * spacing_m
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    shapely.prepare(geom)
    inside = pts[shapely.contains(geom, pts)]
    if len(inside) == 0:
        inside = np.array([geom.representative_point()])
    weight = np.full(len(inside), 1.0 / len(inside))
    return gpd.GeoDataFrame({"weight": weight}, geometry=inside, crs="EPSG:27700")
