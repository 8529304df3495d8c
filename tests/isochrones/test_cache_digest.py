"""The memo of file digests: right answer, refreshed on edit, bounded in size."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from isochrones.cache import _digest, file_digest


def test_file_digest_is_sha256_and_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "extract.osm"
    path.write_bytes(b"<osm/>")
    assert file_digest(path) == hashlib.sha256(b"<osm/>").hexdigest()
    # Same path, new content (and a different mtime): hashed again, not served from the memo.
    path.write_bytes(b"<osm version='0.6'/>")
    os.utime(path, ns=(1, 1))
    assert file_digest(path) == hashlib.sha256(b"<osm version='0.6'/>").hexdigest()
    # A relative spelling of the same file shares the memo entry (the path is resolved).
    before = _digest.cache_info().hits
    monkeypatch.chdir(tmp_path)
    assert file_digest("extract.osm") == file_digest(path)
    assert _digest.cache_info().hits >= before + 1


def test_memo_is_bounded(tmp_path: Path) -> None:
    for i in range(80):
        (tmp_path / f"f{i}").write_bytes(str(i).encode())
        file_digest(tmp_path / f"f{i}")
    info = _digest.cache_info()
    assert info.maxsize == 64
    assert info.currsize <= 64
