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
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.corridor.analysis import (
    CorridorConfig,
    _lonlat,
    _route_lines,
    _walk_network,
    acute_hospitals,
    corridor_origins,
)
from hiap.corridor.feed import CambsFeed
from hiap.data.health import load_gp_practices
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.prioritise import (
    Candidate,
    Place,
    candidate_changes,
    rank_candidates,
    route_service,
)
from isochrones.scenarios import AddRoute, Scenario

__all__ = [
    "PRIORITY_WINDOWS",
    "PriorityResult",
    "SchemeRoute",
    "export_table",
    "load_priorities",
    "route_edit",
    "route_origins",
    "run_priorities",
    "save_priorities",
    "scheme_route",
    "test_route_line",
]

PRIORITY_WINDOWS = {
    "am": (dt.time(7, 0), dt.time(10, 0)),
    "interpeak": (dt.time(10, 0), dt.time(13, 0)),
    "evening": (dt.time(17, 0), dt.time(20, 0)),
}
"""Weekday windows the candidates are judged on: the evening window (late appointments,
visiting) is where a longer span shows; in the two daytime windows it saves nothing."""


ROUTE_HOSPITAL_SEARCH_M = 40_000.0
"""A tested route's acute hospitals are looked for this far beyond the 5 km around its LSOAs."""


@dataclass(frozen=True)
class PriorityResult:
    """The ranking, the routes' current service and map layers.

    Attributes
    ----------
    table
        One row per candidate, best first (:class:`isochrones.prioritise.Ranking`).
    service
        Each route's trips, span and headway on the day.
    routes, origins
        Route lines and LSOA points (WGS84) with their baseline minutes.
    notes
        How the figures were made.
    date
        The service day.
    fallback_share
        Share of the baseline's walking legs walked as straight lines (None: not used).
    destinations
        The acute hospitals and GP practices routed to (``kind``).
    """

    table: pd.DataFrame
    service: pd.DataFrame
    routes: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame
    notes: tuple[str, ...]
    date: dt.date | None = None
    fallback_share: float | None = None
    destinations: gpd.GeoDataFrame | None = None


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
    acute = acute_hospitals(settings, hull)
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
    return _rank(settings, cambs, config, origins, candidates, gps, acute, names, step)


def _rank(
    settings: Settings,
    cambs: CambsFeed,
    config: CorridorConfig,
    origins: gpd.GeoDataFrame,
    candidates: list[Candidate],
    gps: gpd.GeoDataFrame,
    acute: gpd.GeoDataFrame,
    names: tuple[str, ...],
    step: Callable[[str, float], None],
) -> PriorityResult:
    hull = origins.geometry.union_all().convex_hull.buffer(5000)
    walk = _walk_network(settings, hull, config.fallback)
    o_ll = _lonlat(origins)
    pop = origins["population"].to_numpy(float)

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
    service = route_service(cambs.feed, config.date)
    notes = (
        *ranking.notes,
        f"{len(origins)} LSOAs ({pop.sum():,.0f} residents) near {', '.join(names)}; "
        f"{int((origins['imd_decile'] <= 3).sum())} of them in IMD deciles 1-3.",
        "Minutes saved are person-minutes: summed over residents for one trip to the nearest "
        "GP and one to the nearest acute hospital, averaged over the windows.",
        "The timetables hold 5 services (Busway B, Citi 6, Dews 1A, and two 2016-17 services "
        "that do not run in 2020); routes missing from them (Busway A, Citi 1/2/7 to "
        "Addenbrooke's, every Fenland service) make today's times longer than they are and "
        "overstate what a change to the routes held would save.",
    )
    out = origins.to_crs("EPSG:4326")
    for col in ranking.baseline.columns:
        out[col] = ranking.baseline[col].to_numpy()
    return PriorityResult(
        table=ranking.table,
        service=service.drop(columns=["first_s", "last_s"]),
        routes=_route_lines(cambs, service["route_id"].tolist()),
        origins=out,
        notes=notes,
        date=config.date,
        fallback_share=ranking.fallback_share,
        destinations=pd.concat(
            [acute.assign(kind="acute hospital")[["code", "name", "kind", "geometry"]],
             gps.assign(kind="GP practice")[["code", "name", "kind", "geometry"]]],
            ignore_index=True,
        ).to_crs("EPSG:4326"),
    )


