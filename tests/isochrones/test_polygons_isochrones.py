"""Isochrone and catchment polygons: exact cut of partial edges, nesting, containment."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from isochrones import RoutingInputError, WalkNetwork
from isochrones.polygons import catchments, isochrone_polygons
from isochrones.travel_times import nearest_destination, time_from_sources

from .test_travel_times_hand_graph import ONE_MPS_KPH, hand_graph

SPEED_MPS = 4.8 / 3.6


def test_partial_edge_is_cut_at_the_exact_remaining_distance() -> None:
    net = WalkNetwork.from_graph(hand_graph())
    origin = gpd.GeoSeries([Point(0, -10)], crs="EPSG:27700")  # 10 m to A
    # 90 s at 1 m/s: 10 m of connector then 80 m along A-B (and nothing else)
    iso = isochrone_polygons(net, origin, bands_min=[1.5], speed_kph=ONE_MPS_KPH, buffer_m=5)
    poly = iso.geometry.iloc[0]
    assert poly.contains(Point(84.9, 0)) and not poly.contains(Point(85.1, 0))
    assert poly.contains(Point(0, -10)) and not poly.contains(Point(100, 0))
    assert not poly.contains(Point(0, -16))


def test_edge_snapped_origin_walks_both_ways_along_its_edge() -> None:
    net = WalkNetwork.from_graph(hand_graph())
    # 10 m to A-B at x=50, then 20 m each way along it within 30 s at 1 m/s
    iso = isochrone_polygons(
        net,
        np.array([[50.0, 10.0]]),
        bands_min=[0.5],
        speed_kph=ONE_MPS_KPH,
        buffer_m=2,
        snap_to="edge",
    )
    poly = iso.geometry.iloc[0]
    assert poly.contains(Point(31, 0)) and poly.contains(Point(69, 0))
    assert not poly.contains(Point(27, 0)) and not poly.contains(Point(73, 0))
    assert poly.contains(Point(50, 9)) and not poly.contains(Point(0, 0))


@pytest.mark.slow
def test_bands_are_nested_and_hold_their_reachable_nodes(rutland_net: WalkNetwork) -> None:
    rng = np.random.default_rng(7)
    p = int(rng.integers(rutland_net.n_nodes))
    origin = np.array([[rutland_net.x[p] + 25.0, rutland_net.y[p]]])
    bands = [5, 10, 15, 20, 30]
    iso = isochrone_polygons(rutland_net, origin, bands_min=bands, buffer_m=50)
    assert iso["band_min"].tolist() == bands and iso.crs.to_epsg() == 27700
    polys = iso.geometry.to_numpy()
    for small, large in itertools.pairwise(polys):
        assert large.buffer(1e-6).contains(small)
        assert large.area > small.area
    time_s, _ = time_from_sources(rutland_net, origin)
    node_pts = shapely.points(rutland_net.x, rutland_net.y)
    euclid = np.hypot(rutland_net.x - origin[0, 0], rutland_net.y - origin[0, 1])
    for band, poly in zip(bands, polys, strict=True):
        budget_m = band * 60 * SPEED_MPS
        reachable = time_s <= band * 60
        assert reachable.any()
        assert shapely.contains(poly.buffer(1e-6), node_pts[reachable]).all()
        # A point farther than the budget (+1% for great-circle vs grid lengths) plus the
        # buffer, as the crow flies, cannot be inside.
        far = euclid > budget_m * 1.01 + 50 + 1
        assert far.any() and not shapely.intersects(poly, node_pts[far]).any()


def test_per_origin_and_geopackage(hampton_net: WalkNetwork, tmp_path: Path) -> None:
    pts = gpd.GeoSeries(
        shapely.points(hampton_net.x[[0, 50]] + 10, hampton_net.y[[0, 50]]), crs="EPSG:27700"
    )
    iso = isochrone_polygons(hampton_net, pts, bands_min=[5, 10], per_origin=True)
    assert iso[["origin", "band_min"]].values.tolist() == [[0, 5], [0, 10], [1, 5], [1, 10]]
    combined = isochrone_polygons(hampton_net, pts, bands_min=[5, 10])
    union = shapely.union_all(iso.geometry[iso.band_min == 10].to_numpy())
    assert combined.geometry.iloc[1].symmetric_difference(union).area < 1e-3 * union.area
    out = tmp_path / "iso.gpkg"
    iso.to_file(out, layer="isochrones", engine="pyogrio")
    back = gpd.read_file(out, layer="isochrones", engine="pyogrio")
    assert len(back) == 4 and back.crs.to_epsg() == 27700


def test_catchments_give_each_street_to_its_nearest_destination(hampton_net: WalkNetwork) -> None:
    rng = np.random.default_rng(11)
    picks = rng.choice(hampton_net.n_nodes, size=4, replace=False)
    dests = np.column_stack([hampton_net.x[picks], hampton_net.y[picks]])
    bands = [5, 15]
    catch = catchments(hampton_net, dests, bands_min=bands, buffer_m=20)
    assert set(catch["destination"]) <= set(range(4)) and catch.crs.to_epsg() == 27700
    nearest = nearest_destination(hampton_net, dests)
    pts = shapely.points(hampton_net.x, hampton_net.y)
    for dest, group in catch.groupby("destination"):
        g = group.set_index("band_min").geometry
        assert g[15].buffer(1e-6).contains(g[5])
        for band in bands:
            mine = (nearest.destination == dest) & (nearest.time_s <= band * 60)
            assert shapely.contains(g[band].buffer(1e-6), pts[mine]).all()
    # Nodes owned by another destination lie well inside that one's catchment, not this one's,
    # except within the buffer of a shared boundary.
    big = catch[catch.band_min == 15].set_index("destination").geometry
    for dest, poly in big.items():
        others = (nearest.destination != dest) & (nearest.time_s <= 15 * 60)
        inside = shapely.contains(poly, pts[others])
        if inside.any():
            boundary_dist = shapely.distance(pts[others][inside], poly.boundary)
            assert (boundary_dist <= 2 * 20 + 1).all()


def test_polygon_errors(hampton_net: WalkNetwork) -> None:
    pts = np.array([[hampton_net.x[0], hampton_net.y[0]]])
    with pytest.raises(RoutingInputError, match="bands_min"):
        isochrone_polygons(hampton_net, pts, bands_min=[5, 5])
    with pytest.raises(RoutingInputError, match="buffer_m"):
        isochrone_polygons(hampton_net, pts, buffer_m=0)
