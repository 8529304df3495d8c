"""Running a batch: every partition through the one access engine, on a Dask cluster.

Which function to use when:

* :func:`run_batch` -- plan the partitions (:func:`hiap.batch.partition.plan_partitions`),
  skip those already finished in the output folder, measure the rest on a Dask cluster (a
  local one by default, or any scheduler by address), keep each as it finishes, then write
  the per-LSOA table and the indicators.
* :func:`assign_regions` -- which worker measures each partition: a region's tiles go to one
  worker, which keeps its network and timetable between them (loosely: an idle worker may
  still take another's tiles).
* :func:`measure_partition` -- what one Dask task runs: :func:`hiap.access.measure_access`
  once per destination kind, on the partition's core grown by its halo.
* :func:`measure_region` -- the same measurement over a whole region in one process (no
  partitions): the reference a batch must equal.
* :func:`summarise_batch` -- JTS-style indicators of the per-LSOA table: overall, by region,
  by district and by IMD decile, per destination and mode.

Workers import hiap and read the OSM extracts and timetables by the paths the client gives:
every worker needs hiap installed and the same data directory at the same path (a shared
file system, or the same copy on every machine). Results travel back to the client, which
alone writes the output folder.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hiap.access.engine import AccessOptions, AccessResult, measure_access
from hiap.access.keys import files_digest
from hiap.access.network import DirectResources
from hiap.access.places import off_network
from hiap.batch.partition import BatchRegion, Partition, halo_m, plan_partitions
from hiap.batch.store import PartitionStore
from hiap.errors import HiapError, NothingInReachError
from hiap.settings import Settings, get_settings
from isochrones import BNG_CRS, JTS_BANDS_MIN, summarise_access
from isochrones.cache import file_digest
from isochrones.errors import IsochronesError

__all__ = [
    "WALK_CAP_MIN",
    "BatchResult",
    "assign_regions",
    "cap_walk",
    "measure_partition",
    "measure_region",
    "run_batch",
    "summarise_batch",
]

logger = logging.getLogger(__name__)

WALK_CAP_MIN = 60.0
"""Default longest walk reported, minutes (the last DfT JTS band)."""

ATTRIBUTES = ("name", "population", "imd_decile", "lad_name")
"""Origin columns carried to the per-LSOA table when present."""


class _Memo:
    """The engine's resources for one task, kept by content for the worker's next tasks.

    Two destination kinds of a partition share one network and timetable, and so do the
    tiles of a region measured one after another on a worker (public transport measures every
    tile on the feed's reach, the same network): each is built once and kept in
    :data:`_KEPT` (the last :data:`_KEEP` resources, keyed by file digests and the clip area,
    never by path alone), so a worker holds about one region at a time.
    """

    def __init__(self, settings: Settings) -> None:
        self._direct = DirectResources(settings)
        self._key_of: dict[int, Any] = {}
        self._held: list[Any] = []  # keeps what this task was given alive, so ids stay unique

    def _once(self, key: Any, make: Callable[[], Any]) -> Any:
        # why: a worker started with several threads runs tasks side by side; one lock keeps
        # the kept resources consistent (and a resource being built is built once)
        with _KEPT_LOCK:
            if key in _KEPT:
                _KEPT.move_to_end(key)
                value = _KEPT[key]
            else:
                value = make()
                _KEPT[key] = value
                while len(_KEPT) > _KEEP:
                    _KEPT.popitem(last=False)
        self._key_of[id(value)] = key
        self._held.append(value)
        return value

    def walk_network(self, osm_path: Path, *, area: Any, area_crs: str, margin_m: float,
                     to_crs: str) -> Any:
        key = ("network", file_digest(osm_path) if osm_path.is_file() else str(osm_path),
               None if area is None else shapely.to_wkb(area), area_crs, margin_m, to_crs)
        return self._once(key, lambda: self._direct.walk_network(
            osm_path, area=area, area_crs=area_crs, margin_m=margin_m, to_crs=to_crs))

    def feed(self, paths: Sequence[Path]) -> Any:
        key = ("feed", files_digest(list(paths)))  # a folder of TransXChange: its files
        return self._once(key, lambda: self._direct.feed(paths))

    def transit_network(self, feed: Any, walk: Any, date: Any, window_s: tuple[int, int]) -> Any:
        key = ("transit", self._key_of.get(id(feed), id(feed)),
               self._key_of.get(id(walk), id(walk)), date, window_s)
        return self._once(key, lambda: self._direct.transit_network(feed, walk, date, window_s))


_KEEP = 4
"""Resources a worker keeps between tasks: one region's walk network, feed, timetable, a spare."""

_KEPT: OrderedDict[Any, Any] = OrderedDict()
"""The worker process's kept resources (read-only once built), least recently used first."""

_KEPT_LOCK = threading.RLock()


def cap_walk(table: pd.DataFrame, walk_cap_min: float) -> pd.DataFrame:
    """Report walks longer than the cap as beyond it (infinite, no nearest destination).

    A partition only sees the network within its halo, so it can time walks up to the cap
    exactly and no further; a single run over the whole region is capped the same way.

    Parameters
    ----------
    table
        Per-origin rows with ``<label>_walk_min`` and ``<label>_walk_nearest_*`` columns.
    walk_cap_min
        The cap, minutes.

    Returns
    -------
    pandas.DataFrame
        A copy with walks over the cap set to ``inf`` and their nearest destination blank.
    """
    out = table.copy()
    for col in [c for c in out.columns if c.endswith("_walk_min")]:
        label = col.removesuffix("_walk_min")
        over = out[col].to_numpy(dtype=float) > walk_cap_min
        out.loc[over, col] = np.inf
        for extra in (f"{label}_walk_nearest_code", f"{label}_walk_nearest_name"):
            if extra in out:
                out.loc[over, extra] = pd.NA
    return out


def _text_as_string(table: pd.DataFrame) -> pd.DataFrame:
    """Give every text column pandas' ``string`` dtype (parquet reads text back as ``str``)."""
    for col in table.columns:
        if table[col].dtype == object or isinstance(table[col].dtype, pd.StringDtype):
            table[col] = table[col].astype("string")
    return table


def _origin_rows(origins: gpd.GeoDataFrame) -> pd.DataFrame:
    base = pd.DataFrame({"code": pd.array(origins["code"].astype(str), dtype="string")})
    for col in ATTRIBUTES:
        if col in origins:
            base[col] = origins[col].to_numpy()
    base["x_m"] = origins.geometry.x.to_numpy()
    base["y_m"] = origins.geometry.y.to_numpy()
    return base


def _result_columns(result: AccessResult, label: str) -> pd.DataFrame:
    """One destination kind's per-origin columns, prefixed with its label, keyed by code."""
    o = result.origins
    cols: dict[str, Any] = {"code": o["code"].astype("string").to_numpy()}
    if result.options.walks:
        cols[f"{label}_walk_min"] = o["walk_min"].to_numpy(dtype=float)
        cols[f"{label}_walk_nearest_code"] = o["nearest_code"].to_numpy()
        cols[f"{label}_walk_nearest_name"] = o["nearest_name"].to_numpy()
        for band in JTS_BANDS_MIN:
            cols[f"{label}_walk_reachable_{band:g}min"] = o[f"reachable_{band:g}min"].to_numpy()
    if result.options.rides:
        for what in ("", "_min", "_p25", "_p75"):
            name = "transit_min" if not what else f"transit{what}_min"
            cols[f"{label}_{name}"] = o[name].to_numpy(dtype=float)
    gone = result.excluded[result.excluded["kind"] == "origin"] if len(result.excluded) else None
    return _with_left_out(pd.DataFrame(cols), gone)


def _with_left_out(frame: pd.DataFrame, left_out: pd.DataFrame | None) -> pd.DataFrame:
    """Append the origins left out (``code``, ``reason``) as rows with an excluded reason."""
    if left_out is None or not len(left_out):
        return frame
    return pd.concat([frame, pd.DataFrame({
        "code": left_out["code"].astype("string").to_numpy(),
        "excluded_reason": left_out["reason"].astype("string").to_numpy(),
    })], ignore_index=True)


def _beyond_reach(
    codes: pd.Series, label: str, options: AccessOptions, *, left_out: pd.DataFrame | None
) -> pd.DataFrame:
    """Return the columns of :func:`_result_columns` for origins with no destination in reach.

    ``left_out`` (origins off the streets, with ``code`` and ``reason``) are listed as a run
    lists them: excluded, with their reason and no times.
    """
    n = len(codes)
    cols: dict[str, Any] = {"code": codes.to_numpy()}
    if options.walks:
        cols[f"{label}_walk_min"] = np.full(n, np.inf)
        cols[f"{label}_walk_nearest_code"] = pd.array([pd.NA] * n, dtype="string")
        cols[f"{label}_walk_nearest_name"] = pd.array([pd.NA] * n, dtype="string")
        for band in JTS_BANDS_MIN:
            cols[f"{label}_walk_reachable_{band:g}min"] = np.zeros(n, dtype=np.int64)
    if options.rides:
        for name in ("transit_min", "transit_min_min", "transit_p25_min", "transit_p75_min"):
            cols[f"{label}_{name}"] = np.full(n, np.inf)
    return _with_left_out(pd.DataFrame(cols), left_out)


def _measure(
    settings: Settings,
    origins: gpd.GeoDataFrame,
    destinations: dict[str, gpd.GeoDataFrame],
    *,
    core: Any,
    margin_m: float,
    osm_path: Path,
    feed_paths: tuple[Path, ...],
    options: AccessOptions,
    walk_cap_min: float,
    label: str,
) -> pd.DataFrame:
    """Measure ``origins`` to every destination kind with the engine; one row per origin."""
    res = _Memo(settings)
    table = _origin_rows(origins)
    reasons = pd.Series(pd.NA, index=table.index, dtype="string")
    # One network for every destination kind, built here so that a tile whose origins are all
    # off the streets is answered (every origin left out, with the reason) rather than refused.
    network = res.walk_network(osm_path, area=core, area_crs=BNG_CRS, margin_m=margin_m,
                               to_crs=BNG_CRS)
    kept, left_out = off_network(network, origins, kind="origin", max_snap_m=options.max_snap_m)
    if kept.empty and left_out is not None:
        why = pd.Series(left_out["reason"].to_numpy(), index=left_out["code"].astype(str))
        reasons = pd.Series(why.reindex(table["code"].astype(str)).to_numpy(), dtype="string")
        destinations = {}  # nothing to route: as a single run lists them, left out, no times
    for kind, dest in destinations.items():
        # why: coverage is the area's question (judged once per region when the extract is
        # chosen); a tile's hull can be one LSOA centroid on a long street with no junction
        # near, which the coverage grid would call uncovered. Origins off every street are
        # still left out one by one (max_snap_m), with the reason.
        opts = replace(options, to=kind, buffer_km=margin_m / 1000.0, draw_isochrones=False,
                       count_reachable=options.walks, min_coverage=0.0)
        dest = dest[dest.intersects(core.buffer(margin_m))]
        # why: none within the halo means none within the cap (walking) or the feed's reach
        # (public transport), and a tile whose origins reach none is the region's answer for
        # them (one run over the region reaches some elsewhere): beyond reach, not an error
        cols = _beyond_reach(kept["code"].astype("string"), kind, opts, left_out=left_out)
        if not dest.empty:
            try:
                result = measure_access(
                    settings, opts, area=core, area_label=label, origins=origins,
                    destinations=dest, osm_path=osm_path, network=network,
                    feeds=feed_paths or None, resources=res,
                )
                cols = _result_columns(result, kind)
            except NothingInReachError:
                pass
        if "excluded_reason" in cols:
            why = cols.pop("excluded_reason")
            reasons = reasons.fillna(pd.Series(why.to_numpy(), index=cols["code"].to_numpy())
                                     .reindex(table["code"]).reset_index(drop=True))
        table = table.merge(cols, on="code", how="left", validate="one_to_one")
    table["excluded"] = reasons.notna().to_numpy()
    table["excluded_reason"] = pd.array(reasons.to_numpy(), dtype="string")
    return _text_as_string(cap_walk(table, walk_cap_min))


def measure_partition(part: Partition, data_dir: str, cache_dir: str) -> pd.DataFrame:
    """Measure one partition (what a Dask task runs).

    Parameters
    ----------
    part
        The partition.
    data_dir, cache_dir
        The client's data and cache folders (the same paths on every worker).

    Returns
    -------
    pandas.DataFrame
        One row per origin: its attributes, ``region``, ``tile`` and per destination kind
        the walking and/or public-transport columns (see :func:`run_batch`).
    """
    settings = get_settings(environ={}, data_dir=Path(data_dir), cache_dir=Path(cache_dir))
    table = _measure(
        settings, part.origins, part.destinations, core=part.core, margin_m=part.halo_m,
        osm_path=part.osm_path, feed_paths=part.feed_paths, options=part.options,
        walk_cap_min=part.walk_cap_min, label=part.label,
    )
    table.insert(1, "region", part.region)
    table.insert(2, "tile", part.tile)
    return table


def _timed_partition(
    part: Partition, data_dir: str, cache_dir: str
) -> tuple[pd.DataFrame, float, str]:
    """Measure a partition in a Dask task; return its rows, own time and the worker's address."""
    from distributed import get_worker

    start = time.perf_counter()
    table = measure_partition(part, data_dir, cache_dir)
    return table, time.perf_counter() - start, str(get_worker().address)


def assign_regions(parts: Sequence[Partition], workers: Sequence[str]) -> dict[str, str]:
    """Give each partition a worker so that a region's tiles run where its networks are kept.

    A worker keeps the last region's walk network and timetable (:class:`_Memo`); sending the
    tiles of one region to one worker builds them once instead of once per worker. Regions
    go, largest first, to the worker with the fewest tiles so far; when there are fewer
    regions than workers, the largest are halved (into runs of neighbouring tiles) until
    every worker has work.

    Parameters
    ----------
    parts
        The partitions to measure, in plan order (a region's tiles together).
    workers
        The workers' addresses.

    Returns
    -------
    dict
        Partition key -> worker address (empty without workers).
    """
    if not workers:
        return {}
    by_region: dict[str, list[Partition]] = {}
    for part in parts:
        by_region.setdefault(part.region, []).append(part)
    runs = list(by_region.values())
    # why: with fewer regions than workers a region must be shared, or workers sit idle;
    # halving the largest keeps each half's tiles neighbours (plan order is by tile)
    while len(runs) < len(workers) and max(len(r) for r in runs) > 1:
        largest = max(runs, key=len)
        runs.remove(largest)
        half = -(-len(largest) // 2)
        runs += [largest[:half], largest[half:]]
    load = {w: 0 for w in workers}
    chosen: dict[str, str] = {}
    for run in sorted(runs, key=len, reverse=True):
        worker = min(workers, key=lambda w: load[w])
        load[worker] += len(run)
        chosen.update((part.key, worker) for part in run)
    return chosen


def measure_region(
    settings: Settings, region: BatchRegion, options: AccessOptions, *,
    walk_cap_min: float = WALK_CAP_MIN,
) -> pd.DataFrame:
    """Measure a whole region in this process, without partitions: the batch's reference.

    The network is the region's (its origins' hull, with the feed's stops' hull for public
    transport) grown by the same halo as a partition's, so a batch of the region must give
    the same rows.

    Parameters
    ----------
    settings
        Data and cache folders.
    region
        The region.
    options
        The access options.
    walk_cap_min
        The longest walk reported.

    Returns
    -------
    pandas.DataFrame
        One row per origin, as a batch's per-LSOA table (without ``tile``).
    """
    halo = halo_m(options, walk_cap_min=walk_cap_min)
    core = shapely.convex_hull(shapely.union_all(region.origins.geometry.to_numpy()))
    feeds = tuple(region.feed_paths) if options.rides else ()
    if feeds:
        from hiap.batch.partition import _stops_hull

        core = shapely.union(core, _stops_hull(settings, feeds))
    table = _measure(
        settings, region.origins.reset_index(drop=True), dict(region.destinations), core=core,
        margin_m=halo, osm_path=region.osm_path, feed_paths=feeds, options=options,
        walk_cap_min=walk_cap_min, label=region.name,
    )
    table.insert(1, "region", pd.Series([region.name] * len(table), dtype="string"))
    return table


def summarise_batch(table: pd.DataFrame) -> pd.DataFrame:
    """JTS-style indicators of a batch's per-LSOA table.

    Parameters
    ----------
    table
        The per-LSOA rows of :func:`run_batch`.

    Returns
    -------
    pandas.DataFrame
        One row per destination, mode and group (``group_by``: ``all``, ``region``,
        ``lad_name``, ``imd_decile``): origins, population, unreachable and excluded origins,
        mean and population-weighted mean minutes (of origins within reach), the population
        shares within 15/30/45/60 minutes and, walking, services reachable within each band.
    """
    rows = []
    for col in [c for c in table.columns if c.endswith(("_walk_min", "_transit_min"))]:
        kind, mode = col.rsplit("_", 2)[:2]
        view = pd.DataFrame({"time_min": table[col].to_numpy(dtype=float),
                             "population": table["population"].to_numpy(dtype=float),
                             "excluded": table["excluded"].to_numpy(dtype=bool)})
        for extra in ("region", "lad_name", "imd_decile"):
            if extra in table:
                view[extra] = table[extra].to_numpy()
        if mode == "walk":
            for band in JTS_BANDS_MIN:
                view[f"reachable_{band:g}min"] = table[f"{kind}_walk_reachable_{band:g}min"].to_numpy()
        groups: list[str | None] = [None, *[g for g in ("region", "lad_name", "imd_decile") if g in view]]
        for by in groups:
            summary = summarise_access(view, by=by)
            summary.insert(0, "group", [str(g) for g in summary.index])
            summary.insert(0, "group_by", by or "all")
            summary.insert(0, "mode", mode)
            summary.insert(0, "destination", kind)
            rows.append(summary.reset_index(drop=True))
    return pd.concat(rows, ignore_index=True)


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did and produced.

    Attributes
    ----------
    table
        Per-LSOA rows of every partition (None when a partition failed).
    indicators
        :func:`summarise_batch` of the table (None when a partition failed).
    partitions
        How many partitions the batch has.
    computed, reused
        How many were measured in this run, and how many were already finished.
    failed
        ``(partition, message)`` of those that failed; rerun to finish them.
    files
        The files written.
    dashboard_link
        The Dask dashboard (empty when nothing was measured).
    seconds
        Wall time of the run.
    partition_seconds
        Each partition measured in this run: its own time on its worker, in plan order.
    partition_workers
        Each partition measured in this run: the address of the worker that measured it.
    """

    table: pd.DataFrame | None
    indicators: pd.DataFrame | None
    partitions: int
    computed: int
    reused: int
    failed: tuple[tuple[str, str], ...]
    files: tuple[Path, ...] = ()
    dashboard_link: str = ""
    seconds: float = 0.0
    partition_seconds: dict[str, float] = field(default_factory=dict)
    partition_workers: dict[str, str] = field(default_factory=dict)


def _message(exc: BaseException) -> str:
    if isinstance(exc, HiapError | IsochronesError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_batch(
    settings: Settings,
    regions: Sequence[BatchRegion],
    options: AccessOptions,
    *,
    out_dir: Path,
    tile_km: float = 10.0,
    walk_cap_min: float = WALK_CAP_MIN,
    scheduler: str | None = None,
    workers: int = 1,
    client: Any = None,
    dashboard_address: str = ":8787",
    progress: Callable[[float, str], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> BatchResult:
    """Measure access for many regions at once on Dask, resuming from finished partitions.

    Parameters
    ----------
    settings
        Data and cache folders (the same paths must hold on every worker).
    regions
        The regions.
    options
        Access options (mode, walking speed, snapping, date and window...); ``to`` and
        ``buffer_km`` are set per partition.
    out_dir
        Output folder: the manifest and partitions (:class:`hiap.batch.store.PartitionStore`),
        ``by_lsoa.csv`` and ``indicators.csv``.
    tile_km
        Side of the square partitions.
    walk_cap_min
        Longest walk reported (halo; see :mod:`hiap.batch.partition`).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); None starts a local
        cluster of ``workers`` processes.
    workers
        Worker processes of the local cluster (one thread each: the router uses numba).
    client
        An existing :class:`distributed.Client` (overrides ``scheduler``).
    dashboard_address
        Where the local cluster serves its dashboard (``":0"``: any free port).
    progress
        Called as ``progress(fraction, message)`` as partitions finish.
    announce
        Called once with the dashboard link before the work starts.

    Returns
    -------
    BatchResult
        The tables (when every partition finished) and what was computed, reused or failed.

    Raises
    ------
    SettingsError
        When a region or option is unusable (see :func:`plan_partitions`).
    ImportError
        When dask.distributed is not installed (``pip install 'hiap[batch]'``).
    """
    started = time.perf_counter()
    tell = progress or (lambda fraction, message: None)
    parts = plan_partitions(
        settings, regions, options, tile_km=tile_km, walk_cap_min=walk_cap_min
    )
    store = PartitionStore(out_dir)
    todo = [p for p in parts if not store.finished(p.key)]
    reused = len(parts) - len(todo)
    tell(reused / len(parts), f"{reused} of {len(parts)} partitions already finished")
    failed: list[tuple[str, str]] = []
    took: dict[str, float] = {}
    where: dict[str, str] = {}
    link = ""
    if todo:
        from distributed import Client, LocalCluster, as_completed

        cluster = None
        own = client is None
        if client is None:
            if scheduler:
                client = Client(scheduler)
            else:
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=dashboard_address,
                )
                client = Client(cluster)
        try:
            link = str(client.dashboard_link or "")
            if announce is not None:
                announce(link)
            if cluster is not None:
                client.wait_for_workers(workers)
            # Loose: a worker left idle may still take (steal) another's tiles.
            home = assign_regions(todo, sorted(client.scheduler_info()["workers"]))
            futures = [
                client.submit(
                    _timed_partition, part, str(settings.data_dir), str(settings.cache_dir),
                    key=f"hiap-batch-{part.key}", pure=False,
                    workers=[home[part.key]] if part.key in home else None,
                    allow_other_workers=part.key in home,
                )
                for part in todo
            ]
            by_key = {f.key: part for f, part in zip(futures, todo, strict=True)}
            done = reused
            for future in as_completed(futures):
                part = by_key[future.key]
                done += 1
                try:
                    table, seconds, worker = future.result()
                except Exception as exc:  # any failure of one partition must not lose the rest
                    failed.append((part.label, _message(exc)))
                    tell(done / len(parts), f"{part.label} failed ({done}/{len(parts)})")
                    continue
                took[part.label] = seconds
                where[part.label] = worker
                store.save(part.key, table, region=part.region, tile=part.tile,
                           seconds=round(seconds, 3))
                tell(done / len(parts), f"{part.label} done ({done}/{len(parts)})")
        finally:
            if own:
                client.close()
                if cluster is not None:
                    cluster.close()
    took = {p.label: took[p.label] for p in parts if p.label in took}  # in plan order
    where = {label: where[label] for label in took}
    if failed:
        return BatchResult(None, None, len(parts), len(todo) - len(failed), reused,
                           tuple(failed), (), link, time.perf_counter() - started, took, where)
    table = _text_as_string(pd.concat([store.load(p.key) for p in parts], ignore_index=True))
    indicators = summarise_batch(table)
    files = (out_dir / "by_lsoa.csv", out_dir / "indicators.csv")
    table.to_csv(files[0], index=False)
    indicators.to_csv(files[1], index=False)
    tell(1.0, f"{len(parts)} partitions: {len(todo)} measured, {reused} reused")
    return BatchResult(table, indicators, len(parts), len(todo), reused, (), files, link,
                       time.perf_counter() - started, took, where)

