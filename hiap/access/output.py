"""Write an access result as GeoPackage layers (the CLI's --out and the app's download)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from hiap.access.engine import AccessResult
from hiap.errors import SettingsError
from hiap.exports import write_geopackage
from hiap.gdal_safety import guard_gdal

__all__ = ["access_layers", "indicator_table", "write_access_geopackage"]


def indicator_table(result: AccessResult) -> pd.DataFrame:
    """Every indicator row of a result in one table: ``mode``, ``grouping``, ``group``, values."""
    frames = []
    for mode, summary in result.summaries.items():
        for grouping, table in (
            ("all", summary.overall),
            ("district", summary.by_district),
            ("imd_decile", summary.by_imd_decile),
            ("scheme", summary.scheme),
            ("area_with_scheme", summary.with_scheme),
        ):
            if table is None or table.empty:
                continue
            part = table.reset_index(names="group")
            part.insert(0, "grouping", grouping)
            part.insert(0, "mode", mode)
            part["group"] = part["group"].astype(str)
            frames.append(part)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _finite(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    numbers = out.select_dtypes("number").columns
    # GeoPackage has no infinity: unreachable origins are stored as missing times.
    out[numbers] = out[numbers].replace([np.inf, -np.inf], np.nan)
    return out


def access_layers(result: AccessResult) -> dict[str, gpd.GeoDataFrame]:
    """Return the result's spatial layers by name (origins, homes, destinations, polygons)."""
    layers: dict[str, gpd.GeoDataFrame] = {"origins": _finite(result.origins)}
    if result.homes is not None:
        layers["scheme_homes"] = _finite(result.homes)
    layers["destinations"] = result.destinations
    if result.isochrones is not None:
        layers["isochrones"] = result.isochrones
    if result.catchments is not None:
        layers["catchments"] = result.catchments
    return layers


def write_access_geopackage(result: AccessResult, path: str | Path) -> Path:
    """Write an access result as GeoPackage layers.

    Layers: ``origins`` (per-origin times), ``scheme_homes`` (with a scheme),
    ``destinations``, ``isochrones`` and ``catchments`` (walking), and non-spatial
    ``indicators`` (every mode and grouping), ``excluded`` (what was left out and why) and
    ``parameters`` (options, data and digests).

    Parameters
    ----------
    result
        What :func:`hiap.access.measure_access` returned.
    path
        The ``.gpkg`` file to write (replaced if it exists).

    Returns
    -------
    Path
        The file written.
    """
    out = Path(path)
    if out.suffix.lower() != ".gpkg":
        raise SettingsError(f"--out must be a .gpkg file, got {out.name!r}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    layers = access_layers(result)
    guard_gdal()
    if result.origins.crs is not None and result.origins.crs.to_epsg() == 27700:
        # The project's one GeoPackage writer: EPSG:27700, units in names, QGIS styles.
        write_geopackage(layers, out)
    else:  # outside Great Britain (the Porto Alegre sample): kept in its local CRS
        for name, layer in layers.items():
            layer.to_file(out, layer=name, engine="pyogrio")
    indicators = indicator_table(result)
    indicators["attribution"] = " | ".join(result.attribution)
    pyogrio.write_dataframe(indicators, out, layer="indicators", driver="GPKG")
    if len(result.excluded):
        pyogrio.write_dataframe(result.excluded.astype({"code": str, "name": str}), out,
                                layer="excluded", driver="GPKG")
    params = pd.DataFrame(
        [("parameter", k, v) for k, v in result.parameters.items()]
        + [("digest", k, v) for k, v in result.digests.items()]
        + [("warning", str(i), w) for i, w in enumerate(result.warnings)],
        columns=["kind", "name", "value"],
    )
    pyogrio.write_dataframe(params, out, layer="parameters", driver="GPKG")
    return out
