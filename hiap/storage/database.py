"""Opening the SQLite file: the URL, the connection pragmas and the schema migrations.

The schema is versioned with SQLite's ``PRAGMA user_version``. :data:`MIGRATIONS` lists the
SQL that takes a database from version *n* to *n + 1*; :func:`connect` applies the missing
ones in one ``BEGIN IMMEDIATE`` transaction, so a database is never left half-migrated.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from hiap.errors import SettingsError
from hiap.storage.errors import StorageError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "connect", "database_path_from_url"]

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
"""How long a writer waits for another process's transaction before giving up."""

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: assessments and their append-only versions.
    """
    CREATE TABLE assessments (
        id          TEXT PRIMARY KEY,
        scheme_name TEXT NOT NULL,
        reference   TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE versions (
        assessment_id TEXT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        version       INTEGER NOT NULL CHECK (version >= 1),
        author        TEXT NOT NULL,
        saved_at      TEXT NOT NULL,
        sha256        TEXT NOT NULL,
        document      TEXT NOT NULL,
        PRIMARY KEY (assessment_id, version)
    ) WITHOUT ROWID;
    """,
    # 1 -> 2: the list page sorts by the last change.
    """
    CREATE INDEX assessments_updated ON assessments(updated_at DESC);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def database_path_from_url(url: str, *, setting: str = "HIAP_DATABASE_URL") -> Path:
    """Return the SQLite file a ``sqlite:///`` URL names.

    Parameters
    ----------
    url
        ``sqlite:///relative/path.sqlite`` or ``sqlite:////absolute/path.sqlite``.
    setting
        Where the URL came from (an environment variable or option), named in errors.

    Returns
    -------
    Path
        The database file (it may not exist yet).

    Raises
    ------
    SettingsError
        For any other scheme (only SQLite is supported in this version), for an in-memory
        database (work would be lost on exit) or for a URL without a path.
    """
    prefix = "sqlite:///"
    scheme = url.split(":", 1)[0] if ":" in url else ""
    if not url.startswith(prefix):
        if scheme and scheme.split("+", 1)[0] not in ("sqlite",):
            raise SettingsError(
                f"{setting}={url!r}: only SQLite is supported in this version "
                f"(got scheme {scheme!r}). Use sqlite:///path/to/assessments.sqlite or unset it."
            )
        raise SettingsError(
            f"{setting}={url!r} is not a SQLite URL. "
            "Write it as sqlite:///relative/path.sqlite or sqlite:////absolute/path.sqlite."
        )
    raw = url[len(prefix) :].split("?", 1)[0]
    if not raw or raw == ":memory:":
        raise SettingsError(
            f"{setting}={url!r} has no file path; an in-memory database would lose "
            "every assessment on exit. Give a file, e.g. sqlite:///assessments.sqlite."
        )
    return Path(raw).expanduser()


def _os_reason(exc: OSError) -> str:
    """Say why an OS call failed without the path it names (messages may reach the app)."""
    return exc.strerror or type(exc).__name__


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed save survives power loss too, not only a killed process.
    conn.execute("PRAGMA synchronous = FULL")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the assessment database at ``path``.

    Parameters
    ----------
    path
        The SQLite file; its folder is created if missing.

    Returns
    -------
    sqlite3.Connection
        An autocommit connection (transactions are begun explicitly) with WAL journalling,
        a busy timeout and foreign keys on.

    Raises
    ------
    StorageError
        When the file is not a SQLite database, was written by a newer hiap, or the folder
        cannot be created.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.error("Cannot create the folder for %s: %s", path, exc)
        raise StorageError(
            f"Cannot create the folder for the assessment database {path.name} "
            f"({_os_reason(exc)}). Set HIAP_DATABASE_URL to a writable location."
        ) from exc
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        logger.error("Cannot open %s: %s", path, exc)
        raise StorageError(
            f"Cannot open the assessment database {path.name} ({exc}). "
            "Check HIAP_DATABASE_URL and the file's permissions."
        ) from exc
    try:
        _configure(conn)
        _retry_while_locked(lambda: _prepare(conn, path))
    except sqlite3.DatabaseError as exc:
        conn.close()
        logger.error("%s is not a usable hiap assessment database: %s", path, exc)
        raise StorageError(
            f"{path.name} is not a usable hiap assessment database ({exc}). "
            "Point HIAP_DATABASE_URL at another file or restore it from a backup."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Switch the file to WAL (once; it persists in the file) and migrate its schema."""
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            logger.warning("SQLite refused WAL mode for %s (using %s)", path.name, mode)
    _migrate(conn, path)


def _retry_while_locked(step: Callable[[], None]) -> None:
    """Run ``step``, retrying while another connection holds the lock it needs.

    SQLite answers "database is locked" at once, without waiting for the busy timeout, when
    two connections open a new file together and both try to switch it to WAL; the switch
    and the migration are safe to repeat, so wait briefly and try again.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay_s = 0.005
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            if ("locked" not in message and "busy" not in message) or (time.monotonic() > deadline):
                raise
            time.sleep(delay_s)
            delay_s = min(delay_s * 2, 0.2)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"{path.name} has schema version {version} but this hiap knows only up to "
            f"{SCHEMA_VERSION}; upgrade hiap to open it."
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            logger.info("Migrating %s to schema version %d", path, target)
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction first; split instead (no ';' in literals).
    return [s.strip() for s in script.split(";") if s.strip()]
