"""Walk network build: the array path (pyosmium -> numpy, no networkx) against the graph path.

Prints, for the Rutland extract (real) and a synthetic county-size PBF (written here with
pyosmium: a street grid with shape nodes, about 1.5 million nodes, Cambridgeshire's size):

* the array build (:func:`isochrones.network_arrays.build_walk_network`), median of repeats;
* today's graph build (``build_walk_graph`` + ``WalkNetwork.from_graph``: networkx and
  ``osmnx.simplify_graph``), once, on Rutland only unless ``--graph-county`` (it takes minutes
  and gigabytes at county size);
* the reload of the cached arrays, and then the first ``is_symmetric`` (stored with the
  cache since format 2, so a reload reads it instead of comparing the length matrices);
* pyrosm's walking network of the same file (Rutland; installed into this environment by the
  script when missing, a benchmark dependency only), with its node and length agreement;
* the peak memory of each, measured in a fresh child process (max RSS).

    python benchmarks/network_build.py [--county-grid 300] [--repeats 3] [--graph-county]

Targets (issue 14): Rutland <= 2 s, county <= 30 s and <= 3 GB, reload <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import import_or_install, load_note

from hiap.settings import configure_numba_cache, get_settings

configure_numba_cache(get_settings())

SETTINGS = get_settings()
RUTLAND = SETTINGS.data_dir / "osm" / "rutland-latest_2022-07-20.osm.pbf"

_CHILD = """
import json, resource, sys, time
from hiap.settings import configure_numba_cache, get_settings
configure_numba_cache(get_settings())
from isochrones import WalkNetwork, build_walk_graph
from isochrones.network_arrays import build_walk_network, simplify_segments
import numpy as np
# numba loads its compiled code once per process (the app and CLI have done so already when
# they route); do it before the clock starts.
simplify_segments(2, np.array([0]), np.array([1]), np.array([1.0]))
kind, path, cache = sys.argv[1], sys.argv[2], sys.argv[3] or None
if kind == "pyrosm":
    import warnings
    warnings.simplefilter("ignore")  # pyrosm's pandas/shapely deprecation chatter
    import pyrosm
def cpu_s():
    # this process and any it started (a peer may read in worker processes)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime
start, cpu = time.perf_counter(), cpu_s()
if kind == "graph":
    net = WalkNetwork.from_graph(build_walk_graph(path))
elif kind == "pyrosm":
    nodes, edges = pyrosm.OSM(path).get_network(network_type="walking", nodes=True)
else:
    net = build_walk_network(path, cache_dir=cache)
took, used = time.perf_counter() - start, cpu_s() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = {"s": took, "cpu": used, "rss_mb": rss}
if kind != "pyrosm":
    start = time.perf_counter()
    net.is_symmetric  # the walk engine asks this before reversing access legs as egress
    out["symmetric_s"] = time.perf_counter() - start
if kind == "pyrosm":
    # agreement with hiap's build of the same file (not timed)
    net = build_walk_network(path)
    ids = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    out.update(pyrosm_nodes=len(nodes), pyrosm_edges=len(edges),
               pyrosm_km=float(edges["length"].sum()) / 1000,
               hiap_in_pyrosm=float(np.isin(net.node_ids, ids).mean()),
               hiap_km=float(net.edge_length_m.sum()) / 2000)
