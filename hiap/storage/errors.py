"""Errors raised by the assessment store.

Each is a :class:`hiap.errors.HiapError` mixed with the built-in it resembles, so the app can
catch either, and each message says what to do. Invalid assessment files raise
:class:`hiap.assessment.AssessmentError` (naming the file and every field at fault).
"""

from __future__ import annotations

from hiap.errors import HiapError

__all__ = [
    "AssessmentNotFoundError",
    "ConfirmationError",
    "StorageError",
    "VersionConflictError",
]


class StorageError(RuntimeError, HiapError):
    """The assessment database cannot be opened, migrated or written."""


class AssessmentNotFoundError(LookupError, HiapError):
    """No assessment (or no such version of one) is in the store."""


class ConfirmationError(ValueError, HiapError):
    """A destructive action was not confirmed with the assessment's name or id."""


class VersionConflictError(StorageError):
    """Someone else saved the assessment since the caller loaded it."""
