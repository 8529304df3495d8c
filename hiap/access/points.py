"""Points read from a user's file (origins, destinations): CSV with coordinates or any vector file.

Every file is hostile input: the reader is chosen by the extension, coordinates are checked to
lie where their CRS is valid, and every problem names the file and what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from hiap.errors import DataError
from hiap.gdal_safety import guard_gdal

__all__ = ["keep_weighted", "load_points"]

logger = logging.getLogger(__name__)

LON_LAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"))
"""CSV column pairs read as WGS84 degrees."""

XY_COLUMNS = (("x", "y"), ("easting", "northing"))
"""CSV column pairs read as coordinates in an explicitly given CRS."""


def _pair(frame: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    for a, b in pairs:
        if a in lower and b in lower:
            return lower[a], lower[b]
    return None


def _check_coordinates(gdf: gpd.GeoDataFrame, *, source: Path, crs_label: str) -> None:
    """Raise DataError unless every point is finite and inside the CRS's area of use."""
    bad_xy = ~(np.isfinite(gdf.geometry.x) & np.isfinite(gdf.geometry.y))
    if bad_xy.any():
        raise DataError(
            f"{source}: {int(bad_xy.sum())} row(s) have missing or non-numeric coordinates "
            f"(first at row {int(np.flatnonzero(bad_xy.to_numpy())[0])}); fill or drop them."
        )
    crs = gdf.crs
    area = crs.area_of_use if crs is not None else None
    west, south, east, north = area.bounds if area is not None else (-180, -90, 180, 90)
    # A little slack: points just past a projected CRS's official area are still sound.
    margin = 0.0 if (west, south, east, north) == (-180, -90, 180, 90) else 2.0
    wgs = gdf.geometry if crs is not None and crs.equals("EPSG:4326") else gdf.geometry.to_crs(4326)
    lon, lat = wgs.x.to_numpy(), wgs.y.to_numpy()
    outside = ~(
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon >= max(west - margin, -180))
        & (lon <= min(east + margin, 180))
        & (lat >= max(south - margin, -90))
        & (lat <= min(north + margin, 90))
    )
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        x, y = gdf.geometry.x.iat[i], gdf.geometry.y.iat[i]
        raise DataError(
            f"{source}: {int(outside.sum())} of {len(gdf)} points lie outside where {crs_label} "
            f"is valid (first: row {i}, ({x:g}, {y:g})). Check the coordinate system: lon/lat "
            "columns are read as WGS84 degrees; for x/y give the CRS (--points-crs, e.g. "
            "EPSG:27700 for British National Grid eastings/northings)."
        )


def load_points(
    path: Path, *, crs: str | None = None, weight_col: str | None = None
) -> gpd.GeoDataFrame:
    """Read points from a CSV or any vector file, in WGS84.

    Parameters
    ----------
    path
        ``.csv`` with ``lon``/``lat`` (or ``longitude``/``latitude``) columns in WGS84
        degrees, or with ``x``/``y`` (or ``easting``/``northing``) columns in ``crs``; or a
        GeoPackage, GeoJSON or shapefile (polygons are replaced by a point inside them).
    crs
        The CRS of a CSV's ``x``/``y`` columns (e.g. ``"EPSG:27700"``); required for them,
        because x/y alone do not say whether they are degrees or metres. When given, ``x``/``y``
        are used even if ``lon``/``lat`` columns also exist.
    weight_col
        Keep only rows where this column is above zero (missing values count as zero); the
        column must exist.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with the file's other columns.

    Raises
    ------
    DataError
        When the file is missing, has no usable coordinate columns, the CRS is unknown, the
        points lie outside where their CRS is valid, or ``weight_col`` is absent.
    """
    if not path.is_file():
        raise DataError(f"{path} does not exist; give a CSV with lon/lat or a GeoPackage.")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path)
        xy = _pair(frame, XY_COLUMNS)
        lonlat = _pair(frame, LON_LAT_COLUMNS)
        if crs is not None:
            if xy is None:
                raise DataError(
                    f"{path}: a CRS ({crs}) was given for x/y columns but there are none "
                    f"(have {list(frame.columns)}); name them x and y (or easting and northing), "
                    "or drop the CRS to read lon/lat in WGS84."
                )
            cols, label = xy, crs
        elif lonlat is not None:
            cols, label, crs = lonlat, "WGS84 lon/lat", "EPSG:4326"
        elif xy is not None:
            raise DataError(
                f"{path}: has {xy[0]}/{xy[1]} columns but no CRS for them. Give it "
                "(--points-crs EPSG:27700 for British National Grid, EPSG:4326 for degrees), "
                "or name WGS84 degree columns lon and lat."
            )
        else:
            raise DataError(
                f"{path}: no coordinate columns (have {list(frame.columns)}); give lon/lat "
                "(WGS84 degrees) or x/y with their CRS."
            )
        x = pd.to_numeric(frame[cols[0]], errors="coerce")
        y = pd.to_numeric(frame[cols[1]], errors="coerce")
        try:
            gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=crs)
        except pyproj.exceptions.CRSError:
            raise DataError(
                f"{path}: {crs!r} is not a coordinate reference system pyproj knows; "
                "give an EPSG code such as EPSG:27700 or EPSG:4326."
            ) from None
        _check_coordinates(gdf, source=path, crs_label=label)
        gdf = gdf.to_crs("EPSG:4326")
    else:
        guard_gdal()
        gdf = gpd.read_file(path, engine="pyogrio")
        if gdf.crs is None:
            raise DataError(f"{path} has no CRS; save it with one.")
        gdf["geometry"] = gdf.geometry.representative_point()
        _check_coordinates(gdf, source=path, crs_label=gdf.crs.name)
        gdf = gdf.to_crs("EPSG:4326")
    if weight_col is not None:
        gdf = keep_weighted(gdf, weight_col, source=path)
    if gdf.empty:
        raise DataError(f"{path}: no usable points.")
    return gdf.reset_index(drop=True)


def keep_weighted(points: gpd.GeoDataFrame, column: str, *, source: Path) -> gpd.GeoDataFrame:
    """Keep the points whose ``column`` is above zero (missing or non-numeric count as zero).

    Parameters
    ----------
    points
        Points with the column.
    column
        A weight: population, number of services.
    source
        The file the points came from, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A filtered copy.

    Raises
    ------
    DataError
        When the column is missing or no row is above zero.
    """
    if column not in points:
        raise DataError(
            f"{source}: no column {column!r} to weight by (have "
            f"{[c for c in points.columns if c != 'geometry']})."
        )
    weight = pd.to_numeric(points[column], errors="coerce")
    if weight.isna().any():
        logger.warning(
            "%s: %d row(s) without a %s value left out", source, int(weight.isna().sum()), column
        )
    kept = points.loc[weight.fillna(0).to_numpy() > 0]
    if kept.empty:
        raise DataError(f"{source}: no row has {column!r} above zero.")
    return kept.copy()
