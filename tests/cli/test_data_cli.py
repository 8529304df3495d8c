"""`hiap data status|download|verify` through typer's CliRunner."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hiap.data.download as download_module
from hiap.cli.main import app
from hiap.data.download import download_dataset
from hiap.data.registry import DATASETS, Dataset, Download
from hiap.settings import SHARED_DATA_DIR

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("HIAP_DATA_DIR", str(folder))
    monkeypatch.setenv("HIAP_DOWNLOAD_TIMEOUT_S", "5")
    monkeypatch.setenv("COLUMNS", "200")
    return folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_status_real_data(monkeypatch: pytest.MonkeyPatch) -> None:
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip("no shared data")
    monkeypatch.setenv("HIAP_DATA_DIR", str(SHARED_DATA_DIR))
    monkeypatch.setenv("COLUMNS", "250")
    result = runner.invoke(app, ["data", "status"])
    assert result.exit_code == 0, result.output
    # The Census 2021 MSOA tables are catalogued for the baseline but not in the shared data.
    absent = {"census_car_availability", "census_disability", "census_age"}
    assert f"{len(DATASETS) - len(absent)} of {len(DATASETS)} datasets present" in result.output
    assert "epraccur_2025-11.csv" in result.output
    assert "ODbL 1.0" in result.output and "OS OpenData" in result.output
    assert "© OpenStreetMap contributors, ODbL 1.0" in result.output
    assert "Open Government Licence v3.0" in result.output


def test_status_empty_dir_shows_fetch_commands(data_dir: Path) -> None:
    result = runner.invoke(app, ["data", "status"])
    assert result.exit_code == 0, result.output
    assert f"0 of {len(DATASETS)} datasets present" in result.output
    assert "hiap data download osm" in result.output
    assert "hiap data download gp" in result.output
    assert "missing" in result.output
    assert "Fetch the missing ones with: hiap data download osm gtfs gp" in result.output


def test_download_offline_fails_cleanly(data_dir: Path) -> None:
    result = runner.invoke(app, ["data", "download", "osm", "hospitals"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "appear to be offline" in result.output
    assert "cambridgeshire-latest.osm.pbf" in result.output
    assert "2 of 2 download(s) failed: osm, hospitals" in result.output


def test_download_usage_errors(data_dir: Path) -> None:
    unknown = runner.invoke(app, ["data", "download", "osm", "nope"])
    assert unknown.exit_code == 2
    assert "Unknown dataset 'nope'" in unknown.output and "Valid names" in unknown.output
    assert not list(data_dir.iterdir())  # nothing fetched when a name is wrong
    assert runner.invoke(app, ["data", "download"]).exit_code == 2
    assert runner.invoke(app, ["data", "download", "osm", "--all"]).exit_code == 2
    manual = runner.invoke(app, ["data", "download", "population"])
    assert manual.exit_code == 1 and "cannot download 'population'" in manual.output


def test_download_and_verify_from_local_server(
    data_dir: Path, served: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = served
    payload = b'{"type": "FeatureCollection", "features": []}\n' * 2000
    (root / "all-sites.geojson").write_bytes(payload)
    local = {
        "actdev": Dataset(
            **{
                **DATASETS["actdev"].__dict__,
                "downloads": (
                    Download(
                        f"{base}/all-sites.geojson",
                        "schemes/actdev/all-sites.geojson",
                        sha256=hashlib.sha256(payload).hexdigest(),
                    ),
                ),
            }
        )
    }
    # The command uses the real catalogue; point it at the local mirror instead (the command
    # imports download_dataset when it runs, so patch it where it lives).
    monkeypatch.setattr(
        download_module, "download_dataset", functools.partial(download_dataset, registry=local)
    )
    result = runner.invoke(app, ["data", "download", "actdev"])
    assert result.exit_code == 0, result.output
    assert "✓ actdev: all-sites.geojson" in result.output and "verified" in result.output
    assert (data_dir / "schemes" / "actdev" / "all-sites.geojson").read_bytes() == payload

    ok = runner.invoke(app, ["data", "verify"])
    assert ok.exit_code == 0 and "ok" in ok.output
    (data_dir / "schemes" / "actdev" / "all-sites.geojson").write_bytes(b"tampered")
    bad = runner.invoke(app, ["data", "verify"])
    assert bad.exit_code == 1 and "changed" in bad.output

    status = runner.invoke(app, ["data", "status"])
    assert "schemes/actdev/all-sites.geojson" in status.output


def test_verify_with_nothing_recorded(data_dir: Path) -> None:
    result = runner.invoke(app, ["data", "verify"])
    assert result.exit_code == 0 and "No downloads recorded" in result.output
