"""Which bus service change would help most? Generate candidate changes and rank them.

Given a feed, a date, origins with population and groups (e.g. IMD deciles 1-3), and sets of
destinations (GP practices, acute hospitals), :func:`candidate_changes` proposes, for every
route running that day: its frequency doubled, its span extended into the evening, a call at
each given place it passes near (a diversion or extension to a hospital or GP surgery) and
new stops where it passes people with no stop nearby. :func:`rank_candidates` routes every
candidate over the same departure windows and ranks them by the population-weighted minutes
saved to the nearest destination of each set (the median over the window), with the
residents newly within 30 and 60 minutes.

How the work is shared between candidates (so a full ranking takes minutes, not hours):

* the baseline is routed once per window and destination set;
* candidates that do not add a stop keep the baseline network: stop coordinates, the
  stop-to-stop transfers and the walking legs are reused and only the timetable (the
  candidate's patterns and trips) is laid out again;
* each candidate run is a range-RAPTOR over the window (labels of the later departure are
  reused for the earlier one), and the windows' departures share the same compiled kernel;
* only origins whose baseline journey could use the changed route are re-routed: an origin
  is skipped when no stop of the changed route lies within its walking access of any stop it
  can reach in the baseline window (its travel time then cannot change).

Unreachable origins count as ``unreachable_min`` (120 minutes by default) when minutes saved
are summed, so a change that first connects a place counts, but not infinitely.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
import pyproj

from isochrones.errors import RoutingInputError
from isochrones.gtfs.calendar import trips_on_date
from isochrones.gtfs.feed import Feed
from isochrones.gtfs.frequencies import expand_frequencies
from isochrones.network import WalkNetwork
from isochrones.raptor import build_timetable
from isochrones.scenarios import (
    ChangeFrequency,
    ExtendSpan,
    InsertStop,
    NewStop,
    Scenario,
    apply_scenario,
)
from isochrones.transit import (
    FallbackWalk,
    TransitNetwork,
    _to_xy,
    build_transit_network,
    window_travel_times,
)

__all__ = [
    "Candidate",
    "Place",
    "Ranking",
    "candidate_changes",
    "rank_candidates",
    "route_service",
]

CandidateKind = Literal["frequency", "span", "call_at", "new_stop", "new_route"]


@dataclass(frozen=True)
class Place:
    """A place a route could be diverted or extended to (WGS84)."""

    place_id: str
    name: str
    lat: float
    lon: float
    kind: str = "destination"


@dataclass(frozen=True)
class Candidate:
    """One candidate change: a scenario and how to describe and map it."""

    candidate_id: str
    kind: CandidateKind
    route_id: str
    label: str
    scenario: Scenario
    lon: float | None = None
    lat: float | None = None


def _hhmm(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def route_service(
    feed: Feed,
    date: dt.date,
    *,
    day_window: tuple[dt.time, dt.time] = (dt.time(7, 0), dt.time(19, 0)),
) -> pd.DataFrame:
    """Each route's service on a date: trips, first and last departure, usual headway.

    Parameters
    ----------
    feed
        A validated feed (frequency-based trips are expanded).
    date
        The service day.
    day_window
        Departures from a trip's first stop in this window give the headway.

    Returns
    -------
    pandas.DataFrame
        ``route_id``, ``name``, ``trips``, ``first_departure``, ``last_departure``
        (``HH:MM``), ``first_s``, ``last_s`` and ``headway_min``: the median gap between
        departures in ``day_window`` in the busier direction (NaN with fewer than two).
    """
    if not feed.frequencies.empty:
        feed = expand_frequencies(feed)
    running = trips_on_date(feed, date)
    running = running.loc[running["offset_s"] == 0]
    trips = feed.trips.loc[feed.trips["trip_id"].isin(running["trip_id"])]
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    first = st.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id")["departure_s"].first()
    info = trips.set_index("trip_id").assign(first_s=first)
    lo = day_window[0].hour * 3600 + day_window[0].minute * 60
    hi = day_window[1].hour * 3600 + day_window[1].minute * 60
    rows = []
    names = feed.routes.set_index("route_id")["route_short_name"]
    for route_id, group in info.groupby("route_id"):
        headways = []
        for _, direction in group.groupby("direction_id"):
            deps = np.sort(direction["first_s"].to_numpy(float))
            deps = deps[(deps >= lo) & (deps <= hi)]
            if len(deps) >= 2:
                headways.append((len(deps), float(np.median(np.diff(deps))) / 60.0))
        rows.append(
            {
                "route_id": route_id,
                "name": names.get(route_id, route_id),
                "trips": len(group),
                "first_s": float(group["first_s"].min()),
                "last_s": float(group["first_s"].max()),
                "headway_min": max(headways)[1] if headways else np.nan,
            }
        )
    out = pd.DataFrame(
        rows, columns=["route_id", "name", "trips", "first_s", "last_s", "headway_min"]
    )
    out["first_departure"] = out["first_s"].map(_hhmm)
    out["last_departure"] = out["last_s"].map(_hhmm)
    return out


def _segment_sites(
    feed: Feed,
    route_id: str,
    origins_lonlat: np.ndarray,
    population: np.ndarray,
    crs: pyproj.CRS,
    *,
    unserved_m: float,
    near_line_m: float,
) -> list[tuple[float, float, float]]:
    """Points on the route's line nearest to populated origins with no stop nearby."""
    trips = feed.trips.loc[feed.trips["route_id"] == route_id, "trip_id"]
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips)]
    seqs = st.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id")["stop_id"].agg(tuple)
    stops = feed.stops.set_index("stop_id")
    all_xy = _to_xy(feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy(), crs)
    o_xy = _to_xy(origins_lonlat[:, 0], origins_lonlat[:, 1], crs)
    d_any = np.min(np.hypot(*(o_xy[:, None, :] - all_xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    unserved = np.flatnonzero(d_any > unserved_m)
    sites: list[tuple[float, float, float]] = []
    if not len(unserved):
        return sites
    seen: set[tuple[str, str]] = set()
    best: dict[int, tuple[float, np.ndarray]] = {}
    for seq in seqs.unique():
        ids = list(seq)
        xy = _to_xy(
            stops.loc[ids, "stop_lon"].to_numpy(float),
            stops.loc[ids, "stop_lat"].to_numpy(float),
            crs,
        )
        for k in range(len(ids) - 1):
            if (ids[k], ids[k + 1]) in seen:
                continue
            seen.add((ids[k], ids[k + 1]))
            a, b = xy[k], xy[k + 1]
            ab = b - a
            length2 = float(ab @ ab)
            if length2 <= 0:
                continue
            t = np.clip(((o_xy[unserved] - a) @ ab) / length2, 0.0, 1.0)
            proj = a[None, :] + t[:, None] * ab[None, :]
            dist = np.hypot(*(o_xy[unserved] - proj).T)
            for j, o in enumerate(unserved.tolist()):
                if dist[j] <= near_line_m and (o not in best or dist[j] < best[o][0]):
                    best[o] = (float(dist[j]), proj[j])
    for o, (_, point) in best.items():
        sites.append((float(point[0]), float(point[1]), float(population[o])))
    return sites


def candidate_changes(
    feed: Feed,
    date: dt.date,
    *,
    places: Sequence[Place] = (),
    origins_lonlat: np.ndarray | None = None,
    population: np.ndarray | None = None,
    evening_end: dt.time = dt.time(22, 0),
    served_m: float = 400.0,
    max_extra_min: float = 12.0,
    new_stops_per_route: int = 2,
    routes: Sequence[str] | None = None,
) -> list[Candidate]:
    """Propose candidate changes for the routes running on ``date``.

    Parameters
    ----------
    feed
        The baseline feed.
    date
        The service day the candidates are judged on.
    places
        Hospitals or GP surgeries a route may be diverted or extended to; a route gets a
        candidate for a place when none of its stops is within ``served_m`` of it and the
        call costs at most ``max_extra_min`` of running time.
    origins_lonlat, population
        Residents' points (``(n, 2)`` lon/lat) and counts, for new-stop candidates: where a
        route passes within ``served_m`` x 2 of people more than ``served_m`` x 2 from any
        stop, a stop on the line nearest the most residents.
    evening_end
        Span candidates run the route's last trips on until this time.
    served_m
        Distance counted as "served by a stop".
    max_extra_min
        Longest detour for a diversion.
    new_stops_per_route
        Most new-stop candidates per route (the most populated sites).
    routes
        Only these route ids (default: every route running on ``date``).

    Returns
    -------
    list of Candidate
        In a stable order: per route, frequency, span, calls, new stops.
    """
    service = route_service(feed, date)
    if routes is not None:
        service = service.loc[service["route_id"].isin(list(routes))]
    if service.empty:
        raise RoutingInputError(f"no route of {feed.source} runs on {date}; pick another date.")
    stops = feed.stops.set_index("stop_id")
    lon0, lat0 = float(feed.stops["stop_lon"].median()), float(feed.stops["stop_lat"].median())
    from isochrones.transit import local_utm_crs

    crs = local_utm_crs(lon0, lat0)
    out: list[Candidate] = []
    for rec in service.to_dict("records"):
        rid, name = str(rec["route_id"]), str(rec["name"])
        headway = float(rec["headway_min"])
        last_s = int(rec["last_s"])
        if np.isfinite(headway):
            half = max(headway / 2.0, 2.0)
            out.append(
                Candidate(
                    f"{rid}:frequency",
                    "frequency",
                    rid,
                    f"{name}: every {half:.0f} min instead of {headway:.0f} min",
                    Scenario(
                        name=f"{name} frequency doubled",
                        edits=[ChangeFrequency(route_id=rid, headway_min=half)],
                    ),
                )
            )
            last = dt.time(last_s // 3600 % 24, last_s % 3600 // 60)
            if last_s + headway * 60 <= evening_end.hour * 3600 + evening_end.minute * 60:
                out.append(
                    Candidate(
                        f"{rid}:span",
                        "span",
                        rid,
                        f"{name}: last buses every {headway:.0f} min until "
                        f"{evening_end:%H:%M} (now {last:%H:%M})",
                        Scenario(
                            name=f"{name} evening service",
                            edits=[ExtendSpan(route_id=rid, end=evening_end, headway_min=headway)],
                        ),
                    )
                )
        trips = feed.trips.loc[feed.trips["route_id"] == rid, "trip_id"]
        route_stops = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips), "stop_id"]
        ids = list(pd.unique(route_stops))
        r_xy = _to_xy(
            stops.loc[ids, "stop_lon"].to_numpy(float),
            stops.loc[ids, "stop_lat"].to_numpy(float),
            crs,
        )
        for place in places:
            p_xy = _to_xy(np.array([place.lon]), np.array([place.lat]), crs)[0]
            gap = float(np.min(np.hypot(*(r_xy - p_xy).T)))
            if gap <= served_m:
                continue
            stop = NewStop(
                stop_id=f"new:{place.place_id}", lat=place.lat, lon=place.lon, name=place.name
            )
            scenario = Scenario(
                name=f"{name} calls at {place.name}",
                edits=[InsertStop(route_id=rid, stop=stop, max_extra_min=max_extra_min)],
            )
            try:
                apply_scenario(feed, scenario)
            except Exception:
                continue
            out.append(
                Candidate(
                    f"{rid}:call:{place.place_id}",
                    "call_at",
                    rid,
                    f"{name}: divert or extend to {place.name} ({gap / 1000:.1f} km from its "
                    "nearest stop)",
                    scenario,
                    lon=place.lon,
                    lat=place.lat,
                )
            )
        if origins_lonlat is not None and population is not None and new_stops_per_route > 0:
            sites = _segment_sites(
                feed,
                rid,
                np.asarray(origins_lonlat, float),
                np.asarray(population, float),
                crs,
                unserved_m=2 * served_m,
                near_line_m=2 * served_m,
            )
            sites.sort(key=lambda s: -s[2])
            back = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            for k, (x, y, pop) in enumerate(sites[:new_stops_per_route]):
                lon, lat = back.transform(x, y)
                stop = NewStop(
                    stop_id=f"new:{rid}:{k}",
                    lat=float(lat),
                    lon=float(lon),
                    name=f"New {name} stop {k + 1}",
                )
                out.append(
                    Candidate(
                        f"{rid}:new_stop:{k}",
                        "new_stop",
                        rid,
                        f"{name}: new stop on the line near {pop:,.0f} residents with none "
                        f"within {2 * served_m:.0f} m",
                        Scenario(
                            name=f"{name} new stop {k + 1}",
                            edits=[InsertStop(route_id=rid, stop=stop, max_extra_min=2.0)],
                        ),
                        lon=float(lon),
                        lat=float(lat),
                    )
                )
    return out


@dataclass(frozen=True)
class Ranking:
    """Candidates ranked by health-relevant minutes saved.

    Attributes
    ----------
    table
        One row per candidate (best first): ``candidate_id``, ``kind``, ``route_id``,
        ``label``, ``minutes_saved`` (population-weighted minutes saved per weekday journey,
        GP + hospital, mean over windows), ``minutes_saved_<group>``, per destination set
        ``<set>_minutes_saved`` and ``<set>_minutes_saved_<group>``, ``newly_within_30`` and
        ``newly_within_60`` (residents, any set, any window) and per group, ``origins_rerouted``,
        ``seconds``.
    baseline
        Per origin, window and set: the baseline median minutes.
    notes
        How the figures were made (windows, fallback share, reuse).
    fallback_share
        Share of the baseline's walking legs walked by the straight-line fallback (mean over
        windows and destination sets); ``None`` without the fallback.
    """

    table: pd.DataFrame
    baseline: pd.DataFrame
    notes: tuple[str, ...]
    fallback_share: float | None = None


def _reachable_stops(
    network: TransitNetwork,
    origins_xy: np.ndarray,
    window: tuple[dt.time, dt.time],
    *,
    step_min: float,
    max_travel_min: float,
) -> np.ndarray:
    """Boolean ``(n_origins, n_stops)``: stops reached within the window's time limit."""
    res = window_travel_times(
        network,
        origins_xy,
        network.stop_xy,
        window=window,
        step_min=step_min,
        percentiles=(50,),
        max_walk_min=network.max_access_min,
        max_travel_min=max_travel_min,
    )
    return np.isfinite(res.min_s)


def rank_candidates(
    feed: Feed,
    date: dt.date,
    candidates: Sequence[Candidate],
    *,
    origins_lonlat: np.ndarray,
    population: np.ndarray,
    groups: Mapping[str, np.ndarray],
    destinations: Mapping[str, np.ndarray],
    windows: Mapping[str, tuple[dt.time, dt.time]],
    walk: WalkNetwork | None = None,
    fallback: FallbackWalk | None = None,
    step_min: float = 5.0,
    max_access_min: float = 20.0,
    max_walk_min: float = 60.0,
    unreachable_min: float = 120.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> Ranking:
    """Route the baseline and every candidate and rank them by minutes saved.

    Parameters
    ----------
    feed, date
        Baseline feed and service day.
    candidates
        From :func:`candidate_changes` (or hand-made).
    origins_lonlat, population
        Residents' points (lon/lat) and counts.
    groups
        Name -> boolean mask of origins (e.g. ``{"imd1_3": decile <= 3}``); each gets its
        own minutes-saved and newly-within columns.
    destinations
        Set name -> ``(n, 2)`` lon/lat points (e.g. ``"gp"``, ``"hospital"``); time to the
        nearest of each set.
    windows
        Window name -> first and last departure.
    walk, fallback
        Walk network and/or the labelled straight-line fallback (see
        :func:`isochrones.transit.build_transit_network`).
    step_min
        Minutes between departures in each window.
    max_access_min, max_walk_min
        Longest walk to or from a stop, and all the way.
    unreachable_min
        Minutes counted for an origin that cannot reach a set within the limit.
    progress
        Called ``progress(done, total, label)`` after each candidate.

    Returns
    -------
    Ranking
        The table, the baseline and notes.
    """
    origins_lonlat = np.asarray(origins_lonlat, float).reshape(-1, 2)
    pop = np.asarray(population, float)
    if len(pop) != len(origins_lonlat):
        raise RoutingInputError("population must have one value per origin.")
    lo = min(w[0] for w in windows.values())
    hi = max(w[1] for w in windows.values())
    tw = (lo.hour * 3600 + lo.minute * 60 - 3600, hi.hour * 3600 + hi.minute * 60 + 3 * 3600)
    base_net = build_transit_network(
        feed,
        date,
        walk=walk,
        fallback=fallback,
        max_access_min=max_access_min,
        time_window_s=tw,
    )
    crs = base_net.crs
    o_xy = _to_xy(origins_lonlat[:, 0], origins_lonlat[:, 1], crs)
    d_xy = {k: _to_xy(v[:, 0], v[:, 1], crs) for k, v in destinations.items()}
    cutoff = unreachable_min
    shares: list[float] = []

    def run(net: TransitNetwork, idx: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
        out = {}
        for wname, window in windows.items():
            for dname, dxy in d_xy.items():
                res = window_travel_times(
                    net,
                    o_xy[idx],
                    dxy,
                    window=window,
                    step_min=step_min,
                    percentiles=(50,),
                    nearest=True,
                    max_walk_min=max_walk_min,
                    max_travel_min=cutoff,
                )
                out[(wname, dname)] = np.minimum(res.travel_s[:, 0, 0] / 60.0, cutoff)
                if net is base_net and res.fallback_share:
                    shares.append(res.fallback_share["all"])
        return out

    all_idx = np.arange(len(o_xy))
    t0 = time.perf_counter()
    base = run(base_net, all_idx)
    base_s = time.perf_counter() - t0
    # Stops each origin reaches in time in the baseline: the pruning test below.
    reach = np.zeros((len(o_xy), base_net.timetable.n_stops), bool)
    for window in windows.values():
        reach |= _reachable_stops(base_net, o_xy, window, step_min=step_min, max_travel_min=cutoff)
    stop_index = {s: i for i, s in enumerate(base_net.timetable.stop_ids)}
    transfer_near = base_net.transfers.to_frame()
    rows = []
    total = len(candidates)
    for n, cand in enumerate(candidates, start=1):
        t1 = time.perf_counter()
        new_feed = apply_scenario(feed, cand.scenario)
        same_stops = len(new_feed.stops) == len(feed.stops)
        if same_stops:
            net = replace(base_net, timetable=build_timetable(new_feed, date, time_window_s=tw))
        else:
            net = build_transit_network(
                new_feed,
                date,
                crs=crs,
                walk=walk,
                fallback=fallback,
                max_access_min=max_access_min,
                time_window_s=tw,
            )
        # Origins that can reach (in the baseline) a stop of the changed route, or a stop
        # a transfer away from one, are re-routed; the others keep their baseline times.
        trips = new_feed.trips.loc[new_feed.trips["route_id"] == cand.route_id, "trip_id"]
        r_stops = pd.unique(
            new_feed.stop_times.loc[new_feed.stop_times["trip_id"].isin(trips), "stop_id"]
        )
        r_idx = np.asarray([stop_index[s] for s in r_stops if s in stop_index], dtype=np.int64)
        near = np.zeros(base_net.timetable.n_stops, bool)
        near[r_idx] = True
        near[transfer_near.loc[np.isin(transfer_near["target"], r_idx), "source"].to_numpy()] = True
        # A new stop can be walked to from origins that reached no stop before: re-route all.
        affected = np.flatnonzero(reach[:, near].any(axis=1)) if same_stops else all_idx
        new = {k: v.copy() for k, v in base.items()}
        if len(affected):
            sub = run(net, affected)
            for k in new:
                new[k][affected] = sub[k]
        row: dict[str, object] = {
            "candidate_id": cand.candidate_id,
            "kind": cand.kind,
            "route_id": cand.route_id,
            "label": cand.label,
            "lon": cand.lon,
            "lat": cand.lat,
            "origins_rerouted": len(affected),
        }
        masks = {
            "all": np.ones(len(pop), bool),
            **{g: np.asarray(m, bool) for g, m in groups.items()},
        }
        total_saved = dict.fromkeys(masks, 0.0)
        newly = {(g, b): np.zeros(len(pop), bool) for g in masks for b in (30, 60)}
        for dname in d_xy:
            for g, mask in masks.items():
                saved = float(
                    np.mean(
                        [
                            float(np.sum(pop[mask] * (base[(w, dname)] - new[(w, dname)])[mask]))
                            for w in windows
                        ]
                    )
                )
                suffix = "" if g == "all" else f"_{g}"
                row[f"{dname}_minutes_saved{suffix}"] = saved
                total_saved[g] += saved
                for b in (30, 60):
                    for w in windows:
                        newly[(g, b)] |= mask & (base[(w, dname)] > b) & (new[(w, dname)] <= b)
        for g in masks:
            suffix = "" if g == "all" else f"_{g}"
            row[f"minutes_saved{suffix}"] = total_saved[g]
            for b in (30, 60):
                row[f"newly_within_{b}{suffix}"] = float(pop[newly[(g, b)]].sum())
        row["seconds"] = time.perf_counter() - t1
        rows.append(row)
        if progress is not None:
            progress(n, total, cand.label)
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(
            ["minutes_saved", "candidate_id"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        for g in groups:
            table[f"rank_{g}"] = (
                table[f"minutes_saved_{g}"].rank(ascending=False, method="min").astype(int)
            )
    baseline = pd.DataFrame({f"{w}_{d}_p50_min": v for (w, d), v in base.items()})
    notes = [
        f"Service day {date:%A %d %B %Y}; windows "
        + ", ".join(f"{k} {a:%H:%M}-{b:%H:%M}" for k, (a, b) in windows.items())
        + f", a departure every {step_min:g} min; median travel time to the nearest of each "
        "destination set; unreachable counts as "
        f"{unreachable_min:g} min.",
        f"Baseline routed once in {base_s:.1f} s; candidates without new stops reuse its "
        "stops, transfers and walking legs and re-lay only the timetable; origins that "
        "cannot reach the changed route in the baseline keep their baseline times.",
    ]
    share = float(np.mean(shares)) if shares else None
    if fallback is not None:
        notes.append(
            f"Walking legs outside a walk network: {fallback.label}"
            + (f"; {share:.0%} of the baseline's walking legs used it." if share is not None else ".")
        )
    return Ranking(table=table, baseline=baseline, notes=tuple(notes), fallback_share=share)
