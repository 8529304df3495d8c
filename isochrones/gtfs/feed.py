"""Read a GTFS feed (zip or folder) into typed pandas tables, and check it.

:func:`load_feed` reads the files, validates them once and reports *every* fatal problem in
one :class:`~isochrones.gtfs.errors.FeedError`; recoverable problems (rows that can be dropped,
times that can be interpolated) are logged and kept in :attr:`Feed.warnings` with counts.

Times are stored as integer seconds after midnight of the service day, so ``25:10:00``
(a trip running past midnight) is ``90600``. Stop times left blank between timing points are
interpolated along the straight-line distance between the stops, as GTFS allows.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from isochrones.gtfs.errors import FeedError

__all__ = [
    "Feed",
    "empty_feed",
    "load_feed",
    "merge_feeds",
    "parse_gtfs_time",
    "validate_feed",
]

logger = logging.getLogger(__name__)

REQUIRED_FILES = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id",),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar.txt": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_STOPS_COLS = ["stop_id", "stop_name", "stop_lat", "stop_lon"]
_ROUTES_COLS = ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"]
_TRIPS_COLS = ["trip_id", "route_id", "service_id", "direction_id", "shape_id"]
_ST_COLS = ["trip_id", "stop_sequence", "stop_id", "arrival_s", "departure_s"]
_CAL_COLS = ["service_id", *WEEKDAYS, "start_date", "end_date"]
_CD_COLS = ["service_id", "date", "exception_type"]
_FREQ_COLS = ["trip_id", "start_s", "end_s", "headway_s", "exact_times"]


@dataclass(frozen=True)
class Feed:
    """A timetable as typed tables (the GTFS subset routing needs).

    Attributes
    ----------
    stops
        ``stop_id`` (str), ``stop_name`` (str), ``stop_lat``, ``stop_lon`` (float, WGS84).
    routes
        ``route_id``, ``agency_id``, ``route_short_name``, ``route_long_name`` (str),
        ``route_type`` (int).
    trips
        ``trip_id``, ``route_id``, ``service_id`` (str), ``direction_id`` (int, -1 unknown),
        ``shape_id`` (str).
    stop_times
        ``trip_id`` (str), ``stop_sequence`` (int), ``stop_id`` (str), ``arrival_s`` and
        ``departure_s`` (int seconds after midnight of the service day, may exceed 86400),
        sorted by trip and sequence.
    calendar
        ``service_id``, one bool column per weekday, ``start_date`` and ``end_date``
        (``datetime64``).
    calendar_dates
        ``service_id``, ``date`` (``datetime64``), ``exception_type`` (1 added, 2 removed).
    frequencies
        ``trip_id``, ``start_s``, ``end_s``, ``headway_s``, ``exact_times`` (int).
    source
        Where the feed was read from (for messages).
    warnings
        Recoverable problems found while reading, with counts.
    """

    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame
    source: str = "feed"
    warnings: tuple[str, ...] = field(default=())

    def copy(self) -> Feed:
        """Return a deep copy (scenarios edit copies, never the input)."""
        return replace(
            self,
            stops=self.stops.copy(),
            routes=self.routes.copy(),
            trips=self.trips.copy(),
            stop_times=self.stop_times.copy(),
            calendar=self.calendar.copy(),
            calendar_dates=self.calendar_dates.copy(),
            frequencies=self.frequencies.copy(),
        )


def empty_feed(source: str = "feed") -> Feed:
    """Return a feed with every table present and empty (a base for builders).

    Parameters
    ----------
    source
        Name used in messages.

    Returns
    -------
    Feed
        Empty typed tables.
    """
    return Feed(
        stops=_typed_stops(pd.DataFrame(columns=_STOPS_COLS)),
        routes=_typed_routes(pd.DataFrame(columns=_ROUTES_COLS)),
        trips=_typed_trips(pd.DataFrame(columns=_TRIPS_COLS)),
        stop_times=_typed_stop_times(pd.DataFrame(columns=_ST_COLS)),
        calendar=_typed_calendar(pd.DataFrame(columns=_CAL_COLS)),
        calendar_dates=_typed_calendar_dates(pd.DataFrame(columns=_CD_COLS)),
        frequencies=_typed_frequencies(pd.DataFrame(columns=_FREQ_COLS)),
        source=source,
    )


# The GTFS time grammar, as read since the first release: optional surrounding whitespace,
# one to three hour digits (trips run past 24:00:00), two-digit minutes and seconds below 60.
_TIME_RE = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
# The same grammar in RE2 (pyarrow's engine), ASCII only. Every string it matches, Python's
# strip() and _TIME_RE read to the same numbers; what it does not match (blanks aside) is
# re-read by _TIME_RE, so exotic input (Unicode digits or spaces) keeps its old reading.
_ASCII_SPACE = r"[ \t\n\v\f\r]"
_TIME_RE2 = (
    f"^{_ASCII_SPACE}*(?P<h>[0-9]{{1,3}}):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9]){_ASCII_SPACE}*$"
)
_BLANK_RE2 = f"^{_ASCII_SPACE}*$"


def _parse_times_python(values: pd.Series) -> pd.Series:
    """Read times one string at a time with :data:`_TIME_RE` (the fallback for odd strings)."""
    parts = values.astype(str).str.strip().str.extract(_TIME_RE)
    secs = parts.astype(float)
    return secs[0] * 3600 + secs[1] * 60 + secs[2]


def parse_gtfs_time(values: pd.Series) -> pd.Series:
    """Parse ``H:MM:SS`` strings (hours may exceed 24) into seconds; blanks become NA.

    The strings are matched in one vectorised pass (pyarrow's RE2); only strings that are
    neither times nor blank are looked at again one by one, so a feed's bad rows cost time
    but its good ones do not.

    Parameters
    ----------
    values
        Strings as in ``stop_times.txt``: ``H:MM:SS`` or ``HH:MM:SS`` (``25:10:00`` is
        after midnight of the service day), blank where the time is to be interpolated,
        surrounding whitespace allowed.

    Returns
    -------
    pandas.Series
        Float seconds on the input's index (NaN where blank or unparseable).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_gtfs_time(pd.Series(["7:05:00", " 25:10:00", "", "8:61:00"])).tolist()
    [25500.0, 90600.0, nan, nan]
    """
    strings = pa.array(values.astype(str), type=pa.large_string(), from_pandas=True)
    parts = pc.extract_regex(strings, _TIME_RE2)
    # flatten() carries the match's nulls into the fields (an unmatched row is null).
    hours, minutes, seconds = (pc.cast(f, pa.int64()) for f in parts.flatten())
    total = pc.add(pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)), seconds)
    out = pd.Series(pc.cast(total, pa.float64()).to_numpy(zero_copy_only=False), index=values.index)
    odd = pc.and_(
        pc.is_null(parts), pc.invert(pc.match_substring_regex(strings, _BLANK_RE2))
    ).fill_null(False)
    odd_np = odd.to_numpy(zero_copy_only=False)
    if odd_np.any():
        out[odd_np] = _parse_times_python(values[odd_np]).to_numpy()
    return out


# --------------------------------------------------------------------------- reading


def _read_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Read every ``*.txt`` table of a zip or folder as strings, column names stripped."""
    raw: dict[str, bytes] = {}
    if path.is_dir():
        for member in path.iterdir():
            if member.suffix == ".txt":
                raw[member.name] = member.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = Path(info.filename).name
                # Feeds zipped with an enclosing folder keep their tables one level down.
                if name.endswith(".txt") and not info.is_dir():
                    raw[name] = zf.read(info)
    else:
        raise FeedError(
            f"{path} is neither a GTFS zip nor a folder of GTFS .txt files; "
            "pass the feed's .zip or the folder holding stops.txt.",
            source=str(path),
        )
    tables = {}
    for name, data in raw.items():
        if not data.strip():
            tables[name] = pd.DataFrame()
            continue
        df = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skipinitialspace=True,
        )
        df.columns = [str(c).strip() for c in df.columns]
        tables[name] = df
    return tables


