"""The Busway corridor and the full candidate ranking on the real Cambridgeshire files.

Loads every TransXChange file of the data directory with NaPTAN stops, then times:

1. the corridor run: every corridor LSOA (Busway B stops within 1 km, plus Northstowe,
   Longstanton, St Ives, Huntingdon) to the nearest acute hospital and GP practice, 07:00-10:00
   and 10:00-13:00 at one departure a minute, with the last bus back from the quickest
   hospital and GP practice (four hiap.access.measure_access runs; straight-line walking
   fallback: no walk network covers the corridor offline), cold then warm;
2. the full candidate ranking (frequency doubled, evening span, diversions to hospitals and
   GPs, new stops, for every route running), three windows at 5-minute steps.

Prints wall time of each stage, the seconds per candidate, and the peak resident memory.
The first run also compiles the numba kernels (cached afterwards); run twice for warm figures.

    python benchmarks/busway_corridor.py [--date 2020-03-31] [--step-min 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from hiap.settings import configure_numba_cache, get_settings

configure_numba_cache(get_settings())

from hiap.corridor import CorridorConfig, load_cambs_feed, run_corridor, service_date_choice  # noqa: E402
from hiap.corridor.priorities import run_priorities  # noqa: E402
from isochrones.transit import FallbackWalk  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", default=None, help="service day YYYY-MM-DD")
    parser.add_argument("--step-min", type=float, default=1.0)
    parser.add_argument("--skip-ranking", action="store_true")
    args = parser.parse_args()
    settings = get_settings()
    t0 = time.perf_counter()
    cambs = load_cambs_feed(settings)
    t_feed = time.perf_counter() - t0
    choice = service_date_choice(
        cambs.feed, dt.date.fromisoformat(args.date) if args.date else None
    )
    print(f"feed: {cambs.summary.counts} in {t_feed:.1f} s; {choice.why_typical}")
    config = CorridorConfig(date=choice.date, step_min=args.step_min, fallback=FallbackWalk())
    n_dep = int(180 / args.step_min) + 1
    for run in ("cold", "warm"):
        t0 = time.perf_counter()
        c0 = time.process_time()
        result = run_corridor(settings, cambs, config)
        t_corr, c_corr = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"corridor ({run}): {len(result.origins)} LSOAs x 2 windows x {n_dep} departures x "
            f"(nearest hospital, nearest GP) + last bus back: {t_corr:.1f} s wall, "
            f"{c_corr:.1f} s CPU, peak memory {_peak_mb():.0f} MB, fallback share "
            f"{result.fallback_share:.0%}"
        )
    med = result.by_district.set_index("lad_name")
    print(
        med[
            [
                "population",
                "am_hospital_median_min",
                "interpeak_hospital_median_min",
                "am_gp_median_min",
                "last_bus_back_median",
                "gp_last_bus_back_median",
            ]
        ]
        .round(1)
        .to_string()
    )
    if args.skip_ranking:
        return
    t0 = time.perf_counter()
    c0 = time.process_time()
    ranking = run_priorities(settings, cambs, config)
    t_rank, c_rank = time.perf_counter() - t0, time.process_time() - c0
    table = ranking.table
    print(
        f"ranking: {len(table)} candidates in {t_rank:.1f} s wall, {c_rank:.1f} s CPU "
        f"({table['seconds'].median():.1f} s median per candidate, max "
        f"{table['seconds'].max():.1f} s), peak memory {_peak_mb():.0f} MB"
    )
    print(
        table[
            [
                "rank",
                "rank_imd1_3",
                "label",
                "minutes_saved",
                "minutes_saved_imd1_3",
                "origins_rerouted",
                "seconds",
            ]
        ]
        .head(5)
        .round(1)
        .to_string(index=False)
    )
    for note in ranking.notes:
        print(note)


if __name__ == "__main__":
    main()
