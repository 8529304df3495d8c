"""Which services and trips run on a date (calendar.txt, calendar_dates.txt, overnight trips).

A trip of service day *D* keeps times after midnight of *D* (``25:10:00``), so the trips
running on a date are those of the services active that day, plus the overnight part of the
previous day's trips, shifted back by 24 hours.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from isochrones.gtfs.feed import WEEKDAYS, Feed

__all__ = ["active_services", "trips_on_date"]

DAY_S = 86_400


def active_services(feed: Feed, date: dt.date) -> set[str]:
    """Return the service ids running on ``date``.

    Parameters
    ----------
    feed
        A validated feed.
    date
        The service day.

    Returns
    -------
    set of str
        Services active by ``calendar.txt`` (weekday within the date range), plus those added
        and minus those removed by ``calendar_dates.txt`` on that date.
    """
    day = pd.Timestamp(date)
    cal = feed.calendar
    weekday = WEEKDAYS[date.weekday()]
    running = cal.loc[cal[weekday] & (cal["start_date"] <= day) & (cal["end_date"] >= day)]
    services = set(running["service_id"])
    cd = feed.calendar_dates
    today = cd.loc[cd["date"] == day]
    services |= set(today.loc[today["exception_type"] == 1, "service_id"])
    services -= set(today.loc[today["exception_type"] == 2, "service_id"])
    return services


def trips_on_date(feed: Feed, date: dt.date) -> pd.DataFrame:
    """Return the trips that run on ``date`` and the shift to apply to their times.

    Parameters
    ----------
    feed
        A validated feed (frequencies already expanded if wanted).
    date
        The day to route on.

    Returns
    -------
    pandas.DataFrame
        ``trip_id`` and ``offset_s``: 0 for trips of services active on ``date``, -86400 for
        the trips of the previous day's services still running after midnight (only their
        stop times at or after 24:00 are usable).
    """
    today = active_services(feed, date)
    yesterday = active_services(feed, date - dt.timedelta(days=1))
    trips = feed.trips
    cur = trips.loc[trips["service_id"].isin(today), ["trip_id"]].assign(offset_s=0)
    last_arrival = feed.stop_times.groupby("trip_id", sort=False)["arrival_s"].max()
    # At or after 24:00:00: a trip reaching its last stops at exactly 24:00:00 still serves
    # 00:00:00 of ``date`` (a leg between two stops both timed 24:00:00 is usable).
    late = last_arrival.index[last_arrival.to_numpy() >= DAY_S]
    prev = trips.loc[trips["service_id"].isin(yesterday) & trips["trip_id"].isin(late), ["trip_id"]]
    prev = prev.assign(offset_s=-DAY_S)
    out = pd.concat([cur, prev], ignore_index=True)
    out["offset_s"] = out["offset_s"].astype(np.int64)
    return out
