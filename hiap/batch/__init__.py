"""National batches: access indicators for many areas at once, on a Dask cluster.

Start with :func:`run_batch`: it cuts each :class:`BatchRegion` into partitions by area, each
with a halo so no journey is cut at its edge (:mod:`hiap.batch.partition` says how the halo is
sized), measures them through the one access engine (:func:`hiap.access.measure_access`) on a
local Dask cluster or any scheduler given by address, keeps each finished partition (so a
rerun resumes), and writes JTS-style indicators: walking and public-transport minutes to the
nearest GP practice and hospital per LSOA, and shares within 15/30/45/60 minutes overall, by
region, district and IMD decile. :func:`measure_region` is the same measurement in one
process, the reference a batch equals. :mod:`hiap.batch.synthetic` writes synthetic regions
for trying a cluster without national data. Needs the ``batch`` extra (dask.distributed).
"""

from hiap.batch.partition import BatchRegion, Partition, halo_m, plan_partitions
from hiap.batch.run import (
    WALK_CAP_MIN,
    BatchResult,
    assign_regions,
    cap_walk,
    measure_partition,
    measure_region,
    run_batch,
    summarise_batch,
)
from hiap.batch.store import PartitionStore

__all__ = [
    "WALK_CAP_MIN",
    "BatchRegion",
    "BatchResult",
    "Partition",
    "PartitionStore",
    "assign_regions",
    "cap_walk",
    "halo_m",
    "measure_partition",
    "measure_region",
    "plan_partitions",
    "run_batch",
    "summarise_batch",
]
