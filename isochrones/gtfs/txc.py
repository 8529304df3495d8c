"""Import a TransXChange (UK bus timetable XML) file into the same tables as GTFS.

TransXChange describes a service as journey patterns (ordered timing links between NaPTAN
stops, each with a run time) and vehicle journeys (a pattern and a departure time) that run
on the days of an operating profile (days of the week, dated exceptions, bank holidays).
This module maps them onto GTFS:

- ``Line`` -> route (``route_short_name`` = ``LineName``);
- ``VehicleJourney`` -> trip, with stop times from the pattern's run and wait times;
- ``OperatingProfile`` + ``OperatingPeriod`` -> a calendar row and calendar dates
  (days of non-operation, England and Wales bank holidays);
- stops keep their NaPTAN ATCO code as ``stop_id``; coordinates come from ``StopPoint``
  ``Location`` (latitude/longitude, or easting/northing on the British National Grid) when the
  file has them, else from ``stop_coordinates`` (e.g. a NaPTAN extract), else NaN.

The XML is parsed with defusedxml, which refuses entity-expansion attacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as safe_et  # noqa: N813
import numpy as np
import pandas as pd

from isochrones.gtfs.errors import FeedError
from isochrones.gtfs.feed import WEEKDAYS, Feed, validate_feed

__all__ = ["bank_holidays_england", "load_transxchange", "load_transxchange_files"]

logger = logging.getLogger(__name__)

_DAY_SETS: dict[str, tuple[int, ...]] = {
    "Monday": (0,),
    "Tuesday": (1,),
    "Wednesday": (2,),
    "Thursday": (3,),
    "Friday": (4,),
    "Saturday": (5,),
    "Sunday": (6,),
    "MondayToFriday": (0, 1, 2, 3, 4),
    "MondayToSaturday": (0, 1, 2, 3, 4, 5),
    "MondayToSunday": (0, 1, 2, 3, 4, 5, 6),
    "NotMonday": (1, 2, 3, 4, 5, 6),
    "NotTuesday": (0, 2, 3, 4, 5, 6),
    "NotWednesday": (0, 1, 3, 4, 5, 6),
    "NotThursday": (0, 1, 2, 4, 5, 6),
    "NotFriday": (0, 1, 2, 3, 5, 6),
    "NotSaturday": (0, 1, 2, 3, 4, 6),
    "NotSunday": (0, 1, 2, 3, 4, 5),
    "Weekend": (5, 6),
}


_LAST_DATE = dt.date(2200, 12, 31)
"""End dates beyond this (TNDS writes 2500-01-01 for "no end") are clipped to it."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root: Any) -> None:
    for el in root.iter():
        el.tag = _local(el.tag)


def _text(el: Any, path: str, default: str = "") -> str:
    found = el.find(path)
    if found is None or found.text is None:
        return default
    return found.text.strip()


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _duration_s(text: str) -> int:
    """Parse an ISO 8601 duration such as ``PT3M30S`` into seconds."""
    m = _DURATION.match(text.strip()) if text else None
    if not m:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return round(d * 86400 + h * 3600 + mi * 60 + s)


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month = (h + ll - 7 * m + 114) // 31
    day = ((h + ll - 7 * m + 114) % 31) + 1
    return dt.date(year, month, day)


def _substitute(day: dt.date, taken: set[dt.date]) -> dt.date:
    while day.weekday() >= 5 or day in taken:
        day += dt.timedelta(days=1)
    return day


