"""Expand ``frequencies.txt`` into explicit trips.

A frequency-based trip's ``stop_times`` give the shape of one run; each row of
``frequencies.txt`` repeats it every ``headway_s`` from ``start_s`` (inclusive) to ``end_s``
(exclusive). With ``exact_times=0`` the GTFS reference only promises the headway; we schedule
runs at the start of the window and every headway after it, the usual deterministic reading
(R5 instead draws random offsets for those).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from isochrones.gtfs.feed import Feed

__all__ = ["expand_frequencies"]


def expand_frequencies(feed: Feed) -> Feed:
    """Return a copy of ``feed`` where every frequency-based trip is replaced by its runs.

    Parameters
    ----------
    feed
        A validated feed.

    Returns
    -------
    Feed
        New tables with trips ``<trip_id>#<start_s>`` and an empty ``frequencies`` table;
        the input is unchanged. A feed without frequencies is returned as a copy.
    """
    out = feed.copy()
    freq = feed.frequencies
    if freq.empty:
        return out
    st = feed.stop_times
    first_dep = st.groupby("trip_id", sort=False)["departure_s"].min()
    runs = []
    for trip_id, lo, hi, step in zip(
        freq["trip_id"],
        freq["start_s"].to_numpy(np.int64),
        freq["end_s"].to_numpy(np.int64),
        freq["headway_s"].to_numpy(np.int64),
        strict=True,
    ):
        starts = np.arange(lo, hi, step, dtype=np.int64)
        runs.append(pd.DataFrame({"trip_id": trip_id, "start_s": starts}))
    run = pd.concat(runs, ignore_index=True).drop_duplicates()
    run["new_trip_id"] = run["trip_id"] + "#" + run["start_s"].astype(str)
    run["shift_s"] = run["start_s"] - run["trip_id"].map(first_dep).to_numpy(np.int64)
    template = st.loc[st["trip_id"].isin(run["trip_id"])]
    new_st = template.merge(run[["trip_id", "new_trip_id", "shift_s"]], on="trip_id")
    new_st["arrival_s"] += new_st["shift_s"]
    new_st["departure_s"] += new_st["shift_s"]
    new_st = new_st.drop(columns=["trip_id", "shift_s"]).rename(columns={"new_trip_id": "trip_id"})
    freq_trips = set(run["trip_id"])
    trips = feed.trips
    new_trips = trips.loc[trips["trip_id"].isin(freq_trips)].merge(
        run[["trip_id", "new_trip_id"]], on="trip_id"
    )
    new_trips = new_trips.drop(columns=["trip_id"]).rename(columns={"new_trip_id": "trip_id"})
    stop_times = pd.concat(
        [st.loc[~st["trip_id"].isin(freq_trips)], new_st[st.columns]], ignore_index=True
    ).sort_values(["trip_id", "stop_sequence"], kind="stable", ignore_index=True)
    trips_out = pd.concat(
        [trips.loc[~trips["trip_id"].isin(freq_trips)], new_trips[trips.columns]],
        ignore_index=True,
    )
    return Feed(
        stops=out.stops,
        routes=out.routes,
        trips=trips_out,
        stop_times=stop_times,
        calendar=out.calendar,
        calendar_dates=out.calendar_dates,
        frequencies=freq.iloc[0:0].copy(),
        source=feed.source,
        warnings=feed.warnings,
    )