def test_route_line(
    settings: Settings,
    cambs: CambsFeed,
    config: CorridorConfig,
    *,
    line_lonlat: list[tuple[float, float]],
    name: str,
    headway_min: float = 60.0,
    first: dt.time = dt.time(7, 0),
    last: dt.time = dt.time(19, 0),
    speed_kph: float = 30.0,
    stop_spacing_m: float = 800.0,
    within_m: float = 2000.0,
    progress: Callable[[str, float], None] | None = None,
) -> PriorityResult:
    """Test a drawn bus route (a transport scheme's line) against the Cambridgeshire feed.

    The route runs both ways every ``headway_min`` from ``first`` to ``last`` with stops
    every ``stop_spacing_m``; the LSOAs within ``within_m`` of the line are the origins, and
    the minutes it saves to the nearest GP and acute hospital are measured as for any
    candidate (:func:`run_priorities`).

    Parameters
    ----------
    settings, cambs, config
        As :func:`run_priorities`.
    line_lonlat
        The route's vertices (WGS84, longitude first).
    name
        The route's name.
    headway_min, first, last, speed_kph, stop_spacing_m
        Its service.
    within_m
        Origins: LSOAs this close to the line.
    progress
        Called ``progress(stage, fraction)``.

    Returns
    -------
    PriorityResult
        One row: the route.
    """

    def step(stage: str, frac: float) -> None:
        if progress is not None:
            progress(stage, frac)

    origins = route_origins(settings, line_lonlat, within_m=within_m)
    hull = origins.geometry.union_all().convex_hull.buffer(5000)
    # A rural route's nearest A&E may lie well beyond its own area: look further for them.
    acute = acute_hospitals(settings, hull.buffer(ROUTE_HOSPITAL_SEARCH_M))
    gps = load_gp_practices(settings, area=hull)
    route = SchemeRoute(tuple(line_lonlat), name, headway_min, first, last)
    edit = route_edit(route, stop_spacing_m=stop_spacing_m, speed_kph=speed_kph)
    candidate = Candidate(
        "scheme-route",
        "new_route",
        "scheme-route",
        f"{name}: every {headway_min:g} min, {first:%H:%M}-{last:%H:%M}",
        Scenario(name=name, edits=[edit]),
    )
    return _rank(settings, cambs, config, origins, [candidate], gps, acute, (name,), step)


def route_origins(
    settings: Settings, line_lonlat: Sequence[tuple[float, float]], *, within_m: float
) -> gpd.GeoDataFrame:
    """Return the LSOAs (population-weighted centroids, EPSG:27700) within ``within_m`` of a line.

    Raises
    ------
    DataError
        When none is (the population files cover Cambridgeshire and Peterborough).
    """
    from hiap.data.population import load_area_origins

    line = gpd.GeoSeries([shapely.LineString(list(line_lonlat))], crs="EPSG:4326")
    lsoa = load_area_origins(settings)
    line_bng = line.to_crs(lsoa.crs).iloc[0]
    origins = lsoa.loc[lsoa.geometry.distance(line_bng) <= within_m].reset_index(drop=True)
    if origins.empty:
        raise DataError(
            f"No LSOA lies within {within_m:,.0f} m of the route; the population files cover "
            "Cambridgeshire and Peterborough only."
        )
    return origins


