"""Downloads: offline failure, atomic writes, checksums and unzipping, against local servers."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import zipfile
from pathlib import Path

import pytest
import requests

import hiap.data.download as download_module
from hiap.data.download import download_dataset, download_file, read_checksums, verify_checksums
from hiap.data.registry import CHECKSUMS_FILE, DATASETS, Dataset, Download
from hiap.data.status import dataset_status
from hiap.errors import DataError, DownloadError
from hiap.settings import Settings, get_settings


def _dataset(*downloads: Download, name: str = "demo") -> dict[str, Dataset]:
    return {
        name: Dataset(
            name=name,
            title="Demo data",
            patterns=("demo/**/*",),
            licence="OGL v3",
            attribution=("A",),
            source_url="https://example.org",
            downloads=downloads,
        )
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".part") or ".tmp" in p.name]


def test_hung_resolver_is_reported_as_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A resolver that never answers (as on some offline machines): the lookup must be given up
    # after download_timeout_s and reported as offline, with what to do by hand.
    release = threading.Event()

    def hung_getaddrinfo(*args: object, **kwargs: object) -> list[object]:
        release.wait()
        raise socket.gaierror("released by the test")

    monkeypatch.setattr(download_module.socket, "getaddrinfo", hung_getaddrinfo)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings = get_settings(environ={}, data_dir=data_dir, download_timeout_s=0.05)
    try:
        with pytest.raises(DownloadError) as info:
            download_dataset("osm", settings)
    finally:
        release.set()  # let the resolver thread end
    message = str(info.value)
    assert "offline" in message
    assert "took more than 0.05 s" in message
    assert "https://download.geofabrik.de/" in message
    assert str(settings.data_dir / "osm") in message
    # Nothing is left behind: no partial file, no empty folder, no manifest.
    assert list(settings.data_dir.iterdir()) == []


def test_connect_timeout_is_reported_as_offline(
    empty_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolves(*args: object, **kwargs: object) -> list[object]:
        return []

    def times_out(*args: object, **kwargs: object) -> object:
        raise requests.ConnectTimeout("connect timed out")

    monkeypatch.setattr(download_module.socket, "getaddrinfo", resolves)
    monkeypatch.setattr(download_module.requests, "get", times_out)
    with pytest.raises(DownloadError, match=r"ConnectTimeout\. You appear to be offline"):
        download_dataset("osm", empty_settings)
    assert list(empty_settings.data_dir.iterdir()) == []


def test_refused_connection_is_reported_as_offline(empty_settings: Settings) -> None:
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    registry = _dataset(Download(f"http://127.0.0.1:{port}/x.csv", "demo/x.csv"))
    with pytest.raises(DownloadError, match=r"appear to be offline.*x\.csv"):
        download_dataset("demo", empty_settings, registry=registry)


def test_unknown_and_manual_datasets(empty_settings: Settings) -> None:
    with pytest.raises(DataError, match="Valid names: actdev, census2021"):
        download_dataset("nope", empty_settings)
    with pytest.raises(DownloadError, match=r"cannot download 'population'.*SAPE23DT2"):
        download_dataset("population", empty_settings)


def test_http_download_progress_atomic_and_checksum(
    empty_settings: Settings, http_root: tuple[str, Path]
) -> None:
    base, root = http_root
    payload = b"code,name\n" + b"A81001,THE SURGERY\n" * 50_000  # ~1 MB: several chunks
    (root / "gp.csv").write_bytes(payload)
    registry = _dataset(Download(f"{base}/gp.csv", "demo/sub/gp.csv"))
    calls: list[tuple[str, int, int | None]] = []

    (result,) = download_dataset(
        "demo", empty_settings, registry=registry, progress=lambda *a: calls.append(a)
    )

    dest = empty_settings.data_dir / "demo" / "sub" / "gp.csv"
    assert dest.read_bytes() == payload
    assert result.path == dest and result.sha256 == _sha(payload) and not result.verified
    assert result.size_bytes == len(payload)
    # Progress: starts at 0, grows monotonically to the full size, with the total known.
    assert calls[0] == ("gp.csv", 0, len(payload))
    assert calls[-1] == ("gp.csv", len(payload), len(payload))
    assert len(calls) > 3
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)
    assert _leftovers(empty_settings.data_dir) == []
    record = read_checksums(empty_settings.data_dir)["demo/sub/gp.csv"]
    assert record["sha256"] == _sha(payload)
    assert record["size_bytes"] == len(payload)
    assert record["url"] == f"{base}/gp.csv"
    assert record["dataset"] == "demo"
    assert [c.status for c in verify_checksums(empty_settings)] == ["ok"]
    # No date in the name or content: status dates the file by its download record.
    (st,) = dataset_status(empty_settings, registry=registry)
    assert st.files[0].date_source == "download record"
    assert st.data_date == str(record["downloaded_at"])[:10]

    # The file on disk is damaged: verification notices.
    dest.write_bytes(payload[:-1])
    (check,) = verify_checksums(empty_settings)
    assert check.status == "changed" and check.expected_sha256 == _sha(payload)
    dest.unlink()
    assert verify_checksums(empty_settings)[0].status == "missing"


def test_pinned_checksum_mismatch_keeps_the_old_file(
    empty_settings: Settings, http_root: tuple[str, Path]
) -> None:
    base, root = http_root
    (root / "a.csv").write_bytes(b"new content\n")
    dest = empty_settings.data_dir / "demo" / "a.csv"
    dest.parent.mkdir()
    dest.write_bytes(b"old content\n")
    wrong = _sha(b"something else")
    download = Download(f"{base}/a.csv", "demo/a.csv", sha256=wrong)
    with pytest.raises(DownloadError, match=f"Checksum mismatch.*expected SHA-256 {wrong}"):
        download_file(download, empty_settings)
    assert dest.read_bytes() == b"old content\n"
    assert _leftovers(empty_settings.data_dir) == []
    assert not (empty_settings.data_dir / CHECKSUMS_FILE).exists()

    right = Download(f"{base}/a.csv", "demo/a.csv", sha256=_sha(b"new content\n"))
    result = download_file(right, empty_settings)
    assert result.verified and dest.read_bytes() == b"new content\n"


def test_checksum_pinned_in_manifest_is_verified(
    empty_settings: Settings, http_root: tuple[str, Path]
) -> None:
    base, root = http_root
    (root / "a.csv").write_bytes(b"version 1\n")
    download = Download(f"{base}/a.csv", "demo/a.csv")
    download_file(download, empty_settings)
    manifest = empty_settings.data_dir / CHECKSUMS_FILE
    data = json.loads(manifest.read_text())
    data["files"]["demo/a.csv"]["pinned"] = True  # the user pins this version
    manifest.write_text(json.dumps(data))
    assert download_file(download, empty_settings).verified  # same bytes: fine
    (root / "a.csv").write_bytes(b"version 2\n")  # upstream changes
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        download_file(download, empty_settings)
    assert (empty_settings.data_dir / "demo" / "a.csv").read_bytes() == b"version 1\n"


def test_zip_is_extracted_and_members_recorded(
    empty_settings: Settings, http_root: tuple[str, Path]
) -> None:
    base, root = http_root
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Data/CSV/cb.csv", '"CB1 0AG",10,546182,257043\n')
        zf.writestr("Doc/readme.txt", "readme")
        zf.writestr("other/ignored.bin", "x")
    (root / "cp.zip").write_bytes(buf.getvalue())
    download = Download(
        f"{base}/cp.zip", "demo/cp/cp.zip", unzip=True, extract=("Data/CSV/*.csv", "Doc/*")
    )
    result = download_file(download, empty_settings, dataset_name="demo")
    folder = empty_settings.data_dir / "demo" / "cp"
    assert sorted(p.relative_to(folder).as_posix() for p in result.extracted) == [
        "Data/CSV/cb.csv",
        "Doc/readme.txt",
    ]
    assert not (folder / "cp.zip").exists() and not (folder / "other").exists()
    record = read_checksums(empty_settings.data_dir)["demo/cp/cp.zip"]
    assert record["extracted"] == {
        "demo/cp/Data/CSV/cb.csv": _sha(b'"CB1 0AG",10,546182,257043\n'),
        "demo/cp/Doc/readme.txt": _sha(b"readme"),
    }
    assert {c.status for c in verify_checksums(empty_settings)} == {"ok"}


def test_zip_slip_is_refused(empty_settings: Settings, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.txt", "x")
    archive = tmp_path / "evil.zip"
    archive.write_bytes(buf.getvalue())
    download = Download(archive.as_uri(), "demo/evil.zip", unzip=True)
    with pytest.raises(DownloadError, match="Refusing to extract"):
        download_file(download, empty_settings)
    assert not (tmp_path / "evil.txt").exists()
    assert _leftovers(empty_settings.data_dir) == []


def test_file_url_mirror(empty_settings: Settings, real_data_dir: Path) -> None:
    # A local mirror of the real ActDev files satisfies the catalogue's pinned checksums.
    actdev = DATASETS["actdev"]
    mirrored = tuple(
        Download(
            (real_data_dir / d.dest).as_uri(), d.dest, unzip=d.unzip, extract=d.extract,
            sha256=d.sha256,
        )
        for d in actdev.downloads
    )  # fmt: skip
    registry = {"actdev": Dataset(**{**actdev.__dict__, "downloads": mirrored})}
    results = download_dataset("actdev", empty_settings, registry=registry)
    assert len(results) == 4 and all(r.verified for r in results)
    site = empty_settings.data_dir / "schemes" / "actdev" / "hampton" / "site.geojson"
    assert site.read_bytes() == (real_data_dir / "schemes/actdev/hampton/site.geojson").read_bytes()


def test_http_error_is_clear(empty_settings: Settings, http_root: tuple[str, Path]) -> None:
    base, _ = http_root
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_file(Download(f"{base}/missing.csv", "demo/missing.csv"), empty_settings)
    assert list(empty_settings.data_dir.iterdir()) == []


def test_corrupt_manifest_is_not_overwritten(
    empty_settings: Settings, http_root: tuple[str, Path]
) -> None:
    base, root = http_root
    (root / "a.csv").write_bytes(b"x\n")
    (empty_settings.data_dir / CHECKSUMS_FILE).write_text("{not json")
    with pytest.raises(DownloadError, match="not valid JSON"):
        download_file(Download(f"{base}/a.csv", "demo/a.csv"), empty_settings)
    assert (empty_settings.data_dir / CHECKSUMS_FILE).read_text() == "{not json"
