"""The Busway corridor: public transport + walking from its LSOAs to hospitals and GPs.

:func:`run_corridor` takes the LSOAs within walking reach of the corridor's bus stops (Busway
B by default) and of the named places (Northstowe, Longstanton, St Ives, Huntingdon), and
routes them over a weekday 07:00-10:00 window and an inter-peak 10:00-13:00 window (hospital
appointments are not commuter trips) to the nearest acute hospital (Hinchingbrooke,
Peterborough City, Addenbrooke's) and the nearest GP practice. It reports per LSOA the 10th,
25th, 50th, 75th and 90th percentiles of travel time across the window, the last practical
bus back from the hospital, and population-weighted summaries by IMD decile and district.

No offline walk network covers the corridor, so the walking legs use the labelled
straight-line fallback (:class:`isochrones.transit.FallbackWalk`) when it is switched on
(``Settings.fallback_walk`` or ``--fallback-walk``); every result gives the share of legs
walked that way. With the fallback off, a walk network must cover the corridor.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap import attribution
from hiap.corridor.feed import CambsFeed
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.population import load_area_origins
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.network import WalkNetwork
from isochrones.transit import (
    FallbackWalk,
    TransitNetwork,
    build_transit_network,
    lonlat_to_xy,
    window_travel_times,
)

__all__ = [
    "ACUTE_HOSPITALS",
    "CORRIDOR_PLACES",
    "CorridorConfig",
    "CorridorResult",
    "corridor_origins",
    "run_corridor",
    "weighted_quantile",
]

logger = logging.getLogger(__name__)

ACUTE_HOSPITALS: Mapping[str, str] = {
    "RGN90": "Hinchingbrooke Hospital",
    "RGN80": "Peterborough City Hospital",
    "RGT01": "Addenbrooke's Hospital",
}
"""The acute hospitals with A&E serving the corridor, by NHS ODS site code (NHS hospital list)."""

CORRIDOR_PLACES: Mapping[str, str] = {
    "Northstowe": "0500SNOST005",
    "Longstanton": "0500SLONN006",
    "St Ives": "0500HSTIV014",
    "Huntingdon": "0500HHUNT003",
}
"""Named places of the corridor, each placed at a central NaPTAN stop (Unity Centre, High
Street, the two bus stations)."""

WINDOWS: Mapping[str, tuple[dt.time, dt.time]] = {
    "am": (dt.time(7, 0), dt.time(10, 0)),
    "interpeak": (dt.time(10, 0), dt.time(13, 0)),
}
"""Weekday morning (the DfT JTS window) and inter-peak (hospital appointments, GP visits)."""

PERCENTILES = (10, 25, 50, 75, 90)


@dataclass(frozen=True)
class CorridorConfig:
    """Options of a corridor run (units in the names)."""

    date: dt.date
    route_names: tuple[str, ...] = ("B",)
    within_m: float = 1000.0
    place_radius_m: float = 2500.0
    windows: Mapping[str, tuple[dt.time, dt.time]] = field(default_factory=lambda: dict(WINDOWS))
    step_min: float = 1.0
    max_access_min: float = 20.0
    max_walk_min: float = 60.0
    max_travel_min: float = 150.0
    return_window: tuple[dt.time, dt.time] = (dt.time(12, 0), dt.time(23, 55))
    return_step_min: float = 5.0
    fallback: FallbackWalk | None = None


@dataclass(frozen=True)
class CorridorResult:
    """Per-LSOA times, summaries, map layers and the notes that go with them."""

    origins: gpd.GeoDataFrame
    by_decile: pd.DataFrame
    by_district: pd.DataFrame
    stops: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    fallback_share: float | None
    notes: tuple[str, ...]
    attribution: tuple[str, ...]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Population-weighted quantile (``q`` in 0-1) of finite-or-infinite values.

    Parameters
    ----------
    values, weights
        One per area; ``inf`` values (unreachable) sort last.
    q
        Quantile, 0-1.

    Returns
    -------
    float
        The value below which a share ``q`` of the weight lies (``nan`` with no weight).
    """
    v = np.asarray(values, float)
    w = np.asarray(weights, float)
    keep = ~np.isnan(v) & (w > 0)
    if not keep.any():
        return float("nan")
    order = np.argsort(v[keep], kind="stable")
    cum = np.cumsum(w[keep][order])
    idx = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(v[keep][order][min(idx, len(cum) - 1)])


