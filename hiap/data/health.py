"""GP practices and hospitals as points, the destinations of access analysis.

:func:`load_gp_practices` takes the active GP practices from NHS ODS ``epraccur`` and places each
at its postcode (OS Code-Point Open). When either file is missing it falls back to the ready,
geocoded Cambridgeshire and Peterborough subset; ``gdf.attrs["source"]`` says which was used.
:func:`load_hospitals` reads the NHS website's hospital list, which carries coordinates.

When the NHS files are absent both fall back to OpenStreetMap (``source="osm"``): the places
tagged ``amenity=doctors`` / ``healthcare=doctor`` or ``amenity=hospital`` /
``healthcare=hospital`` in an extract, a node and its building counted once
(:func:`hiap.data.osm.read_osm_places`). OSM does not say which surgeries are open NHS GP
practices, so the NHS lists are always preferred.

Both return EPSG:27700 points and can be limited to an area (a shapely geometry in EPSG:27700)
grown by ``buffer_m``, so that destinations just outside a scheme's catchment still count.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hiap.data._common import (
    BNG,
    clip_points,
    dataset_files,
    detect_encoding,
    find_column,
    missing_error,
    newest,
    normalise_postcodes,
    points_from_lonlat,
    sniff_csv,
)
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, classify_hospitals
from hiap.data.osm import find_osm_extract, read_osm_places
from hiap.data.postcodes import load_postcodes
from hiap.data.registry import DATASETS, OGL_ATTRIBUTION, OS_ATTRIBUTION
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = [
    "GP_OSM_TAGS",
    "GP_PRESCRIBING_SETTING",
    "HOSPITAL_OSM_TAGS",
    "GpSource",
    "HospitalSource",
    "load_gp_practices",
    "load_hospitals",
]

logger = logging.getLogger(__name__)

GP_PRESCRIBING_SETTING = "4"
"""epraccur's prescribing setting code for a GP practice (others: out of hours, prisons...)."""

GpSource = Literal["auto", "epraccur", "geocoded", "osm"]
HospitalSource = Literal["auto", "nhs", "osm"]

GP_OSM_TAGS: tuple[tuple[str, str], ...] = (("amenity", "doctors"), ("healthcare", "doctor"))
"""OSM tags of a GP surgery."""

HOSPITAL_OSM_TAGS: tuple[tuple[str, str], ...] = (
    ("amenity", "hospital"),
    ("healthcare", "hospital"),
)
"""OSM tags of a hospital."""

# epraccur has no header; these are its documented column positions (0-based).
_EPRACCUR_COLUMNS = {0: "code", 1: "name", 9: "postcode", 12: "status", 25: "setting"}
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")


def _read_epraccur(path: Path) -> pd.DataFrame:
    positions = sorted(_EPRACCUR_COLUMNS)
    frame = pd.read_csv(
        path,
        header=None,
        usecols=positions,
        dtype="string",
        encoding="latin-1",  # ODS files are Windows-1252; latin-1 never fails to decode
        keep_default_na=False,
    )
    frame.columns = [_EPRACCUR_COLUMNS[p] for p in positions]
    if len(frame) and not _ODS_CODE.match(str(frame.iloc[0]["code"]).strip()):
        frame = frame.iloc[1:]  # a copy saved with a header row
    if frame.empty:
        raise DataError(f"{path.name}: no rows; expected the NHS ODS epraccur file.")
    return frame


def _finish(
    gdf: gpd.GeoDataFrame,
    *,
    area: BaseGeometry | None,
    buffer_m: float,
    attrs: dict[str, object],
) -> gpd.GeoDataFrame:
    gdf = clip_points(gdf, area, buffer_m)
    gdf.attrs.update(attrs)
    return gdf


def _osm_places(
    settings: Settings,
    *,
    osm_path: str | Path | None,
    area: BaseGeometry | None,
    buffer_m: float,
    tags: tuple[tuple[str, str], ...],
    what: str,
) -> gpd.GeoDataFrame | None:
    """Read ``what`` from OSM: ``osm_path``, else the extract covering the area; None if none."""
    if osm_path is not None:
        path: Path | None = Path(osm_path)
    else:
        reach = None if area is None else area.buffer(buffer_m)
        path = find_osm_extract(settings, area=reach, required=False)
    if path is None:
        return None
    places = read_osm_places(path, tags=tags)
    if places.empty:
        logger.warning("no %s tagged %s in %s", what, _tag_text(tags), path.name)
    logger.info("%d %s read from OSM (%s)", len(places), what, path.name)
    places.attrs["osm_tags"] = [f"{k}={v}" for k, v in tags]
    return places


