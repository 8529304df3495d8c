"""Where people live: small-area origin points with population and deprivation, and districts.

:func:`load_area_origins` gives one point per LSOA (or OA) with its population and IMD 2019
rank and decile; access analysis routes from these points and weights by population.

The points come from one of two kinds of file, told apart by their columns:

- an official ONS *population-weighted centroid* file (code and X/Y or lat/long columns, no
  postcode count), used whenever present; population, IMD and district are then joined from
  the ONS mid-2020 estimates and the IMD 2019 file;
- otherwise hiap's *postcode-mean proxy*: the mean position of each area's live postcodes (with
  an ``n_postcodes`` column). It approximates the population-weighted centroid (both sit where
  the addresses are) but is not it; ``attrs["centroid_kind"]`` says which was used.

OA level: no OA population is published for these areas in the data directory, so each LSOA's
mid-2020 population is split equally between its OAs (``attrs["population_method"]``). OAs are
built to similar sizes (about 125 households), so an equal split is a fair estimate; the
postcode count would not be, as one postcode can hold one house or a block of flats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.data._common import (
    BNG,
    find_column,
    missing_error,
    newest,
    points_from_xy_auto,
    require_files,
    sniff_csv,
)
from hiap.data.registry import (
    CAMBS_PETERBOROUGH_LADS,
    DATASETS,
    OGL_ATTRIBUTION,
    OS_ATTRIBUTION,
)
from hiap.errors import DataError
from hiap.gdal_safety import guard_gdal
from hiap.settings import Settings

__all__ = [
    "CAMBS_PETERBOROUGH_LADS",
    "AreaLevel",
    "load_area_origins",
    "load_districts",
]

logger = logging.getLogger(__name__)

AreaLevel = Literal["lsoa", "oa"]

_ORIGIN_COLUMNS = [
    "code",
    "name",
    "population",
    "imd_decile",
    "imd_rank",
    "lad_code",
    "lad_name",
    "geometry",
]


def _read(path: Path, columns: Mapping[str, str | None]) -> pd.DataFrame:
    """Read the named source columns of a CSV as strings and rename them."""
    wanted = {src: dst for dst, src in columns.items() if src is not None}
    return pd.read_csv(path, usecols=list(wanted), dtype="string", encoding="utf-8-sig").rename(
        columns=wanted
    )


def _to_int(values: pd.Series) -> pd.Series:
    cleaned = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(cleaned, errors="coerce").astype("Int64")


def _classify(paths: Iterable[Path], code_names: tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """Split centroid files into official population-weighted ones and postcode-mean proxies."""
    official: list[Path] = []
    proxy: list[Path] = []
    for path in paths:
        _, header, _ = sniff_csv(path)
        if find_column(header, *code_names) is None:
            continue
        (proxy if find_column(header, "n_postcodes") else official).append(path)
    return official, proxy


def _coords(path: Path, header: list[str]) -> tuple[str, str]:
    """Return the x-like and y-like column names of a centroid file."""
    for xs, ys in (
        (("easting", "x", "bng_e"), ("northing", "y", "bng_n")),
        (("lon", "long", "longitude"), ("lat", "latitude")),
    ):
        x, y = find_column(header, *xs), find_column(header, *ys)
        if x and y:
            return x, y
    raise DataError(
        f"{path.name}: no coordinate columns (easting/northing, X/Y or lat/long). Use the CSV of "
        "the ONS population-weighted centroids as the Open Geography Portal exports it."
    )


def _population_table(settings: Settings) -> pd.DataFrame:
    """LSOA 2011 code, population, LAD code and name from the ONS mid-2020 estimates."""
    path = newest(require_files("population", settings))
    _, header, _ = sniff_csv(path)
    cols = {
        "code": find_column(header, "LSOA Code", "LSOA11CD", prefix=True),
        "population": find_column(header, "All Ages"),
        "lad_code": find_column(header, "LA Code (2021 boundaries)", "LA Code", prefix=True),
        "lad_name": find_column(header, "LA name (2021 boundaries)", "LA name", prefix=True),
    }
    if cols["code"] is None or cols["population"] is None:
        raise DataError(f"{path.name}: expected 'LSOA Code' and 'All Ages' columns (ONS SAPE).")
    table = _read(path, cols)
    table["population"] = _to_int(table["population"])
    return table


def _imd_table(settings: Settings) -> pd.DataFrame:
    """LSOA 2011 code, IMD 2019 rank and decile (either the short file or File 7)."""
    path = newest(require_files("imd", settings))
    _, header, _ = sniff_csv(path)
    cols = {
        "code": find_column(header, "LSOA code (2011)", prefix=True),
        "imd_rank": find_column(header, "Index of Multiple Deprivation (IMD) Rank", prefix=True),
        "imd_decile": find_column(
            header, "Index of Multiple Deprivation (IMD) Decile", prefix=True
        ),
    }
    if None in cols.values():
        raise DataError(f"{path.name}: expected the IMD 2019 LSOA code, rank and decile columns.")
    table = _read(path, cols)
    table["imd_rank"] = _to_int(table["imd_rank"])
    table["imd_decile"] = _to_int(table["imd_decile"])
    return table


def _lsoa_from_proxy(path: Path) -> gpd.GeoDataFrame:
    _, header, _ = sniff_csv(path)
    x, y = _coords(path, header)
    cols = {
        "code": find_column(header, "lsoa11cd", "lsoa21cd"),
        "name": find_column(header, "lsoa11nm", "lsoa21nm"),
        "population": find_column(header, "pop_mid2020", "population", prefix=True),
        "imd_rank": find_column(header, "imd2019_rank", "imd_rank"),
        "imd_decile": find_column(header, "imd2019_decile", "imd_decile"),
        "lad_code": find_column(header, "ladcd", "lad_code"),
        "lad_name": find_column(header, "ladnm", "lad_name"),
        "x": x,
        "y": y,
    }
    missing = [k for k in ("code", "population", "imd_rank", "imd_decile") if cols[k] is None]
    if missing:
        raise DataError(f"{path.name}: the LSOA centroid file lacks {', '.join(missing)} columns.")
    table = _read(path, cols)
    for col in ("population", "imd_rank", "imd_decile"):
        table[col] = _to_int(table[col])
    geometry = points_from_xy_auto(
        pd.to_numeric(table["x"], errors="coerce"), pd.to_numeric(table["y"], errors="coerce")
    )
    return gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=geometry.to_numpy(), crs=BNG)


def _lsoa_from_official(path: Path, settings: Settings) -> gpd.GeoDataFrame:
    _, header, _ = sniff_csv(path)
    code = find_column(header, "lsoa11cd")
    if code is None:
        raise DataError(
            f"{path.name}: only LSOA 2011 population-weighted centroids are supported (the "
            "population and IMD tables use 2011 areas); found no LSOA11CD column."
        )
    x, y = _coords(path, header)
    table = _read(path, {"code": code, "name": find_column(header, "lsoa11nm"), "x": x, "y": y})
    population = _population_table(settings)
    imd = _imd_table(settings)
    # Inner join: the official file covers England and Wales, the population table the areas
    # the user has data for.
    merged = table.merge(population, on="code", how="inner").merge(imd, on="code", how="left")
    geometry = points_from_xy_auto(
        pd.to_numeric(merged["x"], errors="coerce"), pd.to_numeric(merged["y"], errors="coerce")
    )
    return gpd.GeoDataFrame(merged.drop(columns=["x", "y"]), geometry=geometry.to_numpy(), crs=BNG)


def _oa_lsoa_lookup(settings: Settings) -> pd.DataFrame:
    path = newest(require_files("postcode_lookup", settings))
    _, header, _ = sniff_csv(path)
    cols = {"code": find_column(header, "oa11cd"), "lsoa_code": find_column(header, "lsoa11cd")}
    if None in cols.values():
        raise DataError(f"{path.name}: expected oa11cd and lsoa11cd columns (ONS postcode lookup).")
    return _read(path, cols).dropna().drop_duplicates("code")


def _oa_points(settings: Settings) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    files = require_files("oa_centroids", settings)
    official, proxy = _classify(files, ("oa11cd",))
    if not official and not proxy:
        raise missing_error(
            DATASETS["oa_centroids"], settings, detail="No file has an oa11cd column."
        )
    if official:
        path, kind = newest(official), "ons_population_weighted"
    else:
        path, kind = newest(proxy), "postcode_mean_proxy"
    _, header, _ = sniff_csv(path)
    x, y = _coords(path, header)
    cols = {
        "code": find_column(header, "oa11cd"),
        "lsoa_code": find_column(header, "lsoa11cd"),
        "x": x,
        "y": y,
    }
    table = _read(path, cols)
    if "lsoa_code" not in table:
        table = table.merge(_oa_lsoa_lookup(settings), on="code", how="left")
    geometry = points_from_xy_auto(
        pd.to_numeric(table["x"], errors="coerce"), pd.to_numeric(table["y"], errors="coerce")
    )
    gdf = gpd.GeoDataFrame(table[["code", "lsoa_code"]], geometry=geometry.to_numpy(), crs=BNG)
    return gdf, kind, [path.name]


def _lsoa_origins(settings: Settings) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    files = require_files("lsoa_centroids", settings)
    official, proxy = _classify(files, ("lsoa11cd", "lsoa21cd"))
    # An OA file also has an lsoa11cd column; it is not an LSOA centroid file.
    official = [p for p in official if find_column(sniff_csv(p)[1], "oa11cd") is None]
    proxy = [p for p in proxy if find_column(sniff_csv(p)[1], "oa11cd") is None]
    if official:
        path = newest(official)
        return _lsoa_from_official(path, settings), "ons_population_weighted", [path.name]
    if proxy:
        path = newest(proxy)
        return _lsoa_from_proxy(path), "postcode_mean_proxy", [path.name]
    raise missing_error(
        DATASETS["lsoa_centroids"], settings, detail="No file has an LSOA code column."
    )


def load_area_origins(
    settings: Settings,
    *,
    level: AreaLevel = "lsoa",
    lad_codes: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Load one origin point per small area, with population and deprivation.

    Parameters
    ----------
    settings
        Gives the data directory.
    level
        ``"lsoa"`` (LSOA 2011, about 1,500 residents each) or ``"oa"`` (OA 2011, about 300).
    lad_codes
        Keep only areas in these local authority districts; ``None`` keeps all in the files.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name`` (LSOA name; ``<NA>`` for OAs), ``population``, ``imd_decile``
        (1 = most deprived 10% in England), ``imd_rank`` (1 = most deprived), ``lad_code``,
        ``lad_name`` and point ``geometry`` in EPSG:27700; OA rows also carry ``lsoa_code``.
        ``attrs``: ``"centroid_kind"`` (``"ons_population_weighted"`` or
        ``"postcode_mean_proxy"``, the mean of the area's live postcodes, a proxy for the
        population-weighted centroid), ``"population_source"``, ``"population_method"``,
        ``"files"`` and ``"attribution"``.

    Raises
    ------
    DataError
        When the centroid file (or, for official centroids, the population or IMD file) is
        missing or lacks the needed columns.
    """
    if level not in ("lsoa", "oa"):
        raise ValueError(f"level must be 'lsoa' or 'oa', got {level!r}.")
    lsoa, kind, files = _lsoa_origins(settings)
    if lad_codes is not None:
        lsoa = lsoa[lsoa["lad_code"].isin(list(lad_codes))]
    if "lad_name" not in lsoa or lsoa["lad_name"].isna().all():
        lsoa["lad_name"] = lsoa["lad_code"].map(dict(CAMBS_PETERBOROUGH_LADS)).astype("string")
    if "name" not in lsoa:
        lsoa["name"] = pd.Series(pd.NA, index=lsoa.index, dtype="string")
    attrs: dict[str, object] = {
        "level": level,
        "centroid_kind": kind,
        "population_source": "ONS mid-2020 small area population estimates (LSOA 2011)",
        "population_method": "LSOA estimate",
        "attribution": [OGL_ATTRIBUTION, OS_ATTRIBUTION],
    }
    if level == "lsoa":
        gdf = lsoa[_ORIGIN_COLUMNS].reset_index(drop=True)
        attrs["files"] = files
    else:
        oa, oa_kind, oa_files = _oa_points(settings)
        parent = pd.DataFrame(lsoa.drop(columns="geometry")).rename(columns={"code": "lsoa_code"})
        merged = oa.merge(parent, on="lsoa_code", how="inner")
        n_oas = merged.groupby("lsoa_code")["code"].transform("size")
        parent_pop = merged["population"].to_numpy(dtype="float64", na_value=np.nan)
        merged["population"] = parent_pop / n_oas.to_numpy(dtype="float64")
        merged["name"] = pd.Series(pd.NA, index=merged.index, dtype="string")
        unmatched = len(oa) - len(merged)
        if unmatched and lad_codes is None:
            logger.info("%d OAs dropped: their LSOA has no population and IMD row", unmatched)
        gdf = gpd.GeoDataFrame(
            merged[[*_ORIGIN_COLUMNS, "lsoa_code"]], geometry="geometry", crs=BNG
        ).reset_index(drop=True)
        attrs.update(
            centroid_kind=oa_kind,
            population_method="LSOA mid-2020 population split equally between its OAs",
            files=[*oa_files, *files],
        )
    gdf.attrs.update(attrs)
    return gdf


