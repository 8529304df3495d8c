"""Errors raised while reading timetables (GTFS, TransXChange) and scenarios."""

from __future__ import annotations

from isochrones.errors import ProblemsError

__all__ = ["FeedError", "ScenarioError"]


class FeedError(ProblemsError):
    """A GTFS or TransXChange timetable cannot be used; ``problems`` lists every fault found."""


class ScenarioError(ProblemsError):
    """A scenario (routes to add, change or remove) does not fit the feed or is malformed."""
