"""WalkNetwork.is_symmetric: computed once at build, stored with the cached network, and
checked afresh on every edited network.

The network is built from a small street grid written here as OSM XML (curved block sides,
so merged edges sum their segments in both orders: 28 of its 72 edges differ from their
reverse by up to 6e-14 m, which the micrometre tolerance absorbs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely

import isochrones.network as network
from isochrones import WalkNetwork
from isochrones.edits import add_paths
from isochrones.network import SYMMETRIC_WITHIN_M
from isochrones.network_arrays import (
    _load_network,
    _network_from_cache,
    _save_network,
    build_walk_network,
)
from tests.indicators.conftest import OsmWriter

BNG = pyproj.CRS("EPSG:27700")


def _grid_osm(path: Path, n: int = 5, step_m: float = 120.0) -> Path:
    """n x n junctions; each block side a way with three bent shape nodes."""
    osm = OsmWriter()
    x0, y0 = 520_000.0, 296_000.0
    junction = {(i, j): osm.node(x0 + i * step_m, y0 + j * step_m) for i in range(n) for j in range(n)}
    way = 1
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= n or j + dj >= n:
                    continue
                shape = [
                    osm.node(x0 + (i + di * t) * step_m + dj * 7.0 * np.sin(np.pi * t),
                             y0 + (j + dj * t) * step_m + di * 7.0 * np.sin(np.pi * t))
                    for t in (0.25, 0.5, 0.75)
                ]
                osm.way(way, [junction[i, j], *shape, junction[i + di, j + dj]],
                        {"highway": "residential"})
                way += 1
    return osm.write(path)


def _cache_file(cache_dir: Path) -> Path:
    (file,) = (cache_dir / "walk_networks").glob("*.npz")
    return file


def _arrays(file: Path) -> dict[str, Any]:
    with np.load(file) as npz:
        return dict(npz)


def _computed(net: WalkNetwork) -> bool:
    """The flag computed from the length matrices, ignoring any stored one."""
    return network._lengths_symmetric(net.length_csr, net.reverse_length_csr)


def _one_way(data: dict[str, Any], k: int) -> dict[str, Any]:
    """The arrays with directed edge ``k`` removed: its street is walkable one way only."""
    ptr = data["chain_ptr"]
    keep_xy = np.ones(len(data["chain_xy"]), dtype=bool)
    keep_xy[ptr[k] : ptr[k + 1]] = False
    out = {name: value for name, value in data.items() if name != "symmetric"}
    for name in ("edge_u", "edge_v", "edge_length_m", "edge_avoided", "edge_walkway"):
        out[name] = np.delete(data[name], k)
    out["chain_ptr"] = np.concatenate([[0], np.cumsum(np.delete(np.diff(ptr), k))])
    out["chain_xy"] = data["chain_xy"][keep_xy]
    return out


@pytest.fixture
def grid(tmp_path: Path) -> tuple[Path, Path]:
    """The grid's extract and a cache folder holding its built network."""
    osm = _grid_osm(tmp_path / "grid.osm")
    build_walk_network(osm, cache_dir=tmp_path / "cache")
    return osm, tmp_path / "cache"


def test_the_flag_is_stored_at_build_and_reloaded(
    grid: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    osm, cache_dir = grid
    data = _arrays(_cache_file(cache_dir))
    assert bool(data["symmetric"]) is True
    # the stored flag is the one computed from the arrays (lengths differ in the last bits)
    fresh = _network_from_cache({k: v for k, v in data.items() if k != "symmetric"}, BNG)
    assert fresh._symmetric is None
    assert fresh.is_symmetric is _computed(fresh) is True
    diff = np.abs((fresh.length_csr - fresh.reverse_length_csr).tocsr().data)
    assert diff.max() <= SYMMETRIC_WITHIN_M

    # a reload reads the flag and never compares the matrices
    def no_comparison(*args: object) -> bool:
        raise AssertionError("the reload compared the length matrices")

    monkeypatch.setattr(network, "_lengths_symmetric", no_comparison)
    reloaded = build_walk_network(osm, cache_dir=cache_dir)
    assert reloaded._symmetric is True and reloaded.is_symmetric is True
    assert (reloaded.edge_length_m == fresh.edge_length_m).all()


def test_a_one_way_edit_is_stored_and_reloaded_as_not_symmetric(
    grid: tuple[Path, Path], tmp_path: Path
) -> None:
    _, cache_dir = grid
    data = _arrays(_cache_file(cache_dir))
    edited = _network_from_cache(_one_way(data, 3), BNG)
    assert edited._symmetric is None  # the grid's stored flag is not carried over
    assert edited.is_symmetric is _computed(edited) is False
    file = tmp_path / "edited" / "one_way.npz"
    _save_network(file, _one_way(data, 3), edited)
    assert bool(_arrays(file)["symmetric"]) is False
    again = _load_network(file, BNG)
    assert again._symmetric is False and again.is_symmetric is _computed(again) is False


def test_lengths_differing_by_more_than_a_micrometre_are_not_symmetric(
    grid: tuple[Path, Path],
) -> None:
    _, cache_dir = grid
    data = {k: v for k, v in _arrays(_cache_file(cache_dir)).items() if k != "symmetric"}
    for extra_m, symmetric in ((SYMMETRIC_WITHIN_M / 10, True), (SYMMETRIC_WITHIN_M * 10, False)):
        longer = data["edge_length_m"].copy()
        longer[5] += extra_m  # one direction of one street
        net = _network_from_cache({**data, "edge_length_m": longer}, BNG)
        assert net.is_symmetric is symmetric


def test_an_old_cache_without_the_flag_still_loads(grid: tuple[Path, Path]) -> None:
    _, cache_dir = grid
    file = _cache_file(cache_dir)
    data = _arrays(file)
    old = file.with_name("old.npz")  # as the cache format 1 wrote it
    np.savez(old, **{k: v for k, v in data.items() if k != "symmetric"})
    net = _load_network(old, BNG)
    assert net._symmetric is None and net.is_symmetric is True


def test_edited_networks_are_checked_afresh(grid: tuple[Path, Path]) -> None:
    """add_paths builds a new network: it never inherits the baseline's stored flag."""
    osm, cache_dir = grid
    base = build_walk_network(osm, cache_dir=cache_dir)
    assert base._symmetric is True
    path = shapely.LineString([(520_060.0, 295_990.0), (520_420.0, 295_990.0)])
    edit = add_paths(base, [path])
    assert edit.new_edges > 0
    assert edit.network._symmetric is None
    assert edit.network.is_symmetric is _computed(edit.network) is True  # paths go both ways
    # the same edited arrays with one new link walkable one way only: not symmetric
    net = edit.network
    k = len(net.edge_u) - 1
    one_way = WalkNetwork.from_arrays(
        node_ids=net.node_ids, x=net.x, y=net.y, crs=net.crs,
        edge_u=np.delete(net.edge_u, k), edge_v=np.delete(net.edge_v, k),
        edge_length_m=np.delete(net.edge_length_m, k),
        edge_geometry=np.delete(net.edge_geometry, k),
        edge_avoided=np.delete(net.edge_avoided, k),
    )
    assert one_way.is_symmetric is _computed(one_way) is False
