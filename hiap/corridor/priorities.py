"""Which change to Cambridgeshire's buses would help health most? Candidates, ranked.

:func:`run_priorities` proposes, for every route running on the service day, its frequency
doubled, its span extended to 22:00, a call at each acute hospital and unserved GP practice
it passes near (a diversion or an extension), and new stops where it passes residents with no
stop nearby (:func:`isochrones.prioritise.candidate_changes`); it then ranks them by the
population-weighted minutes saved to the nearest GP practice and acute hospital, for all
residents and for the most deprived (IMD deciles 1-3), with the residents newly within 30
and 60 minutes (:func:`isochrones.prioritise.rank_candidates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from hiap.corridor.analysis import (
    ACUTE_HOSPITALS,
    CorridorConfig,
    _lonlat,
    _route_lines,
    _walk_network,
    corridor_origins,
)
from hiap.corridor.feed import CambsFeed
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.settings import Settings
from isochrones.prioritise import Place, candidate_changes, rank_candidates, route_service

__all__ = ["PRIORITY_WINDOWS", "PriorityResult", "export_table", "run_priorities"]

PRIORITY_WINDOWS = {
    "am": (dt.time(7, 0), dt.time(10, 0)),
    "interpeak": (dt.time(10, 0), dt.time(13, 0)),
    "evening": (dt.time(17, 0), dt.time(20, 0)),
}
"""Weekday windows the candidates are judged on: the evening window (late appointments,
visiting) is where a longer span shows; in the two daytime windows it saves nothing."""


@dataclass(frozen=True)
class PriorityResult:
    """The ranking, the routes' current service and map layers."""

    table: pd.DataFrame
    service: pd.DataFrame
    routes: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame
    notes: tuple[str, ...]


def run_priorities(
    settings: Settings,
    cambs: CambsFeed,
    config: CorridorConfig,
    *,
    max_gp_places: int = 6,
    progress: Callable[[str, float], None] | None = None,
) -> PriorityResult:
    """Generate and rank candidate service changes for the feed's routes on ``config.date``.

    Parameters
    ----------
    settings
        Gives the data directory.
    cambs
        The feed.
    config
        Service day, walking options; ``route_names`` is widened to every route running.
    max_gp_places
        GP practices (farther than 400 m from any stop, nearest to a route first) offered as
        places to divert to.
    progress
        Called ``progress(stage, fraction)``.

    Returns
    -------
    PriorityResult
        The ranked table (best first) and layers for a map.
    """

    def step(stage: str, frac: float) -> None:
        if progress is not None:
            progress(stage, frac)

    service = route_service(cambs.feed, config.date)
    names = tuple(service["name"].astype(str).str.split("|").str[0].str.strip())
    wide = replace(config, route_names=names)
    step("Areas and destinations", 0.02)
    origins = corridor_origins(settings, cambs, wide)
    hull = origins.geometry.union_all().convex_hull.buffer(5000)
    hospitals = load_hospitals(settings)
    acute = hospitals.loc[hospitals["code"].isin(list(ACUTE_HOSPITALS))]
    gps = load_gp_practices(settings, area=hull)
    stops = cambs.feed.stops
    stop_pts = gpd.GeoSeries(
        gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]), crs="EPSG:4326"
    ).to_crs(gps.crs)
    gp_gap = gps.geometry.apply(lambda g: float(stop_pts.distance(g).min()))
    unserved = gps.assign(gap_m=gp_gap).loc[gp_gap > 400].nsmallest(max_gp_places, "gap_m")
    places = [
        Place(str(r.code), str(r.name), float(y), float(x), "acute hospital")
        for r, (x, y) in zip(acute.itertuples(), _lonlat(acute), strict=True)
    ] + [
        Place(str(r.code), str(r.name).title(), float(y), float(x), "GP practice")
        for r, (x, y) in zip(unserved.itertuples(), _lonlat(unserved), strict=True)
    ]
    o_ll = _lonlat(origins)
    pop = origins["population"].to_numpy(float)
    step("Candidate changes", 0.05)
    candidates = candidate_changes(
        cambs.feed, config.date, places=places, origins_lonlat=o_ll, population=pop
    )
    walk = _walk_network(settings, hull, config.fallback)

    def tick(done: int, total: int, label: str) -> None:
        step(f"{done}/{total}: {label}", 0.1 + 0.9 * done / max(total, 1))

    ranking = rank_candidates(
        cambs.feed,
        config.date,
        candidates,
        origins_lonlat=o_ll,
        population=pop,
        groups={"imd1_3": (origins["imd_decile"].astype(float) <= 3).to_numpy()},
        destinations={"gp": _lonlat(gps), "hospital": _lonlat(acute)},
        windows=PRIORITY_WINDOWS,
        walk=walk,
        fallback=config.fallback,
        step_min=5.0,
        max_access_min=config.max_access_min,
        progress=tick,
    )
    route_ids = service["route_id"].tolist()
    notes = (
        *ranking.notes,
        f"{len(origins)} LSOAs ({pop.sum():,.0f} residents) near the stops of "
        f"{', '.join(names)}; {int((origins['imd_decile'] <= 3).sum())} of them in IMD "
        "deciles 1-3.",
        "Minutes saved are summed over residents for one trip to the nearest GP and one to "
        "the nearest acute hospital, averaged over the windows.",
    )
    out = origins.to_crs("EPSG:4326")
    for col in ranking.baseline.columns:
        out[col] = ranking.baseline[col].to_numpy()
    return PriorityResult(
        table=ranking.table,
        service=service.drop(columns=["first_s", "last_s"]),
        routes=_route_lines(cambs, route_ids),
        origins=out,
        notes=notes,
    )


def export_table(result: PriorityResult) -> pd.DataFrame:
    """Return the ranking as exported (CSV, report): rounded, in a readable column order."""
    cols = [
        "rank",
        "rank_imd1_3",
        "label",
        "kind",
        "route_id",
        "minutes_saved",
        "minutes_saved_imd1_3",
        "gp_minutes_saved",
        "hospital_minutes_saved",
        "newly_within_30",
        "newly_within_60",
        "newly_within_30_imd1_3",
        "newly_within_60_imd1_3",
        "origins_rerouted",
        "seconds",
        "candidate_id",
    ]
    table = result.table.reindex(columns=[c for c in cols if c in result.table.columns])
    return table.round({c: 1 for c in table.columns if table[c].dtype.kind == "f"}).replace(
        {np.nan: None}
    )
