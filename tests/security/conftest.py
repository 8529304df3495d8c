"""Shared fixtures for the security tests: a loopback HTTP listener and the attack corpus."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.security.corpus import Attack, Targets, attacks, make_targets


@dataclass
class Listener:
    """A loopback HTTP server that records every request it receives."""

    base_url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    record = Listener("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            record.requests.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257]]]')

        do_GET = do_HEAD = do_POST = _answer  # noqa: N815 (http.server names them)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def targets(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Targets:
    return make_targets(tmp_path_factory.mktemp("targets"), listener.base_url)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, targets: Targets) -> dict[str, Attack]:
    built = attacks(tmp_path_factory.mktemp("corpus"), targets)
    return {attack.name: attack for attack in built}


@pytest.fixture
def scratch_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make tempfile use a fresh folder, so a test can check nothing is left in it."""
    import tempfile

    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder
