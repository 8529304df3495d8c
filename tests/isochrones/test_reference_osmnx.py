"""An independent reference: walk times to the nearest GP with plain OSMnx + networkx.

On Hampton (OSM XML) and Rutland (PBF, converted to XML with pyosmium in the test's tmp dir),
the reference builds its graph with ``osmnx.graph_from_xml`` (every way; the UK walk filter
then applied to the edges' tags, which is what a custom filter does), keeps the largest strong
component, simplifies and projects with OSMnx; snaps each point with its own code (nearest
edge by shapely distance, trunk/motorway and foot=no / sidewalk=no edges only when nothing
else lies within 500 m, origins beyond 500 m left out); and routes with
``networkx.multi_source_dijkstra``. hiap's times (``build_walk_graph``, ``WalkNetwork.snap``,
``nearest_destination``) must agree within one second for every origin.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest
import shapely
from shapely.geometry import Point

from hiap.data.health import load_gp_practices
from hiap.settings import get_settings
from isochrones import WalkNetwork, build_walk_graph, nearest_destination
from isochrones.osm_reader import keeps_for_walking

pytestmark = pytest.mark.slow

SPEED_MPS = 4.8 * 1000 / 3600
FALLBACK_M = 500.0
EXCLUDE_M = 500.0
N_ORIGINS = 80
_TAGS = ("designation", "prow_ref", "foot", "access", "service", "area", "sidewalk",
         "sidewalk:both", "sidewalk:left", "sidewalk:right", "highway")


def _pbf_to_xml(pbf: Path, out: Path) -> Path:
    """Write the highway ways of a PBF, with the nodes they use, as OSM XML (pyosmium)."""
    with osmium.BackReferenceWriter(str(out), ref_src=str(pbf), overwrite=True) as writer:
        for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY):
            if "highway" in way.tags:
                writer.add_way(way)
    return out


def _reference_graph(xml: Path, monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    extra = [t for t in _TAGS if t not in ox.settings.useful_tags_way]
    monkeypatch.setattr(ox.settings, "useful_tags_way", [*ox.settings.useful_tags_way, *extra])
    g = ox.graph_from_xml(xml, bidirectional=True, simplify=False, retain_all=True)
    drop = [
        (u, v, k)
        for u, v, k, d in g.edges(keys=True, data=True)
        if not keeps_for_walking({t: str(d[t]) for t in _TAGS if t in d})
    ]
    g.remove_edges_from(drop)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    g = ox.truncate.largest_component(g, strongly=True)
    return ox.project_graph(ox.simplify_graph(g), to_crs="EPSG:27700")


def _avoided(d: dict[str, object]) -> bool:
    def values(key: str) -> set[str]:
        v = d.get(key)
        items = v if isinstance(v, list) else [v] if v is not None else []
        return {str(i) for i in items}

    if values("highway") & {"motorway", "motorway_link", "trunk", "trunk_link"}:
        return True
    return "no" in values("foot") or bool((values("sidewalk") | values("sidewalk:both")) & {"no", "none"})


def _reference_snap(
    edges: gpd.GeoDataFrame, avoided: np.ndarray, points: np.ndarray
) -> list[tuple[tuple[int, float], tuple[int, float]] | None]:
    """Per point: ((u, metres to u), (v, metres to v)) of its edge, or None when left out."""
    geoms = edges.geometry.to_numpy()
    lengths = edges["length"].to_numpy(float)
    us = edges.index.get_level_values(0).to_numpy()
    vs = edges.index.get_level_values(1).to_numpy()
    out: list[tuple[tuple[int, float], tuple[int, float]] | None] = []
    for x, y in points:
        pt = Point(x, y)
        dist = shapely.distance(geoms, pt)
        ok = np.where(avoided, np.inf, dist)
        best_ok = int(np.argmin(ok))
        j = best_ok if ok[best_ok] <= max(FALLBACK_M, dist.min()) else int(np.argmin(dist))
        if dist[j] > EXCLUDE_M:
            out.append(None)
            continue
        line = geoms[j]
        share = line.project(pt) / line.length if line.length > 0 else 0.0
        along = share * lengths[j]
        out.append(((int(us[j]), dist[j] + along), (int(vs[j]), dist[j] + lengths[j] - along)))
    return out


def _reference_times(
    graph: nx.MultiDiGraph, origins: np.ndarray, gps: np.ndarray
) -> np.ndarray:
    edges = ox.graph_to_gdfs(graph, nodes=False)
    avoided = np.array([_avoided(row) for row in edges.to_dict("records")])
    dest = [s for s in _reference_snap(edges, avoided, gps) if s is not None]
    g = nx.MultiDiGraph(graph)
    for attach in dest:  # a virtual source linked to both ends of each practice's edge
        for node, metres in attach:
            g.add_edge("GP", node, length=metres)
    # walking graphs are symmetric: distances from the practices are distances to them
    dist = nx.single_source_dijkstra_path_length(g, "GP", weight="length")
    times = []
    for snap in _reference_snap(edges, avoided, origins):
        if snap is None:
            times.append(np.nan)
            continue
        best = min(dist.get(node, np.inf) + metres for node, metres in snap)
        times.append(best / SPEED_MPS)
    return np.array(times)


def _origins(net: WalkNetwork, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x0, x1 = np.percentile(net.x, [5, 95])
    y0, y1 = np.percentile(net.y, [5, 95])
    return np.column_stack([rng.uniform(x0, x1, N_ORIGINS), rng.uniform(y0, y1, N_ORIGINS)])


def _compare(
    xml: Path, source: Path, gp_source: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[np.ndarray, np.ndarray, int]:
    ours_graph = build_walk_graph(source, cache_dir=tmp_path / "cache")
    net = WalkNetwork.from_graph(ours_graph)
    hull = shapely.convex_hull(shapely.multipoints(shapely.points(net.x, net.y)))
    gps_frame = load_gp_practices(
        get_settings(), source=gp_source, area=hull, buffer_m=500, osm_path=source
    )
    origins = _origins(net, seed=10)
    gps = np.column_stack([gps_frame.geometry.x, gps_frame.geometry.y])
    snapped = net.snap(origins, to="edge", exclude_beyond_m=EXCLUDE_M)
    ours, _ = nearest_destination(net, net.snap(gps, to="edge")).for_points(snapped)
    ours = np.where(snapped.excluded, np.nan, ours)
    reference = _reference_times(_reference_graph(xml, monkeypatch), origins, gps)
    return ours, reference, len(gps)


def test_hampton_agrees_with_osmnx_networkx(
    hampton_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, reference, n_gps = _compare(hampton_osm, hampton_osm, "epraccur", monkeypatch, tmp_path)
    assert n_gps >= 2
    assert np.array_equal(np.isnan(ours), np.isnan(reference))  # same origins left out
    kept = ~np.isnan(ours)
    assert kept.sum() >= N_ORIGINS // 2
    assert np.abs(ours[kept] - reference[kept]).max() < 1.0


def test_rutland_agrees_with_osmnx_networkx(
    rutland_pbf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = _pbf_to_xml(rutland_pbf, tmp_path / "rutland_highways.osm")
    # Code-Point Open covers CB/PE only: Rutland's surgeries come from OSM (amenity=doctors)
    ours, reference, n_gps = _compare(xml, rutland_pbf, "osm", monkeypatch, tmp_path)
    assert n_gps >= 2
    assert np.array_equal(np.isnan(ours), np.isnan(reference))
    kept = ~np.isnan(ours)
    assert kept.sum() >= N_ORIGINS // 4
    assert np.abs(ours[kept] - reference[kept]).max() < 1.0
