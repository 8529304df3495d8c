"""The walk graph builder against OSMnx itself, on the real Hampton extract, and its cache."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import shapely
from osmnx import _overpass
from shapely.geometry import box

from isochrones import EmptyNetworkError, OsmFileError, build_walk_graph
from isochrones.cache import load_graph, save_graph
from isochrones.osm_reader import keeps_for_walking


def _walk_filter_pairs() -> list[tuple[str, re.Pattern[str]]]:
    """The (key, regex) exclusions of OSMnx's own walk filter string."""
    text = _overpass._get_network_filter("walk")
    return [(k, re.compile(v)) for k, v in re.findall(r'\["([^"]+)"!~"([^"]+)"\]', text)]


_FILTER_TAGS = ("designation", "prow_ref", "foot", "access", "service", "area", "highway")


def _osmnx_reference(osm_path: Path, monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    """OSMnx's own pipeline: graph_from_xml, then the walk filter applied to the edges' tags.

    The OSMnx walk exclusions are read from OSMnx's filter string; the UK overrides (shared-use
    cycleways, rights of way, foot=private) are applied by hand from the raw tags, so this
    checks the builder's pipeline, not the filter against itself.
    """
    pairs = _walk_filter_pairs()
    wanted = {k for k, _ in pairs} | set(_FILTER_TAGS)
    extra = [k for k in sorted(wanted) if k not in ox.settings.useful_tags_way]
    monkeypatch.setattr(ox.settings, "useful_tags_way", [*ox.settings.useful_tags_way, *extra])
    g = ox.graph_from_xml(osm_path, bidirectional=True, simplify=False, retain_all=True)

    def kept(d: dict[str, str]) -> bool:
        if "highway" not in d:
            return False
        failing = {key for key, pattern in pairs if key in d and pattern.search(str(d[key]))}
        foot = set(str(d.get("foot", "")).split(";"))
        if "private" in foot:
            return False
        prow = "prow_ref" in d or d.get("designation") in {
            "public_footpath",
            "public_bridleway",
            "restricted_byway",
            "byway_open_to_all_traffic",
            "byway",
        }
        if foot & {"yes", "designated", "permissive"} or prow:
            failing -= {"access", "service"}
            if d["highway"] == "cycleway":
                failing.discard("highway")
        return not failing

    drop = [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if not kept(d)]
    g.remove_edges_from(drop)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    g = ox.truncate.largest_component(g, strongly=True)
    return ox.project_graph(ox.simplify_graph(g), to_crs="EPSG:27700")


@pytest.mark.parametrize(
    ("tags", "kept"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway", "foot": "designated"}, True),
        ({"highway": "service", "service": "driveway"}, True),
        ({"highway": "cycleway"}, False),
        ({"highway": "motorway_link"}, False),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"highway": "service", "service": "private"}, False),
        ({"highway": "primary", "sidewalk": "separate"}, False),
        ({"highway": "primary", "sidewalk:left": "separate"}, False),
        ({"highway": "proposed"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_walk_filter_matches_osmnx_filter_string(tags: dict[str, str], kept: bool) -> None:
    reference = "highway" in tags and not any(
        key in tags and pattern.search(tags[key]) for key, pattern in _walk_filter_pairs()
    )
    assert keeps_for_walking(tags, rules="osmnx") is kept is reference


@pytest.mark.parametrize(
    ("tags", "osmnx", "uk"),
    [
        # shared-use paths: dropped by OSMnx, walked on in the UK
        ({"highway": "cycleway", "foot": "yes"}, False, True),
        ({"highway": "cycleway", "foot": "designated", "segregated": "no"}, False, True),
        ({"highway": "cycleway", "foot": "permissive"}, False, True),
        ({"highway": "cycleway", "foot": "yes;designated"}, False, True),
        ({"highway": "cycleway", "designation": "public_bridleway"}, False, True),
        # a cycle-only path stays out
        ({"highway": "cycleway"}, False, False),
        ({"highway": "cycleway", "foot": "no"}, False, False),
        # bridleways: both keep them
        ({"highway": "bridleway"}, True, True),
        # rights of way and explicit foot access beat access=private
        ({"highway": "track", "access": "private", "designation": "public_footpath"}, False, True),
        ({"highway": "track", "access": "private", "prow_ref": "Hampton FP 3"}, False, True),
        ({"highway": "service", "access": "private", "foot": "permissive"}, False, True),
        ({"highway": "track", "access": "private"}, False, False),
        # foot=private / foot=no: no public foot access
        ({"highway": "footway", "foot": "private"}, True, False),
        ({"highway": "path", "designation": "public_footpath", "foot": "no"}, False, False),
        # everything else as OSMnx
        ({"highway": "trunk", "sidewalk": "no"}, True, True),
        ({"highway": "motorway", "foot": "yes"}, False, False),
        ({"highway": "cycleway", "foot": "yes", "area": "yes"}, False, False),
        ({"highway": "primary", "sidewalk": "separate"}, False, False),
        ({"highway": "residential"}, True, True),
    ],
)
def test_uk_walk_filter_rule_by_rule(tags: dict[str, str], osmnx: bool, uk: bool) -> None:
    assert keeps_for_walking(tags, rules="osmnx") is osmnx
    assert keeps_for_walking(tags, rules="uk") is uk
    assert keeps_for_walking(tags) is uk  # the UK rules are the default


def test_walk_filter_rejects_unknown_rules() -> None:
    with pytest.raises(ValueError, match="rules"):
        keeps_for_walking({"highway": "path"}, rules="german")  # type: ignore[arg-type]


def test_hampton_matches_osmnx_pipeline(
    hampton_osm: Path, hampton_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _osmnx_reference(hampton_osm, monkeypatch)
    assert set(hampton_graph.nodes) == set(reference.nodes)
    assert sorted(hampton_graph.edges()) == sorted(reference.edges())
    ours = sum(d["length"] for *_, d in hampton_graph.edges(data=True))
    theirs = sum(d["length"] for *_, d in reference.edges(data=True))
    assert ours == pytest.approx(theirs, rel=1e-12)
    for node in list(reference.nodes)[:200]:
        assert hampton_graph.nodes[node]["x"] == pytest.approx(reference.nodes[node]["x"], abs=1e-6)


def test_hampton_close_to_plain_graph_from_xml(hampton_graph: nx.MultiDiGraph) -> None:
    # graph_from_xml with no filter keeps every way (1,333 nodes / 3,532 edges per SOURCES.md);
    # the walk network drops cycle-only paths and the like, so it is a little smaller.
    assert 0.8 * 1333 <= hampton_graph.number_of_nodes() <= 1333
    assert 0.8 * 3532 <= hampton_graph.number_of_edges() <= 3532
    highways = {str(d["highway"]) for *_, d in hampton_graph.edges(data=True)}
    assert not any("motorway" in h for h in highways)


def test_uk_filter_adds_shared_use_paths_on_hampton(
    hampton_osm: Path, hampton_graph: nx.MultiDiGraph
) -> None:
    osmnx_rules = build_walk_graph(hampton_osm, walk_filter="osmnx")
    # simplification moves some nodes (a path joining a street makes a new junction), so
    # compare sizes, not node sets
    assert hampton_graph.number_of_nodes() > osmnx_rules.number_of_nodes()
    walked = sum(d["length"] for *_, d in hampton_graph.edges(data=True))
    osmnx_walked = sum(d["length"] for *_, d in osmnx_rules.edges(data=True))
    assert walked > osmnx_walked
    # every cycleway kept is a shared-use path or a right of way
    for *_, d in hampton_graph.edges(data=True):
        kinds = d["highway"] if isinstance(d["highway"], list) else [d["highway"]]
        if kinds == ["cycleway"]:
            assert d.get("foot") or d.get("designation")


def test_graph_attributes(hampton_graph: nx.MultiDiGraph) -> None:
    assert str(hampton_graph.graph["crs"]).upper() == "EPSG:27700"
    u, _v, data = next(iter(hampton_graph.edges(data=True)))
    assert {"osmid", "highway", "length", "oneway", "reversed"} <= set(data)
    node = hampton_graph.nodes[u]
    assert {"x", "y", "lon", "lat", "street_count"} <= set(node)
    assert 510_000 < node["x"] < 525_000 and -0.3 < node["lon"] < -0.24
    # walking is bidirectional: every edge has its reverse
    assert all(hampton_graph.has_edge(b, a) for a, b in hampton_graph.edges())
    assert nx.is_strongly_connected(hampton_graph)


def test_clip_to_area(hampton_osm: Path, hampton_graph: nx.MultiDiGraph) -> None:
    xs = np.array([d["x"] for _, d in hampton_graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in hampton_graph.nodes(data=True)])
    cx, cy = float(np.median(xs)), float(np.median(ys))
    area = box(cx - 400, cy - 400, cx + 400, cy + 400)
    clipped = build_walk_graph(hampton_osm, area=area, margin_m=100)
    assert 0 < clipped.number_of_nodes() < hampton_graph.number_of_nodes()
    grown = area.buffer(100)
    # simplified nodes are OSM nodes, all of which were inside the buffered area
    points = shapely.points([(d["x"], d["y"]) for _, d in clipped.nodes(data=True)])
    assert shapely.contains(grown.buffer(1e-6), points).all()
    assert nx.is_strongly_connected(clipped)


def test_cache_round_trip_and_key(hampton_osm: Path, tmp_path: Path) -> None:
    built = build_walk_graph(hampton_osm, cache_dir=tmp_path)
    folders = list((tmp_path / "walk_graphs").iterdir())
    assert len(folders) == 1
    loaded = build_walk_graph(hampton_osm, cache_dir=tmp_path)
    assert loaded.graph["crs"] == str(built.graph["crs"])
    assert dict(loaded.nodes(data=True)) == dict(built.nodes(data=True))
    b_edges = {(u, v, k): d for u, v, k, d in built.edges(keys=True, data=True)}
    l_edges = {(u, v, k): d for u, v, k, d in loaded.edges(keys=True, data=True)}
    assert b_edges.keys() == l_edges.keys()
    for key, data in b_edges.items():
        other = l_edges[key]
        assert set(other) == set(data)
        for attr, value in data.items():
            if attr == "geometry":
                assert shapely.equals_exact(value, other[attr], tolerance=0)
            else:
                assert other[attr] == value
    # a different area is a different cache entry
    build_walk_graph(hampton_osm, area=box(516_000, 294_000, 518_000, 296_000), cache_dir=tmp_path)
    assert len(list((tmp_path / "walk_graphs").iterdir())) == 2
    # so is another walk filter
    build_walk_graph(hampton_osm, cache_dir=tmp_path, walk_filter="osmnx")
    assert len(list((tmp_path / "walk_graphs").iterdir())) == 3


def test_cache_key_includes_the_walk_filter_version(
    hampton_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from isochrones import cache

    area = box(516_000, 294_000, 517_000, 295_000)
    build_walk_graph(hampton_osm, area=area, cache_dir=tmp_path)
    # the one walk-network key (graphs and arrays) adds the version
    monkeypatch.setattr(cache, "WALK_FILTER_VERSION", "uk-test")
    build_walk_graph(hampton_osm, area=area, cache_dir=tmp_path)
    # a new filter version never reuses a graph built under the old rules
    assert len(list((tmp_path / "walk_graphs").iterdir())) == 2


def test_save_load_list_attributes(tmp_path: Path) -> None:
    g = nx.MultiDiGraph(crs="EPSG:27700")
    g.add_node(1, x=0.0, y=0.0)
    g.add_node(2, x=1.0, y=0.0, highway="crossing")
    g.add_edge(1, 2, osmid=[5, 6], highway=["footway", "residential"], length=1.5, name="json:odd")
    g.add_edge(2, 1, osmid=7, highway="footway", length=1.5)
    back = load_graph(save_graph(g, tmp_path / "g"))
    assert back.edges[1, 2, 0] == g.edges[1, 2, 0]
    assert back.edges[2, 1, 0] == g.edges[2, 1, 0]
    assert back.nodes[2] == g.nodes[2]


def test_errors(tmp_path: Path, hampton_osm: Path) -> None:
    with pytest.raises(OsmFileError, match=r"not found.*\.osm\.pbf"):
        build_walk_graph(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"this is not a PBF")
    with pytest.raises(OsmFileError, match="Cannot read"):
        build_walk_graph(bad)
    with pytest.raises(EmptyNetworkError, match="inside the area"):
        build_walk_graph(hampton_osm, area=box(0, 0, 1000, 1000))
