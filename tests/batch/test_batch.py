"""``hiap batch``: partitions with a halo give exactly the single-process answers, and a rerun
resumes from the partitions already finished."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hiap.access import AccessOptions
from hiap.batch import (
    PartitionStore,
    assign_regions,
    halo_m,
    measure_partition,
    plan_partitions,
    run_batch,
    summarise_batch,
)
from hiap.batch.synthetic import synthetic_region
from hiap.errors import SettingsError

from .conftest import OPTIONS, TILE_KM, same_rows


def test_halo_is_the_cap_or_longest_walk_times_speed_plus_the_snap() -> None:
    walk = AccessOptions(mode="walk")
    assert halo_m(walk, walk_cap_min=60) == pytest.approx(60 * 80 + 500)
    assert halo_m(walk, walk_cap_min=90) == pytest.approx(90 * 80 + 500)
    transit = AccessOptions(mode="transit", max_walk_min=30, speed_kph=6.0)
    assert halo_m(transit, walk_cap_min=90) == pytest.approx(30 * 100 + 500)


def test_batch_equals_one_run_over_each_region(tmp_path, batch_settings, regions, reference, client):
    progress: list[tuple[float, str]] = []
    result = run_batch(
        batch_settings, regions, OPTIONS, out_dir=tmp_path, tile_km=TILE_KM, client=client,
        progress=lambda f, m: progress.append((f, m)),
    )
    assert result.failed == ()
    assert result.partitions > 2 * len(regions)  # more than one tile per region
    assert (result.computed, result.reused) == (result.partitions, 0)
    assert result.table is not None and result.indicators is not None
    same_rows(result.table, reference)
    # every origin measured, walks and rides both found, some hospital walks beyond the cap
    assert not result.table["excluded"].any()
    assert np.isfinite(result.table["gp_transit_min"]).all()
    assert np.isinf(result.table["hospital_walk_min"]).any()
    pd.testing.assert_frame_equal(result.indicators, summarise_batch(reference))
    assert progress[-1][0] == 1.0 and len(progress) == result.partitions + 2
    written = pd.read_csv(tmp_path / "by_lsoa.csv")
    assert len(written) == len(reference)
    indicators = pd.read_csv(tmp_path / "indicators.csv")
    assert set(indicators["group_by"]) == {"all", "region", "lad_name", "imd_decile"}
    assert set(indicators["destination"]) == {"gp", "hospital"}
    assert set(indicators["mode"]) == {"walk", "transit"}


WALK = dataclasses.replace(OPTIONS, mode="walk")


def _walk_columns(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in table.columns if "_transit_" not in c]]


def test_a_walking_batch_on_its_halo_equals_the_walks_of_one_run(
    tmp_path, batch_settings, regions, reference
):
    """Walking only: each tile's network is its origins' hull grown by 60 min x 4.8 km/h + 500 m.

    On two workers, each region's tiles run on the worker given the region (stealing is off
    here so that the assignment is what is seen).
    """
    import dask
    from distributed import Client

    with dask.config.set({"distributed.scheduler.work-stealing": False}), Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0"
    ) as two:
        result = run_batch(batch_settings, regions, WALK, out_dir=tmp_path, tile_km=TILE_KM,
                           client=two)
    assert result.table is not None
    same_rows(result.table, _walk_columns(reference))
    held: dict[str, set[str]] = {}
    for label, worker in result.partition_workers.items():
        held.setdefault(label.split(" tile ")[0], set()).add(worker)
    assert sorted(held) == ["A", "B"]
    assert [len(w) for w in held.values()] == [1, 1] and held["A"] != held["B"]


def test_regions_are_given_whole_to_the_least_loaded_worker(batch_settings, regions):
    parts = plan_partitions(batch_settings, regions, WALK, tile_km=TILE_KM, walk_cap_min=60)
    n_a = sum(p.region == "A" for p in parts)
    home = assign_regions(parts, ["w1", "w2"])
    assert {home[p.key] for p in parts if p.region == "A"} == {"w1"}  # the larger region first
    assert {home[p.key] for p in parts if p.region == "B"} == {"w2"}
    assert assign_regions(parts, []) == {}
    # one region, two workers: split into two runs of neighbouring tiles (plan order)
    alone = [p for p in parts if p.region == "A"]
    split = [assign_regions(alone, ["w1", "w2"])[p.key] for p in alone]
    assert split == ["w1"] * (-(-n_a // 2)) + ["w2"] * (n_a // 2)


def test_without_the_halo_walking_partitions_answer_differently(batch_settings, regions, reference):
    """The control: the same tiles on a 500 m halo cut walks, so the test above can fail."""
    parts = plan_partitions(batch_settings, regions, WALK, tile_km=TILE_KM, walk_cap_min=60)
    cut = [
        measure_partition(dataclasses.replace(p, halo_m=500.0), str(batch_settings.data_dir),
                          str(batch_settings.cache_dir))
        for p in parts if p.region == "B"
    ]
    table = pd.concat(cut, ignore_index=True).sort_values("code").reset_index(drop=True)
    ref = reference[reference["region"] == "B"].sort_values("code").reset_index(drop=True)
    walks = table["gp_walk_min"].to_numpy(), ref["gp_walk_min"].to_numpy()
    assert not np.array_equal(*walks)
    assert np.isinf(walks[0]).any()  # tiles with no GP within the halo: beyond reach, no error


def test_a_failed_partition_is_run_again_and_the_finished_ones_are_kept(
    tmp_path, batch_settings, regions, reference, client
):
    broken_dir = tmp_path / "data"
    broken = synthetic_region(broken_dir, "B", x0_m=540_000, y0_m=250_000, size_km=5, lsoas=30,
                              gps=5, hospitals=1, seed=2)
    pbf = broken.osm_path.read_bytes()
    broken.osm_path.write_bytes(pbf[: len(pbf) // 3])  # a truncated download
    out = tmp_path / "out"
    first = run_batch(batch_settings, [regions[0], broken], OPTIONS, out_dir=out,
                      tile_km=TILE_KM, client=client)
    failed_b = {label for label, _ in first.failed}
    assert failed_b and all(label.startswith("B tile") for label in failed_b)
    assert first.table is None
    assert all("B.osm.pbf" in message for _, message in first.failed)
    kept = len(PartitionStore(out)._entries)
    assert kept == first.partitions - len(failed_b)
    # the download is repaired: only B's partitions run, A's are read back
    broken.osm_path.write_bytes(pbf)
    second = run_batch(batch_settings, [regions[0], broken], OPTIONS, out_dir=out,
                       tile_km=TILE_KM, client=client)
    assert (second.reused, second.computed, second.failed) == (kept, len(failed_b), ())
    assert second.table is not None
    same_rows(second.table, reference)


def test_a_run_killed_mid_write_resumes_from_the_whole_partitions(
    tmp_path, batch_settings, regions, reference, client
):
    first = run_batch(batch_settings, regions, OPTIONS, out_dir=tmp_path, tile_km=TILE_KM,
                      client=client)
    store = PartitionStore(tmp_path)
    victim = sorted(store._entries)[0]
    # what a kill between the two atomic renames leaves: a stray temporary file, no partition
    store.path(victim).rename(store.path(victim).with_name(f".{victim}.parquet.123.tmp"))
    second = run_batch(batch_settings, regions, OPTIONS, out_dir=tmp_path, tile_km=TILE_KM,
                       client=client)
    assert (second.computed, second.reused) == (1, first.partitions - 1)
    assert second.table is not None
    same_rows(second.table, reference)
    # nothing to do on a third run: every partition is read back
    third = run_batch(batch_settings, regions, OPTIONS, out_dir=tmp_path, tile_km=TILE_KM,
                      client=client)
    assert (third.computed, third.reused, third.dashboard_link) == (0, first.partitions, "")


def test_changed_inputs_make_new_partitions(batch_settings, regions):
    parts = plan_partitions(batch_settings, regions, OPTIONS, tile_km=TILE_KM, walk_cap_min=60)
    again = plan_partitions(batch_settings, regions, OPTIONS, tile_km=TILE_KM, walk_cap_min=60)
    assert [p.key for p in parts] == [p.key for p in again]
    slower = plan_partitions(batch_settings, regions, dataclasses.replace(OPTIONS, speed_kph=4.0),
                             tile_km=TILE_KM, walk_cap_min=60)
    assert not {p.key for p in parts} & {p.key for p in slower}
    moved = dataclasses.replace(regions[0], origins=regions[0].origins.assign(population=1.0))
    keys = {p.key for p in plan_partitions(batch_settings, [moved, regions[1]], OPTIONS, tile_km=TILE_KM,
                                           walk_cap_min=60)}
    assert {p.key for p in parts if p.region == "B"} <= keys
    assert not {p.key for p in parts if p.region == "A"} & keys


def test_a_new_hiap_version_or_engine_code_makes_new_partitions(
    tmp_path, batch_settings, regions, monkeypatch
):
    import hiap
    import isochrones

    keys = [p.key for p in plan_partitions(batch_settings, regions, OPTIONS, tile_km=TILE_KM,
                                           walk_cap_min=60)]
    monkeypatch.setattr(hiap, "__version__", "99.0.0")
    newer = [p.key for p in plan_partitions(batch_settings, regions, OPTIONS, tile_km=TILE_KM,
                                            walk_cap_min=60)]
    assert not set(keys) & set(newer)
    monkeypatch.undo()
    # the routing core copied elsewhere digests the same; a copy with one edit to the kernel
    # does not
    for name, edit in (("same", ""), ("edited", "\n# a changed kernel\n")):
        copy = tmp_path / name / "isochrones"
        shutil.copytree(Path(isochrones.__file__).parent, copy,
                        ignore=shutil.ignore_patterns("__pycache__"))
        with (copy / "raptor.py").open("a") as kernel:
            kernel.write(edit)
        monkeypatch.setattr(isochrones, "__file__", str(copy / "__init__.py"))
        moved = [p.key for p in plan_partitions(batch_settings, regions, OPTIONS,
                                                tile_km=TILE_KM, walk_cap_min=60)]
        assert (moved == keys) if name == "same" else not set(keys) & set(moved)


def test_unusable_regions_are_reported_together(batch_settings, regions):
    bad = dataclasses.replace(regions[0], origins=regions[0].origins.drop(columns="population"),
                              feed_paths=())
    with pytest.raises(SettingsError) as err:
        plan_partitions(batch_settings, [bad, bad], OPTIONS, tile_km=0, walk_cap_min=30)
    message = str(err.value)
    for part in ("tile size", "at least 60 min", "names repeat", "'population'", "timetables"):
        assert part in message


def test_store_lists_only_whole_partitions(tmp_path):
    store = PartitionStore(tmp_path)
    store.save("k1", pd.DataFrame({"code": ["a"], "v": [1.0]}), region="R", tile="0_0")
    assert store.finished("k1") and not store.finished("k2")
    assert PartitionStore(tmp_path).info("k1")["rows"] == 1
    assert [p.name for p in Path(tmp_path).iterdir() if p.name.endswith(".tmp")] == []
