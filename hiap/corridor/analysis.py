"""The Busway corridor: public transport + walking from its LSOAs to hospitals and GPs.

:func:`run_corridor` takes the LSOAs within walking reach of the corridor's bus stops (Busway
B by default) and of the named places (Northstowe, Longstanton, St Ives, Huntingdon), and
routes them over a weekday 07:00-10:00 window and an inter-peak 10:00-13:00 window (hospital
appointments are not commuter trips) to the nearest acute hospital with a type 1 A&E (from
hiap's sourced hospital classes: Hinchingbrooke, Peterborough City and Addenbrooke's lie
around the corridor) and the nearest GP practice, each run through the one access engine
(:func:`hiap.access.measure_access`). It reports per LSOA the 10th, 25th, 50th, 75th and 90th
percentiles of travel time across the window, the last practical bus back from the quickest
hospital and GP practice, and population-weighted summaries by IMD decile and district.

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
from hiap.access import AccessOptions, Resources
from hiap.corridor.feed import CambsFeed
from hiap.data.health import load_hospitals
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES
from hiap.data.population import load_area_origins
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.network import WalkNetwork
from isochrones.transit import FallbackWalk

__all__ = [
    "CORRIDOR_PLACES",
    "METHOD_NOTE",
    "RAIL_NOTE",
    "CorridorConfig",
    "CorridorResult",
    "acute_hospitals",
    "corridor_origins",
    "last_bus_table",
    "run_corridor",
    "weighted_quantile",
]

logger = logging.getLogger(__name__)

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
    settings: Settings,
    area_bng: shapely.Geometry,
    fallback: FallbackWalk | None,
    resources: Resources | None = None,
) -> WalkNetwork | None:
    """Return the walk network covering the corridor, or None when the fallback is to walk."""
    from hiap.access.network import DirectResources, fallback_walk_network

    # The access engine's choice (hiap.access.network): the extract whose walk network covers
    # most of the corridor; a drive-only file (no footpaths) would mislead walks.
    _, network, why = fallback_walk_network(
        settings, area_bng, resources=resources or DirectResources(settings), margin_m=2000.0
    )
    if network is None and fallback is None:
        raise DataError(
            f"No OpenStreetMap walk network covers the corridor in the data directory ({why}). "
            "Turn on the straight-line walking fallback (--fallback-walk, or "
            "HIAP_FALLBACK_WALK=1), or add a county extract with `hiap data download osm`."
        )
    return network


def acute_hospitals(settings: Settings, area_bng: shapely.Geometry) -> gpd.GeoDataFrame:
    """Acute hospitals with a type 1 A&E within ``area_bng`` (the hospital-class file).

    Raises
    ------
    DataError
        When there is none (the message says how to get the hospital list).
    """
    found = load_hospitals(settings, area=area_bng, classes=DEFAULT_HOSPITAL_CLASSES)
    if found.empty:
        raise DataError(
            "No acute hospital with a type 1 A&E (hiap's hospital classes) lies within reach "
            "of the LSOAs routed; check the hospital list (`hiap data download hospitals`)."
        )
    return found


RETURN_FROM = "interpeak"
"""The window whose quickest destination the last bus back leaves from (appointments)."""


def _options(config: CorridorConfig, window: str, to: str) -> AccessOptions:
    return AccessOptions(
        mode="transit",
        to=to,
        # why: the area given is already the origins' hull grown by 5 km (DESTINATION_MARGIN_M)
        buffer_km=0.0,
        level="lsoa",
        date=config.date,
        window=config.windows[window],
        step_min=config.step_min,
        max_walk_min=config.max_walk_min,
        count_reachable=False,
        draw_isochrones=False,
        fallback=config.fallback,
        percentiles=tuple(float(p) for p in PERCENTILES),
        max_travel_min=config.max_travel_min,
        max_access_min=config.max_access_min,
        return_window=config.return_window if window == _return_window(config) else None,
        return_step_min=config.return_step_min,
    )


def _return_window(config: CorridorConfig) -> str:
    return RETURN_FROM if RETURN_FROM in config.windows else next(iter(config.windows))


METHOD_NOTE = (
    "Each LSOA's population-weighted centroid is routed by bus and on foot to the nearest "
    "acute hospital with a type 1 A&E (hiap's sourced hospital classes) and the nearest GP "
    "practice, departing every minute of a weekday window (07:00-10:00 and 10:00-13:00), by "
    "hiap's one access engine (range RAPTOR on the TransXChange timetables, NaPTAN stops). "
    "The percentiles are across departures, waiting at home included. The last practical "
    "bus back is the latest departure home (12:00-23:55) from the quickest hospital and GP "
    "practice arriving within 150 minutes. Where no OpenStreetMap walk network covers a "
    "place, walks are the labelled straight-line fallback and every result gives the share "
    "of walking legs that used it."
)
"""How the corridor is measured, for the page's method text and the report."""

