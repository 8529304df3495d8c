"""Nearest-GP walking bands: one multi-source Dijkstra pass vs OSMnx ego graphs per GP.

The "naive" method is the one people copy today (NHSX nhs_time_of_travel notebook): give each
edge a ``time`` attribute (minutes at walking speed), then for every GP and every trip time
call ``nx.ego_graph(G, gp_node, radius=trip_time, distance="time")`` and union the nodes.
Ours is ``isochrones.nearest_destination``: one scipy multi-source Dijkstra on a CSR matrix,
limited to the largest band, after which every band is a threshold.

Both run on the same graph with the same GP nodes (snap offsets set to zero, since the ego
graph method has none) and must give identical node sets for every band.

Usage::

    python benchmarks/walk_nearest_gp.py [OSM_FILE ...]

Without arguments, every ``*.osm.pbf`` / ``*.osm`` in ``data_dir/osm`` is benchmarked, then a
synthetic street grid of Cambridgeshire's size (300,000 nodes; ``--county-scale`` runs only
that), since no county-wide extract can be had offline.
GP practices: the active practices of the NHS epraccur file placed with Code-Point Open (via
``hiap.data.health.load_gp_practices``) within the extract's box + 5 km, plus the extract's
own OSM surgeries (``load_gp_practices(source="osm")``: ``amenity=doctors`` /
``healthcare=doctor``, a place mapped twice counted once; Code-Point Open here covers CB/PE postcodes, so Rutland's LE15
surgeries are only in OSM).
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
from shapely.geometry import box

from hiap.data.health import load_gp_practices
from hiap.settings import get_settings
from isochrones import Snapped, WalkNetwork, build_walk_graph, nearest_destination
from isochrones.osm_reader import extract_bounds

BANDS_MIN = (5, 10, 15, 20, 25, 30)
MAX_SNAP_M = 1000.0  # practices farther than this from the network lie outside the extract
SPEED_KPH = 4.8


def _gps(osm_path: Path) -> gpd.GeoDataFrame:
    settings = get_settings()
    bounds = extract_bounds(osm_path)
    if bounds is None:
        raise SystemExit(f"{osm_path} has no bounding box in its header")
    area = gpd.GeoSeries([box(*bounds)], crs="EPSG:4326").to_crs("EPSG:27700").iloc[0]
    frames = []
    for source in ("epraccur", "osm"):
        # the library's loaders: NHS practices, and OSM surgeries with duplicates merged
        gps = load_gp_practices(
            settings, source=source, area=area, buffer_m=5000, osm_path=osm_path
        )
        frames.append(gps.assign(source=gps.attrs["source"])[["code", "name", "source", "geometry"]])
    return gpd.GeoDataFrame(
        gpd.pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:27700"
    )


def _naive(graph: nx.MultiDiGraph, gp_nodes: list[int]) -> tuple[dict[int, set[int]], float]:
    """The notebook's method: a time attribute, then one ego graph per GP per trip time."""
    start = time.perf_counter()
    g = graph.copy()
    metres_per_min = SPEED_KPH * 1000 / 60
    for _, _, data in g.edges(data=True):
        data["time"] = data["length"] / metres_per_min
    bands: dict[int, set[int]] = {b: set() for b in BANDS_MIN}
    for node in gp_nodes:
        for band in BANDS_MIN:
            sub = nx.ego_graph(g, node, radius=band, distance="time")
            bands[band].update(sub.nodes)
    return bands, time.perf_counter() - start


def _ours(net: WalkNetwork, gp_pos: np.ndarray) -> tuple[dict[int, set[int]], float]:
    start = time.perf_counter()
    snapped = Snapped(
        node_index=gp_pos, node_id=net.node_ids[gp_pos], distance_m=np.zeros(len(gp_pos))
    )
    result = nearest_destination(net, snapped, speed_kph=SPEED_KPH, cutoff_min=max(BANDS_MIN))
    minutes = result.time_s / 60.0
    bands = {b: set(net.node_ids[minutes <= b].tolist()) for b in BANDS_MIN}
    return bands, time.perf_counter() - start