def bank_holidays_england(year: int) -> dict[str, list[dt.date]]:
    """Return England and Wales bank holidays of ``year`` by TransXChange element name.

    Parameters
    ----------
    year
        Calendar year.

    Returns
    -------
    dict
        ``{"ChristmasDay": [date], ...}`` with weekend holidays moved to their substitute
        weekday (the rule used since 1971; one-off royal holidays are not included).
    """
    easter = _easter(year)
    may = dt.date(year, 5, 1)
    first_mon_may = may + dt.timedelta(days=(7 - may.weekday()) % 7)
    last_may = dt.date(year, 5, 31)
    spring = last_may - dt.timedelta(days=last_may.weekday())
    last_aug = dt.date(year, 8, 31)
    summer = last_aug - dt.timedelta(days=last_aug.weekday())
    new_year = _substitute(dt.date(year, 1, 1), set())
    xmas_weekday = dt.date(year, 12, 25).weekday()
    if xmas_weekday == 5:  # Saturday: Christmas moves to Monday, Boxing Day to Tuesday
        christmas, boxing = dt.date(year, 12, 27), dt.date(year, 12, 28)
    elif xmas_weekday == 6:  # Sunday: Boxing Day stays on Monday, Christmas moves to Tuesday
        christmas, boxing = dt.date(year, 12, 27), dt.date(year, 12, 26)
    else:
        christmas = dt.date(year, 12, 25)
        boxing = _substitute(dt.date(year, 12, 26), {christmas})
    return {
        "NewYearsDay": [new_year],
        "GoodFriday": [easter - dt.timedelta(days=2)],
        "EasterMonday": [easter + dt.timedelta(days=1)],
        "MayDay": [first_mon_may],
        "SpringBank": [spring],
        "LateSummerBankHolidayNotScotland": [summer],
        "ChristmasDay": [christmas],
        "BoxingDay": [boxing],
        "ChristmasEve": [dt.date(year, 12, 24)],
        "NewYearsEve": [dt.date(year, 12, 31)],
    }


def _holiday_dates(names: list[str], years: range) -> tuple[list[dt.date], list[str]]:
    groups = {
        "Christmas": ["ChristmasDay", "BoxingDay"],
        "AllBankHolidays": [
            "NewYearsDay",
            "GoodFriday",
            "EasterMonday",
            "MayDay",
            "SpringBank",
            "LateSummerBankHolidayNotScotland",
            "ChristmasDay",
            "BoxingDay",
        ],
        "AllHolidaysExceptChristmas": [
            "NewYearsDay",
            "GoodFriday",
            "EasterMonday",
            "MayDay",
            "SpringBank",
            "LateSummerBankHolidayNotScotland",
        ],
        "EarlyRunOff": ["ChristmasEve", "NewYearsEve"],
    }
    out: list[dt.date] = []
    unknown: list[str] = []
    for year in years:
        table = bank_holidays_england(year)
        for name in names:
            for key in groups.get(name, [name]):
                if key in table:
                    out.extend(table[key])
                elif year == years[0]:
                    unknown.append(key)
    return out, unknown


def _date_ranges(el: Any) -> list[tuple[dt.date, dt.date]]:
    ranges: list[tuple[dt.date, dt.date]] = []
    if el is None:
        return ranges
    for dr in el.findall("DateRange"):
        start, end = _text(dr, "StartDate"), _text(dr, "EndDate")
        if start:
            s = dt.date.fromisoformat(start)
            ranges.append((s, dt.date.fromisoformat(end) if end else s))
    return ranges


def _profile_days(profile: Any) -> tuple[tuple[int, ...], dict[str, Any]]:
    """Weekdays of an OperatingProfile and its special/bank-holiday elements."""
    days: set[int] = set()
    dow = profile.find("RegularDayType/DaysOfWeek") if profile is not None else None
    if dow is not None:
        for child in dow:
            days.update(_DAY_SETS.get(child.tag, ()))
    elif profile is not None and profile.find("RegularDayType/HolidaysOnly") is not None:
        days = set()
    else:
        days = set(range(7))
    return tuple(sorted(days)), {"profile": profile}


def _stop_location(sp: Any) -> tuple[float, float]:
    loc = sp.find("Place/Location")
    if loc is None:
        return float("nan"), float("nan")
    lat = _text(loc, "Translation/Latitude") or _text(loc, "Latitude")
    lon = _text(loc, "Translation/Longitude") or _text(loc, "Longitude")
    if lat and lon:
        return float(lat), float(lon)
    east = _text(loc, "Translation/Easting") or _text(loc, "Easting")
    north = _text(loc, "Translation/Northing") or _text(loc, "Northing")
    if east and north:
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        lon_f, lat_f = tr.transform(float(east), float(north))
        return float(lat_f), float(lon_f)
    return float("nan"), float("nan")


