"""Saving assessments so that no work is ever lost.

Use :class:`AssessmentStore` (or :func:`open_store` with the run's settings) to save every
change as a new version (autosave), load any version, list assessments, see a history, compare
two versions per criterion, duplicate and delete (with confirmation), and move assessments in
and out as JSON files. The database is one SQLite file (WAL mode, atomic ``BEGIN IMMEDIATE``
writes, versioned schema); only SQLite is supported in this version.
"""

from hiap.storage.database import SCHEMA_VERSION, database_path_from_url
from hiap.storage.diff import Difference, diff_documents
from hiap.storage.errors import (
    AssessmentNotFoundError,
    ConfirmationError,
    StorageError,
    VersionConflictError,
)
from hiap.storage.store import AssessmentStore, AssessmentSummary, VersionInfo, open_store
from hiap.storage.transfer import read_assessment_json, write_assessment_json

__all__ = [
    "SCHEMA_VERSION",
    "AssessmentNotFoundError",
    "AssessmentStore",
    "AssessmentSummary",
    "ConfirmationError",
    "Difference",
    "StorageError",
    "VersionConflictError",
    "VersionInfo",
    "database_path_from_url",
    "diff_documents",
    "open_store",
    "read_assessment_json",
    "write_assessment_json",
]