def load_feed(path: str | Path, *, interpolate: bool = True) -> Feed:
    """Load and validate a GTFS feed from a zip file or a folder.

    Parameters
    ----------
    path
        The feed's ``.zip`` or folder.
    interpolate
        Fill blank stop times between timing points along the straight-line distance
        between stops (otherwise blank times are a fatal problem).

    Returns
    -------
    Feed
        Typed tables; recoverable problems are listed in ``Feed.warnings``.

    Raises
    ------
    FeedError
        Listing every fatal problem (missing files or columns, stops without coordinates,
        stop times out of order, unknown ids, unparseable times).

    Examples
    --------
    >>> from isochrones import load_feed
    >>> feed = load_feed("poa_trensurb.zip")  # Porto Alegre's trains, in the data folder
    >>> feed.routes["route_id"].tolist()
    ['LINHA1', 'LINHAAERO']
    >>> feed.stops["stop_name"].iloc[[0, -1]].tolist()
    ['ESTACAO MERCADO', 'ESTACAO AERO SALGADO FILHO']
    """
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise FeedError(f"GTFS feed {path} does not exist; check the path.", source=source)
    tables = _read_tables(path)
    problems: list[str] = []
    for name in REQUIRED_FILES:
        if name not in tables:
            problems.append(f"required file {name} is missing from the feed.")
    if "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        problems.append(
            "neither calendar.txt nor calendar_dates.txt is present: no trip can be given a date."
        )
    for name, cols in REQUIRED_COLUMNS.items():
        if name in tables:
            missing = [c for c in cols if c not in tables[name].columns]
            if missing:
                problems.append(f"{name} lacks required column(s) {', '.join(missing)}.")
    if problems:
        raise FeedError(problems, source=source)

    warnings: list[str] = []
    stops = tables["stops.txt"].copy()
    for col in ("stop_name",):
        if col not in stops.columns:
            stops[col] = ""
    stops["stop_lat"] = pd.to_numeric(stops["stop_lat"].str.strip(), errors="coerce")
    stops["stop_lon"] = pd.to_numeric(stops["stop_lon"].str.strip(), errors="coerce")
    routes = tables["routes.txt"].copy()
    for col in ("agency_id", "route_short_name", "route_long_name"):
        if col not in routes.columns:
            routes[col] = ""
    if "route_type" not in routes.columns:
        routes["route_type"] = "3"
    routes["route_type"] = pd.to_numeric(routes["route_type"], errors="coerce").fillna(3)
    trips = tables["trips.txt"].copy()
    for col in ("shape_id",):
        if col not in trips.columns:
            trips[col] = ""
    trips["direction_id"] = pd.to_numeric(
        trips.get("direction_id", pd.Series("", index=trips.index)), errors="coerce"
    ).fillna(-1)

    st = tables["stop_times.txt"].copy()
    st["arrival_s"] = parse_gtfs_time(st["arrival_time"])
    st["departure_s"] = parse_gtfs_time(st["departure_time"])
    problems.extend(
        _bad_time_problems(
            "stop_times.txt", st, {"arrival_time": "arrival_s", "departure_time": "departure_s"}
        )
    )
    st["stop_sequence"] = pd.to_numeric(st["stop_sequence"], errors="coerce")
    if st["stop_sequence"].isna().any():
        problems.append(
            f"stop_times.txt: {int(st['stop_sequence'].isna().sum())} stop_sequence value(s) "
            "are not integers."
        )

    calendar = tables.get("calendar.txt", pd.DataFrame(columns=_CAL_COLS)).copy()
    for day in WEEKDAYS:
        calendar[day] = calendar[day].astype(str).str.strip()
        bad = ~calendar[day].isin(["0", "1"])
        if bad.any():
            problems.append(f"calendar.txt: column {day} has {int(bad.sum())} value(s) not 0/1.")
    for col in ("start_date", "end_date"):
        calendar[col] = pd.to_datetime(calendar[col].astype(str), format="%Y%m%d", errors="coerce")
        if calendar[col].isna().any():
            problems.append(
                f"calendar.txt: {int(calendar[col].isna().sum())} {col} value(s) are not YYYYMMDD."
            )
    cdates = tables.get("calendar_dates.txt", pd.DataFrame(columns=_CD_COLS)).copy()
    cdates["date"] = pd.to_datetime(cdates["date"].astype(str), format="%Y%m%d", errors="coerce")
    cdates["exception_type"] = pd.to_numeric(cdates["exception_type"], errors="coerce")
    bad_cd = cdates["date"].isna() | ~cdates["exception_type"].isin([1, 2])
    if bad_cd.any():
        problems.append(
            f"calendar_dates.txt: {int(bad_cd.sum())} row(s) have a date not YYYYMMDD or an "
            "exception_type other than 1 or 2."
        )
    freq = tables.get("frequencies.txt", pd.DataFrame(columns=REQUIRED_COLUMNS["frequencies.txt"]))
    freq = freq.copy()
    freq["start_s"] = parse_gtfs_time(freq["start_time"])
    freq["end_s"] = parse_gtfs_time(freq["end_time"])
    freq["headway_s"] = pd.to_numeric(freq["headway_secs"], errors="coerce")
    freq["exact_times"] = pd.to_numeric(
        freq.get("exact_times", pd.Series("", index=freq.index)), errors="coerce"
    ).fillna(0)
    problems.extend(
        _bad_time_problems("frequencies.txt", freq, {"start_time": "start_s", "end_time": "end_s"})
    )
    bad_f = freq[["start_s", "end_s", "headway_s"]].isna().any(axis=1) | (freq["headway_s"] <= 0)
    if bad_f.any():
        problems.append(
            f"frequencies.txt: {int(bad_f.sum())} row(s) have a blank or unparseable time or a "
            "headway that is not a positive number of seconds."
        )
    if problems:
        raise FeedError(problems, source=source)

    feed = Feed(
        stops=stops,
        routes=routes,
        trips=trips,
        stop_times=st,
        calendar=calendar,
        calendar_dates=cdates,
        frequencies=freq,
        source=source,
    )
    return validate_feed(feed, interpolate=interpolate, extra_warnings=warnings)


