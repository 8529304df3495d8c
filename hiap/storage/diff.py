"""Differences between two saved versions of an assessment, per criterion and topic.

Documents are compared as JSON trees. Lists of objects that carry a stable key (a criterion
id such as ``HNT.3.2`` or a HUDU topic id) are matched by that key rather than by position, so
re-ordering is not reported and each difference names the criterion or topic it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Difference", "diff_documents"]

_KEYS = ("criterion_id", "topic_id", "id", "key", "code")
"""Fields that identify an item of a list, in order of preference."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One change between two versions.

    Attributes
    ----------
    path
        Where the change is, e.g. ``answers[HNT.3.2].evidence``.
    item
        The criterion or topic id the change belongs to (``None`` for scheme-level fields).
    field
        The changed field's name (the last part of ``path``).
    before
        The value in the older version (``None`` when added).
    after
        The value in the newer version (``None`` when removed).
    """

    path: str
    item: str | None
    field: str
    before: Any
    after: Any


def diff_documents(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Difference]:
    """List every leaf that differs between two JSON documents.

    Parameters
    ----------
    before, after
        Two ``model_dump(mode="json")`` documents.

    Returns
    -------
    list of Difference
        In document order; empty when the documents are equal.
    """
    out: list[Difference] = []
    _walk(before, after, "", "", None, out)
    return out


def _item_key(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in _KEYS:
            if isinstance(value.get(key), str | int) and not isinstance(value.get(key), bool):
                return str(value[key])
    return None


def _keyed(items: Sequence[Any]) -> dict[str, Any] | None:
    keys = [_item_key(v) for v in items]
    if not items or any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return {str(k): v for k, v in zip(keys, items, strict=True)}


def _walk(a: Any, b: Any, path: str, field: str, item: str | None, out: list[Difference]) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in list(a) + [k for k in b if k not in a]:
            name = str(key)
            sub = f"{path}.{name}" if path else name
            # A mapping of criterion id -> answer ("HNT.3.2": {...}) names its items by key.
            child = a.get(key, b.get(key))
            child_item = (
                name if item is None and "." in name and isinstance(child, Mapping) else item
            )
            if key not in b:
                out.append(Difference(sub, child_item, name, a[key], None))
            elif key not in a:
                out.append(Difference(sub, child_item, name, None, b[key]))
            else:
                _walk(a[key], b[key], sub, name, child_item, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        ka, kb = _keyed(a), _keyed(b)
        if ka is not None and kb is not None:
            for key in list(ka) + [k for k in kb if k not in ka]:
                sub = f"{path}[{key}]"
                if key not in kb:
                    out.append(Difference(sub, key, field, ka[key], None))
                elif key not in ka:
                    out.append(Difference(sub, key, field, None, kb[key]))
                else:
                    _walk(ka[key], kb[key], sub, field, key, out)
            return
        if a != b:
            out.append(Difference(path, item, field, a, b))
        return
    if a != b or type(a) is not type(b):
        out.append(Difference(path, item, field, a, b))
