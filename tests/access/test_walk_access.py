"""The access engine on real data (Hampton) and the `hiap access walk` command."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

from hiap.access import (
    AccessOptions,
    AccessResult,
    resolve_area,
    write_access_geopackage,
)
from hiap.access import measure_access as measure
from hiap.cli.main import app
from hiap.data.osm import find_osm_extract
from hiap.errors import DataError, SettingsError
from hiap.settings import Settings, get_settings
from isochrones import WalkNetwork, build_walk_graph, nearest_destination

HAMPTON_BOX_LL = box(-0.2895, 52.5275, -0.2483, 52.5492)


@pytest.fixture(scope="module")
def hampton_gp(access_settings: Settings, hampton_extract: Path) -> AccessResult:
    return measure(access_settings, AccessOptions(to="gp"), osm_path=hampton_extract)


def test_walk_access_times_match_the_router(
    hampton_gp: AccessResult, access_settings: Settings, hampton_extract: Path
) -> None:
    origins = hampton_gp.origins
    assert len(origins) > 5 and origins.crs.to_epsg() == 27700
    assert {"code", "population", "imd_decile", "lad_name", "time_min", "nearest_code"} <= set(
        origins
    )
    assert np.isfinite(origins["time_min"]).all() and (origins["time_min"] > 0).all()
    # recompute independently from the cached graph
    net = WalkNetwork.from_graph(
        build_walk_graph(hampton_extract, cache_dir=access_settings.cache_dir)
    )
    dests = net.snap(hampton_gp.destinations, to="edge")
    t, d = nearest_destination(net, dests).for_points(net.snap(origins, to="edge"))
    np.testing.assert_allclose(origins["time_min"], t / 60)
    assert (
        origins["nearest_code"].tolist() == hampton_gp.destinations["code"].to_numpy()[d].tolist()
    )
    overall = hampton_gp.overall.loc["all"]
    assert overall["population"] == origins["population"].sum()
    assert overall["pop_share_within_15min"] == pytest.approx(
        origins.loc[origins.time_min <= 15, "population"].sum() / origins["population"].sum()
    )
    assert "Peterborough" in hampton_gp.by_district.index
    assert any("OpenStreetMap" in line for line in hampton_gp.attribution)


def test_geopackage_layers(
    hampton_gp: AccessResult, access_settings: Settings, hampton_extract: Path, tmp_path: Path
) -> None:
    out = write_access_geopackage(hampton_gp, tmp_path / "walk.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"origins", "destinations", "isochrones", "catchments", "indicators",
            "parameters"} <= layers
    import sqlite3

    with sqlite3.connect(out) as conn:  # QGIS styles for the bands and the GP symbols
        styled = {row[0] for row in conn.execute("SELECT f_table_name FROM layer_styles")}
    assert {"isochrones", "destinations"} <= styled
    iso = gpd.read_file(out, layer="isochrones")
    assert iso["band_min"].tolist() == [5, 10, 15, 20, 30]
    # where each origin meets its street lies inside the band of its own time (within 30 min)
    net = WalkNetwork.from_graph(
        build_walk_graph(hampton_extract, cache_dir=access_settings.cache_dir)
    )
    near = hampton_gp.origins[hampton_gp.origins.time_min <= 30]
    snapped = net.snap(near, to="edge")
    assert snapped.edge_index is not None and snapped.along_m is not None
    for i, time_min in enumerate(near["time_min"]):
        edge = snapped.edge_index[i]
        share = snapped.along_m[i] / net.edge_length_m[edge]
        meet = shapely.line_interpolate_point(net.edge_geometry[edge], share, normalized=True)
        band = min(b for b in iso["band_min"] if b >= time_min)
        poly = iso.loc[iso.band_min == band].geometry.iloc[0]
        assert poly.buffer(1e-6).contains(meet)
    with pytest.raises(SettingsError, match="gpkg"):
        write_access_geopackage(hampton_gp, tmp_path / "walk.shp")


def test_find_osm_extract_prefers_the_covering_one(
    access_settings: Settings, hampton_extract: Path, tmp_path: Path
) -> None:
    hampton_area = gpd.GeoSeries([HAMPTON_BOX_LL.buffer(-0.005)], crs=4326).to_crs(27700).iloc[0]
    assert "hampton" in find_osm_extract(access_settings, area=hampton_area).name
    # With only the Hampton extract at hand (whatever else the real directory holds), an area
    # 40 km away in Cambridge has no extract.
    (tmp_path / "osm").mkdir()
    (tmp_path / "osm" / hampton_extract.name).symlink_to(hampton_extract)
    only_hampton = get_settings(environ={}, data_dir=tmp_path, cache_dir=access_settings.cache_dir)
    cambridge = box(544_000, 256_000, 548_000, 260_000)
    with pytest.raises(DataError, match="overlaps the area"):
        find_osm_extract(only_hampton, area=cambridge)


def test_resolve_area(access_settings: Settings, tmp_path: Path) -> None:
    geom, label = resolve_area(access_settings, "e06000031")
    assert "Peterborough" in label and geom.area > 1e7
    geom2, _ = resolve_area(access_settings, "Peterborough")
    assert shapely.equals(geom, geom2)
    path = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[HAMPTON_BOX_LL], crs=4326).to_file(path)
    geom3, label3 = resolve_area(access_settings, path)
    assert label3 == "area.geojson" and 5e6 < geom3.area < 2e7
    with pytest.raises(SettingsError, match="Districts available"):
        resolve_area(access_settings, "Atlantis")


def test_cli_walk(
    access_settings: Settings,
    hampton_extract: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIAP_DATA_DIR", str(access_settings.data_dir))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(access_settings.cache_dir))
    area = tmp_path / "hampton.geojson"
    gpd.GeoDataFrame(geometry=[HAMPTON_BOX_LL.buffer(-0.004)], crs=4326).to_file(area)
    out = tmp_path / "out.gpkg"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "access",
            "walk",
            "--to",
            "gp",
            "--area",
            str(area),
            "--buffer-km",
            "1",
            "--osm",
            str(hampton_extract),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Walking: overall" in result.output and "OpenStreetMap" in result.output
    assert "Parameters:" in result.output
    origins = gpd.read_file(out, layer="origins")
    assert len(origins) > 0 and "time_min" in origins

    # the nearest hospitals are 3-4 km north of the Hampton extract: a clear error, not a guess
    none = runner.invoke(
        app,
        ["access", "walk", "--to", "hospital", "--osm", str(hampton_extract), "--out", str(out)],
    )
    assert none.exit_code == 1 and "No hospital lies" in none.output
    bad = runner.invoke(app, ["access", "walk", "--area", "Atlantis", "--out", str(out)])
    assert bad.exit_code == 1 and "Districts available" in bad.output
    bad_to = runner.invoke(app, ["access", "walk", "--to", "dentist", "--out", str(out)])
    assert bad_to.exit_code == 2 and "gp" in bad_to.output
    bad_class = runner.invoke(
        app,
        [
            "access",
            "walk",
            "--to",
            "hospital",
            "--hospital-class",
            "private",
            "--osm",
            str(hampton_extract),
            "--out",
            str(out),
        ],
    )
    assert bad_class.exit_code == 1 and "choose from: acute_ae" in bad_class.output


def test_branch_surgeries_are_an_option_stated_in_the_notes(
    access_settings: Settings, hampton_extract: Path, hampton_gp: AccessResult
) -> None:
    assert not any("branch" in n for n in hampton_gp.warnings)  # off by default
    assert hampton_gp.parameters["Branch surgeries"] == "not included"
    with_branches = measure(
        access_settings, AccessOptions(to="gp", include_branches=True), osm_path=hampton_extract
    )
    assert len(with_branches.destinations) >= len(hampton_gp.destinations)
    assert "site_kind" in with_branches.destinations
    assert any("branch" in n and "2017" in n for n in with_branches.warnings)


def _edge_order(net: WalkNetwork) -> np.ndarray:
    """Directed edges sorted by their ends' OSM ids, then length to 1 cm."""
    return np.lexsort(
        (np.round(net.edge_length_m, 2), net.node_ids[net.edge_v], net.node_ids[net.edge_u])
    )


