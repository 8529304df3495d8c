"""Errors raised while reading timetables (GTFS, TransXChange) and scenarios."""

from __future__ import annotations

from isochrones.errors import IsochronesError

__all__ = ["FeedError", "ScenarioError"]


class _ProblemsError(ValueError, IsochronesError):
    """An error carrying every problem found, each a sentence naming the remedy."""

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


class FeedError(_ProblemsError):
    """A GTFS or TransXChange timetable cannot be used; ``problems`` lists every fault found."""


class ScenarioError(_ProblemsError):
    """A scenario (routes to add, change or remove) does not fit the feed or is malformed."""