def route_edit(
    route: SchemeRoute, *, stop_spacing_m: float = 800.0, speed_kph: float = 30.0
) -> AddRoute:
    """Return the timetable edit that runs a scheme's route both ways (:class:`AddRoute`)."""
    return AddRoute(
        route_id="scheme-route",
        name=route.name,
        line=list(route.line),
        stop_spacing_m=stop_spacing_m,
        headway_min=route.headway_min,
        start=route.first,
        end=route.last,
        speed_kph=speed_kph,
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


@dataclass(frozen=True)
class SchemeRoute:
    """A transport scheme's route line (lon/lat) and its proposed service."""

    line: tuple[tuple[float, float], ...]
    name: str
    headway_min: float
    first: dt.time
    last: dt.time


def scheme_route(lines: gpd.GeoDataFrame | None) -> SchemeRoute | None:
    """Return the longest route line of a transport scheme, in lon/lat, with its service.

    Parameters
    ----------
    lines
        The scheme's ``lines`` (any CRS), or ``None``.

    Returns
    -------
    SchemeRoute or None
        The line (vertices, longitude first), name, headway and first/last departures (from the feature's ``headway_min``, ``first_departure``, ``last_departure`` when
        given, else hourly 07:00-19:00); ``None`` when there is no line.
    """
    if lines is None or lines.empty:
        return None
    shown = lines.to_crs("EPSG:4326")
    lengths = lines.geometry.length.to_numpy()
    row = shown.iloc[int(np.argmax(lengths))]
    geom = row.geometry
    if geom.geom_type == "MultiLineString":
        geom = max(geom.geoms, key=lambda g: g.length)
    if geom.geom_type != "LineString":
        return None

    def _time(value: object, default: dt.time) -> dt.time:
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            return default

    headway = pd.to_numeric(pd.Series([row.get("headway_min", 60)]), errors="coerce").iloc[0]
    return SchemeRoute(
        line=tuple((float(x), float(y)) for x, y, *_ in geom.coords),
        name=str(row.get("name") or "Scheme route"),
        headway_min=float(headway) if pd.notna(headway) and headway > 0 else 60.0,
        first=_time(row.get("first_departure"), dt.time(7, 0)),
        last=_time(row.get("last_departure"), dt.time(19, 0)),
    )


RANKING_FORMAT = "hiap-bus-priorities-1"
MAX_RANKING_BYTES = 50_000_000
"""A stored ranking larger than this is refused (a real one is a few megabytes)."""


def _frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    plain = frame.drop(columns=frame.geometry.name) if isinstance(frame, gpd.GeoDataFrame) else frame
    records = json.loads(plain.to_json(orient="records", date_format="iso"))
    if isinstance(frame, gpd.GeoDataFrame):
        for record, geom in zip(records, frame.to_crs("EPSG:4326").geometry, strict=True):
            record["wkt"] = None if geom is None else geom.wkt
    return records


def _frame_from(records: object, *, geo: bool) -> pd.DataFrame:
    if not isinstance(records, list):
        raise DataError("The stored ranking is damaged: a table is not a list of rows.")
    frame = pd.DataFrame.from_records(records)
    if not geo:
        return frame
    wkt = frame.pop("wkt") if "wkt" in frame else pd.Series([None] * len(frame))
    geometry = [None if w is None else shapely.from_wkt(str(w)) for w in wkt]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def save_priorities(result: PriorityResult, path: Path) -> None:
    """Store a ranking (table, routes, areas, destinations, notes) as one JSON file.

    Parameters
    ----------
    result
        The ranking.
    path
        The file to write (``priorities.json``); read back by :func:`load_priorities`.
    """
    data = {
        "format": RANKING_FORMAT,
        "date": None if result.date is None else result.date.isoformat(),
        "fallback_share": result.fallback_share,
        "notes": list(result.notes),
        "table": _frame_records(result.table),
        "service": _frame_records(result.service),
        "routes": _frame_records(result.routes),
        "origins": _frame_records(result.origins),
        "destinations": None
        if result.destinations is None
        else _frame_records(result.destinations),
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def load_priorities(path: Path) -> PriorityResult:
    """Read a ranking stored by :func:`save_priorities` (``hiap buses prioritise --out``).

    Parameters
    ----------
    path
        The ``priorities.json`` file.

    Returns
    -------
    PriorityResult
        The ranking as it was run.

    Raises
    ------
    DataError
        When the file is not a stored ranking (the message names the file only).
    """
    import shapely.errors

    name = path.name
    try:
        if path.stat().st_size > MAX_RANKING_BYTES:
            raise DataError(f"{name} is too large to be a stored bus ranking.")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            f"{name} cannot be read as a stored bus ranking ({type(exc).__name__}); write one "
            "with `hiap buses prioritise --out FOLDER` (priorities.json)."
        ) from None
    if not isinstance(data, dict) or data.get("format") != RANKING_FORMAT:
        raise DataError(
            f"{name} is not a stored bus ranking (no '{RANKING_FORMAT}' format mark); write "
            "one with `hiap buses prioritise --out FOLDER` (priorities.json)."
        )
    try:
        destinations = data.get("destinations")
        return PriorityResult(
            table=_frame_from(data.get("table"), geo=False),
            service=_frame_from(data.get("service"), geo=False),
            routes=_frame_from(data.get("routes"), geo=True),
            origins=_frame_from(data.get("origins"), geo=True),
            notes=tuple(str(n) for n in data.get("notes", [])),
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            fallback_share=None
            if data.get("fallback_share") is None
            else float(data["fallback_share"]),
            destinations=None
            if destinations is None
            else _frame_from(destinations, geo=True),
        )
    except (ValueError, TypeError, KeyError, shapely.errors.ShapelyError) as exc:
        raise DataError(f"The stored bus ranking {name} is damaged: {exc}.") from None