out.update(nodes=net.n_nodes, edges=len(net.edge_u))
print(json.dumps(out))
"""


def write_county_pbf(path: Path, grid: int, shape_nodes: int = 8, spacing_m: float = 100.0) -> int:
    """Write a synthetic street grid: ``grid`` x ``grid`` junctions, ``shape_nodes`` per block side.

    Each block side is its own way (residential street, footway or bridleway in turn), with a
    slight bend so its shape nodes carry geometry; every 7th row is a motorway (dropped by the
    walk filter). Returns the number of nodes written.
    """
    import osmium

    lat0, lon0 = 52.2, 0.1
    dlat = spacing_m / 111_320.0
    dlon = spacing_m / (111_320.0 * np.cos(np.radians(lat0)))
    jid = np.arange(grid * grid, dtype=np.int64).reshape(grid, grid) + 1
    next_id = grid * grid + 1
    ways: list[tuple[list[int], str]] = []
    nodes: list[tuple[int, float, float]] = [
        (int(jid[i, j]), lon0 + j * dlon, lat0 + i * dlat) for i in range(grid) for j in range(grid)
    ]
    kinds = ("residential", "footway", "bridleway", "unclassified")
    t = np.arange(1, shape_nodes + 1) / (shape_nodes + 1)
    bend = 0.08 * np.sin(np.pi * t)
    for i in range(grid):
        for j in range(grid):
            for di, dj in ((0, 1), (1, 0)):
                i2, j2 = i + di, j + dj
                if i2 >= grid or j2 >= grid:
                    continue
                lats = lat0 + (i + di * t + dj * bend) * dlat
                lons = lon0 + (j + dj * t + di * bend) * dlon
                ids = list(range(next_id, next_id + shape_nodes))
                next_id += shape_nodes
                nodes.extend(zip(ids, lons.tolist(), lats.tolist(), strict=True))
                kind = "motorway" if (di == 0 and i % 7 == 3) else kinds[(i + j) % len(kinds)]
                ways.append(([int(jid[i, j]), *ids, int(jid[i2, j2])], kind))
    nodes.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(tmp))
    try:
        for nid, lon, lat in nodes:
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat)))
        for wid, (refs, kind) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags={"highway": kind}))
    finally:
        writer.close()
    tmp.replace(path)
    return len(nodes)


def child(kind: str, path: Path, cache: Path | None) -> dict[str, float]:
    """Run one build in a fresh interpreter (so its peak memory is its own)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path), "" if cache is None else str(cache)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_pyrosm(path: Path, arrays_s: float, arrays_cpu: float) -> None:
    """Time pyrosm's walking network of the same extract and say how it compares."""
    import_or_install("pyrosm")
    r = child("pyrosm", path, None)
    print(
        f"  pyrosm get_network('walking', nodes=True): {r['s']:.2f} s wall, {r['cpu']:.2f} s "
        f"CPU, peak RSS {r['rss_mb']:,.0f} MB; pyrosm/array {r['s'] / arrays_s:.1f}x wall, "
        f"{r['cpu'] / arrays_cpu:.1f}x CPU"
    )
    print(
        f"    pyrosm: {r['pyrosm_nodes']:,} nodes, {r['pyrosm_edges']:,} segments, "
        f"{r['pyrosm_km']:,.1f} km (unsimplified, every component, its own walk filter); "
        f"hiap: {r['nodes']:,} nodes after simplification, {r['hiap_km']:,.1f} km of street "
        f"(largest connected component, UK walk filter); {r['hiap_in_pyrosm']:.1%} of hiap's "
        "nodes are pyrosm nodes"
    )


def report(name: str, path: Path, repeats: int, graph: bool) -> None:
    runs = [child("arrays", path, None) for _ in range(repeats)]
    arrays_s = float(np.median([r["s"] for r in runs]))
    arrays_cpu = float(np.median([r["cpu"] for r in runs]))
    rss = max(r["rss_mb"] for r in runs)
    print(
        f"{name}: {runs[0]['nodes']:,} nodes, {runs[0]['edges']:,} directed edges after "
        "simplification"
    )
    print(
        f"  array build: {arrays_s:.2f} s wall, {arrays_cpu:.2f} s CPU (medians of {repeats}), "
        f"peak RSS {rss:,.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        child("arrays", path, Path(tmp))
        reloads = [child("arrays", path, Path(tmp)) for _ in range(repeats)]
    reload_s = float(np.median([r["s"] for r in reloads]))
    reload_cpu = float(np.median([r["cpu"] for r in reloads]))
    symmetric_ms = 1000 * float(np.median([r["symmetric_s"] for r in reloads]))
    print(
        f"  cache reload: {reload_s:.2f} s wall, {reload_cpu:.2f} s CPU (medians of {repeats}); "
        f"then is_symmetric {symmetric_ms:.2f} ms"
    )
    if graph:
        report_pyrosm(path, arrays_s, arrays_cpu)
        g = child("graph", path, None)
        print(
            f"  graph build (networkx + osmnx.simplify_graph + from_graph): {g['s']:.2f} s wall, "
            f"{g['cpu']:.2f} s CPU, peak RSS {g['rss_mb']:,.0f} MB; graph/array "
            f"{g['s'] / arrays_s:.1f}x wall, {g['cpu'] / arrays_cpu:.1f}x CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--county-grid", type=int, default=300, help="junctions per side")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--graph-county", action="store_true")
    args = parser.parse_args()
    print(
        "(each build runs in a fresh process after numba has loaded its compiled code; CPU time "
        "is the steadier figure on a shared machine)"
    )
    print(f"start: {load_note()}")
    child("arrays", RUTLAND, None)  # compile / load the numba cache once
    report("Rutland", RUTLAND, args.repeats, graph=True)
    county = SETTINGS.cache_dir / "benchmarks" / f"synthetic_county_{args.county_grid}.osm.pbf"
    if not county.is_file():
        start = time.perf_counter()
        n = write_county_pbf(county, args.county_grid)
        print(f"wrote {county.name}: {n:,} nodes in {time.perf_counter() - start:.0f} s")
    report(f"synthetic county ({county.name})", county, args.repeats, graph=args.graph_county)
    print(f"end: {load_note()}")


if __name__ == "__main__":
    main()
