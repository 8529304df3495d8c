"""Access results as bytes for download buttons: GeoPackage (layers) and CSV.

Both functions work on copies; nothing is written outside a temporary folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["to_csv_bytes", "to_geopackage_bytes"]

WGS84 = "EPSG:4326"


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        dtype = out[column].dtype
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
            out[column] = out[column].map(lambda v: v if v is None else str(v))
        elif pd.api.types.is_float_dtype(dtype):
            # GeoPackage has no infinity; an unreached origin is stored as empty (NULL).
            out[column] = out[column].replace([np.inf, -np.inf], np.nan)
    return out


def to_geopackage_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """Write GeoDataFrames as layers of one GeoPackage and return its bytes.

    Parameters
    ----------
    layers
        ``{layer_name: frame}``; each frame needs a CRS. Empty frames are skipped.

    Returns
    -------
    bytes
        The ``.gpkg`` file.

    Raises
    ------
    ValueError
        When no layer has rows, or a layer has no CRS.
    """
    kept = {name: frame for name, frame in layers.items() if frame is not None and not frame.empty}
    if not kept:
        raise ValueError("to_geopackage_bytes: every layer is empty; there is nothing to export.")
    for name, frame in kept.items():
        if frame.crs is None:
            raise ValueError(f"to_geopackage_bytes: layer {name!r} has no CRS.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "access.gpkg"
        for name, frame in kept.items():
            _plain(frame).to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return a table as UTF-8 CSV; points gain ``lon``/``lat`` columns instead of geometry.

    Parameters
    ----------
    frame
        A DataFrame or GeoDataFrame (points are written as WGS84 longitude/latitude; other
        geometries as WKT).

    Returns
    -------
    bytes
        The CSV file; unreached times (``inf``) are written as empty cells.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = frame.geometry
        table = pd.DataFrame(frame.drop(columns=geometry.name))
        if frame.crs is not None and bool((geometry.geom_type == "Point").all()):
            ll = geometry.to_crs(WGS84)
            table["lon"] = ll.x.round(6).to_numpy()
            table["lat"] = ll.y.round(6).to_numpy()
        else:
            table["wkt"] = geometry.to_wkt().to_numpy()
    else:
        table = frame.copy()
    table = table.replace([np.inf, -np.inf], np.nan)
    return table.to_csv(index=False).encode("utf-8")
