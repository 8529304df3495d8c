import datetime as dt
import logging
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hiap.settings import get_settings
from isochrones.gtfs import (
    FeedError,
    active_services,
    expand_frequencies,
    load_feed,
    merge_feeds,
    trips_on_date,
)
from isochrones.raptor import Legs, build_timetable, earliest_arrival
from tests.isochrones.gtfs.tiny import TINY, write_feed

POA = get_settings().data_dir / "transit" / "porto_alegre"


def test_tiny_feed_typed_tables(tmp_path: Path) -> None:
    feed = load_feed(write_feed(tmp_path / "f"))
    st = feed.stop_times
    assert st["arrival_s"].dtype == "int64"
    t9 = st.loc[st["trip_id"] == "T9"]
    assert t9["arrival_s"].tolist() == [
        23 * 3600 + 50 * 60,
        24 * 3600 + 5 * 60,
        24 * 3600 + 20 * 60,
    ]
    assert feed.calendar["monday"].dtype == bool
    assert feed.warnings == ()


def test_zip_with_enclosing_folder(tmp_path: Path) -> None:
    zpath = tmp_path / "feed.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for name, text in TINY.items():
            zf.writestr(f"inner/{name}", text)
    assert len(load_feed(zpath).trips) == 7


def test_calendar_and_exceptions(tmp_path: Path) -> None:
    feed = load_feed(write_feed(tmp_path / "f"))
    assert active_services(feed, dt.date(2024, 1, 2)) == {"WK", "R3S"}
    assert active_services(feed, dt.date(2024, 1, 3)) == {"WK"}  # R3S removed that day
    assert active_services(feed, dt.date(2024, 1, 6)) == {"HOL"}  # added on a Saturday
    assert active_services(feed, dt.date(2025, 1, 6)) == set()  # outside the range
    tue = trips_on_date(feed, dt.date(2024, 1, 2))
    # Monday's T9 still runs after midnight on Tuesday, shifted back a day.
    assert set(tue.loc[tue["offset_s"] == -86400, "trip_id"]) == {"T9"}
    mon = trips_on_date(feed, dt.date(2024, 1, 1))
    assert (mon["offset_s"] == 0).all()


def test_malformed_feed_reports_every_problem(tmp_path: Path) -> None:
    stops = TINY["stops.txt"].replace("E,E,52.01,0.01", "E,E,,") + "Z,Z,,\n"
    stop_times = (
        TINY["stop_times.txt"].replace("T1,08:20:00,08:20:00,C,3", "T1,08:05:00,08:05:00,C,3")
        + "T2,08:50:00,08:50:00,NOPE,3\nGHOST,08:00:00,08:00:00,A,1\n"
    )
    trips = TINY["trips.txt"] + "R404,WK,T404\n"
    folder = write_feed(tmp_path / "bad", stops=stops, stop_times=stop_times, trips=trips)
    with pytest.raises(FeedError) as info:
        load_feed(folder)
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) >= 3
    assert "route_id not in routes.txt" in text
    assert "stop_id not in stops.txt" in text
    assert "no valid coordinates" in text and "'E'" in text
    assert str(folder) in str(info.value)


def test_times_out_of_order_and_missing_columns(tmp_path: Path) -> None:
    stop_times = TINY["stop_times.txt"].replace(
        "T1,08:20:00,08:20:00,C,3", "T1,08:05:00,08:05:00,C,3"
    )
    with pytest.raises(FeedError, match="times go backwards in 1 trip"):
        load_feed(write_feed(tmp_path / "a", stop_times=stop_times))
    with pytest.raises(FeedError) as info:
        load_feed(write_feed(tmp_path / "b", routes=None, stops="stop_id,stop_name\nA,A\n"))
    assert any("routes.txt is missing" in p for p in info.value.problems)
    assert any("stop_lat, stop_lon" in p for p in info.value.problems)


def test_recoverable_problems_are_counted_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stop_times = (
        TINY["stop_times.txt"] + "GHOST,08:00:00,08:00:00,A,1\nGHOST,08:09:00,08:09:00,B,2\n"
    )
    stops = TINY["stops.txt"] + "Z,Unused,,\n"
    with caplog.at_level(logging.WARNING):
        feed = load_feed(write_feed(tmp_path / "w", stop_times=stop_times, stops=stops))
    assert any("dropped 2 row(s) whose trip_id" in w for w in feed.warnings)
    assert any("dropped 1 unused stop(s)" in w for w in feed.warnings)
    assert "GHOST" not in set(feed.stop_times["trip_id"])
    assert caplog.records


