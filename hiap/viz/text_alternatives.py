"""Text alternatives for every chart and map (WCAG 2.2 AA, success criterion 1.1.1).

A chart or a map is a picture: a screen-reader user, or anyone who cannot tell its colours
apart, needs the same information as text beside it. Both are read from the finished figure
itself, so the text cannot drift from what is drawn:

- :func:`chart_text` turns a plotly figure into a table (one row per category, one column per
  series, and the label drawn on each bar where there is one) plus the notes its annotations
  carry (such as an England average line).
- :func:`map_layers` turns a folium map into a table of its layers: what each shows, how many
  features, the first few names, and whether it starts hidden.

The app shows them through :func:`hiap.ui.charts.st_chart` and :func:`hiap.ui.maps.st_folium`,
so no page builds these tables by hand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import pandas as pd
import plotly.graph_objects as go

__all__ = ["ChartText", "chart_text", "map_layers"]

MAX_EXAMPLES = 5
"""Names listed per map layer; the rest are counted."""

_TAG = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    """Text of a label or tooltip without HTML (``<br>`` from wrapped labels becomes a space)."""
    value = html.unescape(_TAG.sub(" ", str(text if text is not None else "")))
    return " ".join(value.split())


@dataclass(frozen=True)
class ChartText:
    """A chart as text: its figures as a table and what its annotations say.

    Parameters
    ----------
    table
        One row per category (bar, axis or point label), one column per series.
    notes
        Text of the chart's annotations (reference lines, labels), in order.
    """

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _axis_title(figure: go.Figure, axis: str) -> str:
    title = getattr(getattr(figure.layout, axis, None), "title", None)
    return _plain(getattr(title, "text", "") or "")


def _trace_points(trace: Any) -> tuple[Sequence[Any], Sequence[Any]] | None:
    """Return ``(categories, values)`` of a bar, scatter or polar trace; ``None`` otherwise."""
    if getattr(trace, "type", "") == "scatterpolar":
        if trace.theta is None or trace.r is None:
            return None
        return list(trace.theta), list(trace.r)
    x, y = getattr(trace, "x", None), getattr(trace, "y", None)
    if x is None or y is None:
        return None
    if getattr(trace, "orientation", None) == "h":
        return list(y), list(x)
    return list(x), list(y)


def chart_text(figure: go.Figure, *, category: str | None = None) -> ChartText:
    """Read a plotly chart back as a table of its figures and the notes of its annotations.

    Parameters
    ----------
    figure
        A bar, line, scatter or polar chart.
    category
        Header of the category column; by default the category axis title, else "Category".

    Returns
    -------
    ChartText
        The table (values rounded to 1 decimal) and the annotation texts.
    """
    series: dict[str, dict[str, Any]] = {}
    shown_as: dict[str, dict[str, str]] = {}
    horizontal = False
    for number, trace in enumerate(figure.data, start=1):
        points = _trace_points(trace)
        if points is None:
            continue
        horizontal = horizontal or getattr(trace, "orientation", None) == "h"
        name = _plain(getattr(trace, "name", "") or "") or f"Series {number}"
        values = series.setdefault(name, {})
        # why: a bar's own label can say what its value cannot ("not covered" drawn at 0)
        texts = trace.text if isinstance(trace.text, list | tuple) else None
        for index, (label, value) in enumerate(zip(*points, strict=False)):
            values[_plain(label)] = (
                round(float(value), 1) if isinstance(value, int | float) else value
            )
            if texts is not None and index < len(texts):
                shown_as.setdefault(name, {})[_plain(label)] = _plain(texts[index])
    value_axis, category_axis = ("xaxis", "yaxis") if horizontal else ("yaxis", "xaxis")
    header = category or _axis_title(figure, category_axis) or "Category"
    if len(series) == 1:  # one series: name its column after what the values measure
        (only,) = series
        title = _axis_title(figure, value_axis)
        if title and only in ("Series 1", "Score", ""):
            series = {title: series[only]}
            shown_as = {title: shown_as[only]} if only in shown_as else {}
    for name, texts_by_label in shown_as.items():
        series[f"{name}: label on the chart" if len(series) > 1 else "Label on the chart"] = (
            texts_by_label
        )
    labels = list(dict.fromkeys(label for values in series.values() for label in values))
    table = pd.DataFrame(
        {header: labels, **{name: [values.get(lbl) for lbl in labels] for name, values in series.items()}}
    )
    notes = [_plain(a.text) for a in figure.layout.annotations or () if getattr(a, "text", None)]
    return ChartText(table=table, notes=notes)


def _walk(element: Any) -> Iterator[Any]:
    for child in getattr(element, "_children", {}).values():
        yield child
        yield from _walk(child)


def _tooltip_text(element: Any) -> str:
    for child in getattr(element, "_children", {}).values():
        if isinstance(child, folium.Tooltip):
            return _plain(child.text)
    return ""


def _geojson_rows(layer: folium.GeoJson) -> tuple[str, int, list[str]]:
    """Return what a GeoJSON layer draws: its geometry kinds, feature count, first names."""
    data = layer.data if isinstance(layer.data, dict) else {}
    features = data.get("features", []) if data.get("type") == "FeatureCollection" else [data]
    kinds = {
        str((feature.get("geometry") or {}).get("type", "")).removeprefix("Multi")
        for feature in features
    }
    what = ", ".join(
        {"Polygon": "areas", "LineString": "lines", "Point": "points"}.get(kind, kind.lower())
        for kind in sorted(kinds - {""})
    )
    fields = next(
        (
            list(child.fields)
            for child in layer._children.values()
            if isinstance(child, folium.GeoJsonTooltip)
        ),
        [],
    )
    names = [
        _plain((feature.get("properties") or {}).get(fields[0], ""))
        for feature in features
        if fields
    ]
    names.append(_tooltip_text(layer))  # one tooltip for the whole layer ("within 5 min")
    return what or "shapes", len(features), [n for n in names if n]


def map_layers(fmap: folium.Map) -> pd.DataFrame:
    """List what a folium map draws, layer by layer, as a text alternative to the map.

    Parameters
    ----------
    fmap
        A finished map.

    Returns
    -------
    pandas.DataFrame
        Columns ``Layer``, ``Shows``, ``Features`` (a count, as text), ``Examples`` and
        ``At first`` (shown, or hidden until switched on in the layer control); the base map
        first. Every column is text, so the table shows as it reads.
    """
    rows: list[dict[str, object]] = []
    for element in _walk(fmap):
        if isinstance(element, folium.TileLayer):
            rows.append(
                {"Layer": "Base map", "Shows": "OpenStreetMap tiles; offline, streets, paths and "
                 "green spaces from the local OpenStreetMap extract",
                 "Features": "", "Examples": "", "At first": "shown"}
            )
        elif isinstance(element, folium.FeatureGroup) and element.control:
            markers = [
                child for child in _walk(element) if isinstance(child, folium.Marker | folium.CircleMarker)
            ]
            shapes = [child for child in _walk(element) if isinstance(child, folium.GeoJson)]
            names = [name for name in map(_tooltip_text, markers) if name]
            count = len(markers)
            kinds = ["points"] if markers else []
            for shape in shapes:
                what, n, found = _geojson_rows(shape)
                kinds.append(what)
                count += n
                names.extend(found)
            rows.append(_layer_row(element, ", ".join(dict.fromkeys(kinds)) or "nothing", count, names))
        elif isinstance(element, folium.GeoJson) and element.control and isinstance(
            element._parent, folium.Map
        ):
            what, n, names = _geojson_rows(element)
            rows.append(_layer_row(element, what, n, names))
    return pd.DataFrame(rows, columns=["Layer", "Shows", "Features", "Examples", "At first"])


def _layer_row(layer: Any, shows: str, count: int, names: list[str]) -> dict[str, object]:
    unique = list(dict.fromkeys(names))
    examples = "; ".join(unique[:MAX_EXAMPLES])
    if len(unique) > MAX_EXAMPLES:
        examples += f"; and {len(unique) - MAX_EXAMPLES} more"
    return {
        "Layer": _plain(layer.layer_name),
        "Shows": shows,
        "Features": f"{count:,}",
        "Examples": examples,
        "At first": "shown" if getattr(layer, "show", True) else "hidden (switch on in the layer control)",
    }