def _tag_text(tags: tuple[tuple[str, str], ...]) -> str:
    return " / ".join(f"{k}={v}" for k, v in tags)


def _gp_from_epraccur(epraccur: Path, settings: Settings) -> tuple[gpd.GeoDataFrame, list[str]]:
    table = _read_epraccur(epraccur)
    active = table[
        (table["status"].str.strip() == "A")
        & (table["setting"].str.strip() == GP_PRESCRIBING_SETTING)
    ].copy()
    active["postcode"] = normalise_postcodes(active["postcode"])
    active["code"] = active["code"].str.strip()
    active["name"] = active["name"].str.strip()
    active = active.drop_duplicates("code")
    where = load_postcodes(settings, postcodes=active["postcode"].dropna())
    located = active.merge(where, on="postcode", how="inner", validate="many_to_one")
    dropped = len(active) - len(located)
    if dropped:
        logger.info(
            "%d of %d active GP practices dropped: their postcode is not in Code-Point Open "
            "as loaded (outside its coverage, new or terminated)",
            dropped,
            len(active),
        )
    gdf = gpd.GeoDataFrame(
        located[["code", "name", "postcode", "lad_code"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(located["easting_m"], located["northing_m"]),
        crs=BNG,
    )
    return gdf, [epraccur.name]


def _gp_from_geocoded(path: Path) -> gpd.GeoDataFrame:
    _, header, _ = sniff_csv(path)
    want = {
        "code": find_column(header, "org_code", "organisation_code", "code"),
        "name": find_column(header, "name"),
        "postcode": find_column(header, "postcode"),
        "status": find_column(header, "status_code", "status"),
        "setting": find_column(header, "prescribing_setting"),
        "lat": find_column(header, "lat", "latitude"),
        "lon": find_column(header, "lon", "long", "longitude"),
        "lad_code": find_column(header, "admin_district_code", "lad_code", "ladcd"),
    }
    missing = [k for k, v in want.items() if v is None and k != "lad_code"]
    if missing:
        raise DataError(
            f"{path.name}: the geocoded GP file lacks column(s) for {', '.join(missing)}; "
            "use epraccur and Code-Point Open instead (`hiap data download gp postcodes`)."
        )
    cols = {v: k for k, v in want.items() if v is not None}
    frame = pd.read_csv(path, usecols=list(cols), dtype="string").rename(columns=cols)
    frame = frame[
        (frame["status"].str.strip() == "A")
        & (frame["setting"].str.strip() == GP_PRESCRIBING_SETTING)
    ]
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    ok = lat.notna() & lon.notna()
    if (~ok).any():
        logger.info(
            "%d active GP practices dropped: no coordinates in %s", int((~ok).sum()), path.name
        )
    frame = frame[ok].copy()
    frame["postcode"] = normalise_postcodes(frame["postcode"])
    if "lad_code" not in frame:
        frame["lad_code"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame = frame.drop_duplicates("code")
    return gpd.GeoDataFrame(
        frame[["code", "name", "postcode", "lad_code"]].reset_index(drop=True),
        geometry=points_from_lonlat(lon.loc[frame.index], lat.loc[frame.index]).to_numpy(),
        crs=BNG,
    )


def load_gp_practices(
    settings: Settings,
    *,
    source: GpSource = "auto",
    area: BaseGeometry | None = None,
    buffer_m: float = 0.0,
    lad_codes: Iterable[str] | None = None,
    osm_path: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Load the active GP practices as points.

    Active means epraccur status ``A`` and prescribing setting 4 (GP practice), which leaves out
    out-of-hours services, prisons, walk-in centres and closed practices.

    Parameters
    ----------
    settings
        Gives the data directory.
    source
        ``"epraccur"``: the full NHS ODS epraccur file, placed by postcode with Code-Point Open
        (only practices whose postcode Code-Point Open as loaded covers are kept; the number
        dropped is logged). ``"geocoded"``: the ready geocoded CB/PE subset. ``"osm"``: places
        tagged ``amenity=doctors`` or ``healthcare=doctor`` in an OSM extract (open or not,
        NHS or private: OSM does not say). ``"auto"``: the first whose files are present.
    area
        Keep only practices inside this geometry (EPSG:27700); ``None`` keeps all.
    buffer_m
        Grow ``area`` by this many metres first.
    lad_codes
        Keep only practices in these local authority districts (by postcode); ``None`` keeps all.
        OSM places have no district: with the OSM source this raises (use ``area``).
    osm_path
        The extract for the OSM source; by default the one in the data directory covering
        most of ``area`` (:func:`hiap.data.osm.find_osm_extract`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (ODS code, or ``osm:node/<id>`` / ``osm:way/<id>``; unique), ``name``,
        ``postcode``, ``lad_code`` (``<NA>`` where unknown, always for OSM) and point
        ``geometry`` in EPSG:27700. ``attrs["source"]`` is ``"epraccur+codepoint"``,
        ``"geocoded"`` or ``"osm"``; ``attrs["files"]`` the files read;
        ``attrs["attribution"]`` the lines to show with the data.

    Raises
    ------
    DataError
        When the files the chosen source needs are missing (the message names the patterns and
        the ``hiap data download`` command).
    """
    if source not in ("auto", "epraccur", "geocoded", "osm"):
        raise ValueError(
            f"source must be 'auto', 'epraccur', 'geocoded' or 'osm', got {source!r}."
        )
    epraccur_files = dataset_files("gp", settings)
    postcode_files = dataset_files("postcodes", settings)
    geocoded = dataset_files("gp_cbpe", settings)
    if source == "osm" or (
        source == "auto" and not (epraccur_files and postcode_files) and not geocoded
    ):
        places = _osm_places(
            settings, osm_path=osm_path, area=area, buffer_m=buffer_m, tags=GP_OSM_TAGS,
            what="GP surgeries",
        )
        if places is None:
            raise missing_error(
                DATASETS["gp"],
                settings,
                detail="Neither epraccur with Code-Point Open, nor the geocoded subset "
                f"({', '.join(DATASETS['gp_cbpe'].patterns)}), nor an OSM extract to take "
                "surgeries from (amenity=doctors) is there.",
            )
        osm_gdf = places.assign(
            postcode=pd.Series(pd.NA, index=places.index, dtype="string"),
            lad_code=pd.Series(pd.NA, index=places.index, dtype="string"),
        )[["code", "name", "postcode", "lad_code", "osm_tag", "merged", "geometry"]]
        if lad_codes is not None:
            raise DataError(
                "OSM surgeries carry no local authority district: pass area= instead of "
                "lad_codes=, or add the NHS files (`hiap data download gp postcodes`)."
            )
        return _finish(
            osm_gdf,
            area=area,
            buffer_m=buffer_m,
            attrs={**places.attrs, "source": "osm"},
        )
    use_full = source == "epraccur" or (
        source == "auto" and bool(epraccur_files) and bool(postcode_files)
    )
    attribution = [OGL_ATTRIBUTION, OS_ATTRIBUTION]
    if use_full:
        if not epraccur_files:
            raise missing_error(DATASETS["gp"], settings)
        if not postcode_files:
            raise missing_error(DATASETS["postcodes"], settings, detail="It places GP practices.")
        gdf, files = _gp_from_epraccur(newest(epraccur_files), settings)
        files += [p.name for p in postcode_files]
        kind = "epraccur+codepoint"
    else:
        if not geocoded:
            raise missing_error(
                DATASETS["gp"],
                settings,
                detail="Neither epraccur with Code-Point Open nor the geocoded subset "
                f"({', '.join(DATASETS['gp_cbpe'].patterns)}) is there.",
            )
        path = newest(geocoded)
        gdf, files, kind = _gp_from_geocoded(path), [path.name], "geocoded"
    if lad_codes is not None:
        gdf = gdf[gdf["lad_code"].isin(list(lad_codes))].reset_index(drop=True)
    return _finish(
        gdf,
        area=area,
        buffer_m=buffer_m,
        attrs={"source": kind, "files": files, "attribution": attribution},
    )


def _read_hospital_list(path: Path) -> pd.DataFrame:
    encoding = detect_encoding(path)
    delimiter, header, row_fields = sniff_csv(path, encoding=encoding)
    names = list(header)
    if row_fields == len(header) + 1:
        names = ["_row", *header]  # a copy written with its index
    want = {
        "code": find_column(names, "OrganisationCode"),
        "name": find_column(names, "OrganisationName"),
        "postcode": find_column(names, "Postcode"),
        "sector": find_column(names, "Sector"),
        "parent_name": find_column(names, "ParentName"),
        "status": find_column(names, "OrganisationStatus"),
        "lat": find_column(names, "Latitude"),
        "lon": find_column(names, "Longitude"),
        "has_ae": find_column(
            names, "HasAandE", "HasAccidentAndEmergency", "A&E", "AccidentAndEmergency"
        ),
    }
    required = ("code", "name", "postcode", "lat", "lon")
    missing = [k for k in required if want[k] is None]
    if missing:
        raise DataError(
            f"{path.name}: not the NHS hospital list (no column for {', '.join(missing)}). "
            "Run `hiap data download hospitals`."
        )
    cols = {v: k for k, v in want.items() if v is not None}
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            header=0,
            names=names,
            usecols=list(cols),
            dtype="string",
            encoding=encoding,
            encoding_errors="replace",
            engine="python" if len(delimiter) > 1 or delimiter == "¬" else "c",
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path.name}: cannot read the hospital list ({exc}).") from None
    return frame.rename(columns=cols)


def load_hospitals(
    settings: Settings,
    *,
    source: HospitalSource = "auto",
    area: BaseGeometry | None = None,
    buffer_m: float = 0.0,
    osm_path: str | Path | None = None,
    classes: Collection[str] | None = DEFAULT_HOSPITAL_CLASSES,
) -> gpd.GeoDataFrame:
    """Load the hospitals of the NHS website's organisation list (or OSM) as points.

    By default only acute hospitals with a type 1 A&E are returned (what "the nearest
    hospital" means to a planner); ``classes`` picks others (:mod:`hiap.data.hospitals`).

    Parameters
    ----------
    settings
        Gives the data directory.
    source
        ``"nhs"``: the NHS website's hospital list (the full list, else the CB/PE subset).
        ``"osm"``: places tagged ``amenity=hospital`` or ``healthcare=hospital`` in an OSM
        extract. ``"auto"``: the NHS list when present, else OSM.
    area
        Keep only hospitals inside this geometry (EPSG:27700); ``None`` keeps all.
    buffer_m
        Grow ``area`` by this many metres first.
    osm_path
        The extract for the OSM source; by default the one in the data directory covering
        most of ``area`` (:func:`hiap.data.osm.find_osm_extract`).
    classes
        Hospital classes to keep (:data:`hiap.data.hospitals.HOSPITAL_CLASSES`: ``acute_ae``,
        ``acute``, ``community``, ``mental_health``, ``independent``); default acute with a
        type 1 A&E; ``None`` keeps every hospital. OSM hospitals carry no class and are all
        kept (``attrs["hospital_classes"]`` is then None).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (ODS site code, or ``osm:node/<id>`` / ``osm:way/<id>``; unique), ``name``, ``postcode``, ``sector`` (NHS or
        independent), ``parent_name`` (trust or company), ``has_ae`` and point ``geometry`` in
        EPSG:27700. ``has_ae`` (nullable boolean) is ``<NA>`` throughout when, as in the NHS.UK
        list, the file does not say which sites have an A&E department; ``attrs["has_ae_known"]``
        says whether it was known. ``attrs["source"]`` is ``"nhs_hospital_list"`` or
        ``"nhs_hospital_list_cbpe"`` (the derived subset, used when the full list is missing)
        or ``"osm"`` (``postcode``, ``sector``, ``parent_name`` and ``has_ae`` then ``<NA>``).
        Sites without coordinates are placed by postcode when Code-Point Open is present,
        else dropped (the count is logged). Also ``hospital_class``, ``hospital_class_label``
        (for maps and tables), ``type1_ae`` and ``class_source`` from hiap's sourced
        classification (:func:`hiap.data.hospitals.classify_hospitals`); ``has_ae`` is filled
        from ``type1_ae`` where the list does not say.

    Raises
    ------
    DataError
        When no hospital list (nor, for ``"auto"`` / ``"osm"``, OSM extract) is there.
    """
    if source not in ("auto", "nhs", "osm"):
        raise ValueError(f"source must be 'auto', 'nhs' or 'osm', got {source!r}.")
    full = dataset_files("hospitals", settings)
    subset = dataset_files("hospitals_cbpe", settings)
    if source == "osm" or (source == "auto" and not full and not subset):
        places = _osm_places(
            settings, osm_path=osm_path, area=area, buffer_m=buffer_m, tags=HOSPITAL_OSM_TAGS,
            what="hospitals",
        )
        if places is None:
            raise missing_error(
                DATASETS["hospitals"],
                settings,
                detail="Nor is there an OSM extract to take hospitals from (amenity=hospital).",
            )
        blank = pd.Series(pd.NA, index=places.index, dtype="string")
        osm_gdf = places.assign(
            postcode=blank,
            sector=blank,
            parent_name=blank,
            has_ae=pd.Series(pd.NA, index=places.index, dtype="boolean"),
        )[["code", "name", "postcode", "sector", "parent_name", "has_ae", "osm_tag", "merged", "geometry"]]
        osm_gdf = classify_hospitals(osm_gdf, classes=None)
        return _finish(
            osm_gdf,
            area=area,
            buffer_m=buffer_m,
            attrs={**places.attrs, "source": "osm", "has_ae_known": False},
        )
    if full:
        path, kind = newest(full), "nhs_hospital_list"
    elif subset:
        path, kind = newest(subset), "nhs_hospital_list_cbpe"
    else:
        raise missing_error(DATASETS["hospitals"], settings)
    frame = _read_hospital_list(path)
    frame["code"] = frame["code"].str.strip()
    frame = frame[frame["code"].notna() & (frame["code"] != "")]
    frame = frame.drop_duplicates("code").reset_index(drop=True)
    frame["postcode"] = normalise_postcodes(frame["postcode"])
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    geometry = points_from_lonlat(lon.fillna(0.0), lat.fillna(0.0))
    no_xy = lat.isna() | lon.isna()
    if no_xy.any() and dataset_files("postcodes", settings):
        # Place sites without coordinates at their postcode.
        where = load_postcodes(settings, postcodes=frame.loc[no_xy, "postcode"].dropna())
        placed = frame.loc[no_xy, ["postcode"]].merge(where, on="postcode", how="left")
        placed.index = frame.index[no_xy]
        found = placed["easting_m"].notna()
        fixed = placed[found]
        geometry.loc[fixed.index] = gpd.points_from_xy(fixed["easting_m"], fixed["northing_m"])
        no_xy.loc[fixed.index] = False
    if no_xy.any():
        logger.info("%d hospitals dropped from %s: no coordinates", int(no_xy.sum()), path.name)
    has_ae_known = "has_ae" in frame
    if has_ae_known:
        has_ae = (
            frame["has_ae"]
            .str.strip()
            .str.lower()
            .map(
                {
                    "true": True,
                    "yes": True,
                    "y": True,
                    "1": True,
                    "false": False,
                    "no": False,
                    "n": False,
                    "0": False,
                }
            )
            .astype("boolean")
        )
    else:
        has_ae = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    table = pd.DataFrame(
        {
            "code": frame["code"],
            "name": frame["name"].str.strip(),
            "postcode": frame["postcode"],
            "sector": frame.get("sector", pd.NA),
            "parent_name": frame.get("parent_name", pd.NA),
            "has_ae": has_ae,
        }
    )
    gdf = gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=BNG)
    gdf = gdf[~no_xy.to_numpy()].reset_index(drop=True)
    gdf = classify_hospitals(gdf, classes=classes)
    gdf["has_ae"] = gdf["has_ae"].fillna(gdf["type1_ae"])
    return _finish(
        gdf,
        area=area,
        buffer_m=buffer_m,
        attrs={
            "source": kind,
            "files": [path.name],
            "has_ae_known": has_ae_known or bool(gdf["type1_ae"].notna().any()),
            "hospital_classes": gdf.attrs.get("hospital_classes"),
            "attribution": [OGL_ATTRIBUTION],
        },
    )
