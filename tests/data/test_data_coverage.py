"""What each network and timetable file covers, read from the real files of the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hiap.data.coverage import files_coverage
from hiap.data.status import dataset_status
from hiap.settings import Settings, get_settings

FILES = [
    "boundaries/lad2017_sgc_cambs_peterborough.geojson",
    "osm/peterborough_hampton_2012.osm",
    "osm/cambridge_city_drive_2025-04-21.osm",
    "transit/porto_alegre/poa_trensurb.zip",
    "transit/tnds_txc_ea/ea_20-6-_-y08-1_Citi6_Cambridge-Girton-Oakington_2020-03.xml",
    "transit/naptan/naptan_050_cambridgeshire_Stops_2026-07-24.csv",
]


@pytest.fixture(scope="module")
def some_data(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> Settings:
    """A data directory of links to a few real files, so the test reads only what it checks."""
    root = tmp_path_factory.mktemp("coverage")
    data = root / "data"
    for relative in FILES:
        link = data / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(real_data_dir / relative)
    return get_settings(environ={}, data_dir=data, cache_dir=root / "cache")


def _by_name(settings: Settings) -> dict[str, object]:
    paths = [settings.data_dir / f for f in FILES]
    return {p.name: c for p, c in files_coverage(paths, settings).items()}


def test_osm_extracts_are_placed_on_the_districts(some_data: Settings) -> None:
    covers = _by_name(some_data)
    hampton = covers["peterborough_hampton_2012.osm"]
    # Hampton is a few square km of south Peterborough: a small share of that district only.
    assert 0.01 < hampton.district_share["Peterborough"] < 0.2
    assert "Cambridge" not in hampton.district_share
    assert hampton.region_share > 0.9 and not hampton.is_sample
    assert "Hampton Vale" in hampton.summary
    assert not any("drive network" in n for n in hampton.notes)  # it has footways

    drive = covers["cambridge_city_drive_2025-04-21.osm"]
    assert drive.district_share["Cambridge"] > 0.9
    assert any("drive network only" in n for n in drive.notes)


def test_a_feed_from_elsewhere_is_a_sample(some_data: Settings) -> None:
    feed = _by_name(some_data)["poa_trensurb.zip"]
    assert feed.is_sample and feed.district_share == {}
    assert "SAMPLE" in feed.label() and "lat -29.88" in feed.summary


def test_transxchange_says_which_service_and_where(some_data: Settings) -> None:
    txc = _by_name(some_data)[
        "ea_20-6-_-y08-1_Citi6_Cambridge-Girton-Oakington_2020-03.xml"
    ]
    assert "Girton" in txc.summary and "Stagecoach in Cambridge" in txc.summary
    assert "2020-03-24 to 2020-09-25" in txc.summary and "55 stops" in txc.summary
    assert "stops by district: South Cambridgeshire" in txc.summary
    assert txc.region_share == 1.0


def test_status_marks_sample_only_and_lists_each_file(some_data: Settings) -> None:
    statuses = {s.dataset.name: s for s in dataset_status(some_data, coverage=True)}
    assert statuses["gtfs"].state == "sample only"
    assert statuses["osm"].state == "yes"
    cover = statuses["osm"].region_cover()
    assert cover is not None and "Fenland 0%" in cover and "Cambridge 100%" in cover
    rows = statuses["osm"].as_rows(some_data.data_dir)
    assert [r["file"] for r in rows] == [
        "osm/cambridge_city_drive_2025-04-21.osm",
        "osm/peterborough_hampton_2012.osm",
    ]
    # The cache answers the second time, with the same result.
    again = {s.dataset.name: s for s in dataset_status(some_data, coverage=True)}
    assert again["osm"].files == statuses["osm"].files


def test_cli_status_never_wraps_a_file_name(
    some_data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hiap.cli.main import app

    monkeypatch.setenv("HIAP_DATA_DIR", str(some_data.data_dir))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(some_data.cache_dir))
    monkeypatch.setenv("COLUMNS", "60")  # narrower than the longest name
    result = CliRunner().invoke(app, ["data", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for relative in FILES[1:5]:
        assert any(relative in line for line in lines), relative
    assert "sample only" in result.output and "drive network only" in result.output
