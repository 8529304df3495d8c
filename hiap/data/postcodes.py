"""Postcode locations from OS Code-Point Open.

:func:`load_postcodes` reads either layout Code-Point Open comes in: the product as Ordnance
Survey ships it (``Data/CSV/cb.csv``, one headerless file per postcode area, column names in
``Doc/Code-Point_Open_Column_Headers.csv``) or a single CSV with a header row whose columns are
those names spelt out (``Postcode``, ``Eastings``, ``Northings``, ``Admin_district_code``).
Asked for particular postcodes, it only reads the per-area files those postcodes are in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hiap.data._common import normalise_postcodes, require_files
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = ["load_postcodes", "normalise_postcodes"]

logger = logging.getLogger(__name__)

# Code-Point Open's short column codes, in file order (Doc/Code-Point_Open_Column_Headers.csv).
_RAW_COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]
_RAW_TO_NAMED = {
    "PC": "Postcode",
    "PQ": "Positional_quality_indicator",
    "EA": "Eastings",
    "NO": "Northings",
    "DC": "Admin_district_code",
}
_NAMED = [
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Admin_district_code",
]
_AREA = re.compile(r"^[A-Z]{1,2}")


def _read_one(path: Path) -> pd.DataFrame:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    dtypes = {
        "Postcode": "string",
        "Positional_quality_indicator": "Int64",
        "Eastings": "float64",
        "Northings": "float64",
        "Admin_district_code": "string",
    }
    if first.lower().startswith(("postcode", '"postcode')):
        header = [c.strip().strip('"') for c in first.strip().split(",")]
        missing = [c for c in _NAMED if c not in header]
        if missing:
            raise DataError(
                f"{path.name}: Code-Point Open file lacks column(s) {', '.join(missing)}. "
                "Use the product's CSV as Ordnance Survey ships it (`hiap data download postcodes`)."
            )
        return pd.read_csv(path, usecols=_NAMED, dtype=dtypes, encoding="utf-8-sig")
    frame = pd.read_csv(
        path,
        header=None,
        names=_RAW_COLUMNS,
        usecols=list(_RAW_TO_NAMED),
        dtype={"PC": "string", "PQ": "Int64", "EA": "float64", "NO": "float64", "DC": "string"},
    )
    return frame.rename(columns=_RAW_TO_NAMED)


def load_postcodes(settings: Settings, *, postcodes: Iterable[str] | None = None) -> pd.DataFrame:
    """Load postcode locations (British National Grid) from Code-Point Open.

    Parameters
    ----------
    settings
        Gives the data directory.
    postcodes
        Only these postcodes (any spacing or case); all postcodes when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``postcode`` (normalised, e.g. ``"CB2 0QQ"``), ``easting_m``, ``northing_m``
        (EPSG:27700) and ``lad_code``; one row per postcode. Postcodes Code-Point Open has no
        coordinates for (positional quality 90) are left out.

    Raises
    ------
    DataError
        When Code-Point Open is not in the data directory, or a file lacks the needed columns.
    """
    files = require_files("postcodes", settings)
    wanted: set[str] | None = None
    if postcodes is not None:
        wanted = set(normalise_postcodes(pd.Series(list(postcodes), dtype="string")).dropna())
        areas = {m.group(0) for pc in wanted if (m := _AREA.match(pc))}
        # Per-area files are named after the area ("cb.csv"); skip the areas not asked for.
        files = [
            f for f in files if not re.fullmatch(r"[a-z]{1,2}", f.stem) or f.stem.upper() in areas
        ]
    frames = [_read_one(f) for f in files]
    if not frames:
        return pd.DataFrame(
            {
                "postcode": pd.Series(dtype="string"),
                "easting_m": pd.Series(dtype="float64"),
                "northing_m": pd.Series(dtype="float64"),
                "lad_code": pd.Series(dtype="string"),
            }
        )
    table = pd.concat(frames, ignore_index=True)
    table["postcode"] = normalise_postcodes(table["Postcode"])
    if wanted is not None:
        table = table[table["postcode"].isin(wanted)]
    located = (table["Positional_quality_indicator"].fillna(0) < 90) & (table["Eastings"] > 0)
    table = table[located]
    out = pd.DataFrame(
        {
            "postcode": table["postcode"],
            "easting_m": table["Eastings"],
            "northing_m": table["Northings"],
            "lad_code": table["Admin_district_code"],
        }
    )
    return out.drop_duplicates("postcode").reset_index(drop=True)
