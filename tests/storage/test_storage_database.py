"""The SQLite file: URLs, pragmas, schema migrations and unusable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hiap.errors import SettingsError
from hiap.settings import get_settings
from hiap.storage import SCHEMA_VERSION, AssessmentStore, StorageError, open_store
from hiap.storage.database import MIGRATIONS, connect, database_path_from_url
from tests.storage.builders import build_assessment


def test_sqlite_urls_name_files() -> None:
    assert database_path_from_url("sqlite:////tmp/a.sqlite") == Path("/tmp/a.sqlite")
    assert database_path_from_url("sqlite:///rel/a.sqlite") == Path("rel/a.sqlite")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u@host/db", "only SQLite is supported"),
        ("mysql+pymysql://h/db", "only SQLite is supported"),
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite:///", "no file path"),
        ("assessments.sqlite", "not a SQLite URL"),
    ],
)
def test_other_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        database_path_from_url(url)


def test_open_store_follows_hiap_database_url(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "team.sqlite"
    settings = get_settings({"HIAP_DATABASE_URL": f"sqlite:///{target}"})
    store = open_store(settings)
    assert store.path == target and target.exists()
    with pytest.raises(SettingsError, match="only SQLite"):
        open_store(get_settings({"HIAP_DATABASE_URL": "postgresql://x/y"}))


def test_connection_pragmas(tmp_path: Path) -> None:
    conn = connect(tmp_path / "p.sqlite")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_an_old_schema_is_migrated_with_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO assessments VALUES ('x', 'Old', '', '2024-01-01T00:00:00+00:00', "
        "'2024-01-01T00:00:00+00:00')"
    )
    conn.close()
    store = AssessmentStore(db)
    assert [row.scheme_name for row in store.list()] == ["Old"]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "assessments_updated" in names
    finally:
        conn.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StorageError, match="upgrade hiap"):
        AssessmentStore(db)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my meeting notes, not a database\n" * 50)
    with pytest.raises(StorageError, match="not a usable hiap assessment database"):
        AssessmentStore(db)
    assert db.read_text().startswith("these are my meeting notes")  # left as it was


def test_database_messages_name_the_file_not_its_server_folder(tmp_path: Path) -> None:
    # The app shows these messages: the folder the server keeps its database in stays out.
    newer = tmp_path / "newer.sqlite"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("not a database\n" * 50)
    blocked = tmp_path / "a-file" / "db.sqlite"
    (tmp_path / "a-file").write_text("a file where the folder should be")
    for db, name in ((newer, "newer.sqlite"), (not_sqlite, "notes.sqlite"), (blocked, "db.sqlite")):
        with pytest.raises(StorageError) as caught:
            AssessmentStore(db)
        assert name in str(caught.value)
        assert str(tmp_path) not in str(caught.value)


def test_versions_are_removed_with_their_assessment(tmp_path: Path) -> None:
    store = AssessmentStore(tmp_path / "fk.sqlite")
    a = build_assessment()
    store.save(a, author="x")
    conn = connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO versions VALUES ('missing', 1, 'x', 't', 's', '{}')")
    finally:
        conn.close()
