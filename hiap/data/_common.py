"""Helpers shared by the loaders: finding a dataset's files, reading CSV files, geometry."""

from __future__ import annotations

import codecs
import csv
import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hiap.data.registry import DATASETS, Dataset, fetch_command, find_dataset_files
from hiap.data.status import date_from_name
from hiap.errors import DataError
from hiap.settings import Settings

logger = logging.getLogger(__name__)

BNG = "EPSG:27700"
"""British National Grid, the CRS of every frame the loaders return."""


def missing_error(dataset: Dataset, settings: Settings, *, detail: str = "") -> DataError:
    """Build the error for a dataset that is not in the data directory."""
    patterns = ", ".join(dataset.patterns)
    command = fetch_command(dataset)
    remedy = f"Run `{command}`" if command else (dataset.how_to_get or f"See {dataset.source_url}")
    extra = f" {detail}" if detail else ""
    return DataError(
        f"{dataset.title} not found in the data directory (the HIAP_DATA_DIR setting; looked "
        f"for {patterns}).{extra} "
        f"{remedy}. `hiap data status` shows every dataset."
    )


def dataset_files(name: str, settings: Settings) -> list[Path]:
    """Return the files of the catalogue dataset ``name`` (possibly empty)."""
    return find_dataset_files(DATASETS[name], settings.data_dir)


def require_files(name: str, settings: Settings) -> list[Path]:
    """Return the files of dataset ``name``, or raise :class:`DataError` naming the remedy."""
    files = dataset_files(name, settings)
    if not files:
        raise missing_error(DATASETS[name], settings)
    return files


def newest(paths: Sequence[Path]) -> Path:
    """Pick the newest file: by the date in its name, else its modification date.

    A file downloaded today as ``epraccur.csv`` thus wins over ``epraccur_2025-11.csv``.
    """

    def key(path: Path) -> tuple[str, float, str]:
        mtime = path.stat().st_mtime
        day = datetime.fromtimestamp(mtime, tz=UTC).date().isoformat()
        return (date_from_name(path.name) or day, mtime, path.name)

    return max(paths, key=key)


def detect_encoding(path: Path, *, sample_bytes: int = 1 << 20) -> str:
    """Return ``"utf-8-sig"`` if the start of the file is valid UTF-8, else ``"cp1252"``.

    NHS files are often Windows-1252 (``¬`` delimiters, curly apostrophes).
    """
    with path.open("rb") as fh:
        sample = fh.read(sample_bytes)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the end is not an error
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def read_text_csv(
    path: Path, columns: Collection[str], *, what: str = "file", dtype: str | type = "string"
) -> pd.DataFrame:
    """Read a CSV file with every cell as text, and check that it has the expected columns.

    Empty cells stay empty strings (no ``NA`` guessing); a byte-order mark is dropped.

    Parameters
    ----------
    path
        The file (its name, never its folder, goes in a message).
    columns
        The columns the caller needs; the file may have more.
    what
        What the file is, for the messages (``"GP list size file"``).
    dtype
        ``"string"`` (pandas' string type) or ``str`` (Python strings).

    Returns
    -------
    pandas.DataFrame
        Every column of the file, as text.

    Raises
    ------
    DataError
        When the file cannot be read as CSV or lacks one of ``columns`` (the message names them
        and the columns the file has).
    """
    try:
        frame = pd.read_csv(path, dtype=dtype, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:  # ValueError: undecodable bytes, malformed or empty CSV
        # an OSError's text repeats the full path: give only its reason (no server paths)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise DataError(f"{path.name}: cannot read the {what} as CSV ({reason}).") from None
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise DataError(
            f"{path.name}: the columns {absent} are missing; is it the right {what}? "
            f"It has {list(frame.columns)[:12]}."
        )
    return frame


def sniff_csv(path: Path, *, encoding: str = "utf-8-sig") -> tuple[str, list[str], int]:
    """Return the delimiter, the header row and the field count of the first data row.

    NHS.UK publishes its files with ``¬`` as the delimiter; copies re-saved by pandas may carry
    an extra unnamed index column, which shows as a data row one field longer than the header.
    """
    with path.open(encoding=encoding, errors="replace", newline="") as fh:  # header only
        first = fh.readline()
        second = fh.readline()
    delimiter = "¬" if "¬" in first else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    row = next(csv.reader([second], delimiter=delimiter), [])
    return delimiter, header, len(row)


def find_column(columns: Sequence[str], *candidates: str, prefix: bool = False) -> str | None:
    """Return the first column matching a candidate name, ignoring case (and spaces)."""
    norm = {c.strip().lower().replace(" ", "_"): c for c in columns}
    for cand in candidates:
        key = cand.lower().replace(" ", "_")
        if key in norm:
            return norm[key]
        if prefix:
            for k, original in norm.items():
                if k.startswith(key):
                    return original
    return None


def points_from_lonlat(lon: pd.Series, lat: pd.Series) -> gpd.GeoSeries:
    """Return WGS84 longitude/latitude as points in British National Grid."""
    pts = gpd.GeoSeries(gpd.points_from_xy(lon.to_numpy(float), lat.to_numpy(float)), crs=4326)
    return pts.to_crs(BNG)


def points_from_xy_auto(x: pd.Series, y: pd.Series) -> gpd.GeoSeries:
    """Return points in BNG from coordinates that are either BNG metres or WGS84 degrees."""
    xs = x.to_numpy(float)
    ys = y.to_numpy(float)
    if np.nanmax(np.abs(xs)) <= 180 and np.nanmax(np.abs(ys)) <= 90:
        return points_from_lonlat(x, y)
    return gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=BNG)


def clip_points(
    gdf: gpd.GeoDataFrame, area: BaseGeometry | None, buffer_m: float
) -> gpd.GeoDataFrame:
    """Keep the rows of ``gdf`` inside ``area`` grown by ``buffer_m`` (``area`` in BNG)."""
    if area is None:
        return gdf
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be zero or positive, got {buffer_m}.")
    if area.is_empty:
        raise ValueError("area is empty: pass a polygon in EPSG:27700, or None for no limit.")
    minx, miny, maxx, maxy = area.bounds
    if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
        raise ValueError(
            "area looks like longitude/latitude degrees; pass it in British National Grid "
            "(EPSG:27700), e.g. gdf.to_crs(27700).union_all()."
        )
    zone = area.buffer(buffer_m) if buffer_m > 0 else area
    return gdf[gdf.intersects(zone)].reset_index(drop=True)


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Return postcodes upper-cased with one space before the inward code (``CB2 0QQ``)."""
    compact = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    compact = compact.where(compact.str.len() >= 5)  # blanks and fragments are not postcodes
    return compact.str.slice(0, -3) + " " + compact.str.slice(-3)
