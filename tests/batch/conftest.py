"""Two tiny synthetic regions (street grid, bus feed, origins, GPs, hospitals) and their
single-process reference answers, shared by the batch tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hiap.access import AccessOptions
from hiap.batch import BatchRegion, measure_region
from hiap.batch.synthetic import synthetic_region
from hiap.settings import Settings, get_settings

OPTIONS = AccessOptions(mode="both", window=(dt.time(8, 0), dt.time(9, 0)), step_min=10.0)
"""Walking and public transport, one hour of departures every 10 min (kept small for CI)."""

TILE_KM = 3.0


@pytest.fixture(scope="session")
def batch_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("batch")


@pytest.fixture(scope="session")
def batch_settings(batch_root: Path) -> Settings:
    return get_settings(environ={}, data_dir=batch_root / "data", cache_dir=batch_root / "cache")


@pytest.fixture(scope="session")
def regions(batch_root: Path) -> list[BatchRegion]:
    folder = batch_root / "data" / "regions"
    return [
        synthetic_region(folder, "A", x0_m=500_000, y0_m=250_000, size_km=6, lsoas=40, gps=6,
                         hospitals=2, seed=1),
        synthetic_region(folder, "B", x0_m=540_000, y0_m=250_000, size_km=5, lsoas=30, gps=5,
                         hospitals=1, seed=2),
    ]


@pytest.fixture(scope="session")
def reference(batch_settings: Settings, regions: list[BatchRegion]) -> pd.DataFrame:
    """Each region measured whole, in this process, without partitions."""
    return pd.concat(
        [measure_region(batch_settings, region, OPTIONS) for region in regions], ignore_index=True
    )


@pytest.fixture(scope="session")
def client() -> Iterator[object]:
    """An in-process Dask cluster (threads): the tasks, their pickling aside, as on a cluster."""
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        yield c


def same_rows(table: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Assert the batch's rows equal the reference's (row order aside).

    Codes, nearest destinations, counts and flags exactly; minutes to 1e-12 of their value:
    a tile's network sums a street cut by its halo in another order than the whole region's,
    which can move the last bit of a float (seen: 4.985823399334624 against ...623 min).
    """
    left = table.drop(columns="tile").sort_values("code").reset_index(drop=True)
    right = reference.sort_values("code").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-12, atol=0.0)
