"""Hospital classes: which hospitals a planner means by "the nearest hospital".

The NHS.UK hospital list mixes acute hospitals, community and mental health hospitals and
private clinics, and its ``Sector`` column is unreliable (it calls Hinchingbrooke, an NHS acute
hospital with a type 1 A&E, "Independent Sector", and InHealth's private Sandringham hospital
"NHS Sector"). hiap ships its own classification of the hospitals of Cambridgeshire and
Peterborough and their neighbours, one row per ODS site code, each with its source:
``hiap/data/reference/hospital_classes.csv`` (read with :mod:`importlib.resources`, so it works
from an installed package).

Classes (:data:`HOSPITAL_CLASSES`):

* ``acute_ae`` -- an acute hospital with a type 1 (consultant-led, 24-hour) A&E department;
  the source is the trust's type 1 attendances in NHS England's A&E statistics.
* ``acute`` -- another acute hospital (specialist, maternity, planned care; no type 1 A&E).
* ``community`` -- a community hospital (minor injuries at most).
* ``mental_health`` -- a mental health or learning disability hospital.
* ``independent`` -- a private hospital.

A destination choice "hospital" means :data:`DEFAULT_HOSPITAL_CLASSES` (acute with a type 1
A&E) unless the user picks other classes. Sites not in the file (outside the region) have no
class and are only used when the user asks for every hospital (``classes=None``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import lru_cache
from importlib import resources
from io import StringIO

import geopandas as gpd
import pandas as pd

from hiap.errors import DataError

__all__ = [
    "DEFAULT_HOSPITAL_CLASSES",
    "HOSPITAL_CLASSES",
    "classify_hospitals",
    "read_hospital_classes",
]

logger = logging.getLogger(__name__)

HOSPITAL_CLASSES: dict[str, str] = {
    "acute_ae": "Acute hospital with a type 1 A&E",
    "acute": "Other acute hospital (no type 1 A&E)",
    "community": "Community hospital",
    "mental_health": "Mental health hospital",
    "independent": "Independent (private) hospital",
}
"""Class id -> the label shown on maps and tables."""

DEFAULT_HOSPITAL_CLASSES: tuple[str, ...] = ("acute_ae",)
"""What "hospital" means unless the user picks other classes."""

_RESOURCE = ("reference", "hospital_classes.csv")


@lru_cache(maxsize=1)
def _read() -> pd.DataFrame:
    text = resources.files("hiap.data").joinpath(*_RESOURCE).read_text(encoding="utf-8")

    table = pd.read_csv(StringIO(text), dtype="string", keep_default_na=False)
    unknown = set(table["hospital_class"]) - set(HOSPITAL_CLASSES)
    if unknown or table["code"].duplicated().any():
        raise DataError(
            f"hospital_classes.csv: unknown classes {sorted(unknown)} or repeated codes; "
            "fix the file shipped with hiap."
        )
    return table


def read_hospital_classes() -> pd.DataFrame:
    """Read the shipped hospital classification.

    Returns
    -------
    pandas.DataFrame
        One row per ODS site code: ``code``, ``name``, ``postcode``, ``hospital_class``,
        ``type1_ae`` (``"yes"``/``"no"``), ``provider``, ``source``, ``source_url``, ``note``
        (a copy: callers may change it).
    """
    return _read().copy()


def _check_classes(classes: Collection[str]) -> list[str]:
    wanted = [str(c) for c in classes]
    unknown = [c for c in wanted if c not in HOSPITAL_CLASSES]
    if unknown or not wanted:
        choices = ", ".join(f"{k} ({v})" for k, v in HOSPITAL_CLASSES.items())
        raise DataError(
            f"Unknown hospital class(es) {unknown or '(none given)'}; choose from: {choices}."
        )
    return wanted


def classify_hospitals(
    hospitals: gpd.GeoDataFrame, *, classes: Collection[str] | None = DEFAULT_HOSPITAL_CLASSES
) -> gpd.GeoDataFrame:
    """Add each hospital's class (by ODS code) and keep the classes asked for.

    Parameters
    ----------
    hospitals
        Hospitals with a ``code`` column (ODS site codes); not modified.
    classes
        Class ids to keep (:data:`HOSPITAL_CLASSES`); ``None`` keeps every hospital, classified
        or not.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept hospitals with ``hospital_class``, ``hospital_class_label``, ``type1_ae``
        (nullable boolean) and ``class_source`` (``<NA>`` for sites the file does not cover).
        ``attrs["hospital_classes"]`` lists the classes kept (``None``: all).

    Raises
    ------
    DataError
        When a class id is unknown (the message lists the choices).
    """
    wanted = None if classes is None else _check_classes(classes)
    table = _read().set_index("code")
    codes = hospitals["code"].astype("string")
    cls = codes.map(table["hospital_class"]).astype("string")
    out = hospitals.copy()
    out["hospital_class"] = cls.to_numpy()
    out["hospital_class_label"] = cls.map(HOSPITAL_CLASSES).astype("string").to_numpy()
    out["type1_ae"] = (
        codes.map(table["type1_ae"]).map({"yes": True, "no": False}).astype("boolean").to_numpy()
    )
    out["class_source"] = codes.map(table["source"]).astype("string").to_numpy()
    if wanted is not None:
        keep = out["hospital_class"].isin(wanted).fillna(False).to_numpy(dtype=bool)
        unclassified = int(out["hospital_class"].isna().sum())
        if unclassified:
            logger.info("%d hospitals have no class (outside the classified region)", unclassified)
        out = out[keep].reset_index(drop=True)
    out.attrs = {**hospitals.attrs, "hospital_classes": wanted}
    return out
