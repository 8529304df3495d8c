"""The error raised for malformed criteria files."""

from __future__ import annotations

from hiap.errors import ProblemsError

__all__ = ["ChecklistError"]


class ChecklistError(ProblemsError):
    """A file in ``checklists/`` is missing or malformed.

    Parameters
    ----------
    problems
        Every problem found, each naming the file, the criterion (or other) id and the fix.
    source
        The file or folder the problems were found in.
    """
