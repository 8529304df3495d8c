"""Data messages name the setting (HIAP_DATA_DIR, `hiap data status`), never a server path."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from hiap.data.osm import find_osm_extract
from hiap.data.population import load_area_origins
from hiap.errors import DataError
from hiap.settings import get_settings


def _message(call: object) -> str:
    with pytest.raises(DataError) as info:
        call()  # type: ignore[operator]
    return str(info.value)


def test_no_extract_names_the_setting_not_the_folder(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path / "secret-server-dir")
    text = _message(lambda: find_osm_extract(settings))
    assert "HIAP_DATA_DIR" in text and "hiap data status" in text
    assert "secret-server-dir" not in text and str(tmp_path) not in text


def test_no_overlapping_extract_lists_names_not_the_folder(tmp_path: Path) -> None:
    osm = tmp_path / "secret-server-dir" / "osm"
    osm.mkdir(parents=True)
    # A header-less .osm whose box is read from its nodes: a point 40 km from the area.
    (osm / "elsewhere.osm").write_text(
        "<?xml version='1.0'?><osm version='0.6'><node id='1' lat='52.0' lon='-1.0'/></osm>"
    )
    settings = get_settings(environ={}, data_dir=tmp_path / "secret-server-dir")
    text = _message(lambda: find_osm_extract(settings, area=box(544_000, 256_000, 548_000, 260_000)))
    assert "elsewhere.osm" in text and "osm/ folder" in text
    assert "secret-server-dir" not in text


def test_missing_dataset_names_the_setting(tmp_path: Path) -> None:
    settings = get_settings(environ={}, data_dir=tmp_path / "secret-server-dir")
    text = _message(lambda: load_area_origins(settings))
    assert "HIAP_DATA_DIR" in text and "secret-server-dir" not in text


def test_cli_walk_without_an_extract_shows_no_server_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hiap.cli.main import app

    data = tmp_path / "secret-server-dir"
    data.mkdir()
    monkeypatch.setenv("HIAP_DATA_DIR", str(data))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    area = tmp_path / "area.geojson"
    area.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
        '"urn:ogc:def:crs:EPSG::27700"}}, "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[519000, 295000], [520000, 295000], '
        '[520000, 296000], [519000, 296000], [519000, 295000]]]}}]}'
    )
    result = CliRunner().invoke(app, ["access", "walk", "--area", str(area), "--out", str(tmp_path / "w.gpkg")])
    assert result.exit_code != 0
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "secret-server-dir" not in output, output
    assert "HIAP_DATA_DIR" in output, output


def test_partial_extract_warning_names_the_file_not_the_folder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # `hiap report` printed "using /work/.../osm/<file>.osm (70% of it)" from this warning.
    osm = tmp_path / "secret-server-dir" / "osm"
    osm.mkdir(parents=True)
    # An extract whose header box covers the west half of the area.
    (osm / "half.osm").write_text(
        "<?xml version='1.0'?><osm version='0.6'>"
        "<bounds minlat='52.10' minlon='0.00' maxlat='52.20' maxlon='0.08'/>"
        "<node id='1' lat='52.15' lon='0.05'/></osm>"
    )
    settings = get_settings(environ={}, data_dir=tmp_path / "secret-server-dir")
    area = gpd.GeoSeries([box(-0.02, 52.12, 0.18, 52.18)], crs=4326).to_crs(27700).iloc[0]
    with caplog.at_level("WARNING", logger="hiap.data.osm"):
        assert find_osm_extract(settings, area=area) == osm / "half.osm"
    messages = [r.getMessage() for r in caplog.records]
    assert any("using half.osm (" in m and "% of it)" in m for m in messages), messages
    assert not any("secret-server-dir" in m or str(tmp_path) in m for m in messages), messages
