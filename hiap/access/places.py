"""Where an access run starts and ends: its frame (CRS, area), origins, homes, destinations.

One rule attaches every point to the walk network (:func:`off_network`): a point farther than
``AccessOptions.max_snap_m`` from every walkable street edge is left out and listed with the
reason. It applies alike to destinations, populated origins (LSOA/OA centroids or given points)
and the scheme's home points.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.access.options import DESTINATION_LABELS, AccessOptions
from hiap.data.gp_branches import with_branches
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES
from hiap.data.population import load_area_origins
from hiap.errors import DataError, NothingInReachError, SettingsError
from hiap.schemes.points import scheme_points
from hiap.settings import Settings
from isochrones import BNG_CRS, WalkNetwork
from isochrones.transit import local_utm_crs

__all__ = [
    "EXCLUDED_COLUMNS",
    "RunFrame",
    "destinations_for",
    "homes_note",
    "off_network",
    "origins_for",
    "run_frame",
    "scheme_homes",
]

EXCLUDED_COLUMNS = ["kind", "code", "name", "distance_m", "reason"]
"""The columns of :attr:`hiap.access.AccessResult.excluded`."""


@dataclass(frozen=True)
class RunFrame:
    """The frame of one run: its CRS, the area measured around and how it is named.

    Attributes
    ----------
    crs
        EPSG:27700 in Great Britain, else the local UTM zone of the given points.
    site_area
        The area (or the scheme's site, or the hull of the given points); None when unknown.
    scheme
        The scheme boundary in EPSG:27700 (None without a scheme).
    label
        What the area is, for messages.
    margin_m
        The buffer around the area, metres.
    judge
        Whether the network's coverage of the area is judged (an area or scheme was given;
        given points are judged one by one instead).
    """

    crs: str
    site_area: BaseGeometry | None
    scheme: gpd.GeoDataFrame | None
    label: str
    margin_m: float
    judge: bool


def run_frame(
    options: AccessOptions,
    *,
    area: BaseGeometry | None,
    area_label: str | None,
    scheme: gpd.GeoDataFrame | None,
    origins: gpd.GeoDataFrame | None,
    destinations: gpd.GeoDataFrame | None,
) -> RunFrame:
    """Return the CRS and area of a run from what was given (see :func:`measure_access`)."""
    site_area, scheme_bng = _area_of(area, scheme)
    judge = site_area is not None
    if site_area is None and origins is not None and len(origins):
        pts = origins.geometry if destinations is None else pd.concat(
            [origins.geometry.to_crs(4326), destinations.geometry.to_crs(4326)]
        )
        pts = gpd.GeoSeries(pts).set_crs(4326, allow_override=True) if destinations is not None else origins.geometry
        frame = gpd.GeoDataFrame(geometry=pts)
        if _in_gb(frame):
            crs = BNG_CRS
        else:
            centre = frame.to_crs(4326).geometry.union_all().centroid
            crs = local_utm_crs(centre.x, centre.y).to_string()
        site_area = shapely.convex_hull(shapely.union_all(frame.to_crs(crs).geometry.to_numpy()))
    else:
        crs = BNG_CRS
    label = area_label or ("the scheme" if scheme_bng is not None else "the area")
    return RunFrame(crs, site_area, scheme_bng, label, options.buffer_km * 1000.0, judge)


def _area_of(
    area: BaseGeometry | None, scheme: gpd.GeoDataFrame | None
) -> tuple[BaseGeometry | None, gpd.GeoDataFrame | None]:
    site = None
    if scheme is not None and not scheme.empty:
        scheme = scheme.to_crs(BNG_CRS)
        site = shapely.make_valid(shapely.union_all(scheme.geometry.to_numpy()))
    return (area if area is not None else site), scheme


def _in_gb(points: gpd.GeoDataFrame) -> bool:
    lon, lat = points.to_crs(4326).geometry.x, points.to_crs(4326).geometry.y
    return bool(lon.between(-8.7, 1.9).all() and lat.between(49.8, 60.9).all())


# ---------------------------------------------------------------- the one snapping rule


def snap_distance_m(network: WalkNetwork, points: gpd.GeoDataFrame) -> np.ndarray:
    """Return each point's straight-line distance to the nearest walkable street edge."""
    if len(points) == 0:
        return np.zeros(0)
    snapped = network.snap(points, to="edge")
    return np.asarray(
        snapped.offset_m if snapped.offset_m is not None else snapped.distance_m, dtype=float
    )


