"""The area an access run measures around: a boundary file or a district, as a polygon."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.population import load_districts
from hiap.errors import DataError, SettingsError
from hiap.gdal_safety import guard_gdal
from hiap.settings import Settings
from isochrones import BNG_CRS

__all__ = ["resolve_area"]


def resolve_area(settings: Settings, area: str | Path | None) -> tuple[BaseGeometry | None, str]:
    """Turn an area argument into a polygon in EPSG:27700.

    Parameters
    ----------
    settings
        Gives the data directory (for district boundaries).
    area
        A boundary file readable by GDAL (GeoJSON, GeoPackage, KML, shapefile...), a local
        authority district name (``"Peterborough"``) or GSS code (``"E06000031"``), or None.

    Returns
    -------
    tuple
        The polygon (None for no area) and a label for messages.

    Raises
    ------
    DataError
        When the file cannot be read or has no CRS.
    SettingsError
        When the name matches no district (the message lists them).
    """
    if area is None:
        return None, "whole extract"
    text = str(area)
    path = Path(text)
    if path.suffix and path.is_file():
        guard_gdal()
        try:
            frame = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            raise DataError(f"{path}: cannot read the area file ({exc}).") from None
        if frame.crs is None:
            raise DataError(
                f"{path}: the area file has no CRS; save it with one (e.g. EPSG:27700)."
            )
        geom = shapely.union_all(frame.to_crs(BNG_CRS).geometry.to_numpy())
        if geom.is_empty or geom.area == 0:
            raise DataError(f"{path}: the area file holds no polygon.")
        return shapely.make_valid(geom), path.name
    districts = load_districts(settings, lad_codes=None)
    wanted = text.strip().casefold()
    match = districts[
        (districts["lad_code"].str.casefold() == wanted)
        | (districts["lad_name"].str.casefold() == wanted)
    ]
    if match.empty:
        names = ", ".join(f"{r.lad_name} ({r.lad_code})" for r in districts.itertuples())
        raise SettingsError(
            f"--area {text!r} is neither a readable boundary file nor a district. "
            f"Districts available: {names}."
        )
    row = match.iloc[0]
    return row.geometry, f"{row.lad_name} ({row.lad_code})"
