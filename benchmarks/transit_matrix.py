"""Many-to-many public-transport matrix: isochrones' RAPTOR against ferrobus on the same work.

N hexagons of the Porto Alegre grid (with residents, drawn with a fixed seed) to the same N
hexagons, one departure, walking + EPTC buses + Trensurb trains, 2019-05-13. Prints, for each
departure time, the median wall time of both engines over the repeats (run alternately, so the
load of a shared machine falls on both), their ratio, and how far the two answers agree
(median and 95th percentile absolute difference, share within 2 minutes) on pairs both reach.

    python benchmarks/transit_matrix.py [--n 200] [--departures 08:00,14:00] [--repeats 5]

ferrobus (a Rust RAPTOR on PyPI) is installed into this environment by the script when it is
missing (``uv pip install ferrobus``): a benchmark dependency only, never a runtime one.

Two hiap runs are timed:

* *matched*: ferrobus's model as far as isochrones can express it: walking at 1.4 m/s
  (5.04 km/h), access/egress/transfer walks up to 10 min, walking all the way only within
  10 min, at most 3 vehicles (ferrobus ``max_transfers=3`` runs rounds 1..3), no transfer
  slack. The agreement is measured on this run.
* *default*: isochrones' own settings (4.8 km/h, JTS-style walking all the way up to 60 min,
  8 vehicles, 60 s slack), for scale.

Systematic differences that remain (and show in the agreement figures):

* ferrobus starts each journey from the single nearest stop (``MAX_CANDIDATE_STOPS = 1``),
  isochrones from every stop within the access walk, so isochrones is never slower and is
  faster where a second stop has a better line;
* ferrobus cannot parse blank ``stop_times`` (the EPTC sample leaves intermediate stops
  blank), so it is given the times isochrones interpolates (same trips, same times);
* ferrobus drops the stops its street network does not cover (it reports how many); isochrones
  snaps every stop to its nearest street node and walks the snap distance;
* ferrobus chains walks: its round 0 walks the transfer legs from the origin's stop, and
  arrivals reached by a transfer walk count for the destination's stops, so it walks up to
  10 + 10 minutes at each end; isochrones never chains walks (JTS-style: one access walk, one
  egress walk, each up to 10 min). This is why hiap is slower by > 2 min on many pairs and
  ferrobus alone reaches ~1,500: rerun with hiap's access/egress limit at 20 min, ferrobus
  reaches no pair hiap does not, and "hiap slower by > 2 min" falls from 44.5 % to 10.8 %
  at 08:00 (25.0 % to 14.3 % at 14:00);
* ferrobus starts transfer walks when the vehicle leaves the stop, isochrones when it arrives;
* ferrobus's matrix varies slightly from run to run (the 14:00 agreement moves in the second
  decimal between runs while isochrones' answer is identical bit for bit);
* calendars: both keep the services running on the date (calendar + calendar_dates);
  isochrones also keeps the previous day's trips still running after midnight, which does not
  matter at these departure times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import import_or_install, load_note

from hiap.settings import configure_numba_cache, get_settings

# Before isochrones.raptor is imported: numba's compiled code goes to the cache folder.
configure_numba_cache(get_settings())

from isochrones.gtfs import Feed, load_feed, merge_feeds  # noqa: E402
from isochrones.network import WalkNetwork, build_walk_graph  # noqa: E402
from isochrones.transit import _to_xy, build_transit_network, window_travel_times  # noqa: E402

DATA = get_settings().data_dir / "transit" / "porto_alegre"
FEEDS = ("poa_eptc.zip", "poa_trensurb.zip")
DATE = dt.date(2019, 5, 13)
FERROBUS_SPEED_KPH = 1.4 * 3.6  # ferrobus's WALKING_SPEED, 1.4 m/s
WALK_S = 600  # ferrobus: max_walking_time of the points and max_transfer_time of the model
MAX_VEHICLES = 3  # ferrobus max_transfers=3 -> rounds 1..3


def _hhmmss(seconds: pd.Series) -> pd.Series:
    s = seconds.astype(np.int64)
    return (
        (s // 3600).map("{:02d}".format)
        + ":"
        + (s % 3600 // 60).map("{:02d}".format)
        + ":"
        + (s % 60).map("{:02d}".format)
    )


def ferrobus_gtfs(folder: Path, feeds: list[Feed]) -> list[str]:
    """Unzip each feed for ferrobus, with the stop times isochrones interpolated."""
    dirs = []
    for name, feed in zip(FEEDS, feeds, strict=True):
        out = folder / name.removesuffix(".zip")
        with zipfile.ZipFile(DATA / name) as zf:
            zf.extractall(out)
        st = feed.stop_times
        pd.DataFrame(
            {
                "trip_id": st["trip_id"],
                "arrival_time": _hhmmss(st["arrival_s"]),
                "departure_time": _hhmmss(st["departure_s"]),
                "stop_id": st["stop_id"],
                "stop_sequence": st["stop_sequence"],
            }
        ).to_csv(out / "stop_times.txt", index=False)
        dirs.append(str(out))
    return dirs


def agreement(a_s: np.ndarray, b_s: np.ndarray) -> str:
    """Median/p95 absolute difference and share within 2 min, on pairs both reach."""
    both = np.isfinite(a_s) & np.isfinite(b_s)
    diff = np.abs(a_s[both] - b_s[both]) / 60.0
    only_a = int((np.isfinite(a_s) & ~np.isfinite(b_s)).sum())
    only_b = int((~np.isfinite(a_s) & np.isfinite(b_s)).sum())
    faster = float(np.mean(a_s[both] < b_s[both] - 120))
    slower = float(np.mean(a_s[both] > b_s[both] + 120))
    return (
        f"{int(both.sum())} pairs reached by both (hiap only {only_a}, ferrobus only {only_b}); "
        f"|diff| median {np.median(diff):.2f} min, p95 {np.percentile(diff, 95):.2f} min, "
        f"within 2 min {np.mean(diff <= 2):.1%}; hiap faster by > 2 min on {faster:.1%}, "
        f"slower by > 2 min on {slower:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="origins (= destinations)")
    parser.add_argument("--departures", default="08:00,14:00")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"start: {load_note()}")
    fb = import_or_install("ferrobus")
    feeds = [load_feed(DATA / name) for name in FEEDS]
    feed = merge_feeds(feeds, prefixes=["bus:", "train:"])
    hexes = pd.read_csv(DATA / "poa_hexgrid.csv")
    hexes = hexes[hexes["population"] > 0]
    rng = np.random.default_rng(0)
    pick = hexes.iloc[rng.choice(len(hexes), size=min(args.n, len(hexes)), replace=False)]
    n = len(pick)

    t = time.perf_counter()
    graph = build_walk_graph(DATA / "poa_osm.pbf", to_crs="EPSG:32722")
    walk = WalkNetwork.from_graph(graph)
    nets = {
        "matched": build_transit_network(
            feed,
            DATE,
            walk=walk,
            speed_kph=FERROBUS_SPEED_KPH,
            max_access_min=WALK_S / 60,
            max_transfer_min=WALK_S / 60,
        ),
        "default": build_transit_network(feed, DATE, walk=walk),
    }
    t_hiap_build = time.perf_counter() - t
    xy = _to_xy(pick["lon"].to_numpy(), pick["lat"].to_numpy(), walk.crs)
    options = {
        "matched": {"max_walk_min": WALK_S / 60, "max_rounds": MAX_VEHICLES, "min_transfer_s": 0},
        "default": {},
    }

    with tempfile.TemporaryDirectory() as tmp:
        dirs = ferrobus_gtfs(Path(tmp), feeds)
        t = time.perf_counter()
        model = fb.create_transit_model(str(DATA / "poa_osm.pbf"), dirs, DATE, WALK_S)
        t_fb_build = time.perf_counter() - t
    print(
        f"{n} x {n} matrix, Porto Alegre, {DATE}; build (not in the timings below): "
        f"hiap walk network + 2 transit networks {t_hiap_build:.1f} s, "
        f"ferrobus model {t_fb_build:.1f} s ({model})"
    )

    def run_ferrobus(dep_s: int) -> tuple[float, float, np.ndarray]:
        start, cpu = time.perf_counter(), time.process_time()
        points = [
            fb.create_transit_point(lat, lon, model, WALK_S, 10)
            for lat, lon in zip(pick["lat"], pick["lon"], strict=True)
        ]
        rows = fb.travel_time_matrix(model, points, dep_s, MAX_VEHICLES)
        took, used = time.perf_counter() - start, time.process_time() - cpu
        return took, used, np.array([[np.inf if v is None else v for v in r] for r in rows], float)

    def run_hiap(kind: str, dep: dt.time) -> tuple[float, float, np.ndarray]:
        start, cpu = time.perf_counter(), time.process_time()
        res = window_travel_times(
            nets[kind], xy, xy, window=(dep, dep), percentiles=(50,), **options[kind]
        )
        took, used = time.perf_counter() - start, time.process_time() - cpu
        return took, used, res.travel_s[:, :, 0]

    # Warm-up: numba loads (or compiles) the kernels once.
    run_hiap("matched", dt.time(8))
    for text in args.departures.split(","):
        dep = dt.time.fromisoformat(text.strip())
        dep_s = dep.hour * 3600 + dep.minute * 60
        walls: dict[str, list[float]] = {"ferrobus": [], "matched": [], "default": []}
        cpus: dict[str, list[float]] = {"ferrobus": [], "matched": [], "default": []}
        results: dict[str, np.ndarray] = {}
        for _ in range(args.repeats):
            took, used, results["ferrobus"] = run_ferrobus(dep_s)
            walls["ferrobus"].append(took)
            cpus["ferrobus"].append(used)
            for kind in ("matched", "default"):
                took, used, results[kind] = run_hiap(kind, dep)
                walls[kind].append(took)
                cpus[kind].append(used)
        wall = {k: float(np.median(v)) for k, v in walls.items()}
        cpu = {k: float(np.median(v)) for k, v in cpus.items()}
        print(
            f"departure {dep:%H:%M} ({args.repeats} alternating repeats; medians of wall time "
            "and of CPU time summed over threads, the steadier figure on a shared machine):"
        )
        print(
            f"  ferrobus points + travel_time_matrix: wall {wall['ferrobus']:.3f} s, "
            f"CPU {cpu['ferrobus']:.3f} s"
        )
        for kind in ("matched", "default"):
            print(
                f"  hiap {kind:8s} legs + RAPTOR + summary: wall {wall[kind]:.3f} s, "
                f"CPU {cpu[kind]:.3f} s (ferrobus/hiap: wall "
                f"{wall['ferrobus'] / wall[kind]:.2f}x, CPU {cpu['ferrobus'] / cpu[kind]:.2f}x)"
            )
        print(f"  agreement, matched: {agreement(results['matched'], results['ferrobus'])}")
        print(f"  agreement, default: {agreement(results['default'], results['ferrobus'])}")
    print(f"end: {load_note()}")


if __name__ == "__main__":
    main()
