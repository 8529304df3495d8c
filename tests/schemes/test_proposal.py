"""Proposal layers: read through the hardened readers, validated with a message per layer."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes.proposal import (
    LAYERS,
    read_proposal,
    read_proposal_files,
    template_gpkg,
)
from hiap.settings import Settings, get_settings

X0, Y0 = 520_000.0, 260_000.0  # near Cambridge, British National Grid
SITE = shapely.box(X0, Y0, X0 + 600, Y0 + 400)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(environ={"HIAP_CACHE_DIR": str(tmp_path / "cache")})


def write(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


def frame(
    geoms: list[shapely.Geometry], crs: int = 27700, **columns: list[object]
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def good_layers() -> dict[str, gpd.GeoDataFrame]:
    return {
        "boundary": frame([SITE], name=["Test site"]),
        "homes": frame(
            [shapely.box(X0, Y0, X0 + 300, Y0 + 200), shapely.Point(X0 + 450, Y0 + 300)],
            dwellings=[120, 40],
            phase=[1, 2],
        ),
        "paths": frame(
            [shapely.LineString([(X0, Y0 + 200), (X0 + 600, Y0 + 200)])], type=["Footpath"]
        ),
        "greenspace": frame([shapely.box(X0 + 350, Y0, X0 + 550, Y0 + 150)], type=["park"]),
        "facilities": frame(
            [shapely.Point(X0 + 300, Y0 + 250), shapely.Point(X0 + 320, Y0 + 250)],
            type=["Health Centre", "primary school"],
            phase=[2, 1],
        ),
        "bus_stops": frame([shapely.Point(X0 + 10, Y0 + 210)], name=["Site stop"]),
    }


def test_a_good_proposal_is_read_in_british_national_grid(
    tmp_path: Path, settings: Settings
) -> None:
    layers = good_layers()
    # One layer drawn in WGS84: it is reprojected like the others.
    layers["greenspace"] = layers["greenspace"].to_crs(4326)
    proposal = read_proposal(write(tmp_path / "p.gpkg", layers), settings=settings)
    assert proposal.name == "Test site"
    assert proposal.dwellings == 160
    assert proposal.scheme.metadata.dwellings == 160
    assert proposal.phases == (1, 2)
    assert list(proposal.facilities["type"]) == ["health_centre", "primary_school"]
    assert list(proposal.paths["type"]) == ["footpath"]
    assert proposal.greenspace.crs.to_epsg() == 27700
    assert proposal.greenspace.geometry.iloc[0].area == pytest.approx(200 * 150, rel=1e-3)
    assert proposal.counts()["bus_route"] == 0
    first = proposal.upto(1)
    assert first.dwellings == 120 and len(first.facilities) == 1
    assert first.scheme.metadata.dwellings == 120


def test_every_problem_of_every_layer_is_reported_together(
    tmp_path: Path, settings: Settings
) -> None:
    layers = good_layers()
    layers["homes"] = frame(
        [shapely.Point(X0 + 10, Y0 + 10), shapely.Point(X0 + 20, Y0 + 20)], dwellings=[0, "many"]
    )
    layers["facilities"] = frame([shapely.Point(X0, Y0)], type=["hospital"])
    layers["paths"] = frame([shapely.Point(X0, Y0)], type=["footpath"])
    layers["greenspace"] = frame([shapely.box(X0, Y0, X0 + 10, Y0 + 10)], kind=["park"])
    with pytest.raises(SchemeError) as err:
        read_proposal(write(tmp_path / "bad.gpkg", layers), settings=settings)
    text = "\n".join(err.value.problems)
    assert "Layer 'homes': 'dwellings' must be a whole number" in text
    assert "row 1 ('0')" in text and "row 2 ('many')" in text
    assert "Layer 'facilities': 'type' must be one of gp, health_centre" in text
    assert "row 1 ('hospital')" in text
    assert "Layer 'paths'" in text and "takes lines only" in text
    assert "Layer 'greenspace': has no 'type' column" in text
    assert "/" not in err.value.source.replace("bad.gpkg", "")  # no server path in messages


def test_a_missing_boundary_is_named(tmp_path: Path, settings: Settings) -> None:
    layers = good_layers()
    del layers["boundary"]
    with pytest.raises(SchemeError, match=r"no 'boundary' layer.*hiap scheme template"):
        read_proposal(write(tmp_path / "nb.gpkg", layers), settings=settings)


def test_a_layer_outside_great_britain_is_refused(tmp_path: Path, settings: Settings) -> None:
    layers = good_layers()
    layers["bus_stops"] = frame([shapely.Point(2.35, 48.85)], crs=4326)  # Paris
    with pytest.raises(
        SchemeError, match="Layer 'bus_stops': The scheme lies outside Great Britain"
    ):
        read_proposal(write(tmp_path / "fr.gpkg", layers), settings=settings)


def test_only_a_geopackage_holds_several_layers(tmp_path: Path, settings: Settings) -> None:
    geojson = tmp_path / "p.geojson"
    good_layers()["boundary"].to_crs(4326).to_file(geojson, driver="GeoJSON")
    with pytest.raises(SchemeError, match="must be a GeoPackage"):
        read_proposal(geojson, settings=settings)


def test_one_file_per_layer(tmp_path: Path, settings: Settings) -> None:
    files = {}
    for name, layer in good_layers().items():
        target = tmp_path / f"{name}.geojson"
        layer.to_crs(4326).to_file(target, driver="GeoJSON")
        files[target.name] = target.read_bytes()
    files["notes.geojson"] = files["bus_stops.geojson"]
    proposal = read_proposal_files(files, settings=settings)
    assert proposal.dwellings == 160
    assert any("notes ignored" in n for n in proposal.notes)


def test_the_template_has_every_layer_and_reads_back_once_filled(
    tmp_path: Path, settings: Settings
) -> None:
    data = template_gpkg()
    path = tmp_path / "template.gpkg"
    path.write_bytes(data)
    import pyogrio

    assert [str(n) for n, _ in pyogrio.list_layers(path)] == list(LAYERS)
    fields = pyogrio.read_info(path, layer="facilities")["fields"]
    assert {"type", "phase", "opening_year", "list_size"} <= set(fields)
    with pytest.raises(SchemeError, match="Layer 'boundary'"):
        read_proposal(data, settings=settings, filename="template.gpkg")  # still empty
    write(path, {"boundary": good_layers()["boundary"]})
    assert read_proposal(path, settings=settings).name == "Test site"


def test_phases_by_year_count_a_facility_only_once_open(tmp_path: Path, settings: Settings) -> None:
    layers = good_layers()
    layers["homes"]["year"] = [2027, 2029]
    layers["facilities"]["opening_year"] = [2031, None]  # the health centre opens after its homes
    layers["paths"]["phase"] = [2]
    proposal = read_proposal(write(tmp_path / "p.gpkg", layers), settings=settings)
    assert proposal.years == (2027, 2029, 2031)
    first = proposal.upto_year(2027)
    assert first.dwellings == 120
    assert list(first.facilities["type"]) == ["primary_school"]  # phase 1, no year: with phase 1
    assert first.paths.empty  # phase 2 has no homes finished by 2027
    second = proposal.upto_year(2029)
    assert second.dwellings == 160
    assert list(second.facilities["type"]) == ["primary_school"]  # not open until 2031
    assert len(second.paths) == 1
    assert set(proposal.upto_year(2031).facilities["type"]) == {"health_centre", "primary_school"}

    from hiap.indicators.compare import _stages

    assert [label for label, _ in _stages(proposal)] == ["by 2027", "by 2029", "by 2031"]
    layers["homes"] = layers["homes"].drop(columns="year")
    layers["facilities"] = layers["facilities"].drop(columns="opening_year")
    undated = read_proposal(write(tmp_path / "q.gpkg", layers), settings=settings)
    assert [label for label, _ in _stages(undated)] == ["to phase 1", "to phase 2"]