def off_network(
    network: WalkNetwork | None, points: gpd.GeoDataFrame, *, kind: str, max_snap_m: float
) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None]:
    """Split points into those on the network and those left out, with the reason.

    Parameters
    ----------
    network
        The walk network; None in a run with the straight-line walking fallback, which
        reaches points off every street (up to its access cap), so none is left out.
    points
        Origins, homes or destinations (``code`` and ``name`` are listed when present).
    kind
        What they are (``"origin"``, ``"home"``, ``"destination"``), for the list.
    max_snap_m
        Points farther than this from every walkable street edge are left out.

    Returns
    -------
    tuple
        The points kept (index reset) and the rows of :attr:`AccessResult.excluded` (None
        when every point is kept).
    """
    if network is None:
        return points.reset_index(drop=True), None
    distance_m = snap_distance_m(network, points)
    far = distance_m > max_snap_m
    left_out = _excluded(kind, points[far], distance_m[far], max_snap_m) if far.any() else None
    return points[~far].reset_index(drop=True), left_out


def _excluded(kind: str, frame: pd.DataFrame, distance_m: np.ndarray, limit_m: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": kind,
            "code": frame["code"].astype("string").to_numpy() if "code" in frame else pd.NA,
            "name": frame["name"].astype("string").to_numpy() if "name" in frame else pd.NA,
            "distance_m": np.round(distance_m, 1),
            "reason": [
                f"{d:.0f} m from the nearest walkable street (more than {limit_m:g} m): "
                "outside the network's area or unmapped" for d in distance_m
            ],
        }
    )


# ---------------------------------------------------------------- destinations


def _load_destinations(
    settings: Settings, options: AccessOptions, reach: BaseGeometry
) -> gpd.GeoDataFrame:
    if options.to not in DESTINATION_LABELS:
        raise SettingsError(
            f"Destinations must be 'gp' or 'hospital' (or given as points), got {options.to!r}."
        )
    if options.to == "gp":
        found = load_gp_practices(settings, area=reach)
        return with_branches(found, settings) if options.include_branches else found
    return load_hospitals(
        settings, area=reach, classes=list(options.hospital_classes or DEFAULT_HOSPITAL_CLASSES)
    )


def destinations_for(
    settings: Settings,
    options: AccessOptions,
    frame: RunFrame,
    network: WalkNetwork | None,
    *,
    reach: BaseGeometry,
    given: gpd.GeoDataFrame | None,
    network_name: str,
) -> tuple[gpd.GeoDataFrame, str, list[pd.DataFrame], list[str]]:
    """Return the destinations within reach and on the network.

    Returns
    -------
    tuple
        The destinations, their label for messages, the rows left out and the method notes
        to pass on as warnings.

    Raises
    ------
    DataError
        When none lies within reach on the network.
    """
    notes: list[str] = []
    if given is None:
        dest_label = DESTINATION_LABELS.get(options.to, options.to)
        if frame.crs != BNG_CRS:
            raise DataError(
                f"No {dest_label} lies within {options.buffer_km:g} km of {frame.label}: the data "
                "directory's GP practices and hospitals are in England, and the origins lie "
                "outside Great Britain. Give destinations of the same place (--to FILE)."
            )
        dest = _load_destinations(settings, options, reach)
        if dest.attrs.get("method"):
            notes.append(str(dest.attrs["method"]))
    else:
        dest = given.to_crs(frame.crs)
        dest_label = options.to
    dest = dest[dest.intersects(reach)].reset_index(drop=True)
    dest = dest.assign(geometry=shapely.point_on_surface(dest.geometry.to_numpy())) if len(dest) else dest
    dest, left_out = off_network(network, dest, kind="destination", max_snap_m=options.max_snap_m)
    if dest.empty:
        where = f" on the {network_name} network" if network is not None else ""
        raise NothingInReachError(
            f"No {dest_label} lies within {options.buffer_km:g} km of {frame.label}{where}, "
            "so there is nothing to measure access to. Widen the buffer, "
            "use an extract covering the area, or choose destinations in it."
        )
    return dest, dest_label, [left_out] if left_out is not None else [], notes


