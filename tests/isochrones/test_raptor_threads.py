"""The RAPTOR kernel entered from two threads at once gives the same answers as one thread.

This is what happens when two users of the shared app route at the same moment; it needs a
thread-safe numba threading layer (numba's fallback, workqueue, aborts the process).
"""

from __future__ import annotations

import datetime as dt
import threading

import numba
import numpy as np
import pandas as pd
import pytest

from hiap.settings import get_settings
from isochrones.gtfs import load_feed, merge_feeds
from isochrones.raptor import INF, range_raptor
from isochrones.threads import SAFE_LAYERS, pin_threading_layer
from isochrones.transit import _to_xy, build_transit_network

POA = get_settings().data_dir / "transit" / "porto_alegre"
DATE = dt.date(2019, 5, 13)  # a Monday inside both feeds

pytestmark = pytest.mark.skipif(
    not (POA / "poa_eptc.zip").is_file(), reason="Porto Alegre sample missing"
)


@pytest.mark.slow
def test_two_threads_at_once_match_one_thread() -> None:
    feed = merge_feeds(
        [load_feed(POA / "poa_eptc.zip"), load_feed(POA / "poa_trensurb.zip")],
        prefixes=["bus:", "train:"],
    )
    net = build_transit_network(feed, DATE, crs="EPSG:32722")
    hexes = pd.read_csv(POA / "poa_hexgrid.csv")
    xy = _to_xy(hexes["lon"], hexes["lat"], net.crs)
    rng = np.random.default_rng(7)
    origins = [xy[rng.choice(len(xy), 40, replace=False)] for _ in range(2)]
    dests = xy[rng.choice(len(xy), 30, replace=False)]
    egress = net.legs(net.stop_xy, dests, 10)
    deps = np.arange(8 * 3600, 8 * 3600 + 20 * 60 + 1, 60)

    def run(i: int) -> np.ndarray:
        access = net.legs(origins[i], net.stop_xy, 10)
        return range_raptor(net.timetable, access, net.transfers, egress, deps)

    alone = [run(0), run(1)]
    together: list[np.ndarray | None] = [None, None]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(i: int) -> None:
        try:
            start.wait()
            for _ in range(3):  # several overlapping entries, not just one
                together[i] = run(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for i in range(2):
        np.testing.assert_array_equal(together[i], alone[i])
        assert (alone[i] < INF).mean() > 0.1
    assert numba.threading_layer() in SAFE_LAYERS
    assert pin_threading_layer() == numba.threading_layer()
