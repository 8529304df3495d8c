"""Errors raised by the isochrones package.

Every error is an :class:`IsochronesError` mixed with the built-in exception it resembles, so
callers can catch either. Messages say what is wrong, where, and what to do about it. This
module must not import hiap: hiap depends on isochrones, never the other way round.
"""

from __future__ import annotations

__all__ = [
    "EmptyNetworkError",
    "IsochronesError",
    "OsmFileError",
    "RoutingInputError",
]


class IsochronesError(Exception):
    """Base class of every error the isochrones package raises on purpose."""


class OsmFileError(FileNotFoundError, IsochronesError):
    """An OSM extract is missing, unreadable or not an OSM file."""


class EmptyNetworkError(ValueError, IsochronesError):
    """No walkable street network is left (wrong file, or the area misses the extract)."""


class RoutingInputError(ValueError, IsochronesError):
    """Origins, destinations or options given to the router are unusable."""
