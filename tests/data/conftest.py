"""Fixtures for the data-layer tests: the real shared data and small local servers."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hiap.settings import SHARED_DATA_DIR, Settings, get_settings


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"the shared data directory {SHARED_DATA_DIR} is not here")
    return SHARED_DATA_DIR


@pytest.fixture(scope="session")
def real_settings(real_data_dir: Path) -> Settings:
    return get_settings(environ={}, data_dir=real_data_dir)


@pytest.fixture
def empty_settings(tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return get_settings(environ={}, data_dir=data_dir, download_timeout_s=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve a temporary folder on 127.0.0.1; yield (base URL, folder)."""
    root = tmp_path / "served"
    root.mkdir()

    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