def run(osm_path: Path) -> None:
    print(f"\n=== {osm_path.name} ({osm_path.stat().st_size / 1e6:.1f} MB) ===")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as cache_dir:
        gc.collect()
        t0 = time.perf_counter()
        graph = build_walk_graph(osm_path, cache_dir=cache_dir)
        build_s = time.perf_counter() - t0
        rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        build_walk_graph(osm_path, cache_dir=cache_dir)
        reload_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    net = WalkNetwork.from_graph(graph)
    arrays_s = time.perf_counter() - t0
    print(f"walk graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges")
    print(f"build from OSM (read, filter, simplify, project, cache write): {build_s:.2f} s")
    print(f"peak resident memory: {rss_before:.0f} MB before the build, {rss_build:.0f} MB after")
    print(f"reload from parquet cache: {reload_s:.2f} s (x{build_s / reload_s:.0f} faster)")
    print(f"WalkNetwork.from_graph (CSR + k-d tree): {arrays_s:.2f} s")

    gps = _gps(osm_path)
    snapped = net.snap(gps)
    far = snapped.distance_m > MAX_SNAP_M
    for name, dist in zip(gps["name"][far], snapped.distance_m[far], strict=True):
        print(f"  left out (outside the extract): {name}, {dist:,.0f} m from the network")
    gps = gps[~far].reset_index(drop=True)
    snapped = net.snap(gps)
    gp_pos = np.unique(snapped.node_index)
    print(
        f"GP practices: {len(gps)} ({(gps.source != 'osm').sum()} epraccur in "
        f"box+5 km and within {MAX_SNAP_M:.0f} m of the network, "
        f"{(gps.source == 'osm').sum()} OSM amenity=doctors / healthcare=doctor) on "
        f"{len(gp_pos)} distinct nodes; snap distances (m): "
        + ", ".join(f"{d:.0f}" for d in snapped.distance_m)
    )
    for name, dist in zip(gps["name"], snapped.distance_m, strict=True):
        print(f"  - {name}: {dist:.0f} m from the network")
    gp_nodes = [int(n) for n in net.node_ids[gp_pos]]

    ours_bands, ours_s = _ours(net, gp_pos)
    ours_again = min(_ours(net, gp_pos)[1] for _ in range(5))
    naive_bands, naive_s = _naive(graph, gp_nodes)
    print(f"bands (min): {', '.join(map(str, BANDS_MIN))}")
    identical = True
    for band in BANDS_MIN:
        same = ours_bands[band] == naive_bands[band]
        identical &= same
        print(
            f"  {band:>2} min: ours {len(ours_bands[band]):>6,} nodes, ego_graph "
            f"{len(naive_bands[band]):>6,} nodes, identical={same}"
        )
    print(
        f"naive ego_graph per GP per band: {naive_s:.3f} s "
        f"({len(gp_nodes)} GPs x {len(BANDS_MIN)} bands)"
    )
    print(
        f"ours, one multi-source pass: {ours_s * 1000:.2f} ms first call, "
        f"{ours_again * 1000:.2f} ms best of 5"
    )
    print(
        f"ratio naive / ours: x{naive_s / ours_again:,.0f} (best of 5), "
        f"x{naive_s / ours_s:,.0f} (first call); "
        f"including the one-off CSR build: x{naive_s / (ours_again + arrays_s):,.1f}"
    )
    print(f"identical answers: {identical}")
    for label, func in (
        ("ours", lambda: _ours(net, gp_pos)),
        ("naive", lambda: _naive(graph, gp_nodes)),
    ):
        tracemalloc.start()
        func()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak Python allocations of one {label} run (tracemalloc): {peak / 1e6:.1f} MB")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process so far: {rss_mb:.0f} MB")


