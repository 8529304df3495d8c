"""The local health baseline of a scheme: its MSOAs, its district, the region and England.

:func:`build_baseline` gathers, from the files in the data directory (:mod:`hiap.data.baseline`):

- life expectancy at birth (2016 to 2020) of the MSOAs around the scheme, against the
  median of the scheme's district and of England's MSOAs, male and female;
- the district medians for all six districts (Fenland against South Cambridgeshire...);
- modelled QOF prevalence by district and smoking prevalence by district and England;
- the mean IMD 2019 decile of the surrounding MSOAs;
- what cannot be measured yet ("add the file to measure"), with the official source;

each with its period and licence. The England comparison is the median of England's MSOA
values, not ONS's England life expectancy (which the data directory lacks); the report says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from hiap.data.baseline import (
    ENGLAND_CODE,
    MissingIndicator,
    load_life_expectancy,
    load_qof_prevalence,
    load_smoking_prevalence,
    missing_indicators,
    msoa_points,
)
from hiap.data.population import load_districts
from hiap.errors import DataError
from hiap.settings import Settings
from hiap.viz.figures import boundary_geometry_bng

__all__ = [
    "HEADLINE_CONDITIONS",
    "BaselineProfile",
    "BaselineSource",
    "build_baseline",
    "district_of",
]

logger = logging.getLogger(__name__)

HEADLINE_CONDITIONS: tuple[str, ...] = ("OB", "DM", "DEP", "HYP", "AST", "COPD", "CHD")
"""QOF conditions shown in the baseline table (obesity, diabetes, depression...)."""

DEFAULT_RADIUS_KM = 3.0
MIN_AROUND = 3


@dataclass(frozen=True, slots=True)
class BaselineSource:
    """One dataset behind the baseline, as cited."""

    name: str
    period: str
    licence: str
    attribution: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class BaselineProfile:
    """The health baseline of a scheme (or of the region, when no scheme is given).

    Attributes
    ----------
    district_code, district_name
        The district holding the scheme's centre (``None`` without a boundary).
    le_districts
        Per district and sex (Male, Female): ``median_years``, ``min_years``, ``max_years``,
        ``msoas``.
    le_england
        England's MSOA median by sex.
    le_around
        The MSOAs around the scheme: ``msoa_code``, ``msoa_name``, ``lad_name``,
        ``distance_km``, ``male_years``, ``female_years``, ``imd_decile_mean``,
        ``population``; empty without a boundary.
    radius_km
        The search radius used for ``le_around`` (widened to find at least three MSOAs).
    qof
        Prevalence (%) of :data:`HEADLINE_CONDITIONS` by district (rows) and condition.
    smoking
        Latest smoking prevalence (%) per district and England: ``area_name``, ``period``,
        ``value_pct``, ``lci_pct``, ``uci_pct``.
    missing
        Indicators not measurable with the files present.
    sources
        The datasets used, with period and licence.
    msoa_map
        Every MSOA of the region as a point (EPSG:27700) with ``male_years``,
        ``female_years`` and ``lad_name``, for the map.
    districts
        The six district outlines (EPSG:27700), or ``None`` when the file is missing.
    boundary
        The scheme boundary (GeoJSON, WGS84), if any.
    notes
        Caveats to print with the figures.
    """

    district_code: str | None
    district_name: str | None
    le_districts: pd.DataFrame
    le_england: Mapping[str, float]
    le_around: pd.DataFrame
    radius_km: float
    qof: pd.DataFrame
    smoking: pd.DataFrame
    missing: tuple[MissingIndicator, ...]
    sources: tuple[BaselineSource, ...]
    msoa_map: gpd.GeoDataFrame | None = None
    districts: gpd.GeoDataFrame | None = None
    boundary: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def around_summary(self) -> str:
        """One sentence comparing the surrounding MSOAs with the district and England."""
        if self.le_around.empty:
            return "No scheme boundary: the baseline covers the six districts only."
        parts = []
        for sex, col in (("Male", "male_years"), ("Female", "female_years")):
            around = self.le_around[col].dropna()
            if around.empty:
                continue
            district = self._district_median(sex)
            text = (
                f"{sex.lower()} life expectancy in the {len(around)} MSOAs around the scheme "
                f"ranges {around.min():.1f} to {around.max():.1f} years"
            )
            if district is not None:
                text += f" (district median {district:.1f}"
                text += f", England MSOA median {self.le_england.get(sex, float('nan')):.1f})"
            parts.append(text)
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    def _district_median(self, sex: str) -> float | None:
        if self.district_name is None:
            return None
        rows = self.le_districts[
            (self.le_districts["lad_name"] == self.district_name)
            & (self.le_districts["sex"] == sex)
        ]
        return float(rows["median_years"].iloc[0]) if len(rows) else None


def _source(frame: pd.DataFrame | gpd.GeoDataFrame) -> BaselineSource:
    a = frame.attrs
    return BaselineSource(
        str(a.get("source", "")),
        str(a.get("period", "")),
        str(a.get("licence", "")),
        tuple(a.get("attribution", ())),
        str(a.get("source_url", "")),
    )


def district_of(boundary: Mapping[str, Any], settings: Settings) -> tuple[str, str] | None:
    """Return the code and name of the district holding the boundary's centre, if any.

    Parameters
    ----------
    boundary
        GeoJSON in WGS84.
    settings
        Gives the data directory (district boundaries).

    Returns
    -------
    tuple of (str, str) or None
        ``None`` when the centre is in none of the six districts or the file is missing.
    """
    try:
        districts = load_districts(settings)
    except DataError as error:
        logger.info("no district boundaries: %s", error)
        return None
    centre = boundary_geometry_bng(boundary).centroid
    hit = districts[districts.contains(centre)]
    if hit.empty:
        return None
    return str(hit["lad_code"].iloc[0]), str(hit["lad_name"].iloc[0])


def _around(
    boundary: Mapping[str, Any], settings: Settings, le: pd.DataFrame, radius_km: float
) -> tuple[pd.DataFrame, float]:
    points = msoa_points(settings)
    centre = boundary_geometry_bng(boundary).centroid
    distance_km = points.distance(centre) / 1000.0
    radius = radius_km
    while (distance_km <= radius).sum() < MIN_AROUND and radius < 50:
        radius *= 1.5  # a rural scheme: widen until a few MSOAs are found
    near = points.assign(distance_km=distance_km)[distance_km <= radius]
    wide = le.pivot_table(
        index=["msoa_code", "msoa_name", "lad_name"], columns="sex", values="le_years"
    ).reset_index()
    out = near.drop(columns="geometry").merge(wide, on="msoa_code", how="inner")
    out = out.rename(columns={"Male": "male_years", "Female": "female_years"})
    cols = [
        "msoa_code",
        "msoa_name",
        "lad_name",
        "distance_km",
        "male_years",
        "female_years",
        "imd_decile_mean",
        "population",
    ]
    for col in cols:
        if col not in out:
            out[col] = pd.NA
    return pd.DataFrame(out[cols]).sort_values("distance_km").reset_index(drop=True), radius


def build_baseline(
    settings: Settings,
    *,
    boundary: Mapping[str, Any] | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
) -> BaselineProfile:
    """Build the health baseline for a scheme, or for the region when ``boundary`` is None.

    Parameters
    ----------
    settings
        Gives the data directory.
    boundary
        The scheme boundary, GeoJSON in WGS84 (``Assessment.boundary``).
    radius_km
        MSOAs whose centre lies within this distance of the scheme's centre are "around" it
        (widened step by step until at least three are found).

    Returns
    -------
    BaselineProfile
        Every table with its period and licence.

    Raises
    ------
    DataError
        When the life expectancy file is missing (the other parts are left empty, with a
        note, when their files are missing).
    """
    le = load_life_expectancy(settings)
    sources = [_source(le)]
    notes = [
        "Life expectancy is pooled over 2016 to 2020 for 2011 MSOAs (about 7,000 people "
        "each); small areas have wide confidence intervals.",
    ]
    by_sex = le[le["sex"].isin(["Male", "Female"])]
    le_districts = (
        by_sex.groupby(["lad_code", "lad_name", "sex"])["le_years"]
        .agg(median_years="median", min_years="min", max_years="max", msoas="count")
        .reset_index()
    )
    le_england: dict[str, float] = {}
    try:
        england = load_life_expectancy(settings, england=True)
    except DataError as error:
        notes.append(f"No England comparison: {error}")
    else:
        le_england = {
            str(k): float(v)
            for k, v in england.groupby("sex")["le_years"].median().items()
            if k in ("Male", "Female")
        }
        notes.append(
            "England: the median of England's MSOA values (the England life expectancy "
            "itself is not in the data directory)."
        )
    district = district_of(boundary, settings) if boundary is not None else None
    try:
        districts: gpd.GeoDataFrame | None = load_districts(settings)
    except DataError:
        districts = None
    try:
        points = msoa_points(settings)
    except DataError as error:
        msoa_map = None
        notes.append(f"No MSOA map: {error}")
    else:
        wide = by_sex.pivot_table(
            index=["msoa_code", "lad_name"], columns="sex", values="le_years"
        ).reset_index()
        wide = wide.rename(columns={"Male": "male_years", "Female": "female_years"})
        msoa_map = points.merge(wide, on="msoa_code", how="inner")
    if boundary is not None:
        around, radius = _around(boundary, settings, le, radius_km)
        notes.append(
            f"Around the scheme: MSOAs whose population-weighted centre lies within "
            f"{radius:g} km of the scheme's centre (centres from postcode means, a proxy)."
        )
    else:
        around, radius = pd.DataFrame(), radius_km
    try:
        qof_all = load_qof_prevalence(settings)
    except DataError as error:
        qof = pd.DataFrame()
        notes.append(f"No QOF prevalence: {error}")
    else:
        sources.append(_source(qof_all))
        chosen = qof_all[qof_all["condition_code"].isin(HEADLINE_CONDITIONS)]
        qof = chosen.pivot_table(index="lad_name", columns="condition", values="prevalence_pct")
        notes.append(
            "QOF prevalence is modelled from GP registers (register / list size, all ages) "
            "and understates conditions people are not diagnosed with."
        )
    try:
        smoking_all = load_smoking_prevalence(settings)
    except DataError as error:
        smoking = pd.DataFrame()
        notes.append(f"No smoking prevalence: {error}")
    else:
        sources.append(_source(smoking_all))
        latest = smoking_all[smoking_all["area_type"].isin(["District", "UA", "England"])]
        latest = latest[latest["period"] == latest.groupby("area_code")["period"].transform("max")]
        smoking = latest.assign(is_england=latest["area_code"] == ENGLAND_CODE).sort_values(
            ["is_england", "area_name"]
        )[["area_name", "period", "value_pct", "lci_pct", "uci_pct"]]
        smoking = smoking.reset_index(drop=True)
    return BaselineProfile(
        district_code=district[0] if district else None,
        district_name=district[1] if district else None,
        le_districts=le_districts,
        le_england=le_england,
        le_around=around,
        radius_km=radius,
        qof=qof,
        smoking=smoking,
        missing=tuple(missing_indicators(settings)),
        sources=tuple(sources),
        msoa_map=msoa_map,
        districts=districts,
        boundary=boundary,
        notes=tuple(notes),
    )
