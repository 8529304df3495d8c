"""A tiny GTFS feed written by the tests, with hand-computed answers (see test_raptor.py)."""

from __future__ import annotations

from pathlib import Path

TINY = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,Tiny,http://x,Europe/London\n",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon\n"
        "A,A,52.00,0.00\nB,B,52.01,0.00\nC,C,52.02,0.00\nD,D,52.03,0.00\nE,E,52.01,0.01\n"
    ),
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,X,1,3\nR2,X,2,3\nR3,X,3,3\nR9,X,9,3\n",
    "trips.txt": (
        "route_id,service_id,trip_id\n"
        "R1,WK,T1\nR2,WK,T2\nR2,WK,T2b\nR3,R3S,T3a\nR3,R3S,T3b\nR9,WK,T9\nR9,HOL,TH\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\nT1,08:20:00,08:20:00,C,3\n"
        "T2,08:25:00,08:25:00,C,1\nT2,08:40:00,08:40:00,D,2\n"
        "T2b,08:20:30,08:20:30,C,1\nT2b,08:34:00,08:34:00,D,2\n"
        "T3a,08:12:00,08:12:00,E,1\nT3a,08:30:00,08:30:00,D,2\n"
        "T3b,08:14:00,08:14:00,E,1\nT3b,08:28:00,08:28:00,D,2\n"
        "T9,23:50:00,23:50:00,A,1\nT9,24:05:00,24:05:00,B,2\nT9,24:20:00,24:20:00,D,3\n"
        "TH,09:00:00,09:00:00,A,1\nTH,09:30:00,09:30:00,D,2\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,1,1,1,1,1,0,0,20240101,20241231\nR3S,1,1,1,1,1,0,0,20240101,20241231\n"
    ),
    "calendar_dates.txt": ("service_id,date,exception_type\nR3S,20240103,2\nHOL,20240106,1\n"),
}


def write_feed(folder: Path, tables: dict[str, str] | None = None, **changes: str | None) -> Path:
    """Write TINY (with file contents replaced or, when None, removed) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = dict(tables or TINY)
    for name, text in changes.items():
        key = f"{name}.txt"
        if text is None:
            data.pop(key, None)
        else:
            data[key] = text
    for name, text in data.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def one_route(
    stops: list[tuple[str, str, float, float]],
    *,
    first_min: int,
    headway_min: int,
    trips: int,
    ride_min: int,
) -> dict[str, str]:
    """The tables of a one-route weekday bus feed (2025), to write with :func:`write_feed`.

    Parameters
    ----------
    stops
        ``(stop_id, name, lon, lat)`` of each stop, in the order the bus calls.
    first_min
        The first bus leaves the first stop at this many minutes after midnight.
    headway_min
        Minutes between buses.
    trips
        How many buses run.
    ride_min
        Minutes from each stop to the next.
    """
    trip_rows = ["route_id,service_id,trip_id"]
    time_rows = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for k in range(trips):
        trip_rows.append(f"R,WK,T{k}")
        for seq, (stop_id, *_) in enumerate(stops):
            m = first_min + headway_min * k + ride_min * seq
            hhmm = f"{m // 60:02d}:{m % 60:02d}:00"
            time_rows.append(f"T{k},{hhmm},{hhmm},{stop_id},{seq + 1}")
    stop_rows = [f"{stop_id},{name},{lat},{lon}" for stop_id, name, lon, lat in stops]
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,Test,https://x.org,Europe/London\n",
        "stops.txt": "\n".join(["stop_id,stop_name,stop_lat,stop_lon", *stop_rows]) + "\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR,X,1,One,3\n",
        "calendar.txt": (
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
            "WK,1,1,1,1,1,0,0,20250106,20251231\n"
        ),
        "trips.txt": "\n".join(trip_rows) + "\n",
        "stop_times.txt": "\n".join(time_rows) + "\n",
    }