def county_scale_graph(n_side: int, *, spacing_m: float = 100.0, seed: int = 7) -> nx.MultiDiGraph:
    """A street grid the size of Cambridgeshire (about 55 x 55 km at 100 m), 10% of links cut.

    No county-wide OSM extract can be had offline here, so this stands in for one with the same
    order of nodes and edges (Cambridgeshire's OSMnx walk graph has some 300,000 nodes).
    """
    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph(crs="EPSG:27700")
    ids = np.arange(n_side * n_side).reshape(n_side, n_side)
    jitter = rng.uniform(-20, 20, size=(n_side, n_side, 2))
    for (row, col), node in np.ndenumerate(ids):
        graph.add_node(
            int(node),
            x=500_000 + col * spacing_m + jitter[row, col, 0],
            y=250_000 + row * spacing_m + jitter[row, col, 1],
        )
    pairs = [*zip(ids[:, :-1].ravel(), ids[:, 1:].ravel(), strict=True)]
    pairs += [*zip(ids[:-1, :].ravel(), ids[1:, :].ravel(), strict=True)]
    keep = rng.random(len(pairs)) > 0.1
    for (u, v), kept in zip(pairs, keep, strict=True):
        if not kept:
            continue
        length = float(spacing_m * rng.uniform(1.0, 1.3))  # streets wind a little
        graph.add_edge(int(u), int(v), length=length)
        graph.add_edge(int(v), int(u), length=length)
    return graph


def run_county_scale(n_side: int = 550, n_gps: int = 84) -> None:
    """Nearest GP for every node of a county-sized network: ours vs the ego-graph method."""
    print(f"\n=== county scale: synthetic {n_side} x {n_side} street grid, {n_gps} GPs ===")
    t0 = time.perf_counter()
    graph = county_scale_graph(n_side)
    print(
        f"graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
        f"(made in {time.perf_counter() - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    net = WalkNetwork.from_graph(graph)
    arrays_s = time.perf_counter() - t0
    print(f"WalkNetwork.from_graph (CSR + k-d tree), once per network: {arrays_s:.2f} s")
    rng = np.random.default_rng(84)
    gp_pos = np.unique(rng.choice(net.n_nodes, size=n_gps, replace=False))
    gp_nodes = [int(n) for n in net.node_ids[gp_pos]]
    ours_bands, _first_s = _ours(net, gp_pos)
    ours_best = min(_ours(net, gp_pos)[1] for _ in range(3))
    t0 = time.perf_counter()
    snapped = Snapped(
        node_index=gp_pos, node_id=net.node_ids[gp_pos], distance_m=np.zeros(len(gp_pos))
    )
    nearest_destination(net, snapped, speed_kph=SPEED_KPH)
    uncapped_s = time.perf_counter() - t0
    naive_bands, naive_s = _naive(graph, gp_nodes)
    identical = all(ours_bands[b] == naive_bands[b] for b in BANDS_MIN)
    print(f"ours, nearest GP for every node within 30 min: {ours_best * 1000:.0f} ms (best of 3)")
    print(f"ours, nearest GP for every node, no cutoff: {uncapped_s * 1000:.0f} ms")
    print(f"naive ego_graph per GP per band: {naive_s:.1f} s")
    print(f"ratio naive / ours: x{naive_s / ours_best:,.0f}; identical answers: {identical}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process so far: {rss_mb:.0f} MB")


def main(argv: list[str]) -> None:
    if argv == ["--county-scale"]:
        run_county_scale()
        return
    if argv:
        files = [Path(a) for a in argv]
    else:
        folder = get_settings().data_dir / "osm"
        files = sorted([*folder.glob("*.osm.pbf"), *folder.glob("*.osm")])
    for path in files:
        run(path)
    if not argv:
        run_county_scale()


if __name__ == "__main__":
    main(sys.argv[1:])
