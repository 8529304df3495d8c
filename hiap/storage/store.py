"""The assessment store: every save is a new version, nothing is ever overwritten.

An assessment is stored as its JSON document (``assessment.model_dump(mode="json")``) in an
append-only ``versions`` table. :meth:`AssessmentStore.save` is cheap enough to call on every
change the user makes (autosave); identical saves are skipped. Each save is one
``BEGIN IMMEDIATE`` transaction in a WAL-mode SQLite file, so a process killed mid-save leaves
the previous version intact, and concurrent writers (several app sessions, the CLI) queue for
the write lock instead of overwriting each other.

A fresh connection is opened for every call: connections are never shared between threads or
Streamlit sessions, and each load returns a new model object, so one session never sees
another's unsaved answers.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hiap.assessment import ASSESSMENT_SCHEMA_VERSION, Assessment
from hiap.checklists.models import Catalogue
from hiap.settings import Settings
from hiap.storage.database import connect, database_path_from_url
from hiap.storage.diff import Difference, diff_documents
from hiap.storage.errors import (
    AssessmentNotFoundError,
    ConfirmationError,
    StorageError,
    VersionConflictError,
)

__all__ = ["AssessmentStore", "AssessmentSummary", "VersionInfo", "open_store"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AssessmentSummary:
    """One row of the assessment list.

    Attributes
    ----------
    id
        The assessment id (a UUID).
    scheme_name
        The scheme's name (what the user types to confirm a delete).
    reference
        The planning application or project reference ("" when none).
    created_at, updated_at
        UTC timestamps of the first and the latest saved version.
    author
        Who saved the latest version.
    versions
        How many versions are stored.
    """

    id: str
    scheme_name: str
    reference: str
    created_at: datetime
    updated_at: datetime
    author: str
    versions: int


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One saved version of an assessment.

    Attributes
    ----------
    version
        1 for the first save, then increasing by one.
    author
        Who saved it.
    saved_at
        UTC time of the save.
    sha256
        Digest of the stored JSON document.
    """

    version: int
    author: str
    saved_at: datetime
    sha256: str


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _rollback(conn: sqlite3.Connection) -> None:
    # Closing the connection rolls back too; this only makes it immediate.
    with suppress(sqlite3.Error):
        conn.execute("ROLLBACK")


def _author(author: str) -> str:
    author = author.strip() if isinstance(author, str) else ""
    if not author:
        raise ValueError("author must be a non-empty name (who made this change).")
    return author


