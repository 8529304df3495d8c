"""Time the whole indicator assessment of a sample scheme, cold and warm.

Figures printed:

* ``import``: importing hiap.indicators (pulls in geopandas, osmnx, numba...).
* ``cold``: the first assessment with an empty cache folder: read the OSM extract for
  destinations and greenspace, build the walk network with OSMnx-compatible rules, load GP
  practices, hospitals and population, measure every indicator.
* ``warm``: the same again; the OSM features and walk network come from the parquet caches.
* ``hot``: the network passed in already built (what the app does with ``st.cache_resource``).

Targets (issue 6): under 30 s cold and under 3 s warm.

It also times the walk-share indicators (greenspace within 300 m, playground within 400 m,
sports within 800 m, bus stop within 400 m) against the naive way: a networkx
``single_source_dijkstra_path_length`` from every home point with the largest cutoff, then a
look-up of each destination set, and checks that both give the same shares.

Usage::

    python benchmarks/assess_scheme.py [SCHEME_ID] [--feed GTFS_ZIP_OR_FOLDER]

The default scheme is ``actdev-hampton`` (Hampton, Peterborough; 2012 OSM extract). Public
transport is timed only when a feed is given and covers the scheme.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

t0 = time.perf_counter()
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from hiap.indicators import assess_indicators  # noqa: E402
from hiap.indicators.greenspace import greenspace_entries  # noqa: E402
from hiap.indicators.homes import Homes, nearest_walk_m, snap_destinations  # noqa: E402
from hiap.indicators.osm_features import OsmFeatures, extract_osm_features  # noqa: E402
from hiap.indicators.run import NETWORK_MARGIN_M, find_osm_extract  # noqa: E402
from hiap.indicators.walkgraph import WalkGraph  # noqa: E402
from hiap.schemes import load_sample_scheme  # noqa: E402
from hiap.schemes.points import scheme_points  # noqa: E402
from hiap.settings import get_settings  # noqa: E402
from isochrones.gtfs import load_feed  # noqa: E402
from isochrones.network import build_walk_graph  # noqa: E402

IMPORT_S = time.perf_counter() - t0

T = TypeVar("T")


def _timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _naive_vs_ours(graph_nx: nx.MultiDiGraph, graph: WalkGraph, homes: Homes, features: OsmFeatures) -> None:
    sets = {
        "greenspace 2 ha / 300 m": (greenspace_entries(graph, features.greenspace[features.greenspace["area_ha"] >= 2]), 300.0),
        "playground / 400 m": (snap_destinations(graph, features.of("playground").geometry), 400.0),
        "sports / 800 m": (snap_destinations(graph, features.of("sports").geometry), 800.0),
        "bus stop / 400 m": (snap_destinations(graph, features.of("bus_stop").geometry), 400.0),
    }
    start = time.perf_counter()
    ours = {k: nearest_walk_m(graph, homes, d, limit_m=lim) <= lim for k, (d, lim) in sets.items()}
    ours_s = time.perf_counter() - start

    start = time.perf_counter()
    undirected = nx.Graph()
    for u, v, data in graph_nx.edges(data=True):
        w = data["length"]
        if not undirected.has_edge(u, v) or undirected[u][v]["length"] > w:
            undirected.add_edge(u, v, length=w)
    ids = graph.network.node_ids
    naive = {k: np.zeros(len(homes), dtype=bool) for k in sets}
    home_ends = homes.snapped.attachments()  # both ends of each home's street edge
    for h in range(len(homes)):
        best_by_set = {k: np.inf for k in sets}
        for nodes, offsets in home_ends:
            node, off = int(nodes[h]), float(offsets[h])
            lengths = nx.single_source_dijkstra_path_length(
                undirected, int(ids[node]), cutoff=max(800.0 - off, 0.0), weight="length"
            )
            for k, (dest, _) in sets.items():
                for d_nodes, d_offsets in dest.snapped.attachments():
                    for n, o in zip(d_nodes, d_offsets, strict=True):
                        best_by_set[k] = min(best_by_set[k], lengths.get(int(ids[n]), np.inf) + o + off)
        for k, (_, lim) in sets.items():
            naive[k][h] = best_by_set[k] <= lim
    naive_s = time.perf_counter() - start
    same = all((naive[k] == ours[k]).all() for k in sets)
    print(f"\nwalk shares, {len(homes)} home points, {len(sets)} destination sets")
    print(f"  naive networkx per-origin Dijkstra: {naive_s * 1000:8.1f} ms")
    print(f"  hiap multi-source CSR passes:       {ours_s * 1000:8.1f} ms")
    print(f"  speed-up: {naive_s / ours_s:.1f}x; same shares: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scheme", nargs="?", default="actdev-hampton")
    parser.add_argument("--feed", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        settings = get_settings(environ={"HIAP_CACHE_DIR": cache})
        scheme = load_sample_scheme(args.scheme, settings)
        feed = load_feed(args.feed) if args.feed else None
        print(f"scheme {scheme.name}: {scheme.area_ha:.0f} ha, {scheme.metadata.dwellings} dwellings")
        cold, cold_s = _timed(assess_indicators, scheme, settings=settings, feed=feed)
        warm, warm_s = _timed(assess_indicators, scheme, settings=settings, feed=feed)
        site = scheme.footprint
        path = find_osm_extract(settings, area=site, required=False)
        assert path is not None
        g = build_walk_graph(path, area=site, margin_m=NETWORK_MARGIN_M, cache_dir=settings.cache_dir)
        graph = WalkGraph.from_graph(g)
        hot, hot_s = _timed(assess_indicators, scheme, settings=settings, feed=feed, network=graph)
        assert cold.values() == warm.values() == hot.values()
        print(f"network: {graph.n_nodes:,} nodes, {graph.network.length_csr.nnz:,} directed edges; "
              f"{cold.points} home points")
        print(f"measured {len(cold.results)} of {len(cold.results) + len(cold.unavailable)} indicators; "
              f"not measured: {', '.join(u.id for u in cold.unavailable) or 'none'}")
        print(f"\n  import   {IMPORT_S:6.2f} s")
        print(f"  cold     {cold_s:6.2f} s   (target < 30 s)")
        print(f"  warm     {warm_s:6.2f} s   (target < 3 s)")
        print(f"  hot      {hot_s:6.2f} s   (network shared, as in the app)")
        features = extract_osm_features(path, settings=settings)
        homes = Homes.snap(graph, scheme_points(scheme.boundary))
        _naive_vs_ours(g, graph, homes, features)


if __name__ == "__main__":
    main()
