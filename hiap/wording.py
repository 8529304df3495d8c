"""Small helpers for the words hiap shows people: counts with the right plural."""

from __future__ import annotations

__all__ = ["count"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """Return ``number`` and ``noun``, plural unless the number is one.

    Parameters
    ----------
    number
        How many (shown with thousands separators).
    noun
        The singular, e.g. ``"indicator"``.
    plural
        The plural when it is not ``noun + "s"`` (``"home points"`` is regular, ``"LSOAs"``
        too; pass e.g. ``"analyses"``).

    Returns
    -------
    str
        ``"1 indicator"``, ``"3 indicators"``, ``"1,204 areas"``.

    Examples
    --------
    >>> count(1, "area")
    '1 area'
    >>> count(0, "indicator")
    '0 indicators'
    """
    word = noun if number == 1 else (plural or f"{noun}s")
    return f"{number:,} {word}"
