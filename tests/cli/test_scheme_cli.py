"""`hiap scheme check` and `hiap scheme list` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyogrio import write_dataframe
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import SAMPLE_SCHEMES_DIR

runner = CliRunner()


def _square_gpkg(path: Path, layers: list[str]) -> Path:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(545_000, 254_000, 545_300, 254_300)], crs=27700)
    for name in layers:
        write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
    return path


def test_check_prints_a_summary() -> None:
    result = runner.invoke(app, ["scheme", "check", str(SAMPLE_SCHEMES_DIR / "northstowe.geojson")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Scheme:    Northstowe" in out
    assert "Kind:      housing" in out
    assert "CRS:       EPSG:4326 in the file; held as EPSG:27700" in out
    assert "Area:      460.8 ha" in out
    assert "Centroid:  E " in out and "lat 52.28" in out
    assert "Features:  1 polygon(s), 0 line(s), 0 stop(s)" in out
    assert "Dwellings: 10,000 (about 23,600 new residents" in out


def test_check_transport_sample() -> None:
    result = runner.invoke(
        app, ["scheme", "check", str(SAMPLE_SCHEMES_DIR / "fenland-bus-link.geojson")]
    )
    assert result.exit_code == 0, result.output
    assert "Features:  0 polygon(s), 1 line(s), 8 stop(s)" in result.stdout
    assert "Service:   every 60 min, 12 h span" in result.stdout


def test_check_reports_every_problem_without_a_traceback(tmp_path: Path) -> None:
    ring = [[52.17, 0.11], [52.17, 0.12], [52.176, 0.12], [52.176, 0.11], [52.17, 0.11]]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"dwellings": -1},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["scheme", "check", str(path)])
    assert result.exit_code == 1
    assert "bad.geojson: 2 problem(s) found:" in result.stderr
    assert "look swapped" in result.stderr
    assert "'dwellings'" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_check_needs_a_layer_for_a_multi_layer_geopackage(tmp_path: Path) -> None:
    path = _square_gpkg(tmp_path / "plan.gpkg", ["site", "phase_1"])
    result = runner.invoke(app, ["scheme", "check", str(path)])
    assert result.exit_code == 1
    assert "2 layers: site, phase_1" in result.stderr
    chosen = runner.invoke(app, ["scheme", "check", str(path), "--layer", "phase_1"])
    assert chosen.exit_code == 0, chosen.output
    assert "Area:      9.0 ha" in chosen.stdout
    assert "CRS:       EPSG:27700" in chosen.stdout


def test_check_kind_option(tmp_path: Path) -> None:
    path = _square_gpkg(tmp_path / "site.gpkg", ["site"])
    result = runner.invoke(app, ["scheme", "check", str(path), "--kind", "transport"])
    assert result.exit_code == 1
    assert "No lines: a transport scheme needs its route" in result.stderr
    wrong = runner.invoke(app, ["scheme", "check", str(path), "--kind", "bridge"])
    assert wrong.exit_code == 2
    assert "--kind must be one of housing, transport, mixed" in wrong.stderr


@pytest.mark.parametrize("name", ["missing.geojson", "missing.zip"])
def test_check_missing_file(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["scheme", "check", str(tmp_path / name)])
    assert result.exit_code == 1
    assert "File not found" in result.stderr


def test_list_shows_the_samples() -> None:
    result = runner.invoke(app, ["scheme", "list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("northstowe ") and "housing" in line and "sample" in line for line in lines
    )
    assert any(line.startswith("fenland-bus-link ") and "transport" in line for line in lines)
    assert "approximate outlines" in result.stdout
