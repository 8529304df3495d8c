"""The error raised for malformed criteria files."""

from __future__ import annotations

from hiap.errors import HiapError

__all__ = ["ChecklistError"]


class ChecklistError(ValueError, HiapError):
    """A file in ``checklists/`` is missing or malformed.

    Parameters
    ----------
    problems
        Every problem found, each naming the file, the criterion (or other) id and the fix.
    source
        The file or folder the problems were found in.
    """

    def __init__(self, problems: list[str] | str, *, source: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = f"{where}{self.problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{where}{len(self.problems)} problems found:\n{lines}"
        super().__init__(message)