def load_transxchange(
    path: str | Path,
    *,
    stop_coordinates: Mapping[str, tuple[float, float]] | None = None,
    require_coordinates: bool = False,
) -> Feed:
    """Read a TransXChange file into a :class:`~isochrones.gtfs.feed.Feed`.

    Parameters
    ----------
    path
        A TransXChange ``.xml`` file.
    stop_coordinates
        ATCO code -> ``(lat, lon)`` for stops the file lists without a location (e.g. from a
        NaPTAN extract); coordinates in the file win.
    require_coordinates
        Fail when a stop has no coordinates (needed before routing); by default such stops
        keep NaN coordinates and the result can be used for timetable checks.

    Returns
    -------
    Feed
        Typed tables as from :func:`~isochrones.gtfs.feed.load_feed`.

    Raises
    ------
    FeedError
        When the file is not TransXChange or a pattern, stop or time is unusable; lists
        every problem found.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise FeedError(f"TransXChange file {path} does not exist; check the path.", source=source)
    try:
        root = safe_et.parse(str(path)).getroot()
    except Exception as exc:  # defusedxml raises several unrelated classes
        raise FeedError(
            f"cannot parse as XML ({exc}); give a TransXChange .xml file.", source=source
        ) from None
    _strip_namespaces(root)
    if root.tag != "TransXChange":
        raise FeedError(
            f"root element is <{root.tag}>, not <TransXChange>; give a TransXChange file.",
            source=source,
        )
    problems: list[str] = []
    warnings: list[str] = []

    # Stops.
    stops: dict[str, dict[str, Any]] = {}
    for sp in root.findall("StopPoints/AnnotatedStopPointRef"):
        code = _text(sp, "StopPointRef")
        stops[code] = {
            "stop_id": code,
            "stop_name": _text(sp, "CommonName"),
            "stop_lat": float("nan"),
            "stop_lon": float("nan"),
        }
    for sp in root.findall("StopPoints/StopPoint"):
        code = _text(sp, "AtcoCode") or _text(sp, "StopPointRef")
        lat, lon = _stop_location(sp)
        stops[code] = {
            "stop_id": code,
            "stop_name": _text(sp, "Descriptor/CommonName"),
            "stop_lat": lat,
            "stop_lon": lon,
        }
    coords = dict(stop_coordinates or {})
    for code, rec in stops.items():
        if np.isnan(rec["stop_lat"]) and code in coords:
            rec["stop_lat"], rec["stop_lon"] = coords[code]

    # Journey pattern sections: ordered (stop, run time, waits).
    sections: dict[str, list[tuple[str, str, int, int, int]]] = {}
    for jps in root.findall("JourneyPatternSections/JourneyPatternSection"):
        links = []
        for link in jps.findall("JourneyPatternTimingLink"):
            frm, to = _text(link, "From/StopPointRef"), _text(link, "To/StopPointRef")
            try:
                run = _duration_s(_text(link, "RunTime", "PT0S"))
                wait_from = _duration_s(_text(link, "From/WaitTime", "PT0S"))
                wait_to = _duration_s(_text(link, "To/WaitTime", "PT0S"))
            except ValueError as exc:
                problems.append(f"JourneyPatternTimingLink {link.get('id')}: {exc}.")
                continue
            for code in (frm, to):
                if code not in stops:
                    stops[code] = {
                        "stop_id": code,
                        "stop_name": "",
                        "stop_lat": coords.get(code, (np.nan, np.nan))[0],
                        "stop_lon": coords.get(code, (np.nan, np.nan))[1],
                    }
            links.append((frm, to, run, wait_from, wait_to))
        sections[jps.get("id", "")] = links

    # Services, lines, patterns.
    routes, trips, stop_times = [], [], []
    calendars: dict[str, dict[str, Any]] = {}
    cal_dates: list[dict[str, Any]] = []
    patterns: dict[str, tuple[str, list[str], int]] = {}
    service_info: dict[str, tuple[dt.date, dt.date, Any]] = {}
    operator = _text(root, "Operators/Operator/OperatorShortName") or _text(
        root, "Operators/Operator/OperatorCode"
    )
    for svc in root.findall("Services/Service"):
        code = _text(svc, "ServiceCode")
        start = _text(svc, "OperatingPeriod/StartDate")
        end = _text(svc, "OperatingPeriod/EndDate")
        if not start:
            problems.append(f"Service {code}: OperatingPeriod has no StartDate.")
            continue
        s = dt.date.fromisoformat(start)
        e = dt.date.fromisoformat(end) if end else s + dt.timedelta(days=365)
        # pandas timestamps end in 2262; "open-ended" services carry 2099 or 2500 end dates.
        e = min(e, _LAST_DATE)
        service_info[code] = (s, e, svc.find("OperatingProfile"))
        desc = _text(svc, "Description")
        for line in svc.findall("Lines/Line"):
            routes.append(
                {
                    "route_id": line.get("id", code),
                    "agency_id": operator,
                    "route_short_name": _text(line, "LineName"),
                    "route_long_name": desc,
                    "route_type": 3,
                }
            )
        for jp in svc.findall("StandardService/JourneyPattern"):
            direction = {"outbound": 0, "inbound": 1}.get(_text(jp, "Direction"), -1)
            refs = [r.text.strip() for r in jp.findall("JourneyPatternSectionRefs") if r.text]
            missing = [r for r in refs if r not in sections]
            if missing:
                problems.append(
                    f"JourneyPattern {jp.get('id')}: unknown JourneyPatternSection(s) {missing}."
                )
            patterns[jp.get("id", "")] = (code, refs, direction)

    def service_id_for(svc_code: str, profile: Any) -> str:
        s, e, svc_profile = service_info[svc_code]
        prof = profile if profile is not None else svc_profile
        blob = safe_et.tostring(prof) if prof is not None else b""
        sid = f"{svc_code}:{hashlib.sha1(blob).hexdigest()[:8]}"
        if sid in calendars:
            return sid
        days, _ = _profile_days(prof)
        calendars[sid] = {
            "service_id": sid,
            **{w: i in days for i, w in enumerate(WEEKDAYS)},
            "start_date": pd.Timestamp(s),
            "end_date": pd.Timestamp(e),
        }
        years = range(s.year, e.year + 1)
        if prof is not None:
            for kind, exc_type in (("DaysOfOperation", 1), ("DaysOfNonOperation", 2)):
                for a, b in _date_ranges(prof.find(f"SpecialDaysOperation/{kind}")):
                    # Open-ended ranges (to 2500-01-01 in TNDS files) only matter inside the
                    # service's own period: clip them, or a day-by-day expansion never ends.
                    day, b = max(a, s), min(b, e)
                    while day <= b:
                        cal_dates.append(
                            {
                                "service_id": sid,
                                "date": pd.Timestamp(day),
                                "exception_type": exc_type,
                            }
                        )
                        day += dt.timedelta(days=1)
                bh = prof.find(f"BankHolidayOperation/{kind}")
                if bh is not None:
                    dates, unknown = _holiday_dates([c.tag for c in bh], years)
                    if unknown:
                        warnings.append(
                            f"bank holiday(s) {sorted(set(unknown))} not known; they are ignored."
                        )
                    for day in dates:
                        if s <= day <= e:
                            cal_dates.append(
                                {
                                    "service_id": sid,
                                    "date": pd.Timestamp(day),
                                    "exception_type": exc_type,
                                }
                            )
        return sid

    for vj in root.findall("VehicleJourneys/VehicleJourney"):
        vj_code = _text(vj, "VehicleJourneyCode") or _text(vj, "PrivateCode")
        svc_code = _text(vj, "ServiceRef")
        jp_ref = _text(vj, "JourneyPatternRef")
        dep = _text(vj, "DepartureTime")
        if svc_code not in service_info:
            problems.append(f"VehicleJourney {vj_code}: unknown ServiceRef {svc_code!r}.")
            continue
        if jp_ref not in patterns:
            problems.append(f"VehicleJourney {vj_code}: unknown JourneyPatternRef {jp_ref!r}.")
            continue
        m = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$", dep)
        if not m:
            problems.append(f"VehicleJourney {vj_code}: DepartureTime {dep!r} is not HH:MM:SS.")
            continue
        t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
        _, refs, direction = patterns[jp_ref]
        links = [lk for r in refs for lk in sections.get(r, [])]
        if not links:
            problems.append(f"VehicleJourney {vj_code}: its journey pattern has no timing links.")
            continue
        sid = service_id_for(svc_code, vj.find("OperatingProfile"))
        trips.append(
            {
                "trip_id": vj_code,
                "route_id": _text(vj, "LineRef") or svc_code,
                "service_id": sid,
                "direction_id": direction,
                "shape_id": "",
            }
        )
        seq = 1
        t += links[0][3]
        stop_times.append(
            {
                "trip_id": vj_code,
                "stop_sequence": seq,
                "stop_id": links[0][0],
                "arrival_s": t,
                "departure_s": t,
            }
        )
        for i, (_, to, run, _, wait_to) in enumerate(links):
            arrive = t + run
            nxt_wait = links[i + 1][3] if i + 1 < len(links) else 0
            t = arrive + wait_to + nxt_wait
            seq += 1
            stop_times.append(
                {
                    "trip_id": vj_code,
                    "stop_sequence": seq,
                    "stop_id": to,
                    "arrival_s": arrive,
                    "departure_s": t,
                }
            )
    if not trips and not problems:
        problems.append("no VehicleJourney found; the file holds no timetable.")
    if problems:
        raise FeedError(problems, source=source)
    routes_df = pd.DataFrame(routes).drop_duplicates("route_id")
    feed = Feed(
        stops=pd.DataFrame(list(stops.values())),
        routes=routes_df,
        trips=pd.DataFrame(trips),
        stop_times=pd.DataFrame(stop_times),
        calendar=pd.DataFrame(list(calendars.values())),
        calendar_dates=pd.DataFrame(
            cal_dates, columns=["service_id", "date", "exception_type"]
        ).drop_duplicates(),
        frequencies=pd.DataFrame(
            columns=["trip_id", "start_s", "end_s", "headway_s", "exact_times"]
        ),
        source=source,
    )
    no_xy = sum(1 for r in stops.values() if np.isnan(r["stop_lat"]))
    if no_xy:
        warnings.append(
            f"{no_xy} stop(s) have no coordinates in the file; pass stop_coordinates "
            "(NaPTAN) before routing."
        )
    return validate_feed(feed, require_coordinates=require_coordinates, extra_warnings=warnings)


def load_transxchange_files(
    paths: Sequence[str | Path],
    *,
    stop_coordinates: Mapping[str, tuple[float, float]] | None = None,
) -> Feed:
    """Read several TransXChange files (one service each, as TNDS ships them) into one feed.

    Stops keep their NaPTAN ATCO codes, so a stop served by two files is one stop and a
    change of bus there needs no walk. Route, trip and service ids carry the TNDS service
    code and so stay distinct between files; a clash is reported, never merged silently.

    Parameters
    ----------
    paths
        TransXChange ``.xml`` files.
    stop_coordinates
        ATCO code -> ``(lat, lon)`` (:func:`isochrones.gtfs.naptan.naptan_coordinates`).

    Returns
    -------
    Feed
        One validated feed; every used stop must have coordinates.

    Raises
    ------
    FeedError
        Listing the problems of every file, and any id two files share.
    """
    if not paths:
        raise FeedError("no TransXChange file was given.")
    feeds: list[Feed] = []
    problems: list[str] = []
    for path in paths:
        try:
            feeds.append(
                load_transxchange(path, stop_coordinates=stop_coordinates, require_coordinates=True)
            )
        except FeedError as exc:
            problems.append(f"{Path(path).name}: {exc}")
    if problems:
        raise FeedError(problems, source=", ".join(Path(p).name for p in paths))
    stops = pd.concat([f.stops for f in feeds], ignore_index=True).drop_duplicates("stop_id")
    merged = Feed(
        stops=stops,
        routes=pd.concat([f.routes for f in feeds], ignore_index=True),
        trips=pd.concat([f.trips for f in feeds], ignore_index=True),
        stop_times=pd.concat([f.stop_times for f in feeds], ignore_index=True),
        calendar=pd.concat([f.calendar for f in feeds], ignore_index=True).drop_duplicates(
            "service_id"
        ),
        calendar_dates=pd.concat([f.calendar_dates for f in feeds], ignore_index=True)
        .drop_duplicates()
        .reset_index(drop=True),
        frequencies=pd.concat([f.frequencies for f in feeds], ignore_index=True),
        source=f"{len(feeds)} TransXChange file(s)",
    )
    return validate_feed(merged, extra_warnings=[w for f in feeds for w in f.warnings])
