"""GP capacity around a scheme: people per GP practice within a walk (2SFCA).

The same measure as the ``gp_capacity_2sfca`` indicator (same home points, practices and LSOA
population), with the LSOAs around the scheme scored exactly too, so they can be mapped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.gp_lists import add_list_sizes
from hiap.data.health import load_gp_practices
from hiap.data.population import load_area_origins
from hiap.indicators.capacity import GpCapacity, gp_capacity, weighted_inverse
from hiap.indicators.homes import Homes
from hiap.indicators.walkgraph import WalkGraph, minutes_to_metres
from hiap.schemes.points import DEFAULT_SPACING_M, scheme_points
from hiap.settings import Settings
from isochrones import BNG_CRS, build_walk_network

__all__ = ["capacity_graph", "capacity_points", "gp_capacity_table", "scheme_gp_capacity"]


def capacity_graph(
    settings: Settings, site: BaseGeometry, osm_path: str | Path, *, catchment_min: float, margin_m: float
) -> WalkGraph:
    """Return the walk network a GP capacity (2SFCA) around a site needs.

    A home's score counts, for each practice within the catchment, everyone within the
    catchment of that practice: walks reaching up to twice the catchment from the homes. The
    network is clipped that far out, plus ``margin_m`` (areas scored around the site) and
    500 m, so the scheme's own figures do not depend on how far around it is mapped: the
    Access page and the ``gp_capacity_2sfca`` indicator give the same numbers.

    Parameters
    ----------
    settings
        Its cache folder keeps the built network.
    site
        The site (shapely geometry, EPSG:27700).
    osm_path
        OSM extract of the walk network.
    catchment_min
        Walk catchment in minutes (4.8 km/h).
    margin_m
        How far around the site areas are scored exactly.
    """
    reach_m = 2 * minutes_to_metres(catchment_min) + margin_m + 500.0
    return WalkGraph.from_network(
        build_walk_network(osm_path, area=site, margin_m=reach_m, cache_dir=settings.cache_dir)
    )


def scheme_gp_capacity(
    settings: Settings,
    boundary: gpd.GeoDataFrame,
    *,
    osm_path: str | Path,
    new_residents: float,
    catchment_min: float = 30.0,
    margin_m: float = 2000.0,
    spacing_m: float = DEFAULT_SPACING_M,
) -> GpCapacity | None:
    """GP capacity within a walk (2SFCA) at a scheme and around it.

    The same measure as the ``gp_capacity_2sfca`` indicator (same home points, practices and
    LSOA population), with the LSOAs up to ``margin_m`` from the scheme scored exactly too,
    so they can be mapped.

    Parameters
    ----------
    settings
        Data and cache folders.
    boundary
        The scheme boundary (any CRS).
    osm_path
        OSM extract of the walk network.
    new_residents
        Residents the scheme adds (dwellings x persons per dwelling), added to the demand.
    catchment_min
        Walk catchment in minutes (4.8 km/h).
    margin_m
        How far around the scheme the LSOAs are scored exactly.
    spacing_m
        Spacing of the grid of home points.

    Returns
    -------
    GpCapacity or None
        ``None`` when no practice is within the catchment of the scheme's homes.

    Raises
    ------
    DataError
        When the GP practice or population files are missing.
    """
    site_frame = boundary.to_crs(BNG_CRS)
    site = shapely.make_valid(shapely.union_all(site_frame.geometry.to_numpy()))
    limit_m = minutes_to_metres(catchment_min)
    graph = capacity_graph(settings, site, osm_path, catchment_min=catchment_min, margin_m=margin_m)
    homes = Homes.snap(graph, scheme_points(site_frame, spacing_m=spacing_m))
    gps = add_list_sizes(
        load_gp_practices(settings, area=site, buffer_m=limit_m + margin_m), settings
    )
    population = load_area_origins(settings, level="lsoa")
    return gp_capacity(
        graph, homes, gps, population, new_residents=new_residents,
        catchment_min=catchment_min, margin_m=margin_m,
    )


def capacity_points(frame: gpd.GeoDataFrame, *, score: str = "2sfca", listed: bool) -> gpd.GeoDataFrame:
    """Return a copy of a capacity result's areas or homes with its figures in planner units.

    Parameters
    ----------
    frame
        ``GpCapacity.areas`` or ``GpCapacity.homes``.
    score
        ``"2sfca"`` (plain), ``"stepped"`` or ``"gaussian"`` (enhanced).
    listed
        Whether the supply was the registered list size (adds ``list_pressure``).

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows with ``people_per_practice`` (infinite where no practice is in reach)
        and, with lists, ``list_pressure`` (people per registered-list place).
    """
    out = frame.copy()
    with np.errstate(divide="ignore"):
        out["people_per_practice"] = 1.0 / frame[f"practices_per_person_{score}"].to_numpy(float)
        if listed:
            out["list_pressure"] = 1000.0 / frame[f"access_{score}"].to_numpy(float)
    return out


def gp_capacity_table(result: GpCapacity, *, score: str = "2sfca", scheme_label: str = "Scheme") -> pd.DataFrame:
    """People per GP practice (and list pressure): scheme, surrounding area, districts.

    Each row inverts its population-weighted score (:func:`hiap.indicators.capacity.
    weighted_inverse`), as the scheme's own figure is, so the plain scheme row is the
    ``gp_capacity_2sfca`` indicator and the figure of the capacity sentences.

    Parameters
    ----------
    result
        From :func:`scheme_gp_capacity`.
    score
        ``"2sfca"`` (plain), ``"stepped"`` or ``"gaussian"`` (enhanced).
    scheme_label
        Label of the scheme's row.

    Returns
    -------
    pandas.DataFrame
        Indexed by area (the scheme, ``"Surrounding area"``, then each district), with
        ``population`` (the scheme's new residents on its row), ``people_per_practice`` and,
        with list sizes, ``list_pressure``. Only the LSOAs scored exactly (``complete``)
        count.
    """
    listed = result.supply_kind == "list size"
    areas = result.areas[result.areas["complete"]]

    def row(frame: pd.DataFrame, weights: np.ndarray, population: float) -> list[float]:
        values = [population, weighted_inverse(frame[f"practices_per_person_{score}"], weights)]
        if listed:  # per person, as the practice count is: the list score is per 1,000
            values.append(weighted_inverse(frame[f"access_{score}"].to_numpy(float) / 1000.0, weights))
        return values

    rows: dict[str, list[float]] = {}
    if result.homes is not None:
        homes = result.homes
        rows[scheme_label] = row(homes, homes["weight"].to_numpy(float), float(homes["population"].sum()))
    rows["Surrounding area"] = row(areas, areas["population"].to_numpy(float), float(areas["population"].sum()))
    if "lad_name" in areas.columns:
        for name, group in areas.groupby(areas["lad_name"].astype("string").fillna("unknown"), sort=True):
            pop = group["population"].to_numpy(float)
            rows[f"District: {name}"] = row(group, pop, float(pop.sum()))
    columns = ["population", "people_per_practice", *(["list_pressure"] if listed else [])]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "area"
    return table