def _route_ids(cambs: CambsFeed, names: tuple[str, ...]) -> list[str]:
    routes = cambs.feed.routes
    short = routes["route_short_name"].str.split("|").str[0].str.strip()
    chosen = routes.loc[short.isin(names), "route_id"].tolist()
    if not chosen:
        raise DataError(
            f"No route named {', '.join(names)} in the bus timetables "
            f"(have {', '.join(sorted(short))})."
        )
    return chosen


def _route_stop_ids(cambs: CambsFeed, route_ids: list[str]) -> list[str]:
    trips = cambs.feed.trips.loc[cambs.feed.trips["route_id"].isin(route_ids), "trip_id"]
    st = cambs.feed.stop_times
    return list(pd.unique(st.loc[st["trip_id"].isin(trips), "stop_id"]))


def corridor_origins(
    settings: Settings, cambs: CambsFeed, config: CorridorConfig
) -> gpd.GeoDataFrame:
    """LSOAs near the corridor routes' stops or the named places (EPSG:27700 points).

    Parameters
    ----------
    settings
        Gives the data directory.
    cambs
        The feed.
    config
        Route names, distances.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`hiap.data.population.load_area_origins` rows with ``why`` (the stop distance
        or the place that brought the LSOA in).
    """
    lsoa = load_area_origins(settings)
    stops = cambs.feed.stops.set_index("stop_id")
    ids = _route_stop_ids(cambs, _route_ids(cambs, config.route_names))
    stop_pts = gpd.GeoSeries(
        gpd.points_from_xy(stops.loc[ids, "stop_lon"], stops.loc[ids, "stop_lat"]),
        crs="EPSG:4326",
    ).to_crs(lsoa.crs)
    near_stop = lsoa.geometry.distance(shapely.MultiPoint(list(stop_pts))) <= config.within_m
    why = np.where(
        near_stop.to_numpy(), f"within {config.within_m:,.0f} m of a corridor stop", ""
    ).astype(object)
    coords = cambs.stop_coordinates
    for place, code in CORRIDOR_PLACES.items():
        if code not in coords:
            continue
        lat, lon = coords[code]
        centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(lsoa.crs)
        near = (lsoa.geometry.distance(centre.iloc[0]) <= config.place_radius_m).to_numpy()
        why[near & (why == "")] = place
    keep = why != ""
    out = lsoa.loc[keep].copy()
    out["why"] = why[keep]
    return out.reset_index(drop=True)


def _lonlat(frame: gpd.GeoDataFrame) -> np.ndarray:
    g = frame.to_crs("EPSG:4326").geometry
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])


