"""Error classes for hiap.

Every error is a :class:`HiapError` mixed with the built-in exception it resembles, so callers
can catch either. Messages say what is wrong, where, and what to do about it.
"""

from __future__ import annotations


class HiapError(Exception):
    """Base class of every error hiap raises on purpose."""


class SettingsError(ValueError, HiapError):
    """A setting (environment variable or argument) has an unusable value."""


class DataError(FileNotFoundError, HiapError):
    """A dataset is missing, unreadable or malformed."""


class NothingInReachError(DataError):
    """No destination is within reach of any origin of a run.

    An area's answer rather than a broken input: a single run says so (the message names the
    remedy), while a batch partition reports its origins as beyond reach, as one run over the
    whole region reports the same origins.
    """


class DownloadError(ConnectionError, HiapError):
    """A dataset could not be downloaded (offline, moved, or checksum mismatch)."""


class ProblemsError(ValueError, HiapError):
    """Input with one or more problems, all reported together.

    Validation collects every problem before raising, so the user can fix them all at once.

    Parameters
    ----------
    problems
        Every problem found, each a sentence that names the remedy.
    source
        The file, upload or record the problems were found in.
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


class SchemeError(ProblemsError):
    """A scheme file or its metadata cannot be used (see :class:`ProblemsError`)."""


class UnsafeUploadError(SchemeError):
    """An upload was refused for safety (too large, zip-slip, zip bomb, XML entities)."""
