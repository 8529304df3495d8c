"""Differences between two saved versions of an assessment, per criterion and topic.

:func:`describe_difference` turns one difference into a sentence a planner can read ("HNT.3.2:
score changed from 1 to 2."), for the "compare two versions" table.

Documents are compared as JSON trees. Lists of objects that carry a stable key (a criterion
id such as ``HNT.3.2`` or a HUDU topic id) are matched by that key rather than by position, so
re-ordering is not reported and each difference names the criterion or topic it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Difference", "describe_difference", "diff_documents"]

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


_LABELS = {
    "score": "score",
    "evidence": "evidence",
    "not_applicable": "not applicable",
    "na_reason": "reason it does not apply",
    "measured_value": "measured value",
    "suggested_score": "suggested score",
    "indicator_id": "indicator",
    "override_justification": "reason for departing from the suggestion",
    "direction": "direction of impact",
    "mitigation": "mitigation",
    "suggested_direction": "suggested direction",
    "magnitude": "magnitude",
    "likelihood": "likelihood",
    "groups": "groups affected",
    "residual_direction": "residual impact",
    "scheme_name": "scheme name",
    "scheme_reference": "scheme reference",
    "scheme_metadata": "scheme details",
    "boundary": "boundary",
    "checklist_ids": "checklists used",
    "assessor": "assessor",
    "weights": "principle weights",
    "answers": "answer",
    "hudu": "impact matrix entry",
    "recommendations": "recommendation",
    "monitoring": "monitoring indicator",
    "recommendation_drafts": "draft recommendation row",
    "monitoring_drafts": "draft monitoring row",
    "gateways": "gateway",
    "scope": "scope",
    "bfhl": "Building for a Healthy Life light",
    "screening_outcome": "screening decision",
    "screening_note": "screening note",
    "conclusion": "conclusion",
    "status": "status",
    "relevant": "in scope",
    "reason": "reason",
    "light": "light",
    "note": "note",
    "action": "action",
    "owner": "owner",
    "mechanism": "mechanism",
    "trigger": "trigger",
    "indicator": "indicator",
    "baseline": "baseline",
    "target": "target",
    "data_source": "data source",
    "frequency": "frequency",
    "recommendation_id": "recommendation checked",
    "topic_id": "topic",
}
_QUOTE_MAX = 80


def _label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " "))


def _value_text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = " ".join(value.split())
        return f"\u201c{text[:_QUOTE_MAX]}{'...' if len(text) > _QUOTE_MAX else ''}\u201d"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) for v in value):
            return ", ".join(str(v) for v in value)
        return "1 item" if len(value) == 1 else f"{len(value)} items"
    if isinstance(value, Mapping):
        if value.get("type") in ("Feature", "FeatureCollection", "Polygon", "MultiPolygon"):
            return "a map shape"
        parts = [
            f"{_label(str(k))} {_value_text(v)}"
            for k, v in value.items()
            if k != "id" and v not in (None, "", [], {}, False)
        ]
        return ", ".join(parts[:3]) + (" ..." if len(parts) > 3 else "") if parts else "empty"
    return str(value)


def describe_difference(difference: Difference) -> str:
    """Say what one difference means, as a sentence.

    Parameters
    ----------
    difference
        From :func:`diff_documents`.

    Returns
    -------
    str
        E.g. ``HNT.3.2: score changed from 1 to 2.``, ``HUDU.4: impact matrix entry added
        (direction of impact "negative", evidence "...").`` or ``Scheme: assessor changed
        from "A" to "B".``
    """
    d = difference
    where = d.item or ("HIA" if d.path.startswith("hia") else "Scheme")
    # For a whole item added or removed, name the collection it belongs to.
    field = d.field
    if d.item is not None and isinstance(d.before if d.after is None else d.after, Mapping):
        parts = [p for p in d.path.replace("[", ".").replace("]", "").split(".") if p]
        parents = [p for p in parts if p in _LABELS and p not in ("id",)]
        field = parents[-1] if parents else field
    label = _label(field)
    if d.before is None and d.after is not None:
        return f"{where}: {label} added ({_value_text(d.after)})."
    if d.after is None and d.before is not None:
        return f"{where}: {label} removed (was {_value_text(d.before)})."
    return f"{where}: {label} changed from {_value_text(d.before)} to {_value_text(d.after)}."
