"""Earliest-arrival public-transport routing with RAPTOR and range-RAPTOR.

RAPTOR (Delling, Pajor & Werneck, 2012) works in rounds: round *k* finds the best arrival at
every stop using at most *k* vehicles, by scanning each *pattern* (trips that call at the same
stops in the same order) once from the first stop improved in the previous round. Walking
transfers between nearby stops are relaxed after each round.

Range-RAPTOR answers a whole departure window: departures are processed from the latest to
the earliest, *keeping* the labels of the later departure (an arrival reachable by leaving
later is reachable by leaving earlier and waiting), so each minute only re-explores what the
earlier start improves. Over a 3-hour window at 1-minute steps this is far cheaper than 181
separate runs (``benchmarks/transit_window.py`` prints the ratio).

The scans are compiled with numba and run in parallel. Two kernels share the model and give
the same answers bit for bit (tests/isochrones/test_raptor_crosscheck.py): range-RAPTOR
routes one origin at a time, keeping its labels from one departure to the next; when every
departure is a search of its own (one departure, or no label reuse) without a travel-time
cutoff, origins that board close together are routed in batches of up to 16 *lanes*, so
one scan of a pattern and one vectorised pass over a stop's walks serve them all (about
1.6x faster on the 200 x 200 Porto Alegre matrix; ``benchmarks/transit_matrix.py``). Times
are integer seconds after midnight of the routing date.

Model (shared with the independent checker in the tests):

- the origin walks to stops within the access limit (``access`` legs) and may board any trip
  leaving at or after its arrival;
- after alighting, the rider may reach destinations (``egress`` legs), board again at the same
  stop, or walk a transfer to a nearby stop; any boarding after the first needs
  ``min_transfer_s`` of slack after arrival at the boarding stop;
- walking all the way is handled by the caller (:mod:`isochrones.transit`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from isochrones.errors import RoutingInputError
from isochrones.gtfs.calendar import trips_on_date
from isochrones.gtfs.feed import Feed
from isochrones.gtfs.frequencies import expand_frequencies
from isochrones.threads import pin_threading_layer

# why: before the first parallel kernel runs; several app sessions may route at once
pin_threading_layer()

__all__ = [
    "INF",
    "Legs",
    "Timetable",
    "build_timetable",
    "earliest_arrival",
    "range_raptor",
]

logger = logging.getLogger(__name__)

INF = np.int32(1 << 30)
"""Marks an unreachable arrival or travel time (seconds)."""


@dataclass(frozen=True)
class Legs:
    """Walking legs from sources to targets in compressed-row form.

    Attributes
    ----------
    ptr
        ``ptr[i]:ptr[i+1]`` indexes the legs of source ``i`` (length ``n_sources + 1``).
    target
        Target index of each leg.
    seconds
        Walking time of each leg, in whole seconds.
    n_targets
        Number of targets (the width of the implied matrix).
    """

    ptr: np.ndarray
    target: np.ndarray
    seconds: np.ndarray
    n_targets: int

    @property
    def n_sources(self) -> int:
        """Number of sources."""
        return len(self.ptr) - 1

    @classmethod
    def from_pairs(
        cls,
        source: np.ndarray,
        target: np.ndarray,
        seconds: np.ndarray,
        *,
        n_sources: int,
        n_targets: int,
    ) -> Legs:
        """Build legs from parallel arrays (duplicates keep the shortest).

        Parameters
        ----------
        source, target, seconds
            One entry per leg.
        n_sources, n_targets
            Sizes of the two sides.

        Returns
        -------
        Legs
            Legs sorted by source then target.
        """
        source = np.asarray(source, dtype=np.int64)
        target = np.asarray(target, dtype=np.int64)
        secs = np.asarray(np.round(seconds), dtype=np.int64)
        if len(source) and (source.min() < 0 or source.max() >= n_sources):
            raise RoutingInputError("Legs.from_pairs: a source index is out of range.")
        if len(target) and (target.min() < 0 or target.max() >= n_targets):
            raise RoutingInputError("Legs.from_pairs: a target index is out of range.")
        order = np.lexsort((secs, target, source))
        source, target, secs = source[order], target[order], secs[order]
        keep = np.ones(len(source), dtype=bool)
        keep[1:] = (source[1:] != source[:-1]) | (target[1:] != target[:-1])
        source, target, secs = source[keep], target[keep], secs[keep]
        ptr = np.zeros(n_sources + 1, dtype=np.int64)
        np.add.at(ptr, source + 1, 1)
        return cls(
            ptr=np.cumsum(ptr).astype(np.int64),
            target=target.astype(np.int32),
            seconds=secs.astype(np.int32),
            n_targets=int(n_targets),
        )

    def transposed(self) -> Legs:
        """Return the same legs walked the other way (targets become sources).

        Returns
        -------
        Legs
            Legs from each of this one's targets, for a network walked alike both ways.
        """
        source = np.repeat(np.arange(self.n_sources), np.diff(self.ptr))
        return Legs.from_pairs(
            self.target, source, self.seconds, n_sources=self.n_targets, n_targets=self.n_sources
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the legs as a frame of ``source``, ``target``, ``seconds``."""
        src = np.repeat(np.arange(self.n_sources), np.diff(self.ptr))
        return pd.DataFrame({"source": src, "target": self.target, "seconds": self.seconds})


@dataclass(frozen=True)
class Timetable:
    """The trips of one day, grouped in patterns and laid out in flat arrays for scanning.

    Attributes
    ----------
    stop_ids
        Stop id of each stop index (the same order as the stops of the feed).
    pattern_stop_ptr, pattern_stops
        Stops of pattern ``p``: ``pattern_stops[pattern_stop_ptr[p]:pattern_stop_ptr[p+1]]``.
    pattern_trip_ptr
        Trips of pattern ``p`` are ``pattern_trip_ptr[p]:pattern_trip_ptr[p+1]``, sorted by
        departure, never overtaking one another.
    pattern_time_ptr
        Start of pattern ``p`` in ``arrival``/``departure`` (row-major, trips x stops).
    arrival, departure
        Stop times in seconds after midnight of ``date`` (overnight trips of the day before
        have been shifted by -24 h).
    stop_pattern_ptr, stop_pattern, stop_pattern_pos
        For stop ``s``, the patterns calling there and the position of the call.
    trip_ids, pattern_route_ids
        Trip id of each trip slot, route id of each pattern.
    date
        The routing date.
    stop_rank
        Rank of each stop along a space-filling curve through the stops' coordinates;
        :func:`range_raptor` batches origins in this order (``None``: stop index order,
        the same answers, only slower).
    """

    stop_ids: np.ndarray
    pattern_stop_ptr: np.ndarray
    pattern_stops: np.ndarray
    pattern_trip_ptr: np.ndarray
    pattern_time_ptr: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    stop_pattern_ptr: np.ndarray
    stop_pattern: np.ndarray
    stop_pattern_pos: np.ndarray
    trip_ids: np.ndarray
    pattern_route_ids: np.ndarray
    date: dt.date
    stop_rank: np.ndarray | None = None

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_ids)

    @property
    def n_patterns(self) -> int:
        """Number of patterns."""
        return len(self.pattern_stop_ptr) - 1


