"""RAPTOR on a tiny feed with hand-computed answers (transfer, overnight trip, calendar)."""

import datetime as dt

import numpy as np
import pytest

from isochrones.errors import RoutingInputError
from isochrones.gtfs import load_feed
from isochrones.raptor import Legs, build_timetable, earliest_arrival, range_raptor
from tests.isochrones.gtfs.tiny import write_feed

H = 3600


def hm(h: int, m: int, s: int = 0) -> int:
    return h * H + m * 60 + s


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory):
    return load_feed(write_feed(tmp_path_factory.mktemp("tiny")))


def legs_for(tt, origin_stop: str):
    idx = {s: i for i, s in enumerate(tt.stop_ids)}
    n = tt.n_stops
    access = Legs.from_pairs([0], [idx[origin_stop]], [0], n_sources=1, n_targets=n)
    # B -> E is a 2-minute walk (both ways).
    transfers = Legs.from_pairs(
        [idx["B"], idx["E"]], [idx["E"], idx["B"]], [120, 120], n_sources=n, n_targets=n
    )
    egress = Legs.from_pairs(np.arange(n), np.arange(n), np.zeros(n), n_sources=n, n_targets=n)
    return idx, access, transfers, egress


def arrive(feed, date, origin, dest, t0, **kw):
    tt = build_timetable(feed, date)
    idx, access, transfers, egress = legs_for(tt, origin)
    return int(earliest_arrival(tt, access, transfers, egress, t0, **kw)[0, idx[dest]])


def test_walking_transfer_beats_waiting(feed) -> None:
    # T1 A 08:00 -> B 08:10; walk 2 min to E, +1 min slack: T3a (08:12) is missed,
    # T3b leaves E 08:14 and reaches D 08:28. Via C, T2b (08:20:30) is missed by the slack
    # and T2 reaches D 08:40.
    assert arrive(feed, dt.date(2024, 1, 2), "A", "D", hm(7, 55)) == hm(8, 28)
    # Without slack T3a (E 08:12) is caught: D at 08:30 is later than T3b's 08:28 anyway,
    # and T2b from C (08:20:30) arrives 08:34; the best is still 08:28.
    assert arrive(feed, dt.date(2024, 1, 2), "A", "D", hm(7, 55), min_transfer_s=0) == hm(8, 28)
    # One vehicle only: no change allowed, so the first direct trip is the late T9 (24:20).
    assert arrive(feed, dt.date(2024, 1, 2), "A", "D", hm(7, 55), max_rounds=1) == hm(24, 20)
    assert arrive(feed, dt.date(2024, 1, 2), "A", "C", hm(7, 55), max_rounds=1) == hm(8, 20)


def test_calendar_exception_removes_route_3(feed) -> None:
    # Wednesday 3 January: R3S is removed, so the walk to E is useless: T2 via C.
    assert arrive(feed, dt.date(2024, 1, 3), "A", "D", hm(7, 55)) == hm(8, 40)


def test_added_service_on_a_saturday(feed) -> None:
    assert arrive(feed, dt.date(2024, 1, 6), "A", "D", hm(8, 50)) == hm(9, 30)
    with pytest.raises(RoutingInputError, match="no trip"):
        build_timetable(feed, dt.date(2024, 1, 14))


def test_overnight_trip_of_the_previous_day(feed) -> None:
    # Monday's T9 (23:50 A, 24:05 B, 24:20 D) still runs early on Tuesday.
    assert arrive(feed, dt.date(2024, 1, 2), "B", "D", hm(0, 0)) == hm(0, 20)
    # On Monday there was no Sunday service: the first way is T1 from B at 08:10, change at C
    # to T2 (the walk B -> E only follows a ride; the access here is B itself).
    assert arrive(feed, dt.date(2024, 1, 1), "B", "D", hm(0, 0)) == hm(8, 40)
    # And the same trip on its own day reaches D after midnight (24:20).
    assert arrive(feed, dt.date(2024, 1, 1), "A", "D", hm(23, 0)) == hm(24, 20)


def test_range_equals_independent_runs(feed) -> None:
    tt = build_timetable(feed, dt.date(2024, 1, 2))
    idx, access, transfers, egress = legs_for(tt, "A")
    deps = np.arange(hm(7, 0), hm(9, 0) + 1, 60)
    fast = range_raptor(tt, access, transfers, egress, deps)
    slow = range_raptor(tt, access, transfers, egress, deps, reuse_labels=False)
    np.testing.assert_array_equal(fast, slow)
    d = fast[0, :, idx["D"]]
    # Leaving at 08:00 exactly still catches T1; at 08:01 only the late T9 (24:20) is left.
    assert d[60] == hm(8, 28) - hm(8, 0)
    assert d[61] == hm(24, 20) - hm(8, 1)


def test_negative_indices_and_times_are_refused(feed) -> None:
    # The kernel indexes with unsigned integers (no wrap-around fix-up), so a negative stop
    # index or walking time must be refused before it becomes a huge index or a wrapped time.
    tt = build_timetable(feed, dt.date(2024, 1, 2))
    _, access, transfers, egress = legs_for(tt, "A")
    deps = np.asarray([hm(8, 0)])
    bad_access = Legs(access.ptr, np.asarray([-1], dtype=np.int32), access.seconds, tt.n_stops)
    with pytest.raises(RoutingInputError, match="negative access stop"):
        range_raptor(tt, bad_access, transfers, egress, deps)
    bad_transfers = Legs(
        transfers.ptr, transfers.target, np.full_like(transfers.seconds, -200), tt.n_stops
    )
    with pytest.raises(RoutingInputError, match="negative time"):
        range_raptor(tt, access, bad_transfers, egress, deps)
    with pytest.raises(RoutingInputError, match="min_transfer_s"):
        range_raptor(tt, access, transfers, egress, deps, min_transfer_s=-1)
