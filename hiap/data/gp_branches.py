"""GP branch surgeries (NHS ODS ``ebranchs``), placed by postcode: an option, off by default.

A practice may see patients at branch surgeries besides its main site (a village surgery of a
town practice). The NHS ODS branch list ``health/nhs_ods_ebranchs_<YYYY-MM>_*.csv`` has no
coordinates, so each branch is placed at its postcode's Code-Point Open point. The copy in the
shared data is from **August 2017**: branches opened or closed since are missing or still
listed, and their opening hours are unknown. hiap therefore counts branches only when asked
(``include_branches``) and says so in the method of every result that uses them.

Which function to use when:

* :func:`load_gp_branches` -- the open branches of practices that are still active.
* :func:`with_branches` -- GP practices plus those branches, one table (``site_kind`` tells
  them apart), for routing "to the nearest GP surgery".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hiap.data._common import normalise_postcodes, read_text_csv
from hiap.data.postcodes import load_postcodes
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = [
    "BRANCH_METHOD",
    "BRANCH_PATTERN",
    "load_gp_branches",
    "with_branches",
]

logger = logging.getLogger(__name__)

BRANCH_PATTERN = "nhs_ods_ebranchs_*.csv"
BRANCH_METHOD = (
    "GP branch surgeries included: NHS ODS branch list ({date}), each branch placed at its "
    "postcode (OS Code-Point Open), only branches of practices active today; branches opened or "
    "closed since {date} are not known and opening hours are not considered."
)
_DATE = re.compile(r"(\d{4}-\d{2})")
_NEEDED = ("branch_code", "name", "postcode", "close_date", "parent_practice_code")


def _branch_file(settings: Settings) -> Path:
    files = sorted((settings.data_dir / "health").glob(BRANCH_PATTERN))
    if not files:
        raise DataError(
            f"No GP branch surgery file ({BRANCH_PATTERN}) in the data directory's health/ folder "
            "(the HIAP_DATA_DIR setting): "
            "save NHS ODS 'ebranchs.csv' (GP branch surgeries) there, with named columns "
            f"{', '.join(_NEEDED)}; or run without branch surgeries."
        )
    return files[-1]


def load_gp_branches(
    settings: Settings,
    *,
    active_practices: Collection[str] | None = None,
    area: BaseGeometry | None = None,
    buffer_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Load the open GP branch surgeries, placed at their postcodes.

    Parameters
    ----------
    settings
        Gives the data directory.
    active_practices
        Codes of the practices active today; branches of other practices are dropped (their
        practice has closed or merged since the branch list). None keeps every open branch.
    area
        Keep only branches inside this geometry (EPSG:27700), grown by ``buffer_m``.
    buffer_m
        Metres added around ``area``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code`` (branch code), ``name``, ``postcode``, ``parent_code``, ``site_kind``
        (``"branch surgery"``) and point geometry (EPSG:27700). ``attrs["branch_date"]`` is the
        list's date (``"2017-08"``), ``attrs["method"]`` the sentence to show with results.

    Raises
    ------
    DataError
        When the branch file or Code-Point Open is missing, or the file lacks columns.
    """
    path = _branch_file(settings)
    frame = read_text_csv(path, _NEEDED, what="GP branch file")
    frame = frame[frame["close_date"].str.strip() == ""]
    if "left_parent_date" in frame:
        frame = frame[frame["left_parent_date"].str.strip() == ""]
    frame = frame.assign(
        code=frame["branch_code"].str.strip(),
        parent_code=frame["parent_practice_code"].str.strip(),
        postcode=normalise_postcodes(frame["postcode"]),
    )
    if active_practices is not None:
        frame = frame[frame["parent_code"].isin(set(active_practices))]
    places = load_postcodes(settings, postcodes=frame["postcode"].dropna())
    placed = frame.merge(places, on="postcode", how="inner")
    unplaced = len(frame) - len(placed)
    if unplaced:
        logger.info("%d branch surgeries left out: postcode not in Code-Point Open", unplaced)
    gdf = gpd.GeoDataFrame(
        {
            "code": placed["code"].to_numpy(),
            "name": placed["name"].str.strip().str.title().to_numpy(),
            "postcode": placed["postcode"].to_numpy(),
            "parent_code": placed["parent_code"].to_numpy(),
            "site_kind": "branch surgery",
        },
        geometry=gpd.points_from_xy(placed["easting_m"], placed["northing_m"]),
        crs="EPSG:27700",
    )
    if area is not None:
        gdf = gdf[gdf.intersects(area.buffer(buffer_m) if buffer_m else area)]
    gdf = gdf.reset_index(drop=True)
    found = _DATE.search(path.name)
    date = found.group(1) if found else "date unknown"
    gdf.attrs = {
        "branch_date": date,
        "branch_file": path.name,
        "method": BRANCH_METHOD.format(date=date),
        "attribution": ["NHS ODS GP branch surgeries (OGL v3.0)", "OS Code-Point Open (OGL)"],
    }
    return gdf


def with_branches(gps: gpd.GeoDataFrame, settings: Settings) -> gpd.GeoDataFrame:
    """Add the branch surgeries of the given practices to them (one destination table).

    Parameters
    ----------
    gps
        GP practices (EPSG:27700) with ``code``, ``name``; not modified.
    settings
        Gives the data directory.

    Returns
    -------
    geopandas.GeoDataFrame
        The practices (``site_kind`` ``"main surgery"``) then their open branches within the
        same extent (500 m around the practices' bounding box), with ``parent_code``;
        ``attrs["method"]`` says branches are included and dated.
    """
    branches = load_gp_branches(
        settings,
        active_practices=set(gps["code"].astype(str)),
        area=gpd.GeoSeries(gps.geometry).union_all().envelope if len(gps) else None,
        buffer_m=500.0,
    )
    main = gps.assign(site_kind="main surgery", parent_code=gps["code"])
    both = pd.concat([main, branches[[c for c in branches.columns if c in main.columns]]])
    out = gpd.GeoDataFrame(both.reset_index(drop=True), geometry="geometry", crs=gps.crs)
    out.attrs = {
        **gps.attrs,
        "method": branches.attrs["method"],
        "branch_date": branches.attrs["branch_date"],
        "attribution": [*gps.attrs.get("attribution", []), *branches.attrs["attribution"]],
    }
    return out
