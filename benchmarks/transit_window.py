"""Range-RAPTOR over a departure window on the real Porto Alegre feeds and street network.

Every hexagon with population -> nearest hexagon with a healthcare facility, departures every
minute of the window, walking + EPTC buses + Trensurb trains. Prints total time, time per
departure minute, peak memory and the ratio against an independent RAPTOR per minute (timed on
every 15th minute and extrapolated, as said in the output).

    python benchmarks/transit_window.py [--window 07:00-10:00] [--date 2019-05-13]

Note: the EPTC sample feed only has bus trips between about 11:00 and 17:00, so the default
07:00-10:00 window is mostly trains and walking; the script also runs 13:00-16:00.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
import pandas as pd

from hiap.settings import configure_numba_cache, get_settings

# Before isochrones.raptor is imported: numba's compiled code goes to the cache folder, not
# into the package.
configure_numba_cache(get_settings())

from isochrones.gtfs import load_feed, merge_feeds  # noqa: E402
from isochrones.network import WalkNetwork, build_walk_graph  # noqa: E402
from isochrones.transit import _to_xy, build_transit_network, window_travel_times  # noqa: E402

DATA = get_settings().data_dir / "transit" / "porto_alegre"


def run(window: tuple[dt.time, dt.time], date: dt.date, walk: WalkNetwork, feed, hexes) -> None:
    lo = window[0].hour * 3600 + window[0].minute * 60
    hi = window[1].hour * 3600 + window[1].minute * 60
    t = time.perf_counter()
    net = build_transit_network(feed, date, walk=walk, time_window_s=(lo, hi + 3 * 3600))
    t_net = time.perf_counter() - t
    xy = _to_xy(hexes["lon"], hexes["lat"], net.crs)
    origins = xy[hexes["population"].to_numpy() > 0]
    dests = xy[hexes["healthcare"].to_numpy() > 0]
    # warm-up compiles (or loads the numba cache) so timings are of the routing itself
    window_travel_times(net, origins[:2], dests, window=(window[0], window[0]), nearest=True)
    t = time.perf_counter()
    res = window_travel_times(net, origins, dests, window=window, nearest=True)
    t_range = time.perf_counter() - t
    n_min = len(res.departures_s)
    sub_step = 15
    t = time.perf_counter()
    sub = window_travel_times(
        net, origins, dests, window=window, step_min=sub_step, nearest=True, reuse_labels=False
    )
    t_sub = time.perf_counter() - t
    t_naive = t_sub * n_min / len(sub.departures_s)
    med = res.to_frame()["p50_min"]
    print(
        f"window {window[0]:%H:%M}-{window[1]:%H:%M} on {date}: {len(origins)} origins, "
        f"{len(dests)} destinations, {n_min} departures, {net.timetable.n_patterns} patterns, "
        f"{len(net.timetable.trip_ids)} trips, {net.transfers.target.size} transfers"
    )
    print(f"  timetable + stop transfers on the street network: {t_net:.2f} s")
    print(
        f"  range-RAPTOR whole window (access/egress legs included): {t_range:.2f} s, "
        f"{1000 * t_range / n_min:.1f} ms per departure minute"
    )
    print(
        f"  separate RAPTOR per minute: {t_sub:.2f} s for {len(sub.departures_s)} minutes "
        f"(every {sub_step}th), extrapolated to {n_min}: {t_naive:.1f} s"
    )
    print(f"  ratio separate/range: {t_naive / t_range:.1f}x")
    print(
        f"  median travel time to nearest healthcare: {np.nanmedian(med[np.isfinite(med)]):.1f} min; "
        f"unreachable origins: {int((~np.isfinite(med)).sum())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", default="07:00-10:00")
    parser.add_argument("--date", default="2019-05-13")
    args = parser.parse_args()
    a, b = args.window.split("-")
    date = dt.date.fromisoformat(args.date)
    t, cpu = time.perf_counter(), time.process_time()
    feed = merge_feeds(
        [load_feed(DATA / "poa_eptc.zip"), load_feed(DATA / "poa_trensurb.zip")],
        prefixes=["bus:", "train:"],
    )
    t_feed, cpu_feed = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    graph = build_walk_graph(DATA / "poa_osm.pbf", to_crs="EPSG:32722")
    walk = WalkNetwork.from_graph(graph)
    t_walk = time.perf_counter() - t
    hexes = pd.read_csv(DATA / "poa_hexgrid.csv")
    print(
        f"load GTFS (2 feeds, {len(feed.stop_times):,} stop times): {t_feed:.2f} s wall, "
        f"{cpu_feed:.2f} s CPU; walk network ({walk.n_nodes} nodes, EPSG:32722): {t_walk:.2f} s"
    )
    windows = [(dt.time.fromisoformat(a), dt.time.fromisoformat(b))]
    if windows[0] != (dt.time(13), dt.time(16)):
        windows.append((dt.time(13), dt.time(16)))
    for w in windows:
        run(w, date, walk, feed, hexes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of the process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
