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
    "ProblemsError",
    "RoutingInputError",
]


class IsochronesError(Exception):
    """Base class of every error the isochrones package raises on purpose.

    Each subclass is also a built-in error (``ValueError``, ``FileNotFoundError``), and its
    message names the argument and how to fix it.

    Examples
    --------
    >>> import numpy as np, pyproj
    >>> from isochrones import IsochronesError, WalkNetwork, od_matrix
    >>> net = WalkNetwork.from_arrays(
    ...     node_ids=[1, 2], x=[0, 80], y=[0, 0], crs=pyproj.CRS("EPSG:27700"),
    ...     edge_u=[0, 1], edge_v=[1, 0], edge_length_m=[80, 80])
    >>> try:
    ...     od_matrix(net, np.zeros((1, 2)), np.zeros((1, 2)), speed_kph=-1)
    ... except IsochronesError as err:
    ...     print(type(err).__name__, isinstance(err, ValueError), err)
    RoutingInputError True speed_kph must be a positive number, got -1.
    """


class OsmFileError(FileNotFoundError, IsochronesError):
    """An OSM extract is missing, unreadable or not an OSM file."""


class EmptyNetworkError(ValueError, IsochronesError):
    """No walkable street network is left (wrong file, or the area misses the extract)."""


class ProblemsError(ValueError, IsochronesError):
    """Input with one or more problems, all reported together.

    Validation collects every problem before raising, so the user can fix them all at once.

    Parameters
    ----------
    problems
        Every problem found, each a sentence that names the remedy.
    source
        The file or record the problems were found in.
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


class RoutingInputError(ValueError, IsochronesError):
    """Origins, destinations or options given to the router are unusable."""
