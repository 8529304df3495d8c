"""Bus scenarios: edit a feed in memory, save and load the edits as a small JSON/YAML file.

A :class:`Scenario` is a list of edits applied in order to a *copy* of a feed:

* :class:`AddRoute` -- a new route from a list of stops (existing ids or new stops with
  coordinates) or from a line drawn on a map (stops placed every ``stop_spacing_m``), with a
  headway, an operating span and either a speed or stop-to-stop running times;
* :class:`ChangeFrequency` -- run an existing route at a new headway, pattern by pattern (every
  stop pattern keeps its own stops, running times, days and operating span);
* :class:`ExtendSpan` -- run a route later into the evening: the last trip of each direction is
  repeated at a headway until a new end time;
* :class:`InsertStop` -- call at one more place (a hospital, a GP surgery, a new stop on the
  line): each stop pattern of the route is diverted through it, or extended to it from a
  terminus, wherever that costs the least time;
* :class:`RemoveRoute` -- drop a route and its trips;
* :class:`AddFeed` -- add the services of a TransXChange or GTFS file (a proposed service
  drawn up by a council).

Run :func:`isochrones.transit.window_travel_times` on the baseline and on
``apply_scenario(feed, scenario)`` and compare with :func:`diff_times`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
import pyproj
import shapely
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from isochrones.gtfs.errors import ScenarioError
from isochrones.gtfs.feed import WEEKDAYS, Feed, load_feed, merge_feeds
from isochrones.gtfs.txc import load_transxchange

__all__ = [
    "AddFeed",
    "AddRoute",
    "ChangeFrequency",
    "ExtendSpan",
    "InsertStop",
    "NewStop",
    "RemoveRoute",
    "Scenario",
    "apply_scenario",
    "diff_times",
    "load_scenario",
    "save_scenario",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewStop(_Model):
    """A stop that does not exist in the feed yet (WGS84 coordinates)."""

    stop_id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str = ""


class AddRoute(_Model):
    """A new bus route.

    Give ``stops`` (existing stop ids and/or :class:`NewStop`) or ``line`` (``[lon, lat]``
    vertices; stops are placed every ``stop_spacing_m``), and ``speed_kph`` or
    ``stop_to_stop_min`` (one running time per pair of consecutive stops).
    """

    kind: Literal["add_route"] = "add_route"
    route_id: str
    name: str = ""
    stops: list[str | NewStop] | None = None
    line: list[tuple[float, float]] | None = None
    stop_spacing_m: float = Field(default=400.0, gt=0)
    headway_min: float = Field(gt=0)
    start: dt.time = dt.time(6, 0)
    end: dt.time = dt.time(22, 0)
    speed_kph: float | None = Field(default=20.0, gt=0)
    stop_to_stop_min: list[float] | None = None
    dwell_s: int = Field(default=0, ge=0)
    both_directions: bool = True

    @model_validator(mode="after")
    def _one_geometry(self) -> AddRoute:
        if (self.stops is None) == (self.line is None):
            raise ValueError("give exactly one of 'stops' or 'line'")
        if self.stops is not None and len(self.stops) < 2:
            raise ValueError("a route needs at least 2 stops")
        if self.line is not None and len(self.line) < 2:
            raise ValueError("a line needs at least 2 vertices")
        if self.stop_to_stop_min is None and self.speed_kph is None:
            raise ValueError("give speed_kph or stop_to_stop_min")
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class ChangeFrequency(_Model):
    """Run an existing route about every ``headway_min``, pattern by pattern.

    The route's trips are grouped into stop patterns: same ``service_id`` (so the same days),
    same ``direction_id`` and the same ordered stops; a short working is a pattern of its own.
    Each pattern is re-timed separately over its own operating span (its first to its last
    departure; ``start``/``end``, when given, replace that span for every pattern):

    1. its original trips in the span are kept with their own times, except that a trip leaving
       less than 3/4 of ``headway_min`` after the previous kept one is dropped (only when the
       pattern already ran more often: a cut);
    2. each gap between kept trips is split into ``max(1, round(gap / headway_min))`` equal
       parts (halves rounded up), and trips are added every ``headway_min`` from the first
       kept trip back to the span's start and from the last one on to its end;
    3. every added trip copies the stop-to-stop running and dwell times of the pattern's
       original trip nearest in time (the earlier on a tie), and runs on the pattern's service.

    Trips outside an explicit ``start``-``end`` are left as they are. So no stop loses its
    service, each pattern keeps its share and its times of day, and running a route more often
    never removes a departure: no journey gets slower.
    """

    kind: Literal["change_frequency"] = "change_frequency"
    route_id: str
    headway_min: float = Field(gt=0)
    start: dt.time | None = None
    end: dt.time | None = None


class ExtendSpan(_Model):
    """Run a route until ``end``: repeat each direction's last trip every ``headway_min``.

    For every direction and service (operating profile) of the route, its latest trip is
    copied, same stops and running times, every ``headway_min`` after its own departure
    while the copy leaves its first stop no later than ``end``. Earlier trips are untouched.
    """

    kind: Literal["extend_span"] = "extend_span"
    route_id: str
    end: dt.time
    headway_min: float = Field(gt=0)


class InsertStop(_Model):
    """Make an existing route call at one more stop: a diversion, an extension or a new stop.

    Each stop pattern of the route (its trips with the same ordered stops) takes the place
    where the call costs the least extra running time: between two consecutive stops (a
    diversion: the detour ``circuity x (|aP| + |Pb| - |ab|)`` at ``speed_kph``, plus
    ``dwell_s``; later stops are reached that much later), or beyond a terminus (an
    extension: trips ending there run on to the stop, trips starting there start at it
    earlier). A pattern whose cheapest call costs more than ``max_extra_min`` is left as it
    is. A stop on the line between two stops (a new stop) costs only the dwell.
    """

    kind: Literal["insert_stop"] = "insert_stop"
    route_id: str
    stop: str | NewStop
    speed_kph: float = Field(default=25.0, gt=0)
    circuity: float = Field(default=1.3, ge=1.0)
    dwell_s: int = Field(default=30, ge=0)
    max_extra_min: float = Field(default=15.0, gt=0)


class RemoveRoute(_Model):
    """Drop a route and all its trips."""

    kind: Literal["remove_route"] = "remove_route"
    route_id: str


class AddFeed(_Model):
    """Add every service of another timetable file (a council's proposal in TransXChange or GTFS).

    ``path`` is read relative to the scenario file's folder (see :func:`apply_scenario`);
    ``stop_coordinates`` (ATCO code -> ``[lat, lon]``) locates TransXChange stops the file
    lists without coordinates. Its ids are prefixed with ``prefix`` to keep them apart.
    """

    kind: Literal["add_feed"] = "add_feed"
    path: str
    prefix: str = "scenario:"
    stop_coordinates: dict[str, tuple[float, float]] = Field(default_factory=dict)


Edit = Annotated[
    AddRoute | ChangeFrequency | ExtendSpan | InsertStop | RemoveRoute | AddFeed,
    Field(discriminator="kind"),
]


class Scenario(_Model):
    """A named list of edits to a feed (validated; unknown keys are refused).

    Examples
    --------
    >>> from isochrones import Scenario
    >>> no_aero = Scenario(
    ...     name="no airport line", edits=[{"kind": "remove_route", "route_id": "LINHAAERO"}])
    >>> no_aero.edits[0].kind
    'remove_route'

    Apply it with :func:`apply_scenario`; :func:`load_scenario` reads one from JSON or YAML.
    """

    name: str
    description: str = ""
    edits: list[Edit] = Field(min_length=1)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (``.json``, ``.yaml`` or ``.yml``).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        Listing every problem (unknown keys, missing fields, bad values).
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"scenario file {path} does not exist.", source=str(path))
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"cannot parse the file: {exc}", source=str(path)) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or 'scenario'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ScenarioError(problems, source=str(path)) from None


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as JSON or YAML (by the file's suffix).

    Parameters
    ----------
    scenario
        The scenario.
    path
        Target ``.json``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    data = scenario.model_dump(mode="json", exclude_defaults=False)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _local_crs(lon: float, lat: float) -> pyproj.CRS:
    zone = int((lon + 180) // 6) + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _always_service(feed: Feed, service_id: str) -> pd.DataFrame:
    row = {
        "service_id": service_id,
        **dict.fromkeys(WEEKDAYS, True),
        "start_date": pd.Timestamp("1900-01-01"),
        "end_date": pd.Timestamp("2199-12-31"),
    }
    return pd.concat([feed.calendar, pd.DataFrame([row])], ignore_index=True)


def _add_route(feed: Feed, edit: AddRoute) -> Feed:
    problems: list[str] = []
    if edit.route_id in set(feed.routes["route_id"]):
        problems.append(f"add_route: route_id {edit.route_id!r} already exists in the feed.")
    stops = feed.stops
    known = stops.set_index("stop_id")
    new_stops: list[dict[str, object]] = []
    lonlat: list[tuple[float, float]] = []
    ids: list[str] = []
    if edit.stops is not None:
        for s in edit.stops:
            if isinstance(s, NewStop):
                if s.stop_id in known.index:
                    problems.append(f"add_route: new stop {s.stop_id!r} already exists.")
                new_stops.append(
                    {
                        "stop_id": s.stop_id,
                        "stop_name": s.name,
                        "stop_lat": s.lat,
                        "stop_lon": s.lon,
                    }
                )
                ids.append(s.stop_id)
                lonlat.append((s.lon, s.lat))
            elif s in known.index:
                ids.append(s)
                lon_s, lat_s = known.loc[s, ["stop_lon", "stop_lat"]].to_numpy(float)
                lonlat.append((float(lon_s), float(lat_s)))
            else:
                problems.append(
                    f"add_route: stop {s!r} is not in the feed; give it as a new stop "
                    "with stop_id, lat and lon."
                )
    else:
        assert edit.line is not None
        lon0, lat0 = edit.line[0]
        crs = _local_crs(lon0, lat0)
        fwd = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        back = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        xs, ys = fwd.transform(*np.asarray(edit.line, float).T)
        line = shapely.LineString(np.column_stack([xs, ys]))
        n = max(2, int(np.ceil(line.length / edit.stop_spacing_m)) + 1)
        pts = shapely.line_interpolate_point(line, np.linspace(0, line.length, n))
        lon, lat = back.transform(shapely.get_x(pts), shapely.get_y(pts))
        for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
            sid = f"{edit.route_id}:{i + 1}"
            new_stops.append(
                {
                    "stop_id": sid,
                    "stop_name": f"{edit.name or edit.route_id} {i + 1}",
                    "stop_lat": float(y),
                    "stop_lon": float(x),
                }
            )
            ids.append(sid)
            lonlat.append((float(x), float(y)))
    if edit.stop_to_stop_min is not None and len(edit.stop_to_stop_min) != len(ids) - 1:
        problems.append(
            f"add_route: stop_to_stop_min has {len(edit.stop_to_stop_min)} values; "
            f"the route has {len(ids)} stops, so give {len(ids) - 1}."
        )
    if problems:
        raise ScenarioError(problems)
    if edit.stop_to_stop_min is not None:
        runs = np.asarray(edit.stop_to_stop_min, float) * 60.0
    else:
        arr = np.asarray(lonlat)
        crs = _local_crs(*arr[0])
        xs, ys = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
            arr[:, 0], arr[:, 1]
        )
        seg = np.hypot(np.diff(xs), np.diff(ys))
        assert edit.speed_kph is not None
        runs = seg / (edit.speed_kph / 3.6)
    service_id = f"scenario:{edit.route_id}"
    starts = np.arange(_secs(edit.start), _secs(edit.end) + 1, round(edit.headway_min * 60))
    directions = [(ids, runs, 0)]
    if edit.both_directions:
        directions.append((ids[::-1], runs[::-1], 1))
    trips, st = [], []
    for seq_ids, seq_runs, direction in directions:
        offsets = np.concatenate([[0.0], np.cumsum(np.asarray(seq_runs) + edit.dwell_s)])
        for t0 in starts:
            trip_id = f"{edit.route_id}:{direction}:{int(t0)}"
            trips.append(
                {
                    "trip_id": trip_id,
                    "route_id": edit.route_id,
                    "service_id": service_id,
                    "direction_id": direction,
                    "shape_id": "",
                }
            )
            for i, sid in enumerate(seq_ids):
                arrive = round(t0 + offsets[i] - (edit.dwell_s if i else 0))
                depart = round(t0 + offsets[i])
                st.append(
                    {
                        "trip_id": trip_id,
                        "stop_sequence": i + 1,
                        "stop_id": sid,
                        "arrival_s": max(arrive, int(t0)),
                        "departure_s": depart,
                    }
                )
    route = {
        "route_id": edit.route_id,
        "agency_id": "scenario",
        "route_short_name": edit.route_id,
        "route_long_name": edit.name,
        "route_type": 3,
    }
    return Feed(
        stops=pd.concat([stops, pd.DataFrame(new_stops, columns=stops.columns)], ignore_index=True)
        if new_stops
        else stops.copy(),
        routes=pd.concat([feed.routes, pd.DataFrame([route])], ignore_index=True),
        trips=pd.concat([feed.trips, pd.DataFrame(trips)], ignore_index=True),
        stop_times=pd.concat(
            [feed.stop_times, pd.DataFrame(st).astype(feed.stop_times.dtypes.to_dict())],
            ignore_index=True,
        ),
        calendar=_always_service(feed, service_id),
        calendar_dates=feed.calendar_dates.copy(),
        frequencies=feed.frequencies.copy(),
        source=feed.source,
        warnings=feed.warnings,
    )


def _haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    rlat1, rlat2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((rlat2 - rlat1) / 2) ** 2
        + np.cos(rlat1) * np.cos(rlat2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _extend_span(feed: Feed, edit: ExtendSpan) -> Feed:
    trips = feed.trips.loc[feed.trips["route_id"] == edit.route_id]
    if trips.empty:
        raise ScenarioError(f"extend_span: route {edit.route_id!r} has no trips in the feed.")
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    first = st.sort_values(["trip_id", "stop_sequence"]).groupby("trip_id")["departure_s"].first()
    info = trips.set_index("trip_id").assign(first_s=first).dropna(subset=["first_s"])
    last = info.sort_values("first_s").groupby(["direction_id", "service_id"]).tail(1)
    end_s = _secs(edit.end)
    step = round(edit.headway_min * 60)
    new_trips: list[pd.DataFrame] = []
    new_st: list[pd.DataFrame] = []
    for trip_id, row in last.iterrows():
        tpl = st.loc[st["trip_id"] == trip_id]
        t0 = int(row["first_s"])
        for k, start in enumerate(range(t0 + step, end_s + 1, step), start=1):
            new_id = f"{trip_id}:later:{k}"
            new_trips.append(
                feed.trips.loc[feed.trips["trip_id"] == trip_id].assign(trip_id=new_id)
            )
            new_st.append(
                tpl.assign(
                    trip_id=new_id,
                    arrival_s=tpl["arrival_s"] + (start - t0),
                    departure_s=tpl["departure_s"] + (start - t0),
                )
            )
    if not new_trips:
        raise ScenarioError(
            f"extend_span: route {edit.route_id!r} already runs until {edit.end:%H:%M}; "
            "give a later end."
        )
    return replace(
        feed,
        trips=pd.concat([feed.trips, *new_trips], ignore_index=True),
        stop_times=pd.concat([feed.stop_times, *new_st], ignore_index=True),
    )


def _insert_stop(feed: Feed, edit: InsertStop) -> Feed:
    trips = feed.trips.loc[feed.trips["route_id"] == edit.route_id]
    if trips.empty:
        raise ScenarioError(f"insert_stop: route {edit.route_id!r} has no trips in the feed.")
    stops = feed.stops
    known = stops.set_index("stop_id")
    if isinstance(edit.stop, NewStop):
        if edit.stop.stop_id in known.index:
            raise ScenarioError(f"insert_stop: new stop {edit.stop.stop_id!r} already exists.")
        sid, lat_p, lon_p = edit.stop.stop_id, edit.stop.lat, edit.stop.lon
        new_stops = pd.DataFrame(
            [{"stop_id": sid, "stop_name": edit.stop.name, "stop_lat": lat_p, "stop_lon": lon_p}]
        )
        stops = pd.concat([stops, new_stops.astype(stops.dtypes.to_dict())], ignore_index=True)
    elif edit.stop in known.index:
        sid = edit.stop
        where = known.loc[sid, ["stop_lat", "stop_lon"]].to_numpy(float)
        lat_p, lon_p = float(where[0]), float(where[1])
    else:
        raise ScenarioError(
            f"insert_stop: stop {edit.stop!r} is not in the feed; give a new stop with "
            "stop_id, lat and lon."
        )
    speed = edit.speed_kph / 3.6
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])].sort_values(
        ["trip_id", "stop_sequence"], kind="stable"
    )
    patterns = st.groupby("trip_id", sort=False)["stop_id"].agg(tuple)
    changed: list[pd.DataFrame] = []
    for seq, members in patterns.groupby(patterns, sort=False):
        seq_ids = list(seq)
        if sid in seq_ids:
            continue  # already calls there
        lat = known.loc[seq_ids, "stop_lat"].to_numpy(float)
        lon = known.loc[seq_ids, "stop_lon"].to_numpy(float)
        to_p = _haversine(lat, lon, lat_p, lon_p) * edit.circuity
        ab = _haversine(lat[:-1], lon[:-1], lat[1:], lon[1:]) * edit.circuity
        # Extra seconds of each place: between stops i and i+1, before the first, after the last.
        between = (to_p[:-1] + to_p[1:] - ab) / speed + edit.dwell_s
        options = np.r_[between, to_p[0] / speed, to_p[-1] / speed]
        best = int(np.argmin(options))
        if options[best] > edit.max_extra_min * 60:
            continue
        rows = st.loc[st["trip_id"].isin(members.index)].copy()
        pos = rows.groupby("trip_id", sort=False).cumcount().to_numpy()
        rows["stop_sequence"] = (pos + 1) * 2  # room for the new call at an odd number
        if best < len(between):
            i = best
            a_rows, b_rows = rows.loc[pos == i], rows.loc[pos == i + 1]
            dep_a = a_rows.set_index("trip_id")["departure_s"]
            arr_b = b_rows.set_index("trip_id")["arrival_s"]
            frac = to_p[i] / max(to_p[i] + to_p[i + 1], 1.0)
            extra = round(float(between[i]))
            arrive = dep_a + ((arr_b - dep_a) + extra - edit.dwell_s) * frac
            call = pd.DataFrame(
                {
                    "trip_id": dep_a.index,
                    "stop_sequence": (i + 1) * 2 + 1,
                    "stop_id": sid,
                    "arrival_s": arrive.round().astype(np.int64).to_numpy(),
                    "departure_s": (arrive.round() + edit.dwell_s).astype(np.int64).to_numpy(),
                }
            )
            later = pos > i
            rows.loc[later, "arrival_s"] += extra
            rows.loc[later, "departure_s"] += extra
        elif best == len(between):
            first = rows.loc[pos == 0].set_index("trip_id")
            t = (first["departure_s"] - round(options[best])).astype(np.int64)
            call = pd.DataFrame(
                {
                    "trip_id": first.index,
                    "stop_sequence": 1,
                    "stop_id": sid,
                    "arrival_s": t.to_numpy(),
                    "departure_s": t.to_numpy(),
                }
            )
        else:
            last = rows.loc[pos == len(seq_ids) - 1].set_index("trip_id")
            t = (last["departure_s"] + round(options[best])).astype(np.int64)
            call = pd.DataFrame(
                {
                    "trip_id": last.index,
                    "stop_sequence": len(seq_ids) * 2 + 1,
                    "stop_id": sid,
                    "arrival_s": t.to_numpy(),
                    "departure_s": t.to_numpy(),
                }
            )
        changed.append(pd.concat([rows, call], ignore_index=True))
    if not changed:
        raise ScenarioError(
            f"insert_stop: no stop pattern of route {edit.route_id!r} passes within "
            f"{edit.max_extra_min:g} minutes of {sid!r}; pick a nearer route or stop."
        )
    new_st = pd.concat(changed, ignore_index=True)
    kept = feed.stop_times.loc[~feed.stop_times["trip_id"].isin(new_st["trip_id"])]
    return replace(
        feed,
        stops=stops,
        stop_times=pd.concat(
            [kept, new_st.astype(feed.stop_times.dtypes.to_dict())], ignore_index=True
        ),
    )


def _remove_route(feed: Feed, route_id: str) -> Feed:
    if route_id not in set(feed.routes["route_id"]):
        raise ScenarioError(f"remove_route: route {route_id!r} is not in the feed.")
    gone = set(feed.trips.loc[feed.trips["route_id"] == route_id, "trip_id"])
    return Feed(
        stops=feed.stops.copy(),
        routes=feed.routes.loc[feed.routes["route_id"] != route_id].reset_index(drop=True),
        trips=feed.trips.loc[~feed.trips["trip_id"].isin(gone)].reset_index(drop=True),
        stop_times=feed.stop_times.loc[~feed.stop_times["trip_id"].isin(gone)].reset_index(
            drop=True
        ),
        calendar=feed.calendar.copy(),
        calendar_dates=feed.calendar_dates.copy(),
        frequencies=feed.frequencies.loc[~feed.frequencies["trip_id"].isin(gone)].reset_index(
            drop=True
        ),
        source=feed.source,
        warnings=feed.warnings,
    )


def _pattern_departures(
    originals: np.ndarray, headway_s: float, span: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Kept original and inserted departures of one pattern over ``span`` (see ChangeFrequency).

    ``originals`` are the pattern's first-stop departures (sorted); returns the mask of kept
    originals and the sorted inserted departures (whole seconds).
    """
    a, b = span
    inside = (originals >= a) & (originals <= b)
    keep = ~inside
    last: float | None = None
    for i in np.flatnonzero(inside):
        # A cut: drop an original leaving under 3/4 of a headway after the last kept one
        # (3/4, not 1: the gaps step 2 makes are at least that, so a re-run changes nothing).
        if last is None or originals[i] - last >= 0.75 * headway_s:
            keep[i] = True
            last = float(originals[i])
    kept = originals[inside & keep].astype(float)
    added: list[float] = []
    if len(kept) == 0:
        added.extend(np.arange(a, b + 1, headway_s))
    else:
        # Before the first and after the last kept trip: step by the headway from them.
        added.extend(kept[0] - headway_s * np.arange(1, int((kept[0] - a) // headway_s) + 1))
        added.extend(kept[-1] + headway_s * np.arange(1, int((b - kept[-1]) // headway_s) + 1))
        for lo, hi in pairwise(kept):
            parts = max(1, int((hi - lo) / headway_s + 0.5))
            added.extend(lo + (hi - lo) * np.arange(1, parts) / parts)
    return keep, np.unique(np.round(np.asarray(added, float))).astype(np.int64)


def _change_frequency(feed: Feed, edit: ChangeFrequency) -> Feed:
    trips = feed.trips.loc[feed.trips["route_id"] == edit.route_id]
    if trips.empty:
        raise ScenarioError(f"change_frequency: route {edit.route_id!r} has no trips in the feed.")
    headway_s = edit.headway_min * 60.0
    st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips["trip_id"])].sort_values(
        ["trip_id", "stop_sequence"], kind="stable"
    )
    by_trip = st.groupby("trip_id", sort=False)
    info = pd.DataFrame(
        {
            "first_s": by_trip["departure_s"].first(),
            "stops": by_trip["stop_id"].agg(tuple),
        }
    ).join(trips.set_index("trip_id")[["service_id", "direction_id", "shape_id"]])
    info = info.sort_values("first_s", kind="stable")
    dropped: list[str] = []
    new_trips: list[dict[str, object]] = []
    # Stop times of the added trips, gathered as arrays and framed once (thousands of
    # trips when every profile of a busy route is filled: a frame per trip took minutes).
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("trip", "seq", "stop", "arr", "dep")}
    templates: dict[object, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    groups = info.groupby(["service_id", "direction_id", "stops"], sort=False, dropna=False)
    for pattern, (_, group) in enumerate(groups):
        originals = group["first_s"].to_numpy(np.int64)
        span = (
            _secs(edit.start) if edit.start else int(originals[0]),
            _secs(edit.end) if edit.end else int(originals[-1]),
        )
        keep, added = _pattern_departures(originals, headway_s, span)
        dropped.extend(group.index[~keep])
        service_id = group["service_id"].iloc[0]
        direction_id = group["direction_id"].iloc[0]
        shapes = group["shape_id"]
        for t0 in added:
            # Running times of the pattern's original trip nearest in time (earlier on a tie).
            rep = group.index[int(np.argmin(np.abs(originals - t0)))]
            if rep not in templates:
                tpl = by_trip.get_group(rep)
                base = int(tpl["departure_s"].iloc[0])
                templates[rep] = (
                    tpl["stop_sequence"].to_numpy(np.int64),
                    tpl["stop_id"].to_numpy(object),
                    tpl["arrival_s"].to_numpy(np.int64) - base,
                    tpl["departure_s"].to_numpy(np.int64) - base,
                )
            seq, stop_ids, arr, dep = templates[rep]
            trip_id = f"{edit.route_id}:scenario:{pattern}:{int(t0)}"
            new_trips.append(
                {
                    "trip_id": trip_id,
                    "route_id": edit.route_id,
                    "service_id": service_id,
                    "direction_id": direction_id,
                    "shape_id": shapes.at[rep],
                }
            )
            cols["trip"].append(np.full(len(seq), trip_id, dtype=object))
            cols["seq"].append(seq)
            cols["stop"].append(stop_ids)
            cols["arr"].append(arr + int(t0))
            cols["dep"].append(dep + int(t0))
    gone = set(dropped)
    added_trips = pd.DataFrame(new_trips, columns=feed.trips.columns)
    added_st = pd.DataFrame(
        {
            "trip_id": np.concatenate(cols["trip"]) if cols["trip"] else np.zeros(0, object),
            "stop_sequence": np.concatenate(cols["seq"]) if cols["seq"] else np.zeros(0, int),
            "stop_id": np.concatenate(cols["stop"]) if cols["stop"] else np.zeros(0, object),
            "arrival_s": np.concatenate(cols["arr"]) if cols["arr"] else np.zeros(0, int),
            "departure_s": np.concatenate(cols["dep"]) if cols["dep"] else np.zeros(0, int),
        },
        columns=feed.stop_times.columns,
    )
    kept_trips = feed.trips.loc[~feed.trips["trip_id"].isin(gone)]
    kept_st = feed.stop_times.loc[~feed.stop_times["trip_id"].isin(gone)]
    return Feed(
        stops=feed.stops.copy(),
        routes=feed.routes.copy(),
        trips=pd.concat(
            [kept_trips, added_trips.astype(feed.trips.dtypes.to_dict())], ignore_index=True
        ),
        stop_times=pd.concat(
            [kept_st, added_st.astype(feed.stop_times.dtypes.to_dict())],
            ignore_index=True,
        ),
        calendar=feed.calendar.copy(),
        calendar_dates=feed.calendar_dates.copy(),
        frequencies=feed.frequencies.loc[~feed.frequencies["trip_id"].isin(gone)].reset_index(
            drop=True
        ),
        source=feed.source,
        warnings=feed.warnings,
    )


def _add_feed(feed: Feed, edit: AddFeed, base_dir: Path) -> Feed:
    path = Path(edit.path)
    if not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise ScenarioError(
            f"add_feed: {path} does not exist (paths are relative to the scenario file's folder)."
        )
    if path.suffix.lower() == ".xml":
        extra = load_transxchange(
            path, stop_coordinates=edit.stop_coordinates, require_coordinates=True
        )
    else:
        extra = load_feed(path)
    return merge_feeds([feed, extra], prefixes=["", edit.prefix])


def apply_scenario(feed: Feed, scenario: Scenario, *, base_dir: str | Path = ".") -> Feed:
    """Return a new feed with the scenario's edits applied in order (the input is untouched).

    Parameters
    ----------
    feed
        The baseline feed.
    scenario
        The edits.
    base_dir
        Folder that relative ``add_feed`` paths are read from (the scenario file's folder).

    Returns
    -------
    Feed
        The edited copy.

    Raises
    ------
    ScenarioError
        When an edit does not fit the feed (unknown route or stop, duplicate id).

    Examples
    --------
    >>> import datetime as dt
    >>> from isochrones import Scenario, apply_scenario, build_transit_network, load_feed
    >>> from isochrones import window_travel_times
    >>> feed = load_feed("poa_trensurb.zip")  # Porto Alegre's trains, in the data folder
    >>> net = build_transit_network(feed, dt.date(2019, 5, 13))  # straight-line walks
    >>> no_aero = Scenario(
    ...     name="no airport line", edits=[{"kind": "remove_route", "route_id": "LINHAAERO"}])
    >>> cut = build_transit_network(apply_scenario(feed, no_aero), dt.date(2019, 5, 13))
    >>> window = (dt.time(8), dt.time(9))
    >>> before = window_travel_times(net, net.stop_xy[0], net.stop_xy[-1], window=window)
    >>> after = window_travel_times(cut, net.stop_xy[0], net.stop_xy[-1], window=window)
    >>> float(before.min_s[0, 0] / 60), round(float(after.min_s[0, 0] / 60), 1)
    (14.0, 18.1)
    >>> len(feed.routes)  # the input feed is untouched
    2
    """
    out = feed.copy()
    for edit in scenario.edits:
        if isinstance(edit, AddRoute):
            out = _add_route(out, edit)
        elif isinstance(edit, ChangeFrequency):
            out = _change_frequency(out, edit)
        elif isinstance(edit, ExtendSpan):
            out = _extend_span(out, edit)
        elif isinstance(edit, InsertStop):
            out = _insert_stop(out, edit)
        elif isinstance(edit, AddFeed):
            out = _add_feed(out, edit, Path(base_dir))
        else:
            out = _remove_route(out, edit.route_id)
    return replace(
        out,
        stop_times=out.stop_times.sort_values(
            ["trip_id", "stop_sequence"], kind="stable", ignore_index=True
        ),
    )


def diff_times(baseline: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Per-origin change between two result tables with the same index and columns.

    Parameters
    ----------
    baseline, scenario
        Minutes per origin (e.g. :meth:`isochrones.transit.WindowTimes.to_frame`).

    Returns
    -------
    pandas.DataFrame
        ``<col>_base``, ``<col>_scenario`` and ``<col>_change`` (scenario minus baseline;
        negative is faster; ``-inf`` where the scenario newly connects an origin).
    """
    if list(baseline.columns) != list(scenario.columns) or not baseline.index.equals(
        scenario.index
    ):
        raise ScenarioError("diff_times: the two tables must have the same index and columns.")
    parts = {}
    for col in baseline.columns:
        b = baseline[col].to_numpy(float)
        s = scenario[col].to_numpy(float)
        with np.errstate(invalid="ignore"):
            change = np.where(np.isinf(b) & np.isinf(s), 0.0, s - b)
        parts[f"{col}_base"] = b
        parts[f"{col}_scenario"] = s
        parts[f"{col}_change"] = change
    return pd.DataFrame(parts, index=baseline.index)