RAIL_NOTE = (
    "Rail is not included. The only offline rail timetable, transit/rail_gb_sample (ATOC CIF "
    "ttisf585, March 2020), is a cut-down sample of the national file (schedules 65,000 to "
    "85,000 only): on Tuesday 31 March 2020 it runs 339 schedules, of which 5 call at "
    "Huntingdon, 6 at Peterborough, 1 at Cambridge and none at St Neots, against the scores "
    "of daily trains of the real timetable, so routing on it would understate what rail "
    "offers rather than add it honestly. St Ives, Northstowe and Longstanton have no station "
    "(the Busway runs on the old line) and Cambridge South, beside Addenbrooke's, opened after "
    "2020. Adding rail needs the complete national CIF timetable for the service day (Rail "
    "Delivery Group open data feeds, with registration) or a GTFS conversion of it (e.g. "
    "UK2GTFS atoc2gtfs), read in as another feed; hiap has no CIF reader."
)
"""Why the corridor has no rail layer, with what is missing (shown with every result)."""

DESTINATION_MARGIN_M = 5000.0
"""Destinations (and the walk network) are looked for this far around the corridor's LSOAs."""


def run_corridor(
    settings: Settings,
    cambs: CambsFeed,
    config: CorridorConfig,
    *,
    progress: Callable[[str, float], None] | None = None,
) -> CorridorResult:
    """Route the corridor's LSOAs to acute hospitals and GPs over the windows.

    Every window and destination is one :func:`hiap.access.measure_access` run (public
    transport, the corridor's LSOAs as origins, the feed given, the explicit walking fallback
    when set); the run of the inter-peak window also finds the last practical bus back home
    from the quickest hospital and GP practice.

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
    from hiap.access import measure_access
    from hiap.access.network import RunResources

    def step(stage: str, frac: float) -> None:
        if progress is not None:
            progress(stage, frac)

    step("Corridor areas", 0.02)
    origins = corridor_origins(settings, cambs, config)
    hull = origins.geometry.union_all().convex_hull.buffer(DESTINATION_MARGIN_M)
    acute_hospitals(settings, hull)  # a clear message before any routing
    resources = RunResources(settings)  # the extracts are read once for the four runs
    if config.fallback is None:
        _walk_network(settings, hull, None, resources)  # no network: say how to walk anyway
    out = origins.copy()
    shares: list[float] = []
    found: dict[str, gpd.GeoDataFrame] = {}
    walked_on: set[str] = set()
    runs = [(w, d) for w in config.windows for d in ("hospital", "gp")]
    for i, (wname, dname) in enumerate(runs):
        base = 0.05 + 0.9 * i / len(runs)

        def tell(fraction: float, message: str, base: float = base, what: str = f"{wname}, {dname}") -> None:
            step(f"{what}: {message}", base + 0.9 / len(runs) * fraction)

        result = measure_access(
            settings,
            _options(config, wname, dname),
            area=hull,
            area_label="the Busway corridor",
            origins=origins,
            feed=cambs.feed,
            resources=resources,
            progress=tell,
        )
        times = result.origins.set_index("code")
        codes = out["code"]
        for p in PERCENTILES:
            column = "transit_min" if p == 50 else f"transit_p{p}_min"
            out[f"{wname}_{dname}_p{p}_min"] = codes.map(times[column]).to_numpy(float)
        if "last_back_s" in times:
            prefix = "" if dname == "hospital" else "gp_"
            out[dname] = codes.map(times["return_name"]).to_numpy()
            out[f"{prefix}last_bus_back_s"] = codes.map(times["last_back_s"]).to_numpy(float)
            out[f"{prefix}last_bus_back"] = codes.map(times["last_back"]).fillna("none").to_numpy()
        if result.fallback_share is not None:
            shares.append(result.fallback_share)
        found[dname] = result.destinations
        walked_on.add("fallback" if result.osm_path.name == "no walk network" else "network")
    out["walk"] = "fallback" if walked_on == {"fallback"} else "network"
    step("Summaries", 0.95)
    by_decile = _summaries(out, "imd_decile", config)
    by_district = _summaries(out, "lad_name", config)
    fb_share = float(np.mean(shares)) if shares else None
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
            found["hospital"].assign(kind="acute hospital")[["code", "name", "kind", "geometry"]],
            found["gp"].assign(kind="GP practice")[["code", "name", "kind", "geometry"]],
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
        f"Destinations within {DESTINATION_MARGIN_M / 1000:g} km of the corridor: "
        f"{len(found['hospital'])} acute hospitals with a type 1 A&E (hiap's sourced hospital "
        f"classes: {', '.join(found['hospital']['name'])}) and {len(found['gp'])} GP practices.",
        "Last bus back: the latest departure from the LSOA's quickest acute hospital and GP "
        f"practice ({_return_window(config)} window), {config.return_window[0]:%H:%M}-"
        f"{config.return_window[1]:%H:%M} every {config.return_step_min:g} min, arriving "
        f"home within {config.max_travel_min:g} min by bus ({config.return_window[1]:%H:%M} "
        "means a bus still runs at the window's end; 'none' that no bus gets home, e.g. where "
        "the hospital is beyond the walking cap from every stop).",
        "Measured by hiap's access engine (hiap.access.measure_access), as every other "
        "public-transport time in hiap.",
        RAIL_NOTE,
    ]
    if config.fallback is not None:
        notes.append(
            f"Walking: {config.fallback.label}; {100 * (fb_share or 0):.0f}% of walking legs "
            "used this fallback."
            + (" No walk network covers the corridor." if walked_on == {"fallback"} else "")
        )
    return CorridorResult(
        origins=out.to_crs("EPSG:4326"),
        by_decile=by_decile,
        by_district=by_district,
        stops=stops,
        routes=_route_lines(cambs, route_ids),
        destinations=gpd.GeoDataFrame(destinations, geometry="geometry", crs=found["gp"].crs).to_crs(
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
        for prefix in ("", "gp_"):
            if f"{prefix}last_bus_back_s" not in group:
                continue
            last = group[f"{prefix}last_bus_back_s"].to_numpy(float)
            row[f"{prefix}last_bus_back_median"] = _hhmm(
                weighted_quantile(np.nan_to_num(last, nan=-1), pop, 0.5)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def last_bus_table(result: CorridorResult) -> pd.DataFrame:
    """Return the last practical bus back by district, with readable column names."""
    names = {
        "lad_name": "District",
        "population": "Residents",
        "last_bus_back_median": "Last bus back from hospital (median)",
        "gp_last_bus_back_median": "Last bus back from GP practice (median)",
    }
    have = [c for c in names if c in result.by_district]
    return result.by_district[have].rename(columns=names)
