"""The array build (pyosmium -> numpy, no networkx) against the networkx/OSMnx build.

Same node set after simplification, same directed edges with lengths to 1 cm, same geometry,
on real extracts; a hand-made extract pins each simplification rule; the cache round-trips.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box

from isochrones import WalkNetwork, build_walk_graph
from isochrones.errors import RoutingInputError
from isochrones.network_arrays import build_walk_network, simplify_segments


def _edges(net: WalkNetwork) -> np.ndarray:
    """Directed edges as sorted (u id, v id, length in cm) rows."""
    rows = np.column_stack(
        [
            net.node_ids[net.edge_u],
            net.node_ids[net.edge_v],
            np.round(net.edge_length_m * 100).astype(np.int64),
        ]
    )
    return rows[np.lexsort(rows.T[::-1])]


def assert_same_network(ours: WalkNetwork, reference: WalkNetwork) -> None:
    assert set(ours.node_ids.tolist()) == set(reference.node_ids.tolist())
    a, b = _edges(ours), _edges(reference)
    assert a.shape == b.shape
    assert (a[:, :2] == b[:, :2]).all()
    assert np.abs(a[:, 2] - b[:, 2]).max() <= 1  # lengths to 1 cm
    # node coordinates and edge geometries too
    ia, ib = np.argsort(ours.node_ids), np.argsort(reference.node_ids)
    assert np.allclose(ours.x[ia], reference.x[ib], atol=1e-6)
    assert np.allclose(ours.y[ia], reference.y[ib], atol=1e-6)

    def order(net: WalkNetwork) -> np.ndarray:
        return np.lexsort(
            (np.round(net.edge_length_m, 6), net.node_ids[net.edge_v], net.node_ids[net.edge_u])
        )

    ga = ours.edge_geometry[order(ours)]
    gb = reference.edge_geometry[order(reference)]
    assert shapely.hausdorff_distance(ga, gb).max() < 0.01
    # the snapping rule's flags (trunk roads, foot=no, sidewalk=no) survive the array build
    fa, fb = ours.edge_avoided[order(ours)], reference.edge_avoided[order(reference)]
    assert (fa == fb).all()
    assert fa.any() == reference.edge_avoided.any()
    # and the walkway flags that tell a drive-only extract (footways, paths, ...)
    assert ours.edge_walkway is not None and reference.edge_walkway is not None
    wa, wb = ours.edge_walkway[order(ours)], reference.edge_walkway[order(reference)]
    assert (wa == wb).all()


def test_hampton_arrays_match_the_graph_build(hampton_osm: Path, hampton_net: WalkNetwork) -> None:
    assert_same_network(build_walk_network(hampton_osm), hampton_net)


@pytest.mark.slow
def test_rutland_arrays_match_the_graph_build(rutland_pbf: Path, rutland_net: WalkNetwork) -> None:
    assert_same_network(build_walk_network(rutland_pbf), rutland_net)


def test_clipped_arrays_match_the_clipped_graph(
    hampton_osm: Path, hampton_net: WalkNetwork
) -> None:
    cx, cy = float(np.median(hampton_net.x)), float(np.median(hampton_net.y))
    area = box(cx - 400, cy - 400, cx + 400, cy + 400)
    ours = build_walk_network(hampton_osm, area=area, margin_m=100)
    reference = WalkNetwork.from_graph(build_walk_graph(hampton_osm, area=area, margin_m=100))
    assert 0 < ours.n_nodes < hampton_net.n_nodes
    assert_same_network(ours, reference)


def test_cache_reload_gives_the_same_network(hampton_osm: Path, tmp_path: Path) -> None:
    built = build_walk_network(hampton_osm, cache_dir=tmp_path)
    assert len(list((tmp_path / "walk_networks").glob("*.npz"))) == 1
    reloaded = build_walk_network(hampton_osm, cache_dir=tmp_path)
    assert_same_network(reloaded, built)
    other = build_walk_network(hampton_osm, cache_dir=tmp_path, walk_filter="osmnx")
    assert len(list((tmp_path / "walk_networks").glob("*.npz"))) == 2
    assert other.n_nodes != built.n_nodes


def test_simplification_rules_by_hand() -> None:
    # 0-1-2-3: a chain (1, 2 interior) to junction 3; 3-4-8: 4 is interior too; 3-5 direct;
    # 5-6-7-5: a loop through interior 6, 7 hanging off 5; 8-9 twice (two ways over one
    # segment), so 9 (one neighbour) and 8 (three segments) are kept.
    seg_u = np.array([0, 1, 2, 3, 3, 5, 6, 7, 4, 8, 8])
    seg_v = np.array([1, 2, 3, 4, 5, 6, 7, 5, 8, 9, 9])
    length = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0])
    out = simplify_segments(10, seg_u, seg_v, length)
    assert np.flatnonzero(out.keep).tolist() == [0, 3, 5, 8, 9]
    edges = sorted(
        zip(out.edge_u.tolist(), out.edge_v.tolist(), out.edge_length_m.tolist(), strict=True)
    )
    assert edges == [
        (0, 3, 7.0),
        (3, 0, 7.0),
        (3, 5, 16.0),
        (3, 8, 264.0),
        (5, 3, 16.0),
        (5, 5, 224.0),  # the loop, once each way round
        (5, 5, 224.0),
        (8, 3, 264.0),
        (8, 9, 512.0),
        (8, 9, 1024.0),
        (9, 8, 512.0),
        (9, 8, 1024.0),
    ]
    first = out.chain_nodes[out.chain_ptr[0] : out.chain_ptr[1]].tolist()
    assert first == [0, 1, 2, 3]
    loops = [
        out.chain_nodes[out.chain_ptr[e] : out.chain_ptr[e + 1]].tolist()
        for e in np.flatnonzero((out.edge_u == 5) & (out.edge_v == 5))
    ]
    assert sorted(loops) == [[5, 6, 7, 5], [5, 7, 6, 5]]
    direct = np.flatnonzero((out.edge_u == 3) & (out.edge_v == 5))[0]
    assert out.chain_ptr[direct] == out.chain_ptr[direct + 1]  # unmerged: no chain


def test_geometry_drawn_on_first_use_equals_the_eager_draw() -> None:
    # Node 0 (0, 0) -> 1 (100, 0) straight; 1 -> 2 (100, 100) along a bend; a reversed
    # geometry handed in for 2 -> 1 is turned to run from u to v; a trunk edge 0 -> 2.
    nodes = {"node_ids": np.array([10, 11, 12]), "x": [0.0, 100.0, 100.0], "y": [0.0, 0.0, 100.0]}
    edges = {
        "edge_u": [0, 1, 2, 0],
        "edge_v": [1, 2, 1, 2],
        "edge_length_m": [100.0, 120.0, 120.0, 141.0],
        "edge_avoided": [False, False, False, True],
    }
    bend = [(100.0, 0.0), (130.0, 50.0), (100.0, 100.0)]
    eager = WalkNetwork.from_arrays(
        crs=pyproj.CRS("EPSG:27700"),
        **nodes,
        **edges,
        edge_geometry=np.array(
            [None, shapely.LineString(bend), shapely.LineString(bend), None], dtype=object
        ),
    )
    lazy = WalkNetwork.from_arrays(
        crs=pyproj.CRS("EPSG:27700"),
        **nodes,
        **edges,
        edge_shapes=(np.array([0, 0, 3, 6, 6]), np.array(bend + bend[::-1])),
    )
    assert shapely.equals_exact(lazy.edge_geometry, eager.edge_geometry, tolerance=0).all()
    assert shapely.get_coordinates(lazy.edge_geometry[2])[0].tolist() == [100.0, 100.0]
    assert not lazy.edge_geometry.flags.writeable
    pts = np.array([[125.0, 40.0], [50.0, 55.0], [10.0, -3.0]])
    a, b = lazy.snap(pts, to="edge"), eager.snap(pts, to="edge")
    assert (a.edge_index == b.edge_index).all()
    assert np.allclose(a.distance_m, b.distance_m)
    with pytest.raises(RoutingInputError, match="not both"):
        WalkNetwork.from_arrays(
            crs=pyproj.CRS("EPSG:27700"),
            **nodes,
            **edges,
            edge_geometry=eager.edge_geometry,
            edge_shapes=(np.array([0, 0, 0, 0, 0]), np.zeros((0, 2))),
        )