class AssessmentStore:
    """Saved assessments in one SQLite file.

    Parameters
    ----------
    path
        The database file; created (with its folder) and migrated on first use.

    Examples
    --------
    >>> store = AssessmentStore(tmp_path / "a.sqlite")            # doctest: +SKIP
    >>> store.save(assessment, author="J Smith")                  # doctest: +SKIP
    1
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # Create and migrate now, so a bad path fails here with a clear message.
        connect(self.path).close()

    def __repr__(self) -> str:
        return f"AssessmentStore({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = connect(self.path)
        try:
            # One snapshot for the whole read, even while other processes commit.
            conn.execute("BEGIN")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"Reading {self.path} failed: {exc}.") from exc
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = connect(self.path)
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(
                    f"{self.path} is busy ({exc}); another program held the write lock for "
                    "too long. Try again."
                ) from exc
            try:
                yield conn
            except sqlite3.Error as exc:
                _rollback(conn)
                raise StorageError(
                    f"Saving to {self.path} failed ({exc}); nothing was changed, the last "
                    "saved version is intact."
                ) from exc
            except BaseException:
                _rollback(conn)
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StorageError(f"Saving to {self.path} failed: {exc}.") from exc
        finally:
            conn.close()

    # -- writing -----------------------------------------------------------------------------
    def save(self, assessment: Assessment, *, author: str, base_version: int | None = None) -> int:
        """Save the assessment as a new version (autosave: call it on every change).

        Parameters
        ----------
        assessment
            The assessment to save; it is not modified.
        author
            Who made the change (shown in the history).
        base_version
            The version the caller's edits started from. When given and another version has
            been saved since, :class:`VersionConflictError` is raised instead of silently
            replacing the other person's work.

        Returns
        -------
        int
            The version number now holding this content: a new one, or the latest when the
            content is identical to it (nothing is written then).

        Raises
        ------
        VersionConflictError
            When ``base_version`` is not the latest version.
        StorageError
            When the database cannot be written.
        """
        author = _author(author)
        if not isinstance(assessment, Assessment):
            raise TypeError(f"save() takes an Assessment, not {type(assessment).__name__}.")
        document = assessment.model_dump(mode="json")
        ident = assessment.id
        name, reference = assessment.scheme_name, assessment.scheme_reference or ""
        text = _canonical(document)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._write() as conn:
            row = conn.execute(
                "SELECT version, sha256 FROM versions WHERE assessment_id = ? "
                "ORDER BY version DESC LIMIT 1",
                (ident,),
            ).fetchone()
            latest, latest_sha = (row[0], row[1]) if row else (0, None)
            if base_version is not None and row is None and base_version > 0:
                raise VersionConflictError(
                    f"Assessment {ident!r} was deleted after these edits started (from version "
                    f"{base_version}). Save again without base_version to restore it, or discard them."
                )
            if base_version is not None and base_version != latest:
                raise VersionConflictError(
                    f"Assessment {ident!r} is at version {latest}, but these edits started "
                    f"from version {base_version}: someone else saved it meanwhile. Reload it, "
                    "or save under a new name with duplicate()."
                )
            if latest_sha == digest:
                return int(latest)
            now = _now()
            version = int(latest) + 1
            if row is None:
                conn.execute(
                    "INSERT INTO assessments (id, scheme_name, reference, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?)",
                    (ident, name, reference, now, now),
                )
            else:
                conn.execute(
                    "UPDATE assessments SET scheme_name = ?, reference = ?, updated_at = ? "
                    "WHERE id = ?",
                    (name, reference, now, ident),
                )
            conn.execute(
                "INSERT INTO versions (assessment_id, version, author, saved_at, sha256, "
                "document) VALUES (?, ?, ?, ?, ?, ?)",
                (ident, version, author, now, digest, text),
            )
        logger.debug("Saved %s version %d by %s", ident, version, author)
        return version

    create = save
    """Alias of :meth:`save`: the first save creates the assessment."""

    def duplicate(self, assessment_id: str, *, new_name: str, author: str) -> str:
        """Copy the latest version of an assessment under a new id and name.

        Parameters
        ----------
        assessment_id
            The assessment to copy.
        new_name
            The copy's scheme name (e.g. "Northstowe 3A, option B").
        author
            Who made the copy.

        Returns
        -------
        str
            The new assessment's id (its history starts at version 1).
        """
        if not new_name.strip():
            raise ValueError("new_name must not be empty.")
        copy = _with_new_identity(self.load(assessment_id), scheme_name=new_name.strip())
        self.save(copy, author=author)
        return copy.id

    def delete(self, assessment_id: str, *, confirm: str) -> None:
        """Delete an assessment and all its versions, once the caller confirms.

        Parameters
        ----------
        assessment_id
            The assessment to delete.
        confirm
            The assessment's scheme name or id, typed by the user to confirm.

        Raises
        ------
        ConfirmationError
            When ``confirm`` matches neither the name nor the id; nothing is deleted.
        AssessmentNotFoundError
            When there is no such assessment.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT scheme_name FROM assessments WHERE id = ?", (assessment_id,)
            ).fetchone()
            if row is None:
                raise self._not_found(assessment_id)
            typed = (confirm or "").strip()
            if typed not in (row[0].strip(), assessment_id):
                raise ConfirmationError(
                    f"Not deleted: type the scheme name ({row[0]!r}) or the assessment id "
                    f"({assessment_id!r}) to confirm deleting it and its "
                    "whole history."
                )
            conn.execute("DELETE FROM versions WHERE assessment_id = ?", (assessment_id,))
            conn.execute("DELETE FROM assessments WHERE id = ?", (assessment_id,))
        logger.info("Deleted assessment %s", assessment_id)

    # -- reading -----------------------------------------------------------------------------
    def _not_found(self, assessment_id: str, version: int | None = None) -> Exception:
        if version is None:
            return AssessmentNotFoundError(
                f"No assessment with id {assessment_id!r} in {self.path}; "
                "list them with AssessmentStore.list() or `hiap report --help`."
            )
        return AssessmentNotFoundError(
            f"Assessment {assessment_id!r} has no version {version} in {self.path}; "
            "see its history for the versions saved."
        )

    def load_document(self, assessment_id: str, *, version: int | None = None) -> dict[str, Any]:
        """Return the stored JSON document of a version (the latest by default).

        Parameters
        ----------
        assessment_id
            The assessment.
        version
            The version wanted; ``None`` for the latest.

        Returns
        -------
        dict
            The document exactly as saved.
        """
        with self._read() as conn:
            if version is None:
                row = conn.execute(
                    "SELECT document FROM versions WHERE assessment_id = ? "
                    "ORDER BY version DESC LIMIT 1",
                    (assessment_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT document FROM versions WHERE assessment_id = ? AND version = ?",
                    (assessment_id, version),
                ).fetchone()
        if row is None:
            raise self._not_found(assessment_id, version)
        document: dict[str, Any] = json.loads(row[0])
        return document

    def load(self, assessment_id: str, *, version: int | None = None) -> Assessment:
        """Load a version of an assessment (the latest by default) as a new model object.

        Parameters
        ----------
        assessment_id
            The assessment.
        version
            The version wanted; ``None`` for the latest.

        Returns
        -------
        Assessment
            A fresh object; changing it changes nothing stored until it is saved.

        Raises
        ------
        AssessmentNotFoundError
            When the assessment or version does not exist.
        """
        document = self.load_document(assessment_id, version=version)
        where = f"{self.path}, assessment {assessment_id} version {version or 'latest'}"
        layout = document.get("schema_version", ASSESSMENT_SCHEMA_VERSION)
        if isinstance(layout, int) and layout > ASSESSMENT_SCHEMA_VERSION:
            raise StorageError(
                f"{where} was saved by a newer hiap (assessment layout {layout}, this hiap "
                f"reads up to {ASSESSMENT_SCHEMA_VERSION}); upgrade hiap to open it."
            )
        # Older layouts are upgraded as the model reads them (hiap.assessment.upgrade_document).
        return Assessment.from_dict(document, source=where)

    def latest_version(self, assessment_id: str) -> int:
        """Return the number of the latest saved version.

        Parameters
        ----------
        assessment_id
            The assessment.

        Returns
        -------
        int
            The latest version number.
        """
        with self._read() as conn:
            row = conn.execute(
                "SELECT MAX(version) FROM versions WHERE assessment_id = ?", (assessment_id,)
            ).fetchone()
        if row is None or row[0] is None:
            raise self._not_found(assessment_id)
        return int(row[0])

    def exists(self, assessment_id: str) -> bool:
        """Return whether an assessment with this id is stored.

        Parameters
        ----------
        assessment_id
            The id to look for.

        Returns
        -------
        bool
            True when it is stored.
        """
        with self._read() as conn:
            row = conn.execute(
                "SELECT 1 FROM assessments WHERE id = ?", (assessment_id,)
            ).fetchone()
        return row is not None

    def list(self) -> list[AssessmentSummary]:
        """List the stored assessments, most recently changed first.

        Returns
        -------
        list of AssessmentSummary
            One row per assessment.
        """
        with self._read() as conn:
            rows = conn.execute(
                """
                SELECT a.id, a.scheme_name, a.reference, a.created_at, a.updated_at,
                       (SELECT author FROM versions v WHERE v.assessment_id = a.id
                        ORDER BY version DESC LIMIT 1),
                       (SELECT COUNT(*) FROM versions v WHERE v.assessment_id = a.id)
                FROM assessments a ORDER BY a.updated_at DESC, a.id
                """
            ).fetchall()
        return [
            AssessmentSummary(
                id=r[0],
                scheme_name=r[1],
                reference=r[2],
                created_at=_time(r[3]),
                updated_at=_time(r[4]),
                author=r[5] or "",
                versions=int(r[6]),
            )
            for r in rows
        ]

    def history(self, assessment_id: str) -> builtins.list[VersionInfo]:
        """List the saved versions of an assessment, oldest first.

        Parameters
        ----------
        assessment_id
            The assessment.

        Returns
        -------
        list of VersionInfo
            Version number, author and time of every save.
        """
        with self._read() as conn:
            rows = conn.execute(
                "SELECT version, author, saved_at, sha256 FROM versions "
                "WHERE assessment_id = ? ORDER BY version",
                (assessment_id,),
            ).fetchall()
        if not rows:
            raise self._not_found(assessment_id)
        return [VersionInfo(int(r[0]), r[1], _time(r[2]), r[3]) for r in rows]

    def compare(self, assessment_id: str, v1: int, v2: int) -> builtins.list[Difference]:
        """List what changed between two versions, per criterion and topic.

        Parameters
        ----------
        assessment_id
            The assessment.
        v1, v2
            The versions to compare (``before`` values come from ``v1``).

        Returns
        -------
        list of Difference
            Empty when the versions hold the same content. The ``updated_at`` stamp, which
            changes on every edit, is left out.
        """
        before = self.load_document(assessment_id, version=v1)
        after = self.load_document(assessment_id, version=v2)
        return [d for d in diff_documents(before, after) if d.path != "updated_at"]

    # -- files -------------------------------------------------------------------------------
    def export_json(
        self, assessment_id: str, path: str | Path, *, version: int | None = None
    ) -> Path:
        """Write a version of an assessment (latest by default) to a JSON file.

        Parameters
        ----------
        assessment_id
            The assessment.
        path
            The file to write (replaced atomically if it exists).
        version
            The version; ``None`` for the latest.

        Returns
        -------
        Path
            The file written.
        """
        from hiap.storage.transfer import write_assessment_json

        return write_assessment_json(self.load(assessment_id, version=version), path)

    def import_json(
        self,
        path: str | Path,
        *,
        author: str,
        as_copy: bool = False,
        catalogue: Catalogue | None = None,
    ) -> str:
        """Validate an assessment JSON file and save it.

        Parameters
        ----------
        path
            The file, as written by :meth:`export_json`.
        author
            Who imported it.
        as_copy
            Save it under a fresh id even if its id is already stored. Otherwise an assessment
            with the same id gets the file as a new version (its history is kept).
        catalogue
            When given, the answers must also fit these checklists (criterion ids, scales).

        Returns
        -------
        str
            The id it was saved under.

        Raises
        ------
        AssessmentError
            When the file is unreadable, not JSON, or not a valid assessment (the message names
            the file and every field at fault).
        """
        from hiap.storage.transfer import read_assessment_json

        assessment = read_assessment_json(path, catalogue=catalogue)
        if as_copy:
            assessment = _with_new_identity(assessment, scheme_name=assessment.scheme_name)
        self.save(assessment, author=author)
        return assessment.id


def _with_new_identity(assessment: Assessment, *, scheme_name: str) -> Assessment:
    """Return a copy under a fresh UUID, created now (the original is not modified)."""
    data = assessment.model_dump()
    stamp = datetime.now(UTC)
    data.update(id=str(uuid.uuid4()), scheme_name=scheme_name, created_at=stamp, updated_at=stamp)
    return Assessment.model_validate(data)


def open_store(settings: Settings) -> AssessmentStore:
    """Open the store ``settings.database_url`` points to.

    Parameters
    ----------
    settings
        The run's settings.

    Returns
    -------
    AssessmentStore
        The store.

    Raises
    ------
    SettingsError
        When the URL is not a ``sqlite:///`` file URL (only SQLite is supported).
    """
    return AssessmentStore(database_path_from_url(settings.database_url))
