"""Registered patients per GP practice (NHS Digital "Patients Registered at a GP Practice").

The files ``health/nhs_gp_reg_pat_prac_all_<YYYY-MM>_*.csv`` hold one row per practice with the
number of patients on its list at the extract date (``SEX = ALL``, ``AGE = ALL``). hiap uses
the newest one as each practice's *registered-list capacity*: what its list holds today, the
yardstick of "list pressure" (:mod:`hiap.indicators.capacity`).

Which function to use when:

* :func:`load_gp_list_sizes` -- the list sizes of one extract (newest by default).
* :func:`add_list_sizes` -- GP practices (:func:`hiap.data.health.load_gp_practices`) with a
  ``list_size`` column joined by practice code.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hiap.data._common import read_text_csv
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = ["LIST_SIZE_ATTRIBUTION", "add_list_sizes", "list_size_files", "load_gp_list_sizes"]

logger = logging.getLogger(__name__)

LIST_SIZE_PATTERN = "nhs_gp_reg_pat_prac_all_*.csv"
LIST_SIZE_ATTRIBUTION = (
    "Patients Registered at a GP Practice, NHS Digital / NHS England (OGL v3.0)"
)


def _extract_date(value: str) -> dt.date:
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d%b%Y"):
        try:
            return dt.datetime.strptime(text.title() if fmt == "%d%b%Y" else text, fmt).date()
        except ValueError:
            continue
    raise DataError(f"Unreadable EXTRACT_DATE {value!r} in a GP list size file.")


def list_size_files(settings: Settings) -> list[Path]:
    """Return the list-size files of the data directory, sorted by name.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    list of Path
        ``health/nhs_gp_reg_pat_prac_all_*.csv`` files (possibly none).
    """
    return sorted((settings.data_dir / "health").glob(LIST_SIZE_PATTERN))


def _read(path: Path) -> pd.DataFrame:
    needed = ["EXTRACT_DATE", "CODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"]
    frame = read_text_csv(path, needed, what="NHS Digital GP list size file")
    coded = frame["CODE"].str.strip() != ""  # a row without a practice code is no practice
    return frame[(frame["SEX"] == "ALL") & (frame["AGE"] == "ALL") & coded]


def load_gp_list_sizes(settings: Settings, *, path: Path | None = None) -> pd.DataFrame:
    """Load registered patients per practice from one NHS Digital extract.

    Parameters
    ----------
    settings
        Gives the data directory.
    path
        The file to read; by default the one with the newest extract date.

    Returns
    -------
    pandas.DataFrame
        ``code`` (practice code, unique) and ``list_size`` (patients); ``attrs["extract_date"]``
        (:class:`datetime.date`), ``attrs["file"]`` and ``attrs["attribution"]``.

    Raises
    ------
    DataError
        When no list size file is in ``data_dir/health`` or it cannot be read.
    """
    if path is None:
        files = list_size_files(settings)
        if not files:
            raise DataError(
                f"No GP list size file ({LIST_SIZE_PATTERN}) in the data directory's health/ folder "
                "(the HIAP_DATA_DIR setting): "
                "download 'Patients Registered at a GP Practice' from NHS Digital "
                "(gp-reg-pat-prac-all.csv) and save it there under that name."
            )
        dated = [(_extract_date(str(_read(f)["EXTRACT_DATE"].iloc[0])), f) for f in files]
        path = max(dated)[1]
    frame = _read(path)
    if frame.empty:
        raise DataError(f"{path.name}: no practice totals (rows with SEX and AGE = ALL).")
    out = pd.DataFrame(
        {
            "code": frame["CODE"].str.strip(),
            "list_size": pd.to_numeric(frame["NUMBER_OF_PATIENTS"], errors="coerce"),
        }
    ).dropna()
    out = out.drop_duplicates("code").reset_index(drop=True)
    out.attrs = {
        "extract_date": _extract_date(str(frame["EXTRACT_DATE"].iloc[0])),
        "file": path.name,
        "attribution": [LIST_SIZE_ATTRIBUTION],
    }
    return out


def add_list_sizes(
    gps: gpd.GeoDataFrame, settings: Settings, *, sizes: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Join each practice's registered list size (newest extract) by practice code.

    Practices the extract does not cover (outside its sub-ICB area) get ``<NA>``;
    :func:`hiap.indicators.capacity.gp_capacity` then uses the median list of the practices
    that have one, and says how many it filled.

    Parameters
    ----------
    gps
        GP practices with a ``code`` column; not modified.
    settings
        Gives the data directory.
    sizes
        Already loaded :func:`load_gp_list_sizes` (read once for several runs); by default the
        newest file is read.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``list_size`` (float, ``NaN`` where unknown) and ``attrs["list_date"]``;
        unchanged (no ``list_size``) when no list size file is present.
    """
    if sizes is None:
        if not list_size_files(settings):
            logger.info("no GP list size file: capacity falls back to a practice count")
            return gps
        sizes = load_gp_list_sizes(settings)
    out = gps.copy()
    out["list_size"] = out["code"].astype("string").map(sizes.set_index("code")["list_size"])
    out["list_size"] = pd.to_numeric(out["list_size"], errors="coerce").astype(float)
    out.attrs = {
        **gps.attrs,
        "list_date": sizes.attrs["extract_date"],
        "list_file": sizes.attrs["file"],
        "attribution": [*gps.attrs.get("attribution", []), LIST_SIZE_ATTRIBUTION],
    }
    return out
