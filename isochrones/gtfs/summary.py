"""What a timetable holds and when it runs: the checks a planner reads before routing.

:func:`summarise_feed` lists the services (routes), their journey patterns (distinct ordered
stop sequences), the operating profiles (days of the week and dated exceptions) and which
exceptions fall on England and Wales bank holidays. :func:`trips_by_date` counts the trips
running on each day, and :func:`typical_date` picks a day of the normal timetable: feeds
issued around a timetable change (the 2020 TNDS files were issued in the first COVID-19
week, with many journeys dated 24-29 March 2020 only) run different services on different
days, so a date must be chosen, not assumed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from isochrones.errors import RoutingInputError
from isochrones.gtfs.calendar import active_services
from isochrones.gtfs.feed import WEEKDAYS, Feed
from isochrones.gtfs.txc import bank_holidays_england

__all__ = ["FeedSummary", "summarise_feed", "trips_by_date", "typical_date"]

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class FeedSummary:
    """A feed's contents, for a report.

    Attributes
    ----------
    services
        One row per route: ``route_id``, ``name``, ``operator``, ``patterns``, ``trips``,
        ``first_date``, ``last_date``.
    profiles
        One row per operating profile (``service_id``): ``route_id``, ``days``, ``start_date``,
        ``end_date``, ``trips``, ``dates_added``, ``dates_removed``.
    bank_holidays
        Dated exceptions falling on a bank holiday: ``date``, ``holiday``, ``service_id``,
        ``runs`` (True added, False removed).
    counts
        Totals: services, journey patterns, operating profiles, trips, stops.
    warnings
        The feed's recoverable problems.
    """

    services: pd.DataFrame
    profiles: pd.DataFrame
    bank_holidays: pd.DataFrame
    counts: dict[str, int]
    warnings: tuple[str, ...]


def _days_text(row: pd.Series) -> str:
    days = [i for i, w in enumerate(WEEKDAYS) if bool(row[w])]
    if not days:
        return "dated days only"
    if days == list(range(5)):
        return "Mon-Fri"
    if days == list(range(6)):
        return "Mon-Sat"
    if days == list(range(7)):
        return "every day"
    return ", ".join(_DAY_ABBR[d] for d in days)


def summarise_feed(feed: Feed) -> FeedSummary:
    """Summarise a validated feed: services, journey patterns, operating profiles, holidays.

    Parameters
    ----------
    feed
        A validated feed.

    Returns
    -------
    FeedSummary
        Tables and counts.
    """
    st = feed.stop_times
    seqs = st.groupby("trip_id", sort=False)["stop_id"].agg(tuple)
    trips = feed.trips.assign(pattern=feed.trips["trip_id"].map(seqs))
    cal = feed.calendar.set_index("service_id")
    cd = feed.calendar_dates
    per_route = trips.groupby("route_id")
    first = trips["service_id"].map(cal["start_date"])
    last = trips["service_id"].map(cal["end_date"])
    routes = feed.routes.set_index("route_id")
    services = pd.DataFrame(
        {
            "name": routes["route_short_name"],
            "description": routes["route_long_name"],
            "operator": routes["agency_id"],
            "patterns": per_route["pattern"].nunique(),
            "trips": per_route.size(),
            "first_date": first.groupby(trips["route_id"]).min(),
            "last_date": last.groupby(trips["route_id"]).max(),
        }
    ).fillna({"patterns": 0, "trips": 0})
    services[["patterns", "trips"]] = services[["patterns", "trips"]].astype(int)
    services = services.rename_axis("route_id").reset_index()
    route_of_service = trips.groupby("service_id")["route_id"].first()
    profiles = feed.calendar.assign(
        route_id=feed.calendar["service_id"].map(route_of_service).fillna(""),
        days=feed.calendar.apply(_days_text, axis=1),
        trips=feed.calendar["service_id"].map(trips.groupby("service_id").size()).fillna(0),
        dates_added=feed.calendar["service_id"].map(
            cd.loc[cd["exception_type"] == 1].groupby("service_id").size()
        ),
        dates_removed=feed.calendar["service_id"].map(
            cd.loc[cd["exception_type"] == 2].groupby("service_id").size()
        ),
    )[
        [
            "service_id",
            "route_id",
            "days",
            "start_date",
            "end_date",
            "trips",
            "dates_added",
            "dates_removed",
        ]
    ]
    profiles = profiles.fillna({"dates_added": 0, "dates_removed": 0})
    for col in ("trips", "dates_added", "dates_removed"):
        profiles[col] = profiles[col].astype(int)
    holidays: dict[pd.Timestamp, str] = {}
    if len(cd):
        for year in range(cd["date"].min().year, cd["date"].max().year + 1):
            for name, days in bank_holidays_england(year).items():
                if name in ("ChristmasEve", "NewYearsEve"):
                    continue  # not bank holidays, only early-finish days
                for day in days:
                    holidays[pd.Timestamp(day)] = name
    on_holiday = cd.loc[cd["date"].isin(list(holidays))]
    bank = pd.DataFrame(
        {
            "date": on_holiday["date"].dt.date,
            "holiday": on_holiday["date"].map(holidays),
            "service_id": on_holiday["service_id"],
            "runs": on_holiday["exception_type"] == 1,
        }
    ).sort_values(["date", "service_id"], ignore_index=True)
    counts = {
        "services": len(feed.routes),
        "journey_patterns": int(trips.groupby("route_id")["pattern"].nunique().sum()),
        "operating_profiles": len(feed.calendar),
        "trips": len(feed.trips),
        "stops": int(feed.stops["stop_id"].isin(st["stop_id"]).sum()),
    }
    return FeedSummary(
        services=services,
        profiles=profiles,
        bank_holidays=bank,
        counts=counts,
        warnings=feed.warnings,
    )


def trips_by_date(feed: Feed, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Count the trips (and routes) running on each day from ``start`` to ``end``.

    Parameters
    ----------
    feed
        A validated feed.
    start, end
        First and last day, inclusive.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``weekday`` (``"Mon"``...), ``trips``, ``routes``.
    """
    if end < start:
        raise RoutingInputError(f"end {end} is before start {start}.")
    rows = []
    trips = feed.trips
    day = start
    while day <= end:
        running = trips.loc[trips["service_id"].isin(active_services(feed, day))]
        rows.append(
            {
                "date": day,
                "weekday": _DAY_ABBR[day.weekday()],
                "trips": len(running),
                "routes": running["route_id"].nunique(),
            }
        )
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows)


