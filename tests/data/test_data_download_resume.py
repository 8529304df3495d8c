"""`hiap data download` end to end against a loopback mirror serving real files of the shared
data: progress, checksum, atomic rename, and a transfer cut off half-way that resumes."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.data.download import download_dataset
from hiap.errors import DownloadError
from hiap.settings import get_settings

REAL_FILE = "osm/rutland-latest_2022-07-20.osm.pbf"  # 1.6 MB of real OSM
CUT_AFTER_BYTES = 400_000


class _Mirror(http.server.BaseHTTPRequestHandler):
    """Serves files with ETag and Range support; the first full transfer is cut off."""

    root: Path
    requests_seen: list[dict[str, str]]
    cut_first: bool

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requests_seen.append({k: v for k, v in self.headers.items()})
        path = self.root / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if wanted and self.headers.get("If-Range", etag) == etag:
            start = int(wanted.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            body = data[start:]
        else:
            self.send_response(200)
            body = data
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        if type(self).cut_first and not wanted:
            type(self).cut_first = False
            self.wfile.write(body[:CUT_AFTER_BYTES])  # then the connection drops
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class _Running:
    """A loopback mirror that can be switched off (connections refused) and on again."""

    def __init__(self, handler: type[_Mirror]) -> None:
        self.handler = handler
        self.port = 0
        self.start()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def running_mirror(tmp_path: Path, real_data_dir: Path) -> Iterator[_Running]:
    served = tmp_path / "mirror"
    # The mirror lays files out as the data directory does: the Geofabrik name for the county.
    target = served / "osm" / "cambridgeshire-latest.osm.pbf"
    target.parent.mkdir(parents=True)
    target.symlink_to(real_data_dir / REAL_FILE)
    handler = type("Handler", (_Mirror,), {"root": served, "requests_seen": [], "cut_first": True})
    running = _Running(handler)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def mirror(running_mirror: _Running) -> tuple[str, type[_Mirror]]:
    return running_mirror.base, running_mirror.handler


def test_interrupted_download_resumes(
    tmp_path: Path, real_data_dir: Path, mirror: tuple[str, type[_Mirror]]
) -> None:
    base, handler = mirror
    data = tmp_path / "data"
    data.mkdir()
    settings = get_settings(environ={}, data_dir=data, download_mirror=base, download_timeout_s=5)
    real = (real_data_dir / REAL_FILE).read_bytes()
    dest = data / "osm" / "cambridgeshire-latest.osm.pbf"

    with pytest.raises(DownloadError, match="run the same command again to resume") as info:
        download_dataset("osm", settings)
    got = re.search(r"stopped after ([\d,]+) of ([\d,]+) bytes", str(info.value))
    assert got is not None
    kept, total = (int(g.replace(",", "")) for g in got.groups())
    assert total == len(real) and 0 < kept <= CUT_AFTER_BYTES  # whole chunks received
    part = dest.parent / f".{dest.name}.part"
    assert part.stat().st_size == kept and not dest.exists()

    calls: list[tuple[str, int, int | None]] = []
    (result,) = download_dataset("osm", settings, progress=lambda *a: calls.append(a))
    assert handler.requests_seen[-1]["Range"] == f"bytes={kept}-"
    assert handler.requests_seen[-1]["If-Range"].startswith('"')
    assert calls[0][1] == kept and calls[-1][1] == len(real)  # progress resumes
    assert dest.read_bytes() == real
    assert result.sha256 == hashlib.sha256(real).hexdigest()
    assert not part.exists() and not (dest.parent / f".{dest.name}.part.json").exists()
    manifest = json.loads((data / "CHECKSUMS.json").read_text())
    assert manifest["files"]["osm/cambridgeshire-latest.osm.pbf"]["url"].startswith(base)


def test_cli_download_resumes_and_status_sees_the_file(
    tmp_path: Path, mirror: tuple[str, type[_Mirror]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, handler = mirror
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("HIAP_DATA_DIR", str(data))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HIAP_DOWNLOAD_MIRROR", base)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    first = runner.invoke(app, ["data", "download", "osm"])
    assert first.exit_code == 1 and "resume" in first.output
    second = runner.invoke(app, ["data", "download", "osm"])
    assert second.exit_code == 0, second.output
    assert "✓ osm: cambridgeshire-latest.osm.pbf" in second.output
    assert len(handler.requests_seen) == 2 and "Range" in handler.requests_seen[1]
    assert runner.invoke(app, ["data", "verify"]).exit_code == 0


def test_offline_attempt_keeps_the_part_for_the_next_resume(
    tmp_path: Path, real_data_dir: Path, running_mirror: _Running
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = get_settings(
        environ={}, data_dir=data, download_mirror=running_mirror.base, download_timeout_s=5
    )
    dest = data / "osm" / "cambridgeshire-latest.osm.pbf"
    part = dest.parent / f".{dest.name}.part"
    record = dest.parent / f".{dest.name}.part.json"
    with pytest.raises(DownloadError, match="resume"):
        download_dataset("osm", settings)  # cut off after CUT_AFTER_BYTES
    kept = part.stat().st_size
    assert 0 < kept <= CUT_AFTER_BYTES and record.is_file()

    running_mirror.stop()  # offline: the same address now refuses connections
    with pytest.raises(DownloadError, match=f"offline.*{kept:,} bytes received before are kept"):
        download_dataset("osm", settings)
    assert part.stat().st_size == kept and record.is_file() and not dest.exists()

    running_mirror.start()  # online again, same address
    (result,) = download_dataset("osm", settings)
    assert running_mirror.handler.requests_seen[-1]["Range"] == f"bytes={kept}-"
    real = (real_data_dir / REAL_FILE).read_bytes()
    assert dest.read_bytes() == real and result.sha256 == hashlib.sha256(real).hexdigest()
    assert not part.exists() and not record.exists()
