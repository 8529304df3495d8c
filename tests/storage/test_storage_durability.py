"""Killed writers and concurrent processes: nothing committed is ever lost or corrupted."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from hiap.storage import AssessmentStore

WRITER = Path(__file__).with_name("storage_writer.py")


def _writer(db: Path, ident: str, name: str, criterion: str, count: int, tag: str, *big: str):
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db), ident, name, criterion, str(count), tag, *big],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_mid_save_keeps_the_last_committed_version(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite"
    ident = str(uuid.uuid4())
    last_printed = 0
    for round_ in range(3):
        proc = _writer(db, ident, "Killed writer", "HNT.4.1", 10_000, f"round{round_}", "big")
        assert proc.stdout is not None
        # Let it commit a few ~1 MB versions, then kill it without warning, mid-write.
        for _ in range(4):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "writer died"
            last_printed = int(line.split()[0])
        # A save of this document takes ~150 ms; land the kill anywhere inside the next one.
        time.sleep(random.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL

        assert _integrity(db) == "ok"
        store = AssessmentStore(db)
        history = store.history(ident)
        versions = [v.version for v in history]
        # No gaps, and every version the writer reported as saved is there.
        assert versions == list(range(1, len(versions) + 1))
        assert versions[-1] >= last_printed
        latest = store.load(ident)  # validates the whole document
        assert latest.answers["HNT.4.1"].evidence.startswith(f"round{round_} edit")
        assert latest.boundary is not None
        assert len(latest.boundary["coordinates"][0]) == 20_001
        assert store.load(ident, version=last_printed).answers["HNT.4.1"].evidence


@pytest.mark.slow
def test_concurrent_processes_lose_no_versions(tmp_path: Path) -> None:
    db = tmp_path / "busy.sqlite"
    # The four writers also race to create and migrate the new database file.
    shared, alone_a, alone_b = (str(uuid.uuid4()) for _ in range(3))
    count = 25
    procs = {
        "w1": _writer(db, shared, "Shared", "HNT.1.1", count, "w1"),
        "w2": _writer(db, shared, "Shared", "HNT.1.1", count, "w2"),
        "w3": _writer(db, alone_a, "North", "HNT.2.1", count, "w3"),
        "w4": _writer(db, alone_b, "South", "BZ.3.1", count, "w4"),
    }
    returned: dict[str, list[int]] = {}
    for tag, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        returned[tag] = [int(line.split()[0]) for line in out.splitlines()]

    store = AssessmentStore(db)
    # Two writers on one assessment: every save became its own version, numbers unique.
    both = returned["w1"] + returned["w2"]
    assert sorted(both) == list(range(1, 2 * count + 1))
    assert [v.version for v in store.history(shared)] == list(range(1, 2 * count + 1))
    assert {v.author for v in store.history(shared)} == {"w1", "w2"}
    for tag in ("w1", "w2"):
        for version, i in zip(returned[tag], range(count), strict=True):
            saved = store.load(shared, version=version).answers["HNT.1.1"]
            assert saved.evidence == f"{tag} edit {i}"
    # Writers on other assessments never see each other's answers.
    assert returned["w3"] == list(range(1, count + 1))
    assert set(store.load(alone_a).answers) == {"HNT.2.1"}
    assert set(store.load(alone_b).answers) == {"BZ.3.1"}
    assert store.load(alone_b).answers["BZ.3.1"].evidence == f"w4 edit {count - 1}"
    assert _integrity(db) == "ok"
