"""A transport scheme's bus route, run through the access engine: before and after.

The Access and Transport scenario pages offer a transport scheme's route line (the sample
Fenland bus link) as the route to test: :func:`scheme_route_access` adds it to
Cambridgeshire's own timetables as a scenario (both ways, every ``headway_min`` from the
first to the last departure, a stop every 800 m) and asks :func:`hiap.access.measure_access`
for public-transport times from the LSOAs along it to the nearest GP practice or acute
hospital, without and with the route. :func:`before_after` turns the answer into the table a
planner reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.access import AccessOptions, AccessResult, measure_access
from hiap.corridor.analysis import weighted_quantile
from hiap.corridor.feed import CambsFeed
from hiap.corridor.priorities import (
    ROUTE_HOSPITAL_SEARCH_M,
    SchemeRoute,
    route_edit,
    route_origins,
)
from hiap.settings import Settings
from isochrones.scenarios import Scenario
from isochrones.transit import FallbackWalk

__all__ = ["ROUTE_WINDOW", "before_after", "route_layers", "scheme_route_access"]

ROUTE_WINDOW = (dt.time(10, 0), dt.time(13, 0))
"""Inter-peak: GP and hospital appointments, when a rural link matters most."""


def scheme_route_access(
    settings: Settings,
    cambs: CambsFeed,
    route: SchemeRoute,
    *,
    date: dt.date,
    to: str = "gp",
    fallback: FallbackWalk | None = None,
    window: tuple[dt.time, dt.time] = ROUTE_WINDOW,
    step_min: float = 5.0,
    within_m: float = 2000.0,
    progress: Callable[[float, str], None] | None = None,
) -> AccessResult:
    """Measure public-transport access along a scheme's route, without and with it.

    Parameters
    ----------
    settings
        Gives the data directory.
    cambs
        Cambridgeshire's timetables (:func:`hiap.corridor.load_cambs_feed`).
    route
        The scheme's line and service (:func:`hiap.corridor.priorities.scheme_route`).
    date
        Service day.
    to
        ``"gp"`` or ``"hospital"`` (acute with a type 1 A&E).
    fallback
        The labelled straight-line walk where no walk network covers a place (no offline
        walk network covers rural Cambridgeshire).
    window, step_min
        Departures routed.
    within_m
        Origins: the LSOAs this close to the line.
    progress
        Called ``progress(fraction, message)``.

    Returns
    -------
    AccessResult
        ``transit_min`` (today), ``scenario_min`` (with the route) and ``change_min`` per
        LSOA, with the engine's parameters, warnings and fallback share.
    """
    origins = route_origins(settings, route.line, within_m=within_m)
    area = origins.geometry.union_all().convex_hull.buffer(5000)
    if to == "hospital":
        # A rural route's nearest A&E may lie well beyond its own area: look further for it.
        area = area.buffer(ROUTE_HOSPITAL_SEARCH_M)
    options = AccessOptions(
        mode="transit",
        to=to,
        buffer_km=0.0,
        date=date,
        window=window,
        step_min=step_min,
        count_reachable=False,
        draw_isochrones=False,
        fallback=fallback,
        max_access_min=20.0,
        max_travel_min=150.0,
    )
    return measure_access(
        settings,
        options,
        area=area,
        area_label=f"the LSOAs within {within_m / 1000:g} km of {route.name}",
        origins=origins,
        feed=cambs.feed,
        scenario=Scenario(name=route.name, edits=[route_edit(route)]),
        progress=progress,
    )


def before_after(result: AccessResult) -> pd.DataFrame:
    """Return today's and the with-route figures side by side, population-weighted.

    Parameters
    ----------
    result
        From :func:`scheme_route_access`.

    Returns
    -------
    pandas.DataFrame
        Rows: median minutes, residents within 30 and 60 minutes, residents with no trip
        within 150 minutes, residents whose trip gets quicker; columns ``Today``, ``With the
        route``, ``Change``.
    """
    frame = result.origins
    pop = frame["population"].to_numpy(float)
    before = frame["transit_min"].to_numpy(float)
    after = frame["scenario_min"].to_numpy(float)

    def median(v: np.ndarray) -> float:
        return weighted_quantile(np.where(np.isfinite(v), v, np.inf), pop, 0.5)

    def within(v: np.ndarray, limit: float) -> float:
        return float(pop[np.isfinite(v) & (v <= limit)].sum())

    quicker = float(pop[np.nan_to_num(after, nan=np.inf, posinf=1e9) < np.nan_to_num(
        before, nan=np.inf, posinf=1e9) - 1e-9].sum())
    rows = [
        ("Median minutes (population-weighted)", median(before), median(after)),
        ("Residents within 30 min", within(before, 30), within(after, 30)),
        ("Residents within 60 min", within(before, 60), within(after, 60)),
        ("Residents with no trip within 150 min", float(pop[~np.isfinite(before)].sum()),
         float(pop[~np.isfinite(after)].sum())),
    ]
    table = pd.DataFrame(rows, columns=["Measure", "Today", "With the route"])
    table["Change"] = table["With the route"] - table["Today"]
    extra = pd.DataFrame(
        [{"Measure": "Residents whose trip gets quicker", "Today": np.nan,
          "With the route": quicker, "Change": quicker}]
    )
    return pd.concat([table, extra], ignore_index=True)


def route_layers(
    result: AccessResult, route: SchemeRoute
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the map layers of a route test: LSOAs, the route, (no) stops, destinations.

    In the shapes :func:`hiap.viz.bus_maps.corridor_map` draws (WGS84).
    """
    line = gpd.GeoDataFrame(
        {"route_id": ["scheme-route"], "name": [route.name], "stops": [len(route.line)]},
        geometry=[shapely.LineString(list(route.line))],
        crs="EPSG:4326",
    )
    stops = gpd.GeoDataFrame({"stop_name": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    kind = "acute hospital" if result.options.to == "hospital" else "GP practice"
    dest = result.destinations.assign(kind=kind)[["code", "name", "kind", "geometry"]]
    return result.origins.to_crs("EPSG:4326"), line, stops, dest.to_crs("EPSG:4326")