def typical_date(feed: Feed, *, weekday: int = 1, horizon_days: int = 182) -> tuple[dt.date, str]:
    """Pick a day of the normal timetable, and say why.

    Among the given weekdays (Tuesday by default) of the first ``horizon_days`` of the
    feed's calendar, the usual number of trips is the most frequent count (the larger on a
    tie); the first such day that is not a bank holiday is returned. Days of a one-off
    timetable (a first week, a holiday) have other counts and are passed over.

    Parameters
    ----------
    feed
        A validated feed.
    weekday
        0 Monday ... 6 Sunday.
    horizon_days
        How far from the first date to look.

    Returns
    -------
    tuple
        The date and a sentence explaining the choice.

    Raises
    ------
    RoutingInputError
        When no day in the horizon has a trip.
    """
    cal = feed.calendar
    if cal.empty and feed.calendar_dates.empty:
        raise RoutingInputError(f"{feed.source} has no calendar; no date can be chosen.")
    if cal.empty:
        first = pd.Timestamp(feed.calendar_dates["date"].min()).date()
    else:
        # Files of several years (a 2016 timetable beside a 2020 one): start where the most
        # trips' calendars are in force, not at the oldest file.
        n_trips = cal["service_id"].map(feed.trips.groupby("service_id").size()).fillna(0)
        starts = pd.Series(cal["start_date"].unique())
        in_force = starts.map(
            lambda d: float(n_trips[(cal["start_date"] <= d) & (cal["end_date"] >= d)].sum())
        )
        first = pd.Timestamp(starts.iloc[int(in_force.to_numpy().argmax())]).date()
    counts = trips_by_date(feed, first, first + dt.timedelta(days=horizon_days))
    same = counts.loc[
        (counts["trips"] > 0) & (pd.to_datetime(counts["date"]).dt.day_of_week == weekday)
    ]
    if same.empty:
        raise RoutingInputError(
            f"no {_DAY_ABBR[weekday]} of {feed.source} from {first} has a trip; pick a date."
        )
    holidays = {
        d
        for y in {first.year, first.year + 1}
        for k, v in bank_holidays_england(y).items()
        for d in v
        if k not in ("ChristmasEve", "NewYearsEve")
    }
    freq = same["trips"].value_counts()
    usual = int(max(freq.index[freq.to_numpy() == freq.max()]))
    pick = same.loc[(same["trips"] == usual) & ~same["date"].isin(holidays)]
    chosen = pick["date"].iloc[0] if len(pick) else same["date"].iloc[0]
    others = sorted(set(same["trips"]) - {usual})
    why = (
        f"{chosen:%A %d %B %Y}: {usual} trips run, the usual {_DAY_ABBR[weekday]} count on "
        f"{int(freq.max())} of the {len(same)} {_DAY_ABBR[weekday]}s from {first:%d %B %Y}"
    )
    if others:
        why += f" (other {_DAY_ABBR[weekday]}s run {', '.join(str(int(o)) for o in others)})"
    return chosen, why + "."
