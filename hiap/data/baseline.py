"""The local health baseline: life expectancy, disease and smoking prevalence, deprivation.

Loaders for the files an HIA's baseline chapter draws on, each returning a tidy frame whose
``attrs`` carry the period, the source and the licence, so a page or report can print them
beside the figure:

- :func:`load_life_expectancy`: life expectancy at birth by 2011 MSOA, pooled 2016 to 2020
  (ONS ad hoc REQ3292), male / female / persons; the region file or the England file.
- :func:`load_qof_prevalence`: modelled prevalence of 21 QOF conditions by district,
  2019/20 (House of Commons Library).
- :func:`load_smoking_prevalence`: smoking prevalence in adults (QOF, Fingertips 91547) by
  district, county and England, 2013/14 onwards.
- :func:`msoa_points`: one point per 2011 MSOA (population-weighted mean of its LSOAs'
  centroids), with its district, population and mean IMD 2019 decile, for "the MSOAs around
  the scheme".
- :func:`missing_indicators`: the baseline indicators whose files are not in the data
  directory ("add the file to measure"), with the official source.

:mod:`hiap.hia.baseline` assembles these into the profile of one scheme.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.data._common import dataset_files, newest, read_text_csv, require_files
from hiap.data.population import CAMBS_PETERBOROUGH_LADS, load_area_origins
from hiap.data.registry import DATASETS, Dataset
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = [
    "ENGLAND_CODE",
    "QOF_CONDITIONS",
    "MissingIndicator",
    "load_life_expectancy",
    "load_qof_prevalence",
    "load_smoking_prevalence",
    "missing_indicators",
    "msoa_points",
]

logger = logging.getLogger(__name__)

ENGLAND_CODE = "E92000001"
BNG = "EPSG:27700"

QOF_CONDITIONS: dict[str, str] = {
    "AF": "Atrial fibrillation",
    "AST": "Asthma",
    "CAN": "Cancer",
    "CHD": "Coronary heart disease",
    "CKD": "Chronic kidney disease (18+)",
    "COPD": "COPD",
    "CVDPP": "CVD primary prevention",
    "DEM": "Dementia",
    "DEP": "Depression (18+)",
    "DM": "Diabetes (17+)",
    "EP": "Epilepsy (18+)",
    "HF": "Heart failure",
    "HYP": "Hypertension",
    "LD": "Learning disability",
    "MH": "Severe mental illness",
    "OB": "Obesity (18+)",
    "OST": "Osteoporosis (50+)",
    "PAD": "Peripheral arterial disease",
    "PC": "Palliative care",
    "RA": "Rheumatoid arthritis (16+)",
    "STIA": "Stroke and TIA",
}
"""QOF register codes and their conditions (age bands as in QOF 2019/20)."""

_SEX = {"Males": "Male", "Females": "Female", "Persons": "Persons"}


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")


def _meta(dataset: Dataset, files: list[Path], period: str) -> dict[str, object]:
    return {
        "period": period,
        "source": dataset.title,
        "source_url": dataset.source_url,
        "licence": dataset.licence,
        "attribution": list(dataset.attribution),
        "files": [p.name for p in files],
    }


def load_life_expectancy(settings: Settings, *, england: bool = False) -> pd.DataFrame:
    """Load life expectancy at birth by 2011 MSOA, 2016 to 2020.

    Parameters
    ----------
    settings
        Gives the data directory.
    england
        Read the England-wide file (for the England comparison) instead of the
        Cambridgeshire and Peterborough one. The England file has no district column: the
        district name is taken from the MSOA name ("Fenland 004" -> "Fenland").

    Returns
    -------
    pandas.DataFrame
        Columns ``msoa_code``, ``msoa_name``, ``lad_code`` (``<NA>`` for the England file),
        ``lad_name``, ``sex`` (Male, Female, Persons), ``le_years``, ``le_lci_years``,
        ``le_uci_years`` and ``population``. Rows with a blank value are dropped (ONS leaves
        a few blank). ``attrs`` hold the period, source, licence and files.

    Raises
    ------
    DataError
        When the file is missing or lacks the ONS columns.
    """
    dataset = DATASETS["life_expectancy_msoa"]
    files = require_files("life_expectancy_msoa", settings)
    wanted = [p for p in files if ("england" in p.name.lower()) == england]
    if not wanted:
        which = "England" if england else "Cambridgeshire and Peterborough"
        raise DataError(
            f"No {which} life expectancy file among {[p.name for p in files]}; add the ONS "
            f"MSOA file ({dataset.source_url}) under health/."
        )
    path = newest(wanted)
    cols = ["msoa11cd", "msoa11nm", "sex", "le_birth", "le_lci95", "le_uci95", "population"]
    raw = read_text_csv(path, cols, dtype=str)
    raw = raw[raw["msoa11cd"].str.startswith("E02")]
    out = pd.DataFrame(
        {
            "msoa_code": raw["msoa11cd"].astype("string"),
            "msoa_name": raw["msoa11nm"].astype("string"),
            "lad_code": (
                raw["lad_code"] if "lad_code" in raw else pd.Series(pd.NA, raw.index)
            ).astype("string"),
            "lad_name": (
                raw["lad_name"]
                if "lad_name" in raw
                else raw["msoa11nm"].str.replace(r"\s+\d+$", "", regex=True)
            ).astype("string"),
            "sex": raw["sex"].map(_SEX).astype("string"),
            "le_years": _number(raw["le_birth"]),
            "le_lci_years": _number(raw["le_lci95"]),
            "le_uci_years": _number(raw["le_uci95"]),
            "population": _number(raw["population"]),
        }
    )
    blank = int(out["le_years"].isna().sum())
    if blank:
        logger.info("%s: %d rows without a life expectancy value left out", path.name, blank)
    out = out.dropna(subset=["le_years", "sex"]).reset_index(drop=True)
    period = str(raw["period"].iloc[0]) if "period" in raw and len(raw) else "2016 to 2020"
    out.attrs.update(_meta(dataset, [path], period))
    out.attrs["blank_rows"] = blank
    return out


def load_qof_prevalence(settings: Settings) -> pd.DataFrame:
    """Load the modelled prevalence of QOF conditions by district, 2019/20.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    pandas.DataFrame
        Columns ``lad_code``, ``lad_name``, ``condition_code``, ``condition``,
        ``register`` (modelled patients on the register), ``list_size`` and
        ``prevalence_pct`` (register / list x 100; the House of Commons Library's model
        re-weights GP registers to where patients live). ``attrs`` as for
        :func:`load_life_expectancy`.

    Raises
    ------
    DataError
        When the file is missing or lacks its columns.
    """
    dataset = DATASETS["qof_prevalence"]
    path = newest(require_files("qof_prevalence", settings))
    cols = ["lad_code", "lad_name", "group_code", "register", "list", "prevalence"]
    raw = read_text_csv(path, cols, dtype=str)
    out = pd.DataFrame(
        {
            "lad_code": raw["lad_code"].astype("string"),
            "lad_name": raw["lad_name"].astype("string"),
            "condition_code": raw["group_code"].astype("string"),
            "condition": raw["group_code"].map(QOF_CONDITIONS).fillna(raw["group_code"]),
            "register": _number(raw["register"]),
            "list_size": _number(raw["list"]),
            "prevalence_pct": _number(raw["prevalence"]) * 100,
        }
    )
    out.attrs.update(_meta(dataset, [path], "2019/20 (QOF; GP patients by LSOA, April 2020)"))
    return out


def load_smoking_prevalence(settings: Settings) -> pd.DataFrame:
    """Load smoking prevalence in adults (15+) from QOF, by district, county and England.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code``, ``area_name``, ``area_type`` (District, UA, County,
        England), ``period`` (e.g. ``2022/23``), ``value_pct``, ``lci_pct``, ``uci_pct``,
        sorted by area and period. GP-practice and NHS-organisation rows are left out.
        ``attrs`` as for :func:`load_life_expectancy` (the period is the latest one).

    Raises
    ------
    DataError
        When the file is missing or is not a Fingertips all-data CSV.
    """
    dataset = DATASETS["smoking_prevalence"]
    path = newest(require_files("smoking_prevalence", settings))
    cols = ["Area Code", "Area Name", "Area Type", "Time period", "Value"]
    raw = read_text_csv(path, [*cols, "Lower CI 95.0 limit", "Upper CI 95.0 limit"], dtype=str)
    raw = raw[raw["Area Type"].isin(["District", "UA", "County", "England"])]
    out = pd.DataFrame(
        {
            "area_code": raw["Area Code"].astype("string"),
            "area_name": raw["Area Name"].str.strip().astype("string"),
            "area_type": raw["Area Type"].astype("string"),
            "period": raw["Time period"].astype("string"),
            "value_pct": _number(raw["Value"]),
            "lci_pct": _number(raw["Lower CI 95.0 limit"]),
            "uci_pct": _number(raw["Upper CI 95.0 limit"]),
        }
    ).dropna(subset=["value_pct"])
    out = out.drop_duplicates(["area_code", "period"]).sort_values(["area_code", "period"])
    out = out.reset_index(drop=True)
    latest = str(out["period"].max()) if len(out) else "none"
    out.attrs.update(_meta(dataset, [path], latest))
    return out


def msoa_points(settings: Settings) -> gpd.GeoDataFrame:
    """Return one point per 2011 MSOA of the region, for finding the MSOAs around a scheme.

    Each MSOA's point is the population-weighted mean of its LSOAs' centroids (the LSOA
    centroids are themselves the postcode-mean proxy unless official ones are present), and
    its IMD 2019 decile is the population-weighted mean of its LSOAs' deciles.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``msoa_code``, ``lad_code``, ``population``, ``imd_decile_mean`` and point
        ``geometry`` in EPSG:27700.

    Raises
    ------
    DataError
        When the LSOA centroids or the postcode lookup (LSOA -> MSOA) are missing.
    """
    lsoa = load_area_origins(settings, level="lsoa")
    lookup_path = newest(require_files("postcode_lookup", settings))
    lookup = read_text_csv(lookup_path, ["lsoa11cd", "msoa11cd"], dtype=str)
    lookup = lookup[["lsoa11cd", "msoa11cd"]]
    lookup = lookup[lookup["msoa11cd"].str.startswith("E02")].drop_duplicates("lsoa11cd")
    joined = lsoa.merge(lookup, left_on="code", right_on="lsoa11cd", how="inner")
    if joined.empty:
        raise DataError(
            f"{lookup_path.name}: none of its LSOA codes match the LSOA centroids; both must "
            "use 2011 LSOAs."
        )
    weight = joined["population"].astype(float).fillna(0).clip(lower=1)
    joined = joined.assign(
        x=joined.geometry.x * weight,
        y=joined.geometry.y * weight,
        d=joined["imd_decile"].astype(float) * weight,
        w=weight,
    )
    grouped = joined.groupby("msoa11cd").agg(
        x=("x", "sum"),
        y=("y", "sum"),
        d=("d", "sum"),
        w=("w", "sum"),
        population=("population", "sum"),
        lad_code=("lad_code", "first"),
    )
    points = gpd.GeoDataFrame(
        {
            "msoa_code": grouped.index.astype("string"),
            "lad_code": grouped["lad_code"].astype("string").to_numpy(),
            "population": grouped["population"].to_numpy(),
            "imd_decile_mean": np.round(grouped["d"] / grouped["w"], 1).to_numpy(),
        },
        geometry=gpd.points_from_xy(grouped["x"] / grouped["w"], grouped["y"] / grouped["w"]),
        crs=BNG,
    )
    points.attrs["centroid_kind"] = lsoa.attrs.get("centroid_kind", "postcode_mean_proxy")
    return points.reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class MissingIndicator:
    """A baseline indicator whose file is not in the data directory."""

    indicator: str
    dataset: str
    title: str
    source_url: str
    how: str


_WANTED: tuple[tuple[str, str], ...] = (
    ("Households without a car or van (Census 2021)", "census_car_availability"),
    ("Disabled residents, Equality Act definition (Census 2021)", "census_disability"),
    ("Children (0-15) and older people (65+) (Census 2021)", "census_age"),
    ("IMD 2019 domain scores (income, health, barriers...)", "imd_domains"),
)


def missing_indicators(settings: Settings) -> list[MissingIndicator]:
    """List the baseline indicators that cannot be measured yet, and how to add them.

    Parameters
    ----------
    settings
        Gives the data directory.

    Returns
    -------
    list of MissingIndicator
        One per indicator whose file is absent, naming the official source and the
        ``hiap data download`` command where there is one.
    """
    out = []
    for indicator, name in _WANTED:
        if name == "imd_domains":
            files = dataset_files("imd", settings)
            if any("file_7" in p.name.lower() for p in files):
                continue
            dataset = DATASETS["imd"]
            how = (
                "The IMD file here holds the overall rank and decile only; "
                "`hiap data download imd` fetches File 7 with every domain score."
            )
        else:
            if dataset_files(name, settings):
                continue
            dataset = DATASETS[name]
            how = f"`hiap data download {name}` (or save the MSOA CSV under population/)."
        out.append(
            MissingIndicator(indicator, dataset.name, dataset.title, dataset.source_url, how)
        )
    return out


def district_names() -> dict[str, str]:
    """Return the six districts' codes and names."""
    return dict(CAMBS_PETERBOROUGH_LADS)