def test_blank_times_interpolated_by_distance(tmp_path: Path) -> None:
    stop_times = TINY["stop_times.txt"].replace("T1,08:10:00,08:10:00,B,2", "T1,,,B,2")
    feed = load_feed(write_feed(tmp_path / "i", stop_times=stop_times))
    b = feed.stop_times.query("trip_id == 'T1' and stop_id == 'B'")["arrival_s"].item()
    # B is half-way between A and C (0.01 degree of latitude each way).
    assert b == pytest.approx(8 * 3600 + 10 * 60, abs=1)
    with pytest.raises(FeedError, match="interpolation is off"):
        load_feed(write_feed(tmp_path / "j", stop_times=stop_times), interpolate=False)


def test_frequencies_expand_to_trips(tmp_path: Path) -> None:
    freq = "trip_id,start_time,end_time,headway_secs\nT1,06:00:00,07:00:00,1200\n"
    feed = load_feed(write_feed(tmp_path / "q", frequencies=freq))
    out = expand_frequencies(feed)
    runs = out.stop_times.loc[out.stop_times["trip_id"].str.startswith("T1#")]
    starts = sorted(runs.groupby("trip_id")["departure_s"].min())
    assert starts == [6 * 3600, 6 * 3600 + 1200, 6 * 3600 + 2400]
    assert "T1" not in set(out.trips["trip_id"])
    assert len(feed.frequencies) == 1  # input untouched


@pytest.mark.slow
def test_real_porto_alegre_feeds() -> None:
    eptc = load_feed(POA / "poa_eptc.zip")
    trensurb = load_feed(POA / "poa_trensurb.zip")
    assert len(eptc.stops) > 3000 and len(trensurb.stops) > 20
    # EPTC publishes times at the ends of each trip only: the rest are interpolated.
    assert any("interpolated" in w for w in eptc.warnings)
    assert eptc.stop_times.groupby("trip_id")["departure_s"].is_monotonic_increasing.all()
    both = merge_feeds([eptc, trensurb], prefixes=["bus:", "train:"])
    assert len(both.stops) == len(eptc.stops) + len(trensurb.stops)
    monday = trips_on_date(both, dt.date(2019, 5, 13))
    assert monday["trip_id"].str.startswith("train:").any()
    assert isinstance(both.stop_times, pd.DataFrame)


def test_trip_ending_exactly_at_midnight_runs_into_next_day(tmp_path: Path) -> None:
    # TM leaves A at 23:45 on Monday and reaches B and C at exactly 24:00:00, so on Tuesday
    # its B -> C leg is usable at 00:00:00 (times shifted back by 86,400 s).
    trips = TINY["trips.txt"] + "R9,WK,TM\n"
    stop_times = (
        TINY["stop_times.txt"]
        + "TM,23:45:00,23:45:00,A,1\nTM,24:00:00,24:00:00,B,2\nTM,24:00:00,24:00:00,C,3\n"
    )
    feed = load_feed(write_feed(tmp_path / "f", trips=trips, stop_times=stop_times))
    tue = trips_on_date(feed, dt.date(2024, 1, 2))
    assert set(tue.loc[tue["offset_s"] == -86400, "trip_id"]) == {"T9", "TM"}
    # Sunday's trips do not run (WK is weekdays only), so none is carried into Monday.
    mon = trips_on_date(feed, dt.date(2024, 1, 1))
    assert (mon["offset_s"] == 0).all()
    # Routing: from B at 00:00:00 Tuesday, C is reached at once by TM (otherwise T1, 08:20).
    tt = build_timetable(feed, dt.date(2024, 1, 2))
    idx = {s: i for i, s in enumerate(tt.stop_ids)}
    n = tt.n_stops
    one, empty = np.array([0]), np.array([], dtype=np.int64)
    access = Legs.from_pairs(one, np.array([idx["B"]]), one, n_sources=1, n_targets=n)
    none = Legs.from_pairs(empty, empty, empty, n_sources=n, n_targets=n)
    egress = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
    assert int(earliest_arrival(tt, access, none, egress, 0)[0, idx["C"]]) == 0
