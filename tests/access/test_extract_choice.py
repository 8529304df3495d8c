"""Extract choice on the network, coverage refusal and the drive-only refusal, on real data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from hiap.access import AccessOptions, DirectResources, choose_extract, measure_access, resolve_area
from hiap.cli.main import app
from hiap.errors import DataError
from hiap.schemes import load_sample_scheme
from hiap.settings import Settings, get_settings

HAMPTON_LL = box(-0.28, 52.53, -0.26, 52.54)


def _only_extract(settings: Settings, tmp_path: Path, extract: str) -> Settings:
    """The real data directory with one OSM extract only (whatever else the real one has)."""
    target = settings.data_dir / "osm" / extract
    if not target.is_file():
        pytest.skip(f"osm/{extract} is not in the data directory")
    for folder in settings.data_dir.iterdir():
        if folder.is_dir() and folder.name != "osm":
            (tmp_path / folder.name).symlink_to(folder)
    (tmp_path / "osm").mkdir()
    (tmp_path / "osm" / extract).symlink_to(target)
    return get_settings(environ={}, data_dir=tmp_path, cache_dir=settings.cache_dir)


def test_the_extract_covering_the_area_on_its_network_wins(access_settings: Settings) -> None:
    area = gpd.GeoSeries([HAMPTON_LL], crs=4326).to_crs(27700).iloc[0]
    choice = choose_extract(access_settings, area, resources=DirectResources(access_settings))
    assert "hampton" in choice.path.name
    assert choice.coverage > 0.9 and not choice.drive_only
    assert choice.candidates[0][0] == choice.path.name


def test_a_district_the_extracts_barely_cover_is_refused(access_settings: Settings) -> None:
    # The README's example: no extract in the data directory covers much of Peterborough.
    area, label = resolve_area(access_settings, "Peterborough")
    assert area is not None
    with pytest.raises(DataError, match=r"walkable streets over only \d+%") as error:
        measure_access(access_settings, AccessOptions(to="gp"), area=area, area_label=label)
    assert "hiap data download osm" in str(error.value) and "/" not in str(error.value).split(
        "extracts considered"
    )[0].replace("hiap data download osm", "")


def test_drive_only_extract_is_refused_for_walking_unless_accepted(
    access_settings: Settings, tmp_path: Path
) -> None:
    settings = _only_extract(access_settings, tmp_path, "cambridge_city_drive_2025-04-21.osm.pbf")
    scheme = load_sample_scheme("great-kneighton", settings)
    with pytest.raises(DataError, match="drive roads only"):
        measure_access(settings, AccessOptions(to="gp", draw_isochrones=False), scheme=scheme.boundary)
    accepted = measure_access(
        settings, AccessOptions(to="gp", draw_isochrones=False, accept_drive_roads=True),
        scheme=scheme.boundary,
    )
    assert accepted.drive_roads and any("Approximation" in w for w in accepted.warnings)
    assert accepted.parameters["Drive roads"] == "accepted as an approximation"


def test_scheme_assess_names_the_drive_roads(
    access_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drive = access_settings.data_dir / "osm" / "cambridge_city_drive_2025-04-21.osm.pbf"
    if not drive.is_file():
        pytest.skip("no Cambridge drive extract")
    monkeypatch.setenv("HIAP_DATA_DIR", str(access_settings.data_dir))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(access_settings.cache_dir))
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(app, ["scheme", "assess", "great-kneighton", "--osm", str(drive)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Walk time to the nearest GP surgery: cambridge_city_drive" in text
    assert "holds drive roads only" in text
