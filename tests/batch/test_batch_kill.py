"""A batch killed mid-run (SIGKILL to the client and its local cluster) resumes from the
partitions it finished, and the result equals one run over the region."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hiap.batch import PartitionStore, run_batch

from .conftest import OPTIONS, same_rows

pytestmark = pytest.mark.slow

SCRIPT = """
import dataclasses, sys
from pathlib import Path
from hiap.access import AccessOptions
from hiap.batch import run_batch
from hiap.batch.synthetic import synthetic_region
from hiap.settings import get_settings
root = Path(sys.argv[1])
region = synthetic_region(root / "data" / "regions", "A", x0_m=500_000, y0_m=250_000, size_km=6,
                          lsoas=40, gps=6, hospitals=2, seed=1)
settings = get_settings(environ={}, data_dir=root / "data", cache_dir=root / "cache")
run_batch(settings, [region], AccessOptions(mode="walk"), out_dir=Path(sys.argv[2]),
          tile_km=1.5, workers=1, dashboard_address=":0")
"""


def test_a_killed_run_resumes_from_its_finished_partitions(
    tmp_path, batch_root, batch_settings, regions, reference, client
):
    out = tmp_path / "out"
    manifest = out / "manifest.json"
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(batch_root), str(out)],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        finished = 0
        while run.poll() is None and finished < 2:
            time.sleep(0.2)
            if manifest.is_file():
                finished = len(json.loads(manifest.read_text())["partitions"])
        assert run.poll() is None, f"the run ended before it was killed: {run.stderr.read()!r}"
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # the client, its scheduler, nanny and worker
        run.wait()
    kept = len(PartitionStore(out)._entries)
    walk = OPTIONS.__class__(mode="walk")
    resumed = run_batch(batch_settings, regions[:1], walk, out_dir=out, tile_km=1.5,
                        client=client)
    assert kept >= 2 and resumed.reused == kept
    assert resumed.computed == resumed.partitions - kept > 0
    assert resumed.table is not None
    ref = reference[reference["region"] == "A"]
    same_rows(resumed.table, ref[[c for c in ref.columns if "_transit_" not in c]])