def _hhmm(seconds: float) -> str:
    if not np.isfinite(seconds) or seconds < 0:
        return "none"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _route_lines(cambs: CambsFeed, route_ids: list[str]) -> gpd.GeoDataFrame:
    feed = cambs.feed
    stops = feed.stops.set_index("stop_id")
    rows = []
    trips = feed.trips.loc[feed.trips["route_id"].isin(route_ids)]
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    seqs = st.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id")["stop_id"].agg(tuple)
    names = feed.routes.set_index("route_id")["route_short_name"]
    for (route_id, direction), group in trips.groupby(["route_id", "direction_id"]):
        direction_id = int(str(direction))
        longest = max((seqs[t] for t in group["trip_id"] if t in seqs), key=len)
        xy = stops.loc[list(longest), ["stop_lon", "stop_lat"]].to_numpy(float)
        rows.append(
            {
                "route_id": route_id,
                "name": str(names.get(route_id, route_id)).split("|")[0],
                "direction_id": direction_id,
                "stops": len(longest),
                "geometry": shapely.LineString(xy),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _walk_network(
    settings: Settings, area_bng: shapely.Geometry, fallback: FallbackWalk | None
) -> WalkNetwork | None:
    """Return the walk network covering the corridor, or None when the fallback is to walk."""
    from hiap.access.network import MIN_COVERAGE, DirectResources, choose_extract

    # The access engine's choice: the extract whose walk network covers most of the corridor;
    # a drive-only file (no footpaths) would mislead walks, so it is never used here.
    resources = DirectResources(settings)
    try:
        choice = choose_extract(settings, area_bng, resources=resources, margin_m=2000.0)
        if not choice.drive_only and choice.coverage >= MIN_COVERAGE:
            graph = resources.walk_graph(
                choice.path, area=area_bng, area_crs="EPSG:27700", margin_m=2000.0,
                to_crs="EPSG:27700",
            )
            return resources.walk_network(graph)
        logger.info("no walk network for the corridor: %s covers %.0f%% (drive only: %s)",
                    choice.path.name, 100 * choice.coverage, choice.drive_only)
    except DataError as exc:
        logger.info("no walk network for the corridor: %s", exc)
    if fallback is None:
        raise DataError(
            "No OpenStreetMap walk network covers the corridor in the data directory. "
            "Turn on the straight-line walking fallback (--fallback-walk, or "
            "HIAP_FALLBACK_WALK=1), or add a county extract with `hiap data download osm`."
        )
    return None


def run_corridor(
    settings: Settings,
    cambs: CambsFeed,
    config: CorridorConfig,
    *,
    progress: Callable[[str, float], None] | None = None,
) -> CorridorResult:
    """Route the corridor's LSOAs to acute hospitals and GPs over the windows.

    Parameters
    ----------
    settings
        Gives the data directory.
    cambs
        The feed (:func:`hiap.corridor.feed.load_cambs_feed`).
    config
        Date, windows, walking options.
    progress
        Called ``progress(stage, fraction)``.

    Returns
    -------
    CorridorResult
        Tables, map layers and notes.

    Raises
    ------
    DataError
        When origins, destinations or a walk network (with the fallback off) are missing.
    """

    def step(stage: str, frac: float) -> None:
        if progress is not None:
            progress(stage, frac)

    step("Corridor areas", 0.02)
    origins = corridor_origins(settings, cambs, config)
    hull = origins.geometry.union_all().convex_hull.buffer(5000)
    hospitals = load_hospitals(settings)
    acute = hospitals.loc[hospitals["code"].isin(list(ACUTE_HOSPITALS))].copy()
    if acute.empty:
        raise DataError(
            "None of the acute hospitals (Hinchingbrooke RGN90, Peterborough City RGN80, "
            "Addenbrooke's RGT01) is in the hospital list; run `hiap data download hospitals`."
        )
    gps = load_gp_practices(settings, area=hull)
    if gps.empty:
        raise DataError("No GP practice within 5 km of the corridor; check the GP data.")
    step("Walk network", 0.05)
    walk = _walk_network(settings, hull, config.fallback)
    lo = min(w[0] for w in config.windows.values())
    tw = (lo.hour * 3600 - 3600, 24 * 3600 + 3600)
    step("Timetable", 0.08)
    net: TransitNetwork = build_transit_network(
        cambs.feed,
        config.date,
        walk=walk,
        fallback=config.fallback,
        max_access_min=config.max_access_min,
        time_window_s=tw,
    )
    o_xy = lonlat_to_xy(_lonlat(origins), net.crs)
    dest = {"hospital": acute, "gp": gps}
    d_xy = {k: lonlat_to_xy(_lonlat(v), net.crs) for k, v in dest.items()}
    out = origins.copy()
    shares: list[tuple[float, int]] = []
    runs = [(w, d) for w in config.windows for d in dest]
    for i, (wname, dname) in enumerate(runs):
        step(f"{wname} window to the nearest {dname}", 0.1 + 0.7 * i / len(runs))
        res = window_travel_times(
            net,
            o_xy,
            d_xy[dname],
            window=config.windows[wname],
            step_min=config.step_min,
            percentiles=PERCENTILES,
            nearest=True,
            max_walk_min=config.max_walk_min,
            max_travel_min=config.max_travel_min,
        )
        for j, p in enumerate(PERCENTILES):
            out[f"{wname}_{dname}_p{p}_min"] = res.travel_s[:, 0, j] / 60.0
        if res.fallback_share:
            shares.append((res.fallback_share["all"], 1))
    # Return journeys: from each acute hospital home, the last departure still arriving
    # within the time limit by bus (walking all the way is not a bus back).
    step("Last bus back from hospital", 0.85)
    back = window_travel_times(
        net,
        d_xy["hospital"],
        o_xy,
        window=config.return_window,
        step_min=config.return_step_min,
        percentiles=(50,),
        max_walk_min=0.01,
        max_travel_min=config.max_travel_min,
    )
    # Which hospital each LSOA goes to: the quickest median in the inter-peak window.
    to_each = window_travel_times(
        net,
        o_xy,
        d_xy["hospital"],
        window=config.windows.get("interpeak", next(iter(config.windows.values()))),
        step_min=5.0,
        percentiles=(50,),
        max_walk_min=config.max_walk_min,
        max_travel_min=config.max_travel_min,
    )
    nearest_h = np.argmin(to_each.travel_s[:, :, 0], axis=1)
    assert back.last_departure_s is not None
    last = back.last_departure_s[nearest_h, np.arange(len(out))]
    out["hospital"] = acute["name"].to_numpy()[nearest_h]
    out["last_bus_back_s"] = last
    out["last_bus_back"] = [_hhmm(v) for v in last]
    out["walk"] = "fallback" if walk is None else "network"
    step("Summaries", 0.95)
    by_decile = _summaries(out, "imd_decile", config)
    by_district = _summaries(out, "lad_name", config)
    fb_share = float(np.mean([s for s, _ in shares])) if shares else None
    route_ids = _route_ids(cambs, config.route_names)
    feed_stops = cambs.feed.stops
    used = _route_stop_ids(cambs, route_ids)
    stops = gpd.GeoDataFrame(
        feed_stops.assign(corridor=feed_stops["stop_id"].isin(used)),
        geometry=gpd.points_from_xy(feed_stops["stop_lon"], feed_stops["stop_lat"]),
        crs="EPSG:4326",
    )
    destinations = pd.concat(
        [
            acute.assign(kind="acute hospital")[["code", "name", "kind", "geometry"]],
            gps.assign(kind="GP practice")[["code", "name", "kind", "geometry"]],
        ],
        ignore_index=True,
    )
    notes = [
        f"Service day {config.date:%A %d %B %Y}; a departure every {config.step_min:g} min in "
        + ", ".join(f"{k} {a:%H:%M}-{b:%H:%M}" for k, (a, b) in config.windows.items())
        + "; percentiles of travel time across departures (waiting at home included).",
        f"{len(out)} LSOAs ({out['population'].sum():,.0f} residents, mid-2020) within "
        f"{config.within_m:,.0f} m of a stop of route(s) {', '.join(config.route_names)} or "
        f"{config.place_radius_m:,.0f} m of " + ", ".join(CORRIDOR_PLACES) + ".",
        "Last bus back: the latest departure from the LSOA's quickest acute hospital, "
        f"{config.return_window[0]:%H:%M}-{config.return_window[1]:%H:%M}, arriving home "
        f"within {config.max_travel_min:g} min by bus.",
    ]
    if config.fallback is not None:
        notes.append(
            f"Walking: {config.fallback.label}; {100 * (fb_share or 0):.0f}% of walking legs "
            "used this fallback."
            + (" No walk network covers the corridor." if walk is None else "")
        )
    return CorridorResult(
        origins=out.to_crs("EPSG:4326"),
        by_decile=by_decile,
        by_district=by_district,
        stops=stops,
        routes=_route_lines(cambs, route_ids),
        destinations=gpd.GeoDataFrame(destinations, geometry="geometry", crs=acute.crs).to_crs(
            "EPSG:4326"
        ),
        fallback_share=fb_share,
        notes=tuple(notes),
        attribution=(
            "Bus timetables: Traveline National Dataset (OGL v3); stops: NaPTAN (DfT, OGL v3)",
            attribution.OGL,
            attribution.CODE_POINT_OPEN,
        ),
    )


def _summaries(out: pd.DataFrame, by: str, config: CorridorConfig) -> pd.DataFrame:
    rows = []
    for key, group in out.groupby(by, dropna=False):
        pop = group["population"].to_numpy(float)
        row: dict[str, object] = {by: key, "lsoas": len(group), "population": float(pop.sum())}
        for w in config.windows:
            for d in ("hospital", "gp"):
                med = group[f"{w}_{d}_p50_min"].to_numpy(float)
                row[f"{w}_{d}_median_min"] = weighted_quantile(med, pop, 0.5)
                row[f"{w}_{d}_p25_min"] = weighted_quantile(med, pop, 0.25)
                row[f"{w}_{d}_p75_min"] = weighted_quantile(med, pop, 0.75)
                row[f"{w}_{d}_share_within_60"] = float(pop[med <= 60].sum() / max(pop.sum(), 1))
        last = group["last_bus_back_s"].to_numpy(float)
        row["last_bus_back_median"] = _hhmm(
            weighted_quantile(np.nan_to_num(last, nan=-1), pop, 0.5)
        )
        rows.append(row)
    return pd.DataFrame(rows)