def _bad_time_problems(name: str, table: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """Name the rows of ``name`` whose time columns are neither blank nor ``H:MM:SS``.

    ``columns`` maps each text column to the column of seconds parsed from it. Rows are
    counted as in the file: data row 1 is the line after the header.
    """
    problems = []
    for text_col, secs_col in columns.items():
        # Only rows without seconds can be bad; blanks among them are fine.
        unread = table[secs_col].isna().to_numpy()
        written = table.loc[unread, text_col].astype(str).str.strip() != ""
        bad_positions = np.flatnonzero(unread)[written.to_numpy()]
        if not len(bad_positions):
            continue
        position = int(bad_positions[0])
        row = table.iloc[position]
        trip = f", trip {row['trip_id']!r}" if "trip_id" in table.columns else ""
        problems.append(
            f"{name}: {len(bad_positions)} {text_col} value(s) are not H:MM:SS, e.g. data row "
            f"{position + 1}{trip}: {row[text_col]!r}; write times as H:MM:SS "
            "(hours may pass 24, e.g. 25:10:00) or leave them blank to be interpolated."
        )
    return problems


# --------------------------------------------------------------------------- validation


def _haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    rlat1, rlat2 = np.radians(lat1), np.radians(lat2)
    dlat = rlat2 - rlat1
    dlon = np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(rlat1) * np.cos(rlat2) * np.sin(dlon / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _interpolate_times(st: pd.DataFrame, stops: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Fill blank times between timing points by straight-line distance along the trip."""
    st = st.copy()
    # A stop with only one of arrival/departure given uses it for both.
    st["arrival_s"] = st["arrival_s"].fillna(st["departure_s"])
    st["departure_s"] = st["departure_s"].fillna(st["arrival_s"])
    blank = st["arrival_s"].isna()
    n_blank = int(blank.sum())
    if n_blank == 0:
        return st, 0
    coords = stops.set_index("stop_id")[["stop_lat", "stop_lon"]]
    lat = st["stop_id"].map(coords["stop_lat"]).to_numpy(float)
    lon = st["stop_id"].map(coords["stop_lon"]).to_numpy(float)
    trip = st["trip_id"].to_numpy()
    same = np.r_[False, trip[1:] == trip[:-1]]
    step = np.zeros(len(st))
    step[1:] = _haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    step[~same] = 0.0
    step = np.nan_to_num(step)
    # Distances of zero would stall the interpolation; a metre keeps the order of stops.
    step[same] = np.maximum(step[same], 1.0)
    dist = pd.Series(step, index=st.index).groupby(st["trip_id"], sort=False).cumsum()
    known_d = dist.where(~blank)
    groups = st["trip_id"]
    next_t = st["departure_s"].where(~blank).groupby(groups, sort=False).bfill()
    prev_t = st["departure_s"].where(~blank).groupby(groups, sort=False).ffill()
    prev_d = known_d.groupby(groups, sort=False).ffill()
    next_d = known_d.groupby(groups, sort=False).bfill()
    frac = (dist - prev_d) / (next_d - prev_d)
    filled = (prev_t + frac * (next_t - prev_t)).round()
    st.loc[blank, "arrival_s"] = filled[blank]
    st.loc[blank, "departure_s"] = filled[blank]
    return st, n_blank


def validate_feed(
    feed: Feed,
    *,
    interpolate: bool = True,
    require_coordinates: bool = True,
    extra_warnings: Iterable[str] = (),
) -> Feed:
    """Check a feed's tables against each other and return a typed, sorted copy.

    Parameters
    ----------
    feed
        Tables as read (columns present, values maybe untyped).
    interpolate
        Fill blank intermediate stop times along the trip (see :func:`load_feed`).
    require_coordinates
        Treat a used stop without valid coordinates as fatal (TransXChange files often lack
        them; pass ``False`` and add coordinates later).
    extra_warnings
        Warnings found earlier, kept in the result.

    Returns
    -------
    Feed
        A new feed; the input is not modified.

    Raises
    ------
    FeedError
        Listing every fatal problem.
    """
    problems: list[str] = []
    warnings = list(extra_warnings)
    stops = feed.stops.copy()
    stops["stop_id"] = stops["stop_id"].astype(str).str.strip()
    routes = feed.routes.copy()
    routes["route_id"] = routes["route_id"].astype(str).str.strip()
    trips = feed.trips.copy()
    for col in ("trip_id", "route_id", "service_id"):
        trips[col] = trips[col].astype(str).str.strip()
    st = feed.stop_times.copy()
    st["trip_id"] = st["trip_id"].astype(str).str.strip()
    st["stop_id"] = st["stop_id"].astype(str).str.strip()

    for name, df, key in (
        ("stops.txt", stops, "stop_id"),
        ("routes.txt", routes, "route_id"),
        ("trips.txt", trips, "trip_id"),
    ):
        dup = df[key].duplicated()
        if dup.any():
            problems.append(
                f"{name}: {int(dup.sum())} duplicate {key}(s), e.g. {df.loc[dup, key].iloc[0]!r}; "
                "ids must be unique."
            )

    # Unknown ids.
    unknown_route = ~trips["route_id"].isin(routes["route_id"])
    if unknown_route.any():
        problems.append(
            f"trips.txt: {int(unknown_route.sum())} trip(s) name a route_id not in routes.txt, "
            f"e.g. {trips.loc[unknown_route, 'route_id'].iloc[0]!r}."
        )
    unknown_stop = ~st["stop_id"].isin(stops["stop_id"])
    if unknown_stop.any():
        problems.append(
            f"stop_times.txt: {int(unknown_stop.sum())} row(s) name a stop_id not in stops.txt, "
            f"e.g. {st.loc[unknown_stop, 'stop_id'].iloc[0]!r}."
        )
    unknown_trip = ~st["trip_id"].isin(trips["trip_id"])
    if unknown_trip.any():
        warnings.append(
            f"stop_times.txt: dropped {int(unknown_trip.sum())} row(s) whose trip_id is not in "
            f"trips.txt (e.g. {st.loc[unknown_trip, 'trip_id'].iloc[0]!r})."
        )
        st = st.loc[~unknown_trip]
    known_services = set(feed.calendar["service_id"].astype(str)) | set(
        feed.calendar_dates["service_id"].astype(str)
    )
    no_service = ~trips["service_id"].isin(known_services)
    if no_service.any():
        warnings.append(
            f"trips.txt: {int(no_service.sum())} trip(s) have a service_id found in neither "
            "calendar.txt nor calendar_dates.txt; they never run."
        )
    freq = feed.frequencies.copy()
    if len(freq):
        freq["trip_id"] = freq["trip_id"].astype(str).str.strip()
        unknown_f = ~freq["trip_id"].isin(trips["trip_id"])
        if unknown_f.any():
            problems.append(
                f"frequencies.txt: {int(unknown_f.sum())} row(s) name a trip_id not in trips.txt."
            )

    # Coordinates.
    bad_xy = (
        stops["stop_lat"].isna()
        | stops["stop_lon"].isna()
        | ~stops["stop_lat"].between(-90, 90)
        | ~stops["stop_lon"].between(-180, 180)
        | ((stops["stop_lat"] == 0) & (stops["stop_lon"] == 0))
    )
    if bad_xy.any():
        used = stops["stop_id"].isin(st["stop_id"])
        bad_used = bad_xy & used
        if bad_used.any() and require_coordinates:
            ids = ", ".join(repr(s) for s in stops.loc[bad_used, "stop_id"].head(5))
            problems.append(
                f"stops.txt: {int(bad_used.sum())} stop(s) used by trips have no valid "
                f"coordinates ({ids}); add stop_lat/stop_lon."
            )
        unused_bad = bad_xy & ~used
        if unused_bad.any():
            warnings.append(
                f"stops.txt: dropped {int(unused_bad.sum())} unused stop(s) without coordinates."
            )
            stops = stops.loc[~unused_bad]

    # Times: order and blanks.
    st = st.sort_values(["trip_id", "stop_sequence"], kind="stable")
    dup_seq = st.duplicated(["trip_id", "stop_sequence"])
    if dup_seq.any():
        problems.append(
            f"stop_times.txt: {int(dup_seq.sum())} repeated (trip_id, stop_sequence) pair(s), "
            f"e.g. trip {st.loc[dup_seq, 'trip_id'].iloc[0]!r}."
        )
    first = ~st["trip_id"].duplicated(keep="first")
    last = ~st["trip_id"].duplicated(keep="last")
    ends_blank = (first | last) & st["arrival_s"].isna() & st["departure_s"].isna()
    if ends_blank.any():
        problems.append(
            f"stop_times.txt: {int(ends_blank.sum())} first/last stop(s) of a trip have no time, "
            f"e.g. trip {st.loc[ends_blank, 'trip_id'].iloc[0]!r}; give times at both ends."
        )
    n_blank = int((st["arrival_s"].isna() & st["departure_s"].isna()).sum())
    if n_blank and not interpolate:
        problems.append(
            f"stop_times.txt: {n_blank} blank time(s) and interpolation is off; "
            "pass interpolate=True or fill the times."
        )
    if problems:
        raise FeedError(problems, source=feed.source)
    if n_blank:
        st, n_filled = _interpolate_times(st, stops)
        warnings.append(
            f"stop_times.txt: interpolated {n_filled} blank time(s) between timing points."
        )
    arr = st["arrival_s"].to_numpy(float)
    dep = st["departure_s"].to_numpy(float)
    trip = st["trip_id"].to_numpy()
    same = np.r_[False, trip[1:] == trip[:-1]]
    backwards = (dep < arr) | np.r_[False, (arr[1:] < dep[:-1]) & same[1:]]
    if backwards.any():
        bad_trips = pd.unique(trip[backwards])
        problems.append(
            f"stop_times.txt: times go backwards in {len(bad_trips)} trip(s) "
            f"(e.g. {bad_trips[0]!r}): stop_times must be in stop_sequence order with "
            "non-decreasing times."
        )
    short = st.groupby("trip_id", sort=False).size()
    if (short < 2).any():
        warnings.append(
            f"stop_times.txt: dropped {int((short < 2).sum())} trip(s) with fewer than 2 stops."
        )
        st = st.loc[st["trip_id"].isin(short.index[short >= 2])]
    if problems:
        raise FeedError(problems, source=feed.source)

    for w in warnings:
        logger.warning("%s: %s", feed.source, w)
    return Feed(
        stops=_typed_stops(stops),
        routes=_typed_routes(routes),
        trips=_typed_trips(trips),
        stop_times=_typed_stop_times(st),
        calendar=_typed_calendar(feed.calendar),
        calendar_dates=_typed_calendar_dates(feed.calendar_dates),
        frequencies=_typed_frequencies(freq),
        source=feed.source,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- typing


def _typed_stops(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_STOPS_COLS).reset_index(drop=True)
    out["stop_id"] = out["stop_id"].astype(str)
    out["stop_name"] = out["stop_name"].fillna("").astype(str)
    out["stop_lat"] = pd.to_numeric(out["stop_lat"], errors="coerce").astype(float)
    out["stop_lon"] = pd.to_numeric(out["stop_lon"], errors="coerce").astype(float)
    return out


def _typed_routes(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_ROUTES_COLS).reset_index(drop=True)
    for col in ("route_id", "agency_id", "route_short_name", "route_long_name"):
        out[col] = out[col].fillna("").astype(str)
    out["route_type"] = pd.to_numeric(out["route_type"], errors="coerce").fillna(3).astype(int)
    return out


def _typed_trips(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_TRIPS_COLS).reset_index(drop=True)
    for col in ("trip_id", "route_id", "service_id", "shape_id"):
        out[col] = out[col].fillna("").astype(str)
    out["direction_id"] = pd.to_numeric(out["direction_id"], errors="coerce").fillna(-1).astype(int)
    return out


def _typed_stop_times(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_ST_COLS).reset_index(drop=True)
    out["trip_id"] = out["trip_id"].astype(str)
    out["stop_id"] = out["stop_id"].astype(str)
    for col in ("stop_sequence", "arrival_s", "departure_s"):
        out[col] = pd.to_numeric(out[col]).astype(np.int64)
    return out


def _typed_calendar(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_CAL_COLS).reset_index(drop=True)
    out["service_id"] = out["service_id"].astype(str).str.strip()
    for day in WEEKDAYS:
        out[day] = out[day].astype(str).str.strip().isin(["1", "True", "true"])
    for col in ("start_date", "end_date"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    return out


def _typed_calendar_dates(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_CD_COLS).reset_index(drop=True)
    out["service_id"] = out["service_id"].astype(str).str.strip()
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["exception_type"] = pd.to_numeric(out["exception_type"]).astype(int)
    return out


def _typed_frequencies(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=_FREQ_COLS).reset_index(drop=True)
    out["trip_id"] = out["trip_id"].astype(str)
    for col in ("start_s", "end_s", "headway_s", "exact_times"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(np.int64)
    return out


def merge_feeds(feeds: Iterable[Feed], *, prefixes: Iterable[str] | None = None) -> Feed:
    """Combine several feeds (e.g. bus and train) into one, prefixing ids to keep them apart.

    Parameters
    ----------
    feeds
        Validated feeds.
    prefixes
        One prefix per feed (default ``"0:"``, ``"1:"``...); stop, route, trip and service
        ids are prefixed so feeds that reuse ids do not collide.

    Returns
    -------
    Feed
        A new feed; the inputs are not modified.
    """
    feeds = list(feeds)
    pre = list(prefixes) if prefixes is not None else [f"{i}:" for i in range(len(feeds))]
    if len(pre) != len(feeds):
        raise FeedError("merge_feeds: give exactly one prefix per feed.")
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in _TABLES}
    for f, p in zip(feeds, pre, strict=True):
        for table, cols in _ID_COLUMNS.items():
            df = getattr(f, table).copy()
            for col in cols:
                df[col] = p + df[col].astype(str)
            parts[table].append(df)
    merged = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    return Feed(
        **merged,
        source=" + ".join(f.source for f in feeds),
        warnings=tuple(w for f in feeds for w in f.warnings),
    )


_TABLES = (
    "stops",
    "routes",
    "trips",
    "stop_times",
    "calendar",
    "calendar_dates",
    "frequencies",
)
_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id",),
    "routes": ("route_id",),
    "trips": ("trip_id", "route_id", "service_id"),
    "stop_times": ("trip_id", "stop_id"),
    "calendar": ("service_id",),
    "calendar_dates": ("service_id",),
    "frequencies": ("trip_id",),
}