# ---------------------------------------------------------------- origins and homes


def origins_for(
    settings: Settings,
    options: AccessOptions,
    frame: RunFrame,
    network: WalkNetwork | None,
    *,
    reach: BaseGeometry,
    given: gpd.GeoDataFrame | None,
    network_name: str,
) -> tuple[gpd.GeoDataFrame, list[pd.DataFrame]]:
    """Return the populated origins on the network and the rows of those left out.

    Raises
    ------
    DataError
        When no populated LSOA/OA point lies on the network.
    """
    if given is None and options.level == "none":
        orig = gpd.GeoDataFrame({"code": [], "name": [], "population": []},
                                geometry=gpd.GeoSeries([], crs=frame.crs))
    elif given is None:
        orig = load_area_origins(settings, level="oa" if options.level == "oa" else "lsoa")
        orig = orig[orig.intersects(reach)].reset_index(drop=True)
    else:
        orig = given.to_crs(frame.crs).reset_index(drop=True)
    orig, left_out = off_network(network, orig, kind="origin", max_snap_m=options.max_snap_m)
    if orig.empty and options.level != "none":
        raise DataError(
            f"No populated {options.level.upper()} point lies on the {network_name} network around "
            f"{frame.label}; the population files cover Cambridgeshire and Peterborough only."
        )
    return orig, [left_out] if left_out is not None else []


def scheme_homes(
    options: AccessOptions,
    frame: RunFrame,
    network: WalkNetwork | None,
    *,
    home_points: gpd.GeoDataFrame | None,
    network_name: str,
) -> tuple[gpd.GeoDataFrame | None, list[pd.DataFrame]]:
    """Return the scheme's home points on the network, carrying its new residents.

    Home points (a grid over the site, or a proposal's homes) farther than
    ``options.max_snap_m`` from every walkable street are left out by the same rule as the
    populated origins (:func:`off_network`) and listed; their residents are not timed. Each
    kept point keeps its position among the scheme's points in the ``home`` column.

    Returns
    -------
    tuple
        The homes on the network (None without a scheme) and the rows of those left out.

    Raises
    ------
    SettingsError
        When only homes are to be timed (``level="none"``) and there is no scheme.
    DataError
        When every home lies off the network.
    """
    if frame.scheme is None and options.level == "none":
        raise SettingsError("Origins 'none' times a scheme's homes only: give the scheme.")
    if frame.scheme is None:
        return None, []
    homes = (
        home_points.to_crs(frame.crs)[["weight", "geometry"]].copy() if home_points is not None
        else scheme_points(frame.scheme, spacing_m=options.home_spacing_m)
    ).reset_index(drop=True)
    homes["population"] = homes.pop("weight") * (options.new_residents or 1.0)
    homes.insert(0, "home", np.arange(len(homes), dtype=np.int64))
    named = homes.assign(
        code=[f"home {n + 1}" for n in range(len(homes))],
        name=f"{frame.label}: home point",
    )
    kept, left_out = off_network(network, named, kind="home", max_snap_m=options.max_snap_m)
    if kept.empty:
        far_m = float(left_out["distance_m"].median()) if left_out is not None else float("nan")
        raise DataError(
            f"The scheme lies {far_m:.0f} m from the nearest street of the "
            f"{network_name} network; the extract does not cover it."
        )
    homes = gpd.GeoDataFrame(kept.drop(columns=["code", "name"]), geometry="geometry", crs=homes.crs)
    return homes, [left_out] if left_out is not None else []


def homes_note(left_out: list[pd.DataFrame], homes: gpd.GeoDataFrame | None, max_snap_m: float) -> str | None:
    """Return the warning for scheme home points left out (None when every one was kept)."""
    if not left_out or homes is None:
        return None
    dropped = sum(len(frame) for frame in left_out)
    return (
        f"{dropped} of the scheme's {dropped + len(homes)} home points lie more than "
        f"{max_snap_m:g} m from a walkable street and are left out (listed with the reason); "
        "their residents are not timed."
    )
