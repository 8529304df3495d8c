"""Walking access to GP practices and hospitals: hiap's glue around :mod:`isochrones`.

This module picks the data (OSM extract, destinations, populated origins, districts) through
:mod:`hiap.data` from a :class:`~hiap.settings.Settings`, and hands the routing to the
``isochrones`` package. It knows the health meaning; isochrones knows only streets.

Which function to use when:

* :func:`find_osm_extract` -- the OSM file to use for an area (the one covering most of it;
  :func:`hiap.data.osm.find_osm_extract`, re-exported here).
* :func:`resolve_area` -- a ``--area`` argument (boundary file, district name or code) to a
  polygon in EPSG:27700.
* :func:`load_walk_network` -- the cached walk graph and its routing arrays for an area.
* :func:`walk_access` -- the whole run: per-origin times, indicators, isochrones, catchments.
* :func:`write_walk_geopackage` -- save a :class:`WalkAccessResult` as GeoPackage layers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.gp_branches import with_branches
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES
from hiap.data.osm import find_osm_extract
from hiap.data.population import load_area_origins, load_districts
from hiap.data.registry import OSM_ATTRIBUTION
from hiap.errors import DataError, SettingsError
from hiap.exports import write_geopackage
from hiap.settings import Settings
from isochrones import (
    BNG_CRS,
    DEFAULT_BANDS_MIN,
    JTS_BANDS_MIN,
    WALK_SPEED_KPH,
    WalkNetwork,
    build_walk_graph,
    catchments,
    isochrone_polygons,
    origin_access,
    summarise_access,
)
from isochrones.errors import IsochronesError

__all__ = [
    "Destination",
    "WalkAccessResult",
    "find_osm_extract",
    "load_walk_network",
    "resolve_area",
    "walk_access",
    "write_walk_geopackage",
]

logger = logging.getLogger(__name__)

Destination = Literal["gp", "hospital"]

MAX_ORIGIN_SNAP_M = 1000.0
"""Destinations are looked for this far around the network's hull (origins are excluded by
``Settings.origin_max_snap_m`` instead, 500 m by default)."""

Progress = Callable[[str], None]


def _no_progress(step: str) -> None:
    del step


def resolve_area(settings: Settings, area: str | Path | None) -> tuple[BaseGeometry | None, str]:
    """Turn an area argument into a polygon in EPSG:27700.

    Parameters
    ----------
    settings
        Gives the data directory (for district boundaries).
    area
        A boundary file readable by GDAL (GeoJSON, GeoPackage, KML, shapefile...), a local
        authority district name (``"Peterborough"``) or GSS code (``"E06000031"``), or None.

    Returns
    -------
    tuple
        The polygon (None for no area) and a label for messages.

    Raises
    ------
    DataError
        When the file cannot be read or has no CRS.
    SettingsError
        When the name matches no district (the message lists them).
    """
    if area is None:
        return None, "whole extract"
    text = str(area)
    path = Path(text)
    if path.suffix and path.is_file():
        try:
            frame = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            raise DataError(f"{path}: cannot read the area file ({exc}).") from None
        if frame.crs is None:
            raise DataError(
                f"{path}: the area file has no CRS; save it with one (e.g. EPSG:27700)."
            )
        geom = shapely.union_all(frame.to_crs(BNG_CRS).geometry.to_numpy())
        if geom.is_empty or geom.area == 0:
            raise DataError(f"{path}: the area file holds no polygon.")
        return shapely.make_valid(geom), path.name
    districts = load_districts(settings, lad_codes=None)
    wanted = text.strip().casefold()
    match = districts[
        (districts["lad_code"].str.casefold() == wanted)
        | (districts["lad_name"].str.casefold() == wanted)
    ]
    if match.empty:
        names = ", ".join(f"{r.lad_name} ({r.lad_code})" for r in districts.itertuples())
        raise SettingsError(
            f"--area {text!r} is neither a readable boundary file nor a district. "
            f"Districts available: {names}."
        )
    row = match.iloc[0]
    return row.geometry, f"{row.lad_name} ({row.lad_code})"


def load_walk_network(
    settings: Settings,
    *,
    osm_path: str | Path | None = None,
    area: BaseGeometry | None = None,
    buffer_km: float = 2.0,
) -> tuple[nx.MultiDiGraph, WalkNetwork, Path]:
    """Build (or load from ``settings.cache_dir``) the walk network for an area.

    Parameters
    ----------
    settings
        Gives the data and cache directories.
    osm_path
        The extract to use; by default :func:`find_osm_extract` picks one.
    area
        Polygon in EPSG:27700 to clip to (grown by ``buffer_km``); None: the whole extract.
    buffer_km
        Street network kept around the area, so walks may leave it and come back.

    Returns
    -------
    tuple
        The OSMnx-compatible graph, its :class:`~isochrones.WalkNetwork` and the extract used.

    Raises
    ------
    DataError
        When the extract is missing or unreadable, or has no walkable street in the area.
    """
    if buffer_km < 0:
        raise SettingsError(f"--buffer-km must be >= 0, got {buffer_km}.")
    path = Path(osm_path) if osm_path is not None else find_osm_extract(settings, area=area)
    try:
        graph = build_walk_graph(
            path, area=area, margin_m=buffer_km * 1000.0, cache_dir=settings.cache_dir
        )
    except IsochronesError as exc:
        raise DataError(str(exc)) from exc
    return graph, WalkNetwork.from_graph(graph), path


@dataclass(frozen=True)
class WalkAccessResult:
    """Everything one walking-access run produced.

    Attributes
    ----------
    origins
        One row per populated origin (LSOA/OA) on the network: its attributes plus
        ``time_min``, ``nearest_code``, ``nearest_name``, ``snap_m`` and ``reachable_*min``.
    destinations
        The GP practices or hospitals used.
    isochrones
        Walking time bands from the nearest destination (``band_min``, geometry).
    catchments
        Per-destination network catchments within each band (``code``, ``band_min``).
    overall, by_district, by_imd_decile
        Indicator tables (see :func:`isochrones.summarise_access`).
    osm_path
        The extract used.
    dropped_origins
        Number of origins left out because they lie farther than
        ``Settings.origin_max_snap_m`` from any walkable street or path.
    attribution
        Lines to show with the results.
    excluded_origins
        Those origins, with ``distance_m`` and the ``reason`` (to show beside the results).
    notes
        Method statements to show with the results (e.g. branch surgeries included, dated).
    """

    origins: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    overall: pd.DataFrame
    by_district: pd.DataFrame
    by_imd_decile: pd.DataFrame
    osm_path: Path
    dropped_origins: int
    attribution: list[str] = field(default_factory=list)
    excluded_origins: gpd.GeoDataFrame | None = None
    notes: list[str] = field(default_factory=list)


def walk_access(
    settings: Settings,
    *,
    to: Destination = "gp",
    osm_path: str | Path | None = None,
    area: BaseGeometry | None = None,
    buffer_km: float = 2.0,
    level: Literal["lsoa", "oa"] = "lsoa",
    bands_min: Sequence[float] = DEFAULT_BANDS_MIN,
    speed_kph: float = WALK_SPEED_KPH,
    buffer_m: float = 50.0,
    snap_to: Literal["node", "edge"] = "edge",
    progress: Progress = _no_progress,
    hospital_classes: Sequence[str] | None = None,
    include_branches: bool = False,
) -> WalkAccessResult:
    """Measure walking access from populated areas to GP practices or hospitals.

    Parameters
    ----------
    settings
        Gives the data and cache directories.
    to
        ``"gp"`` (active GP practices) or ``"hospital"``.
    osm_path
        OSM extract; by default the first in the data directory covering the area.
    area
        Polygon in EPSG:27700; None uses the whole extract.
    buffer_km
        Network, destinations and origins kept around the area, in km.
    level
        Origins: ``"lsoa"`` or ``"oa"`` population-weighted points.
    bands_min
        Isochrone bands in minutes.
    speed_kph
        Walking speed (DfT JTS 4.8 km/h).
    buffer_m
        Half-width of the street corridors drawn in the polygons.
    snap_to
        Attach origins and destinations to the nearest street edge (default: the walk along
        the street to either end counts) or to the nearest node.
    progress
        Called with the name of each step as it starts (for a progress bar).
    hospital_classes
        With ``to="hospital"``: the classes to use (:data:`hiap.data.hospitals.HOSPITAL_CLASSES`);
        None means acute hospitals with a type 1 A&E.
    include_branches
        With ``to="gp"``: also route to the practices' branch surgeries (NHS ODS, 2017, placed
        by postcode; :mod:`hiap.data.gp_branches`). Off by default; the result's ``notes``
        state it.

    Returns
    -------
    WalkAccessResult
        Per-origin times, indicator tables and polygons.

    Raises
    ------
    DataError
        When a dataset is missing, or no destination / origin lies on the network.
    """
    if to not in ("gp", "hospital"):
        raise SettingsError(f"--to must be 'gp' or 'hospital', got {to!r}.")
    progress("Building the walk network")
    graph, net, path = load_walk_network(
        settings, osm_path=osm_path, area=area, buffer_km=buffer_km
    )
    del graph
    hull = shapely.convex_hull(shapely.multipoints(shapely.points(net.x, net.y)))
    reach = area.buffer(buffer_km * 1000.0) if area is not None else hull
    progress("Loading destinations")
    within = reach.intersection(hull.buffer(MAX_ORIGIN_SNAP_M))
    notes: list[str] = []
    if to == "gp":
        destinations = load_gp_practices(settings, area=within)
        if include_branches:
            destinations = with_branches(destinations, settings)
            notes.append(destinations.attrs["method"])
    else:
        destinations = load_hospitals(
            settings, area=within, classes=hospital_classes or DEFAULT_HOSPITAL_CLASSES
        )
    if destinations.empty:
        raise DataError(
            f"No {'GP practice' if to == 'gp' else 'hospital'} lies within {buffer_km:g} km of "
            f"the area on the {path.name} network. Widen --buffer-km or use another extract."
        )
    progress("Loading populated origins")
    origins = load_area_origins(settings, level=level)
    origins = origins[origins.intersects(reach)].reset_index(drop=True)
    snap = (
        net.snap(origins, to=snap_to, exclude_beyond_m=settings.origin_max_snap_m)
        if len(origins)
        else None
    )
    excluded = origins.iloc[:0].assign(distance_m=[], reason=[])
    if snap is not None and snap.excluded is not None:
        listed = snap.exclusions()
        excluded = origins.iloc[listed["row"].to_numpy()].assign(
            distance_m=listed["distance_m"].to_numpy(), reason=listed["reason"].to_numpy()
        )
        origins = origins[~snap.excluded].reset_index(drop=True)
    dropped = len(excluded)
    if origins.empty:
        raise DataError(
            f"No populated {level.upper()} point lies on the {path.name} network within the area; "
            "the population files cover Cambridgeshire and Peterborough only."
        )
    progress("Routing (one multi-source pass)")
    access = origin_access(
        net, origins, destinations, speed_kph=speed_kph, bands_min=JTS_BANDS_MIN, snap_to=snap_to
    )
    codes = destinations["code"].to_numpy()
    names = destinations["name"].to_numpy()
    nearest = access["nearest"].to_numpy()
    table = origins.join(access)
    table["nearest_code"] = pd.Series(
        [codes[i] if i >= 0 else None for i in nearest], index=table.index, dtype="string"
    )
    table["nearest_name"] = pd.Series(
        [names[i] if i >= 0 else None for i in nearest], index=table.index, dtype="string"
    )
    progress("Summarising indicators")
    overall = summarise_access(table)
    by_district = summarise_access(table, by="lad_name")
    by_imd = summarise_access(table, by="imd_decile")
    progress("Drawing isochrones and catchments")
    iso = isochrone_polygons(
        net,
        destinations,
        bands_min=bands_min,
        speed_kph=speed_kph,
        buffer_m=buffer_m,
        snap_to=snap_to,
    )
    catch = catchments(
        net,
        destinations,
        bands_min=bands_min,
        speed_kph=speed_kph,
        buffer_m=buffer_m,
        snap_to=snap_to,
    )
    catch.insert(0, "code", codes[catch["destination"].to_numpy()])
    catch.insert(1, "name", names[catch["destination"].to_numpy()])
    catch = catch.drop(columns="destination")
    attribution = [OSM_ATTRIBUTION, *destinations.attrs.get("attribution", [])]
    attribution += [a for a in origins.attrs.get("attribution", []) if a not in attribution]
    return WalkAccessResult(
        origins=gpd.GeoDataFrame(table, geometry="geometry", crs=BNG_CRS),
        destinations=destinations,
        isochrones=iso,
        catchments=catch,
        overall=overall,
        by_district=by_district,
        by_imd_decile=by_imd,
        osm_path=path,
        dropped_origins=dropped,
        attribution=attribution,
        excluded_origins=gpd.GeoDataFrame(excluded.reset_index(drop=True), crs=BNG_CRS),
        notes=notes,
    )


def write_walk_geopackage(result: WalkAccessResult, path: str | Path) -> Path:
    """Write a walking-access result as GeoPackage layers.

    Layers: ``origins`` (per-origin times), ``destinations``, ``isochrones``, ``catchments``
    and a non-spatial ``indicators`` table (overall, per district and per IMD decile).

    Parameters
    ----------
    result
        What :func:`walk_access` returned.
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
    # The one GeoPackage writer: EPSG:27700, units in field names, QGIS styles stored in the
    # file; unreachable origins (infinite times) are stored as missing.
    write_geopackage(
        {
            "origins": result.origins,
            "destinations": result.destinations,
            "isochrones": result.isochrones,
            "catchments": result.catchments,
        },
        out,
    )
    frames = []
    for level, table in (
        ("all", result.overall),
        ("district", result.by_district),
        ("imd_decile", result.by_imd_decile),
    ):
        part = table.reset_index(names="group")
        part.insert(0, "grouping", level)
        part["group"] = part["group"].astype(str)
        frames.append(part)
    indicators = pd.concat(frames, ignore_index=True)
    indicators["attribution"] = " | ".join(result.attribution)
    pyogrio.write_dataframe(indicators, out, layer="indicators", driver="GPKG")
    return out