def test_the_engine_routes_on_the_array_build_without_a_networkx_graph(
    access_settings: Settings, hampton_extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import networkx as nx

    import hiap.access.network as access_network

    built: list[tuple[dict[str, object], WalkNetwork]] = []
    direct = access_network.DirectResources.walk_network

    def recording(self: access_network.DirectResources, osm_path: Path, **kw: object) -> WalkNetwork:
        net = direct(self, osm_path, **kw)  # type: ignore[arg-type]
        built.append((kw, net))
        return net

    def no_graph(*args: object, **kwargs: object) -> None:
        raise AssertionError("the access engine built a networkx graph")

    monkeypatch.setattr(access_network.DirectResources, "walk_network", recording)
    with monkeypatch.context() as m:
        m.setattr(nx.MultiDiGraph, "__init__", no_graph)
        result = measure(access_settings, AccessOptions(to="gp"), osm_path=hampton_extract)
    assert len(result.origins) > 5 and built
    kw, ours = built[-1]
    graph = build_walk_graph(hampton_extract, cache_dir=access_settings.cache_dir, **kw)  # type: ignore[arg-type]
    reference = WalkNetwork.from_graph(graph)
    np.testing.assert_array_equal(np.sort(ours.node_ids), np.sort(reference.node_ids))
    # the same directed edges (by their ends' OSM ids), lengths to 1 cm, snapping flags
    mine, theirs = _edge_order(ours), _edge_order(reference)
    assert len(mine) == len(theirs)
    for ends in ("edge_u", "edge_v"):
        np.testing.assert_array_equal(
            ours.node_ids[getattr(ours, ends)[mine]],
            reference.node_ids[getattr(reference, ends)[theirs]],
        )
    np.testing.assert_allclose(
        ours.edge_length_m[mine], reference.edge_length_m[theirs], rtol=0, atol=1e-2
    )
    np.testing.assert_array_equal(ours.edge_avoided[mine], reference.edge_avoided[theirs])
    assert ours.edge_walkway is not None and reference.edge_walkway is not None
    np.testing.assert_array_equal(ours.edge_walkway[mine], reference.edge_walkway[theirs])
    assert access_network.walkway_share(ours) == pytest.approx(
        access_network.walkway_share(graph), rel=1e-9
    )