def load_districts(
    settings: Settings, *, lad_codes: Iterable[str] | None = tuple(CAMBS_PETERBOROUGH_LADS)
) -> gpd.GeoDataFrame:
    """Load local authority district boundaries.

    Parameters
    ----------
    settings
        Gives the data directory.
    lad_codes
        Districts to keep (default: the six of Cambridgeshire and Peterborough); ``None`` keeps
        every district in the boundary files.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``lad_code``, ``lad_name`` and polygon ``geometry`` in EPSG:27700, one row per
        district, sorted by code. ``attrs["files"]`` names the files read.

    Raises
    ------
    DataError
        When no boundary file is present, a file has no LADyyCD column, or a requested
        district is in none of the files.
    """
    files = require_files("districts", settings)
    frames = []
    guard_gdal()
    for path in files:
        try:
            layer = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # pyogrio raises its own error types for unreadable files
            raise DataError(f"{path.name}: cannot read the boundary file ({exc}).") from None
        code = next(
            (c for c in layer.columns if c.lower().startswith("lad") and c.lower().endswith("cd")),
            None,
        )
        name = next(
            (c for c in layer.columns if c.lower().startswith("lad") and c.lower().endswith("nm")),
            None,
        )
        if code is None or name is None:
            raise DataError(f"{path.name}: no LADyyCD/LADyyNM columns; is it an ONS LAD boundary file?")
        if layer.crs is None:
            raise DataError(f"{path.name}: the boundary file has no CRS.")
        frames.append(
            layer[[code, name, "geometry"]]
            .rename(columns={code: "lad_code", name: "lad_name"})
            .to_crs(BNG)
        )
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=BNG)
    gdf = gdf.drop_duplicates("lad_code")
    if lad_codes is not None:
        wanted = list(lad_codes)
        absent = sorted(set(wanted) - set(gdf["lad_code"]))
        if absent:
            raise DataError(
                f"District(s) {', '.join(absent)} are in none of the boundary files "
                f"({', '.join(p.name for p in files)}). Download a boundary file that covers them."
            )
        gdf = gdf[gdf["lad_code"].isin(wanted)]
    gdf = gdf.sort_values("lad_code").reset_index(drop=True)
    gdf["lad_code"] = gdf["lad_code"].astype("string")
    gdf["lad_name"] = gdf["lad_name"].astype("string")
    gdf.attrs.update({"files": [p.name for p in files], "attribution": [OGL_ATTRIBUTION]})
    return gdf