def _curve_rank(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rank of each point along a Z-order (Morton) curve: nearby points get nearby ranks."""
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.int64)

    def cells(v: np.ndarray) -> np.ndarray:
        v = np.nan_to_num(np.asarray(v, dtype=np.float64))
        span = float(v.max() - v.min()) or 1.0
        return ((v - v.min()) / span * 65535).astype(np.uint64)

    def spread(v: np.ndarray) -> np.ndarray:
        # Put a zero bit between each of the 16 bits of v (the classic "part1by1").
        v = v & np.uint64(0xFFFF)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
        return (v | (v << np.uint64(1))) & np.uint64(0x55555555)

    code = spread(cells(x)) | (spread(cells(y)) << np.uint64(1))
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(code, kind="stable")] = np.arange(n)
    return rank


def _split_fifo(arr: np.ndarray, dep: np.ndarray) -> list[np.ndarray]:
    """Split trips (sorted by first departure) into groups where no trip overtakes another."""
    groups: list[list[int]] = []
    lasts: list[int] = []
    for t in range(arr.shape[0]):
        for g, last in enumerate(lasts):
            if np.all(dep[t] >= dep[last]) and np.all(arr[t] >= arr[last]):
                groups[g].append(t)
                lasts[g] = t
                break
        else:
            groups.append([t])
            lasts.append(t)
    return [np.asarray(g) for g in groups]


def build_timetable(
    feed: Feed,
    date: dt.date,
    *,
    time_window_s: tuple[int, int] | None = None,
) -> Timetable:
    """Lay out the trips running on ``date`` for RAPTOR.

    Parameters
    ----------
    feed
        A validated feed (frequencies are expanded here).
    date
        Routing date: services of that day, plus the previous day's trips running past
        midnight.
    time_window_s
        ``(earliest, latest)`` seconds: keep only trips still running after ``earliest`` and
        leaving their first stop before ``latest`` (a speed-up; ``None`` keeps all).

    Returns
    -------
    Timetable
        Arrays for :func:`earliest_arrival` and :func:`range_raptor`; stop indices follow
        ``feed.stops`` row order.

    Raises
    ------
    RoutingInputError
        When no trip runs on ``date`` (wrong date for this feed).
    """
    if not feed.frequencies.empty:
        feed = expand_frequencies(feed)
    stop_ids = feed.stops["stop_id"].to_numpy()
    stop_index = pd.Series(np.arange(len(stop_ids), dtype=np.int64), index=stop_ids)
    running = trips_on_date(feed, date)
    if running.empty:
        raise RoutingInputError(
            f"no trip of {feed.source} runs on {date.isoformat()}; pick a date inside the "
            "feed's calendar (see calendar.txt start_date/end_date)."
        )
    st = feed.stop_times.merge(running, on="trip_id")
    st["arrival_s"] = st["arrival_s"] + st["offset_s"]
    st["departure_s"] = st["departure_s"] + st["offset_s"]
    st["slot"] = st["trip_id"] + "@" + st["offset_s"].astype(str)
    st = st.sort_values(["slot", "stop_sequence"], kind="stable", ignore_index=True)
    if time_window_s is not None:
        lo, hi = time_window_s
        span = st.groupby("slot", sort=False).agg(
            first=("departure_s", "min"), last=("arrival_s", "max")
        )
        keep = span.index[(span["last"].to_numpy() >= lo) & (span["first"].to_numpy() <= hi)]
        st = st.loc[st["slot"].isin(keep)].reset_index(drop=True)
    st["stop_idx"] = stop_index.reindex(st["stop_id"]).to_numpy()
    route_of = feed.trips.set_index("trip_id")["route_id"]
    slots = st["slot"].to_numpy()
    starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
    ends = np.r_[starts[1:], len(st)]
    stop_idx = st["stop_idx"].to_numpy(np.int64)
    arr_all = st["arrival_s"].to_numpy(np.int64)
    dep_all = st["departure_s"].to_numpy(np.int64)
    trip_of_slot = st["trip_id"].to_numpy()[starts]
    routes = route_of.reindex(trip_of_slot).to_numpy()
    keyed: dict[tuple[str, bytes], list[int]] = {}
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        keyed.setdefault((str(routes[i]), stop_idx[a:b].tobytes()), []).append(i)

    p_stop_ptr = [0]
    p_stops: list[np.ndarray] = []
    p_trip_ptr = [0]
    p_time_ptr = [0]
    arr_blocks: list[np.ndarray] = []
    dep_blocks: list[np.ndarray] = []
    trip_ids: list[str] = []
    p_routes: list[str] = []
    for (route, _), members in keyed.items():
        a0 = starts[members[0]]
        seq = stop_idx[a0 : ends[members[0]]]
        length = len(seq)
        rows = np.stack([np.arange(starts[m], ends[m]) for m in members])
        arr = arr_all[rows]
        dep = dep_all[rows]
        order = np.lexsort((arr[:, -1], dep[:, 0]))
        arr, dep = arr[order], dep[order]
        members_sorted = np.asarray(members)[order]
        for grp in _split_fifo(arr, dep):
            p_stops.append(seq)
            p_stop_ptr.append(p_stop_ptr[-1] + length)
            p_trip_ptr.append(p_trip_ptr[-1] + len(grp))
            p_time_ptr.append(p_time_ptr[-1] + len(grp) * length)
            arr_blocks.append(arr[grp].ravel())
            dep_blocks.append(dep[grp].ravel())
            trip_ids.extend(str(st["slot"].iat[starts[m]]) for m in members_sorted[grp])
            p_routes.append(route)
    n_pat = len(p_stops)
    pattern_stops = np.concatenate(p_stops).astype(np.int32) if n_pat else np.zeros(0, np.int32)
    pos_in_pattern = (
        np.concatenate([np.arange(len(s)) for s in p_stops]) if n_pat else np.zeros(0, np.int64)
    )
    pat_of_entry = np.repeat(np.arange(n_pat), np.diff(p_stop_ptr))
    order = np.lexsort((pos_in_pattern, pat_of_entry, pattern_stops))
    sp_ptr = np.zeros(len(stop_ids) + 1, dtype=np.int64)
    np.add.at(sp_ptr, pattern_stops.astype(np.int64) + 1, 1)
    return Timetable(
        stop_ids=stop_ids,
        pattern_stop_ptr=np.asarray(p_stop_ptr, dtype=np.int64),
        pattern_stops=pattern_stops,
        pattern_trip_ptr=np.asarray(p_trip_ptr, dtype=np.int64),
        pattern_time_ptr=np.asarray(p_time_ptr, dtype=np.int64),
        arrival=np.concatenate(arr_blocks).astype(np.int32) if n_pat else np.zeros(0, np.int32),
        departure=np.concatenate(dep_blocks).astype(np.int32) if n_pat else np.zeros(0, np.int32),
        stop_pattern_ptr=np.cumsum(sp_ptr),
        stop_pattern=pat_of_entry[order].astype(np.int32),
        stop_pattern_pos=pos_in_pattern[order].astype(np.int32),
        trip_ids=np.asarray(trip_ids, dtype=object),
        pattern_route_ids=np.asarray(p_routes, dtype=object),
        date=date,
        stop_rank=_curve_rank(
            feed.stops["stop_lon"].to_numpy(float), feed.stops["stop_lat"].to_numpy(float)
        ),
    )


# --------------------------------------------------------------------------- compiled core


@numba.njit(cache=True, nogil=True, inline="always")
def _beats_fewer_rides(ready, k, s, t):
    """Tell whether arriving at ``t`` in round ``k`` beats every label of rounds ``< k``."""
    for j in range(k - 1, -1, -1):  # noqa: SIM110 (a plain loop compiles best in numba)
        if ready[j, s] <= t:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _carry_forward(labels, k):
    """Lower round ``k``'s labels to round ``k - 1``'s where those are earlier."""
    here = labels[k]
    before = labels[k - 1]
    for s in range(here.shape[0]):
        if before[s] < here[s]:
            here[s] = before[s]


@numba.njit(cache=True, nogil=True, inline="always")
def _latest(dest, useful):
    """Latest best arrival over the destinations a ride can reach (those with egress legs).

    A destination without egress legs is reached on foot or not at all, so it must not hold
    the pruning bound open (it would stay unreached, i.e. infinite, for ever).
    """
    m = -1
    for d in range(dest.shape[0]):
        if useful[d] and dest[d] > m:
            m = dest[d]
    return m


@numba.njit(cache=True, nogil=True, inline="always")
def _queue_patterns(mlist, nm, marked, sp_ptr, sp_pat, sp_pos, pat_first, queue):
    """Queue every pattern through a marked stop, from its first marked position.

    Unmarks the stops; returns how many patterns were queued (``queue[:n]``).
    """
    nq = 0
    for i in range(nm):
        s = mlist[np.uint64(i)]
        marked[s] = False
        for q in range(sp_ptr[s], sp_ptr[s + 1]):
            p = sp_pat[np.uint64(q)]
            pos = sp_pos[np.uint64(q)]
            if pat_first[p] == -1:
                pat_first[p] = pos
                queue[nq] = p
                nq += 1
            elif pos < pat_first[p]:
                pat_first[p] = pos
    return nq


@numba.njit(cache=True, nogil=True, inline="always")
def _board(dep, base, length, i, hi, board):
    """Earliest trip of a pattern leaving position ``i`` at or after ``board``, below ``hi``.

    Returns ``hi`` when none of trips ``0..hi-1`` does (trips never overtake, so departures
    at a position rise with the trip index and a binary search finds it).
    """
    if hi == 0 or dep[np.uint64(base + (hi - 1) * length + i)] < board:
        return hi
    lo = 0
    h = hi
    while lo < h:
        mid = (lo + h) // 2
        if dep[np.uint64(base + mid * length + i)] >= board:
            h = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True, nogil=True)
def _egress_tables(tables, n_dest):
    """Which destinations and stops have egress legs, and where each pattern's last one is.

    Returns ``useful`` (per destination), ``has_eg`` (per stop) and ``pat_eg_end`` (per
    pattern, one past the last position whose stop has an egress leg).
    """
    ps_ptr, ps_stops, eg_ptr, eg_to = tables[0], tables[1], tables[11], tables[12]
    n_stops = eg_ptr.shape[0] - 1
    n_pat = ps_ptr.shape[0] - 1
    useful = np.zeros(n_dest, dtype=np.bool_)
    for e in range(eg_to.shape[0]):
        useful[eg_to[e]] = True
    has_eg = np.zeros(n_stops, dtype=np.bool_)
    for s in range(n_stops):
        has_eg[s] = eg_ptr[s + 1] > eg_ptr[s]
    pat_eg_end = np.zeros(n_pat, dtype=np.int32)
    for p in range(n_pat):
        for i in range(ps_ptr[p + 1] - ps_ptr[p]):
            if has_eg[ps_stops[ps_ptr[p] + i]]:
                pat_eg_end[p] = i + 1
    return useful, has_eg, pat_eg_end


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _run_departure(
    t0,
    acc_stop,
    acc_s,
    max_rounds,
    slack,
    cutoff,
    tables,
    ready,
    best_ride,
    dest,
    useful,
    marked,
    mlist,
    pat_first,
    queue,
    rode,
    ride_list,
    ride_lab,
    has_eg,
    egd,
    eg_list,
    pat_eg_end,
):
    """One RAPTOR run from departure ``t0``, improving the labels given (kept between runs).

    Stop, pattern and leg indices are unsigned (``uint32`` arrays, ``np.uint64(...)`` casts):
    numba adds a negative-index wrap-around fix-up to every access through a signed index,
    and dropping it made this kernel about a fifth faster (benchmarks/README.md).
    """
    (
        ps_ptr,
        ps_stops,
        pt_ptr,
        ptime_ptr,
        arr,
        dep,
        sp_ptr,
        sp_pat,
        sp_pos,
        tr_ptr,
        tr,
        eg_ptr,
        eg_to,
        eg_s,
    ) = tables
    inf = np.int32(1 << 30)
    n_stops = ready.shape[1]
    # Target pruning: a label no earlier than every destination's best arrival cannot
    # improve any of them (walking and riding only add time).
    limit = t0 + cutoff if cutoff < inf else inf
    bound = min(_latest(dest, useful), limit)
    nm = 0
    for j in range(acc_stop.shape[0]):
        s = acc_stop[j]
        a = t0 + acc_s[j]
        if a < ready[0, s] and a < bound:
            ready[0, s] = a
            if not marked[s]:
                marked[s] = True
                mlist[np.uint64(nm)] = s
                nm += 1
    for k in range(1, max_rounds + 1):
        if nm == 0:
            break
        # The last round's arrivals only reach destinations: nobody boards after them, and
        # walks are never chained, so its boarding labels and transfers would go unused.
        last = k == max_rounds
        bound = min(_latest(dest, useful), limit)
        # Local pruning: a candidate no earlier than a label with fewer vehicles cannot lead
        # to any journey that label does not (within the round limit). When many stops are
        # marked, round k's labels are first lowered to the fewer-vehicle ones everywhere
        # (one pass over the stops), so one comparison decides; otherwise labels are copied
        # forward at the marked stops only and _beats_fewer_rides checks the lower rounds.
        eager = nm * 16 >= n_stops
        if eager:
            _carry_forward(ready, k)
            _carry_forward(ride_lab, k)
        for i in range(nm):
            s = mlist[np.uint64(i)]
            if ready[k - 1, s] < ready[k, s]:
                ready[k, s] = ready[k - 1, s]
        nq = _queue_patterns(mlist, nm, marked, sp_ptr, sp_pat, sp_pos, pat_first, queue)
        nm = 0
        n_ride = 0
        n_eg = 0
        for qi in range(nq):
            p = queue[qi]
            start = pat_first[p]
            pat_first[p] = -1
            s0 = ps_ptr[p]
            length = ps_ptr[p + 1] - s0
            # The last round only feeds destinations: past the pattern's last stop with an
            # egress leg nothing it finds is used.
            end = pat_eg_end[p] if last else length
            if start >= end:
                continue
            ntr = pt_ptr[p + 1] - pt_ptr[p]
            base = ptime_ptr[p]
            trip = -1
            for i in range(start, end):
                s = ps_stops[np.uint64(s0 + i)]
                if trip >= 0:
                    a = arr[np.uint64(base + trip * length + i)]
                    if a < best_ride[s]:
                        best_ride[s] = a
                        # Egress is walked once per stop and round, after the scans: the
                        # pruning bound reads the destinations only at the round's start.
                        if has_eg[s] and not egd[s]:
                            egd[s] = True
                            eg_list[np.uint64(n_eg)] = s
                            n_eg += 1
                    if a < bound and not last:
                        r = a + slack
                        if r < ready[k, s] and (eager or _beats_fewer_rides(ready, k, s, r)):
                            ready[k, s] = r
                            if not marked[s]:
                                marked[s] = True
                                mlist[np.uint64(nm)] = s
                                nm += 1
                        # Transfers start from the ride arrival, even when the stop's
                        # boarding label came from a walk (walks are never chained).
                        if a < ride_lab[k, s] and (eager or _beats_fewer_rides(ride_lab, k, s, a)):
                            ride_lab[k, s] = a
                            if not rode[s]:
                                rode[s] = True
                                ride_list[np.uint64(n_ride)] = s
                                n_ride += 1
                b = ready[k - 1, s]
                if b < inf and i < length - 1:
                    hi = ntr if trip == -1 else trip
                    got = _board(dep, base, length, i, hi, b)
                    if got < hi:
                        trip = got
        for i in range(n_eg):
            s = eg_list[i]
            egd[s] = False
            a = best_ride[s]
            for e in range(eg_ptr[s], eg_ptr[s + 1]):
                d = eg_to[np.uint64(e)]
                v = a + eg_s[np.uint64(e)]
                if v < dest[d]:
                    dest[d] = v
        for i in range(n_ride):
            s = ride_list[i]
            rode[s] = False
            a = ride_lab[k, s]
            for q in range(2 * tr_ptr[s], 2 * tr_ptr[s + 1], 2):
                s2 = tr[np.uint64(q)]
                v = a + np.int32(tr[np.uint64(q + 1)])
                if (
                    v < ready[k, s2]
                    and v < bound
                    and (eager or _beats_fewer_rides(ready, k, s2, v))
                ):
                    ready[k, s2] = v
                    if not marked[s2]:
                        marked[s2] = True
                        mlist[np.uint64(nm)] = s2
                        nm += 1
    for i in range(nm):
        marked[mlist[i]] = False


@numba.njit(cache=True, parallel=True, error_model="numpy")
def _range_kernel(
    departures,
    acc_ptr,
    acc_to,
    acc_s,
    max_rounds,
    slack,
    cutoff,
    reuse,
    n_dest,
    tables,
    direct,
    out,
):
    inf = np.int32(1 << 30)
    n_orig = acc_ptr.shape[0] - 1
    n_stops = tables[6].shape[0] - 1  # stop -> patterns pointer
    n_pat = tables[0].shape[0] - 1  # pattern -> stops pointer
    n_dep = departures.shape[0]
    useful, has_eg, pat_eg_end = _egress_tables(tables, n_dest)
    for o in numba.prange(n_orig):
        ready = np.full((max_rounds + 1, n_stops), inf, dtype=np.int32)
        best_ride = np.full(n_stops, inf, dtype=np.int32)
        dest = np.full(n_dest, inf, dtype=np.int32)
        marked = np.zeros(n_stops, dtype=np.bool_)
        rode = np.zeros(n_stops, dtype=np.bool_)
        mlist = np.zeros(n_stops, dtype=np.uint32)
        ride_list = np.zeros(n_stops, dtype=np.uint32)
        ride_lab = np.full((max_rounds + 1, n_stops), inf, dtype=np.int32)
        pat_first = np.full(n_pat, -1, dtype=np.int32)
        queue = np.zeros(n_pat, dtype=np.uint32)
        egd = np.zeros(n_stops, dtype=np.bool_)
        eg_list = np.zeros(n_stops, dtype=np.uint32)
        a0 = acc_ptr[o]
        a1 = acc_ptr[o + 1]
        for m in range(n_dep - 1, -1, -1):
            t0 = departures[m]
            if not reuse:
                ready[:, :] = inf
                ride_lab[:, :] = inf
                best_ride[:] = inf
                dest[:] = inf
            for d in range(n_dest):
                w = direct[o, d]
                if w < inf and t0 + w < dest[d]:
                    dest[d] = t0 + w
            _run_departure(
                t0,
                acc_to[a0:a1],
                acc_s[a0:a1],
                max_rounds,
                slack,
                cutoff,
                tables,
                ready,
                best_ride,
                dest,
                useful,
                marked,
                mlist,
                pat_first,
                queue,
                rode,
                ride_list,
                ride_lab,
                has_eg,
                egd,
                eg_list,
                pat_eg_end,
            )
            for d in range(n_dest):
                v = dest[d] - t0 if dest[d] < inf else inf
                out[o, m, d] = v if v <= cutoff else inf


# --------------------------------------------------------------------- batched compiled core
#
# Used for searches that are each a full RAPTOR run (see range_raptor). Origins are routed
# in batches of ``lanes`` at once; the lanes of a batch are origins that board close
# together (_origin_order), since nearby origins scan much the same patterns and stops.
# The round logic is _run_departure's, lane by lane. Labels are flat int32 arrays laid out
# [round][stop][lane], so one stop's labels for every origin of the batch sit side by side:
# a walking transfer relaxes all lanes in one vectorised loop, and the patterns, stops and
# trips a batch scans are read once for all its origins. The answers are those of one origin
# at a time, bit for bit: a lane scanned or walked from a stop it did not improve this round
# only meets labels it already has (every trip it can board there was ridden, and every walk
# from there taken, in an earlier round or a later departure), so nothing changes for it.
#
# Stop, pattern, leg and position indices are unsigned (uint32 arrays, np.uint64 casts):
# numba adds a negative-index wrap-around fix-up to every access through a signed index.


@numba.njit(cache=True, nogil=True, inline="always")
def _beats_in_lanes(labels, k, stride, at, t):
    """Tell whether ``t`` beats the labels at ``at`` of every round ``< k``."""
    for j in range(k - 1, -1, -1):  # noqa: SIM110 (a plain loop compiles best in numba)
        if labels[np.uint64(j * stride + at)] <= t:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _carry_forward_lanes(labels, k, stride):
    """Lower round ``k``'s labels to round ``k - 1``'s where those are earlier."""
    cur = k * stride
    prev = cur - stride
    for x in range(stride):
        before = labels[np.uint64(prev + x)]
        here = labels[np.uint64(cur + x)]
        labels[np.uint64(cur + x)] = before if before < here else here


@numba.njit(cache=True, nogil=True, inline="always")
def _note_dirty(s, dirty, dirty_list, n_dirty):
    """Record that stop ``s`` got round labels in this batch (to reset just those later)."""
    if not dirty[s]:
        dirty[s] = True
        dirty_list[np.uint64(n_dirty[0])] = s
        n_dirty[0] += 1


@numba.njit(cache=True, nogil=True)
def _reset_dirty(ready, ride_lab, max_rounds, stride, lanes, dirty, dirty_list, n_dirty):
    """Set the round labels of the recorded stops back to unreached, for a fresh search.

    Only stops that were ever marked or ridden to hold a label (every other stop's labels
    stay unreached), so this costs what the search cost, not the size of the network.
    """
    inf = np.int32(1 << 30)
    for i in range(n_dirty[0]):
        s = dirty_list[np.uint64(i)]
        dirty[s] = False
        for r in range(max_rounds + 1):
            at = r * stride + s * lanes
            for b in range(lanes):
                ready[np.uint64(at + b)] = inf
                ride_lab[np.uint64(at + b)] = inf
    n_dirty[0] = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _bounds(dest, useful, limit, bound):
    """Per lane: the latest best arrival over destinations a ride can reach, capped at limit.

    A destination without egress legs is reached on foot or not at all, so it must not hold
    the pruning bound open (it would stay unreached, i.e. infinite, for ever).
    """
    lanes = bound.shape[0]
    for b in range(lanes):
        m = -1
        for d in range(useful.shape[0]):
            if useful[d]:
                v = dest[np.uint64(d * lanes + b)]
                if v > m:
                    m = v
        bound[b] = min(m, limit)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _run_batch(
    t0,
    n_used,
    first,
    origin_order,
    acc_ptr,
    acc_stop,
    acc_s,
    max_rounds,
    slack,
    cutoff,
    tables,
    eg_tables,
    work,
):
    """One RAPTOR run of a batch from departure ``t0``, improving the labels given."""
    (
        ps_ptr,
        ps_stops,
        pt_ptr,
        ptime_ptr,
        arr,
        dep,
        sp_ptr,
        sp_pat,
        sp_pos,
        tr_ptr,
        tr,
        eg_ptr,
        eg_to,
        eg_s,
    ) = tables
    (
        ready,
        ride_lab,
        best_ride,
        dest,
        marked,
        mlist,
        pat_first,
        queue,
        rode,
        ride_list,
        egd,
        eg_list,
        bound,
        trip,
        dirty,
        dirty_list,
        n_dirty,
    ) = work
    useful, has_eg, pat_eg_end = eg_tables
    inf = np.int32(1 << 30)
    lanes = bound.shape[0]
    n_stops = sp_ptr.shape[0] - 1
    stride = n_stops * lanes  # one round of labels
    # Target pruning: a label no earlier than every destination's best arrival cannot
    # improve any of them (walking and riding only add time).
    limit = t0 + cutoff if cutoff < inf else inf
    _bounds(dest, useful, limit, bound)
    nm = 0
    for b in range(n_used):
        o = origin_order[first + b]
        for j in range(acc_ptr[o], acc_ptr[o + 1]):
            s = acc_stop[np.uint64(j)]
            a = t0 + acc_s[np.uint64(j)]
            at = np.uint64(s * lanes + b)
            if a < ready[at] and a < bound[b]:
                ready[at] = a
                if not marked[s]:
                    marked[s] = True
                    mlist[np.uint64(nm)] = s
                    nm += 1
                    _note_dirty(s, dirty, dirty_list, n_dirty)
    for k in range(1, max_rounds + 1):
        if nm == 0:
            break
        # The last round's arrivals only reach destinations: nobody boards after them, and
        # walks are never chained, so its boarding labels and transfers would go unused.
        last = k == max_rounds
        _bounds(dest, useful, limit, bound)
        cur = k * stride
        prev = cur - stride
        # Local pruning: a candidate no earlier than a label with fewer vehicles cannot lead
        # to any journey that label does not (within the round limit). When many stops are
        # marked, round k's labels are first lowered to the fewer-vehicle ones everywhere
        # (one pass), so one comparison decides; otherwise labels are copied forward at the
        # marked stops only and _beats_fewer_rides checks the lower rounds.
        eager = nm * 16 >= n_stops
        if eager:
            _carry_forward_lanes(ready, k, stride)
            _carry_forward_lanes(ride_lab, k, stride)
        for i in range(nm):
            sl = mlist[np.uint64(i)] * lanes
            for b in range(lanes):
                before = ready[np.uint64(prev + sl + b)]
                here = ready[np.uint64(cur + sl + b)]
                ready[np.uint64(cur + sl + b)] = before if before < here else here
        nq = _queue_patterns(mlist, nm, marked, sp_ptr, sp_pat, sp_pos, pat_first, queue)
        nm = 0
        n_ride = 0
        n_eg = 0
        for qi in range(nq):
            p = queue[qi]
            start = pat_first[p]
            pat_first[p] = -1
            s0 = ps_ptr[p]
            length = ps_ptr[p + 1] - s0
            # The last round only feeds destinations: past the pattern's last stop with an
            # egress leg nothing it finds is used.
            end = pat_eg_end[p] if last else length
            if start >= end:
                continue
            ntr = pt_ptr[p + 1] - pt_ptr[p]
            base = ptime_ptr[p]
            for b in range(lanes):
                trip[b] = -1
            for i in range(start, end):
                s = ps_stops[np.uint64(s0 + i)]
                sl = s * lanes
                for b in range(n_used):
                    t = trip[b]
                    if t >= 0:
                        a = arr[np.uint64(base + t * length + i)]
                        x = np.uint64(sl + b)
                        if a < best_ride[x]:
                            best_ride[x] = a
                            # Egress is walked once per stop and round, after the scans:
                            # the pruning bound reads the destinations at the round's start.
                            if has_eg[s] and not egd[s]:
                                egd[s] = True
                                eg_list[np.uint64(n_eg)] = s
                                n_eg += 1
                        if a < bound[b] and not last:
                            r = a + slack
                            y = np.uint64(cur + sl + b)
                            if r < ready[y] and (
                                eager or _beats_in_lanes(ready, k, stride, sl + b, r)
                            ):
                                ready[y] = r
                                if not marked[s]:
                                    marked[s] = True
                                    mlist[np.uint64(nm)] = s
                                    nm += 1
                                    _note_dirty(s, dirty, dirty_list, n_dirty)
                            # Transfers start from the ride arrival, even when the stop's
                            # boarding label came from a walk (walks are never chained).
                            if a < ride_lab[y] and (
                                eager or _beats_in_lanes(ride_lab, k, stride, sl + b, a)
                            ):
                                ride_lab[y] = a
                                if not rode[s]:
                                    rode[s] = True
                                    ride_list[np.uint64(n_ride)] = s
                                    n_ride += 1
                                    _note_dirty(s, dirty, dirty_list, n_dirty)
                    board = ready[np.uint64(prev + sl + b)]
                    if board < inf and i < length - 1:
                        hi = ntr if t == -1 else t
                        got = _board(dep, base, length, i, hi, board)
                        if got < hi:
                            trip[b] = got
        for i in range(n_eg):
            s = eg_list[np.uint64(i)]
            egd[s] = False
            sl = s * lanes
            for e in range(eg_ptr[s], eg_ptr[s + 1]):
                dl = eg_to[np.uint64(e)] * lanes
                w = eg_s[np.uint64(e)]
                for b in range(lanes):
                    v = best_ride[np.uint64(sl + b)] + w
                    old = dest[np.uint64(dl + b)]
                    dest[np.uint64(dl + b)] = v if v < old else old
        for i in range(n_ride):
            s = ride_list[np.uint64(i)]
            rode[s] = False
            rs = cur + s * lanes
            for q in range(2 * tr_ptr[s], 2 * tr_ptr[s + 1], 2):
                s2 = tr[np.uint64(q)]
                w = np.int32(tr[np.uint64(q + 1)])
                r2 = cur + s2 * lanes
                improved = 0
                if eager:
                    # Branch-free over the lanes, so it vectorises.
                    for b in range(lanes):
                        v = ride_lab[np.uint64(rs + b)] + w
                        old = ready[np.uint64(r2 + b)]
                        new = v if (v < old) & (v < bound[b]) else old
                        ready[np.uint64(r2 + b)] = new
                        improved |= old - new
                else:
                    for b in range(lanes):
                        v = ride_lab[np.uint64(rs + b)] + w
                        if (
                            v < ready[np.uint64(r2 + b)]
                            and v < bound[b]
                            and _beats_in_lanes(ready, k, stride, s2 * lanes + b, v)
                        ):
                            ready[np.uint64(r2 + b)] = v
                            improved = 1
                if improved != 0 and not marked[s2]:
                    marked[s2] = True
                    mlist[np.uint64(nm)] = s2
                    nm += 1
                    _note_dirty(s2, dirty, dirty_list, n_dirty)
    for i in range(nm):
        marked[mlist[np.uint64(i)]] = False


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _batch(
    batch,
    departures,
    acc_ptr,
    acc_stop,
    acc_s,
    max_rounds,
    slack,
    cutoff,
    reuse,
    n_dest,
    lanes,
    origin_order,
    tables,
    direct,
    out,
    eg_tables,
    work,
):
    """Route one batch of origins over every departure, writing their rows of ``out``.

    The round labels must be unreached except at the stops recorded as dirty.
    """
    ready, ride_lab, best_ride, dest = work[0], work[1], work[2], work[3]
    dirty, dirty_list, n_dirty = work[14], work[15], work[16]
    inf = np.int32(1 << 30)
    n_orig = acc_ptr.shape[0] - 1
    n_dep = departures.shape[0]
    stride = (tables[6].shape[0] - 1) * lanes  # stops x lanes
    first = batch * lanes
    used = min(lanes, n_orig - first)
    for m in range(n_dep - 1, -1, -1):
        t0 = departures[m]
        if m == n_dep - 1 or not reuse:
            _reset_dirty(ready, ride_lab, max_rounds, stride, lanes, dirty, dirty_list, n_dirty)
            best_ride[:] = inf
            dest[:] = inf
        for b in range(used):
            o = origin_order[first + b]
            for d in range(n_dest):
                w = direct[o, d]
                at = d * lanes + b
                if w < inf and t0 + w < dest[at]:
                    dest[at] = t0 + w
        _run_batch(
            t0,
            used,
            first,
            origin_order,
            acc_ptr,
            acc_stop,
            acc_s,
            max_rounds,
            slack,
            cutoff,
            tables,
            eg_tables,
            work,
        )
        for b in range(used):
            o = origin_order[first + b]
            for d in range(n_dest):
                at = d * lanes + b
                v = dest[at] - t0 if dest[at] < inf else inf
                out[o, m, d] = v if v <= cutoff else inf


@numba.njit(cache=True, parallel=True, error_model="numpy")
def _batch_kernel(
    departures,
    acc_ptr,
    acc_stop,
    acc_s,
    max_rounds,
    slack,
    cutoff,
    reuse,
    n_dest,
    lanes,
    n_chunks,
    origin_order,
    tables,
    direct,
    out,
):
    n_orig = acc_ptr.shape[0] - 1
    n_stops = tables[6].shape[0] - 1  # stop -> patterns pointer
    n_pat = tables[0].shape[0] - 1  # pattern -> stops pointer
    eg_tables = _egress_tables(tables, n_dest)
    # Batches are dealt to a few chunks (batch i to chunk i % n_chunks); a chunk allocates
    # its label buffers once and resets only the stops a search touched: a fresh
    # multi-megabyte buffer per batch costs page faults and fills that dwarf small searches.
    n_batches = (n_orig + lanes - 1) // lanes
    size = (max_rounds + 1) * n_stops * lanes
    for chunk in numba.prange(n_chunks):
        ready = np.full(size, np.int32(1 << 30), dtype=np.int32)
        ride_lab = np.full(size, np.int32(1 << 30), dtype=np.int32)
        dirty = np.zeros(n_stops, dtype=np.bool_)
        dirty_list = np.zeros(n_stops, dtype=np.uint32)
        n_dirty = np.zeros(1, dtype=np.int64)
        best_ride = np.empty(n_stops * lanes, dtype=np.int32)
        dest = np.empty(n_dest * lanes, dtype=np.int32)
        marked = np.zeros(n_stops, dtype=np.bool_)
        mlist = np.zeros(n_stops, dtype=np.uint32)
        pat_first = np.full(n_pat, -1, dtype=np.int32)
        queue = np.zeros(n_pat, dtype=np.uint32)
        rode = np.zeros(n_stops, dtype=np.bool_)
        ride_list = np.zeros(n_stops, dtype=np.uint32)
        egd = np.zeros(n_stops, dtype=np.bool_)
        eg_list = np.zeros(n_stops, dtype=np.uint32)
        bound = np.zeros(lanes, dtype=np.int32)
        trip = np.zeros(lanes, dtype=np.int64)
        work = (
            ready,
            ride_lab,
            best_ride,
            dest,
            marked,
            mlist,
            pat_first,
            queue,
            rode,
            ride_list,
            egd,
            eg_list,
            bound,
            trip,
            dirty,
            dirty_list,
            n_dirty,
        )
        for batch in range(chunk, n_batches, n_chunks):
            _batch(
                batch,
                departures,
                acc_ptr,
                acc_stop,
                acc_s,
                max_rounds,
                slack,
                cutoff,
                reuse,
                n_dest,
                lanes,
                origin_order,
                tables,
                direct,
                out,
                eg_tables,
                work,
            )


LANES = 16
"""Origins routed together in one batch (16 int32 labels fill one AVX-512 register)."""

MIN_LANES = 8
"""Fewest lanes worth a batch; with fewer origins per thread each is routed on its own."""

LANE_LABELS_BYTES = 64 * 2**20
"""Most bytes of round labels one batch may hold; a larger network gets fewer lanes."""


def _lanes(n_origins: int, n_stops: int, max_rounds: int) -> int:
    """Lanes per batch: at most :data:`LANES`, enough batches for every thread, memory capped."""
    threads = max(1, numba.get_num_threads())
    by_threads = -(-max(1, n_origins) // threads)
    by_memory = LANE_LABELS_BYTES // max(1, 2 * (max_rounds + 1) * n_stops * 4)
    return int(max(1, min(LANES, by_threads, by_memory)))


def _origin_order(timetable: Timetable, access: Legs) -> np.ndarray:
    """Origins sorted by where they board, so each batch holds origins close together.

    The key is the space-filling-curve rank (:attr:`Timetable.stop_rank`) of each origin's
    nearest access stop; origins without access legs go last. Batches of nearby origins
    share most of their search, which is what makes batching pay.
    """
    n = access.n_sources
    counts = np.diff(access.ptr)
    key = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    has = counts > 0
    if has.any():
        source = np.repeat(np.arange(n), counts)
        by_time = np.lexsort((access.seconds, source))
        nearest = access.target[by_time[access.ptr[:-1][has]]]
        rank = timetable.stop_rank
        key[has] = nearest if rank is None else rank[nearest]
    return np.argsort(key, kind="stable").astype(np.int64)


def _index(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` as ``uint32`` indices for the kernel, refusing negative ones.

    The kernel indexes with unsigned integers because numba then skips its negative-index
    wrap-around fix-up on every array access (a fifth of the kernel's time); a negative value
    would become a huge index, so it is refused here.
    """
    values = np.asarray(values)
    if len(values) and values.min() < 0:
        raise RoutingInputError(f"range_raptor: a negative {what} index.")
    return values.astype(np.uint32)


def _packed(legs: Legs, add_s: int) -> np.ndarray:
    """Each leg's target and seconds + ``add_s``, interleaved in one flat ``uint32`` array.

    Flat and unsigned because this is the kernel's hottest loop: a 2-D array costs a stride
    multiplication per read and a signed index a wrap-around fix-up.
    """
    seconds = legs.seconds.astype(np.int64) + add_s
    if len(seconds) and seconds.min() < 0:
        raise RoutingInputError("range_raptor: a transfer leg takes negative time.")
    out = np.empty((len(legs.target), 2), dtype=np.uint32)
    out[:, 0] = _index(legs.target, "transfer target")
    out[:, 1] = seconds
    return out.ravel()


def _check_legs(timetable: Timetable, access: Legs, transfers: Legs, egress: Legs) -> None:
    problems = []
    if access.n_targets != timetable.n_stops:
        problems.append(
            f"access legs point to {access.n_targets} stops, timetable has {timetable.n_stops}"
        )
    if transfers.n_sources != timetable.n_stops or transfers.n_targets != timetable.n_stops:
        problems.append("transfer legs must be stop x stop for this timetable")
    if egress.n_sources != timetable.n_stops:
        problems.append(
            f"egress legs start from {egress.n_sources} stops, timetable has {timetable.n_stops}"
        )
    if problems:
        raise RoutingInputError(
            "; ".join(problems) + ". Build the legs from the same feed as the timetable."
        )


def range_raptor(
    timetable: Timetable,
    access: Legs,
    transfers: Legs,
    egress: Legs,
    departures_s: np.ndarray,
    *,
    direct_s: np.ndarray | None = None,
    cutoff_s: int | None = None,
    max_rounds: int = 8,
    min_transfer_s: int = 60,
    reuse_labels: bool = True,
) -> np.ndarray:
    """Travel times from every origin to every destination, for each departure time.

    Parameters
    ----------
    timetable
        From :func:`build_timetable`.
    access
        Origin -> stop walking legs (``n_sources`` origins).
    transfers
        Stop -> stop walking legs (a stop's legs should not include itself).
    egress
        Stop -> destination walking legs; ``egress.n_targets`` destinations. For "nearest
        destination" give every leg the same target 0.
    departures_s
        Departure times (seconds after midnight), ascending.
    direct_s
        ``(n_origins, n_destinations)`` walking time all the way (:data:`INF` beyond the
        walking limit). The result is then the best of walking and public transport, and
        journeys slower than walking are pruned early (a large speed-up). ``None``: public
        transport only.
    cutoff_s
        Longest travel time wanted: longer ones are reported as :data:`INF` and journeys are
        pruned as soon as they exceed it (much faster for many destinations).
    max_rounds
        Most vehicles boarded in one journey.
    min_transfer_s
        Slack needed before any boarding after the first.
    reuse_labels
        Range-RAPTOR (keep labels from the later departure). ``False`` runs an independent
        RAPTOR per departure (the slow reference, for benchmarks and tests).

    Returns
    -------
    numpy.ndarray
        ``int32`` array ``(n_origins, n_departures, n_destinations)`` of travel times in
        seconds, :data:`INF` when unreachable.
    """
    _check_legs(timetable, access, transfers, egress)
    deps = np.asarray(departures_s, dtype=np.int32)
    if len(deps) > 1 and np.any(np.diff(deps) <= 0):
        raise RoutingInputError("departures_s must be strictly ascending.")
    if max_rounds < 1:
        raise RoutingInputError("max_rounds must be at least 1.")
    if min_transfer_s < 0:
        raise RoutingInputError("min_transfer_s must not be negative.")
    shape = (access.n_sources, egress.n_targets)
    if direct_s is None:
        direct = np.full(shape, INF, dtype=np.int32)
    else:
        direct = np.minimum(np.asarray(direct_s, dtype=np.int64), INF).astype(np.int32)
        if direct.shape != shape:
            raise RoutingInputError(
                f"direct_s has shape {direct.shape}; expected (origins, destinations) {shape}."
            )
    out = np.empty((access.n_sources, len(deps), egress.n_targets), dtype=np.int32)
    tt = timetable
    shared = (
        int(max_rounds),
        np.int32(min_transfer_s),
        np.int32(INF if cutoff_s is None else min(int(cutoff_s), int(INF))),
        bool(reuse_labels),
        int(egress.n_targets),
    )
    # why: one tuple (the kernels unpack it) instead of fourteen arguments at every call
    tables = (
        tt.pattern_stop_ptr,
        _index(tt.pattern_stops, "pattern stop"),
        tt.pattern_trip_ptr,
        tt.pattern_time_ptr,
        tt.arrival,
        tt.departure,
        tt.stop_pattern_ptr,
        _index(tt.stop_pattern, "stop pattern"),
        tt.stop_pattern_pos,
        transfers.ptr,
        _packed(transfers, min_transfer_s),
        egress.ptr,
        _index(egress.target, "egress destination"),
        egress.seconds,
    )
    network = (tables, direct, out)
    access_arrays = (access.ptr, _index(access.target, "access stop"), access.seconds)
    lanes = _lanes(access.n_sources, tt.n_stops, int(max_rounds))
    # why: batches pay when each origin's search is large: every departure a search of its
    # own (one departure, or no label reuse) with no travel-time cutoff. A range-RAPTOR step,
    # or a search a cutoff keeps small, explores little per origin, and lanes with nothing
    # to do would only slow it (benchmarks/README.md has each shape measured).
    if lanes >= MIN_LANES and cutoff_s is None and (len(deps) == 1 or not reuse_labels):
        n_batches = -(-access.n_sources // lanes)
        n_chunks = min(n_batches, 2 * max(1, numba.get_num_threads()))
        _batch_kernel(
            deps, *access_arrays, *shared, lanes, n_chunks, _origin_order(tt, access), *network
        )
    else:
        _range_kernel(deps, *access_arrays, *shared, *network)
    return out


def earliest_arrival(
    timetable: Timetable,
    access: Legs,
    transfers: Legs,
    egress: Legs,
    departure_s: int,
    *,
    max_rounds: int = 8,
    min_transfer_s: int = 60,
) -> np.ndarray:
    """Earliest arrival at each destination leaving every origin at ``departure_s``.

    Parameters
    ----------
    timetable, access, transfers, egress
        As for :func:`range_raptor`.
    departure_s
        Departure time, seconds after midnight.
    max_rounds, min_transfer_s
        As for :func:`range_raptor`.

    Returns
    -------
    numpy.ndarray
        ``int32`` ``(n_origins, n_destinations)`` arrival times in seconds (public transport
        only), :data:`INF` when unreachable.
    """
    tt = range_raptor(
        timetable,
        access,
        transfers,
        egress,
        np.asarray([departure_s]),
        max_rounds=max_rounds,
        min_transfer_s=min_transfer_s,
    )[:, 0, :]
    return np.where(tt < INF, tt + np.int32(departure_s), INF).astype(np.int32)
