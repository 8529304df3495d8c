"""A synthetic England-scale batch on this machine with 1 and 2 Dask workers, and a projection.

England has about 33,000 LSOAs (2011). The run writes nine synthetic regions
(hiap.batch.synthetic.synthetic_england: each a 60 km square street grid of 500 m blocks, its
own GTFS bus feed with lines every 2 km both ways every 15 min, its share of 6,300 GP practices
and 180 hospitals) and measures walking and public transport to the nearest GP and hospital
from every origin with `hiap.batch.run_batch` on a local Dask cluster, once with 1 worker and
once with 2 (each run in a fresh process with a fresh cache and output folder).

Printed per run: wall time, the sum of the partitions' own times, peak memory (client and each
worker: ru_maxrss), and the load average before and after (2 cores shared with other agents:
read the wall times with it). Then the projected wall time on N workers:

    projected(N) = fixed + makespan(N)

where ``fixed`` is what the 1-worker run spent outside the partitions (planning, cluster start,
writing the tables: its wall time minus the sum of its partition times) and ``makespan(N)``
hands the measured partitions, in the order they are submitted, to the first free of N
workers, as Dask's scheduler does with queued tasks. A worker keeps the last region's network
and timetable, so the schedule charges a region's build (its first tile's time minus its other
tiles' median, from the 1-worker run) again whenever a worker starts a tile of a region it does
not hold. (run_batch sends a region's tiles to one worker, hiap.batch.run.assign_regions, so
with at least as many regions as workers each region is built about once; the projection
keeps the plain first-free-worker order, an upper bound.) It assumes each worker has a core of its own (here two cores are shared, so the
measured times are inflated) and reads the data from a shared file system as fast as from
local disk. Past about as many workers as partitions the longest partition bounds the time:
smaller tiles (--tile-km) give more, smaller partitions, at the cost of more halo.

    .venv/bin/python benchmarks/batch_england.py [--lsoas 33000] [--tile-km 30] [--step-min 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def schedule(tasks: list[tuple[str, float]], build_s: dict[str, float], workers: int) -> float:
    """Wall time of ``tasks`` (region, warm seconds) handed in order to the first free worker.

    A worker keeps the last region's network and timetable (hiap.batch.run._Memo), so a task
    pays its region's build time only when its worker last measured another region; this is
    how Dask hands queued tasks to idle workers.
    """
    free = [(0.0, k, "") for k in range(workers)]
    heapq.heapify(free)
    end = 0.0
    for region, warm in tasks:
        at, k, last = heapq.heappop(free)
        done = at + warm + (build_s[region] if last != region else 0.0)
        end = max(end, done)
        heapq.heappush(free, (done, k, region))
    return end


def tasks_of(run: dict) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """Split a 1-worker run's partition times into warm times and each region's build time.

    With one worker the tiles of a region run one after another: the first pays the build,
    the others find it kept. Build = first tile's time - the median of the region's others.
    """
    by_region: dict[str, list[float]] = {}
    for label, seconds in run["partition_s"].items():
        by_region.setdefault(label.split(" tile ")[0], []).append(seconds)
    tasks, build = [], {}
    for region, times in by_region.items():
        warm = sorted(times[1:])[len(times[1:]) // 2] if len(times) > 1 else 0.0
        build[region] = max(times[0] - warm, 0.0)
        tasks += [(region, times[0] - build[region])] + [(region, t) for t in times[1:]]
    return tasks, build


def child(args: argparse.Namespace) -> None:
    from distributed import Client, LocalCluster

    from hiap.access import AccessOptions
    from hiap.batch import run_batch
    from hiap.batch.synthetic import synthetic_england
    from hiap.settings import get_settings

    folder = Path(args.folder)
    regions = synthetic_england(folder / "data", lsoas=args.lsoas)
    run_dir = folder / f"run_{args.child}"
    shutil.rmtree(run_dir, ignore_errors=True)
    settings = get_settings(environ={}, data_dir=folder / "data", cache_dir=run_dir / "cache")
    start, end = (dt.time.fromisoformat(t) for t in args.window.split("-"))
    options = AccessOptions(mode=args.mode, window=(start, end), step_min=args.step_min)
    load_before = os.getloadavg()
    began = time.perf_counter()
    with LocalCluster(n_workers=args.child, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        result = run_batch(settings, regions, options, out_dir=run_dir / "out",
                           tile_km=args.tile_km, client=client)
        wall = time.perf_counter() - began
        worker_rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        worker_cpu = client.run(lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2]))
    # how many (region, worker) pairs measured tiles: each is one build of the region's networks
    held = {(label.split(" tile ")[0], worker)
            for label, worker in getattr(result, "partition_workers", {}).items()}
    assert result.table is not None, result.failed
    print(json.dumps({
        "workers": args.child,
        "wall_s": wall,
        "partitions": result.partitions,
        "origins": len(result.table),
        "partition_s": result.partition_seconds,
        "client_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": [v / 1024 for v in worker_rss.values()],
        "worker_cpu_s": list(worker_cpu.values()),
        "region_builds": len(held) or None,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "gp_walk_within_15": float(result.indicators.query(
            "destination == 'gp' and mode == 'walk' and group_by == 'all'"
        )["pop_share_within_15min"].iloc[0]) if result.indicators is not None else None,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lsoas", type=int, default=33_000)
    parser.add_argument("--tile-km", type=float, default=30.0)
    parser.add_argument("--mode", default="both")
    parser.add_argument("--window", default="07:00-10:00")
    parser.add_argument("--step-min", type=float, default=10.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--project", type=int, nargs="+", default=[1, 2, 9, 36, 100])
    parser.add_argument("--folder", default="/tmp/hiap-batch-england")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(f"Synthetic England: {args.lsoas:,} origins in 9 regions, tiles {args.tile_km:g} km, "
          f"mode {args.mode}, departures {args.window} every {args.step_min:g} min; "
          f"{os.cpu_count()} cores; load average now {os.getloadavg()[0]:.1f}")
    runs = []
    for workers in args.workers:
        cmd = [sys.executable, __file__, "--child", str(workers), "--lsoas", str(args.lsoas),
               "--tile-km", str(args.tile_km), "--mode", args.mode, "--window", args.window,
               "--step-min", str(args.step_min), "--folder", args.folder]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode:
            print(out.stderr[-3000:])
            raise SystemExit(out.returncode)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        busy = sum(run["partition_s"].values())
        print(
            f"{workers} worker(s): {run['wall_s']:.0f} s wall for {run['origins']:,} origins in "
            f"{run['partitions']} partitions (partitions' own time {busy:.0f} s; longest "
            f"{max(run['partition_s'].values()):.0f} s); peak memory client {run['client_rss_mb']:.0f} MB, "
            f"workers {', '.join(f'{m:.0f}' for m in run['worker_rss_mb'])} MB; load average "
            f"{run['load_before'][0]:.1f} before, {run['load_after'][0]:.1f} after; GP within "
            f"15 min on foot {run['gp_walk_within_15']:.1%}; workers' CPU "
            f"{' + '.join(f'{c:.0f}' for c in run['worker_cpu_s'])} s; regions' networks built "
            f"on {run['region_builds'] or '(not recorded)'} (region, worker) pairs"
        )
    base = runs[0]
    if base["workers"] != 1:
        return
    tasks, build = tasks_of(base)
    fixed = max(base["wall_s"] - sum(base["partition_s"].values()), 0.0)
    print(f"Projection from the 1-worker run: fixed part {fixed:.0f} s (planning, cluster, "
          f"tables) + the partitions handed in order to the first free worker; a region's "
          f"network and feed (built in {min(build.values()):.0f}-{max(build.values()):.0f} s) "
          "are built again on every worker that measures one of its tiles after another region")
    for n in args.project:
        print(f"  {n:>4} workers: {fixed + schedule(tasks, build, n):.0f} s")
    if len(runs) > 1:
        two = runs[1]
        print(f"  check: 2 workers projected {fixed + schedule(tasks, build, 2):.0f} s, "
              f"measured {two['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
