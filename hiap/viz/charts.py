"""Interactive plotly charts of assessment scores for the app (no streamlit here).

Use :func:`principle_radar` for the Healthy New Towns principles (a spider chart reads well
for ten comparable axes) and :func:`theme_bars` for the Blue Zones themes (few, uneven themes
read better as bars). Both take plain labels and percentages, so they do not depend on how
scores are computed; unscored items are passed as ``None`` and drawn grey at zero with a
"not scored yet" hover, rather than silently dropped. Static report figures are drawn by
:mod:`hiap.viz.figures` instead.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

__all__ = [
    "RAG_COLOURS",
    "UNSCORED_COLOUR",
    "principle_radar",
    "theme_bars",
    "wrap_label",
]

RAG_COLOURS: dict[str, str] = {"red": "#c0392b", "amber": "#d98c00", "green": "#2e8540"}
"""Red/amber/green band colours (colour-blind friendlier than pure RGB primaries)."""
UNSCORED_COLOUR = "#9aa5ad"
"""Grey for items with nothing scored yet."""
_LINE = "#00567a"
_FILL = "rgba(0, 86, 122, 0.25)"
_LABEL_WIDTH = 18


def wrap_label(text: str, *, width: int = _LABEL_WIDTH) -> str:
    """Wrap a long axis label onto several lines with ``<br>`` (plotly's line break).

    Parameters
    ----------
    text
        The label.
    width
        Largest number of characters per line.

    Returns
    -------
    str
        The label with ``<br>`` between lines.
    """
    return "<br>".join(textwrap.wrap(text, width=width)) or text


def _check(
    labels: Sequence[str], percents: Sequence[float | None], colours: Sequence[str] | None
) -> list[float | None]:
    problems = []
    if len(labels) == 0:
        problems.append("no labels given; pass one label per principle or theme")
    if len(labels) != len(percents):
        problems.append(f"{len(labels)} labels but {len(percents)} percentages; pass one each")
    if colours is not None and len(colours) != len(labels):
        problems.append(f"{len(labels)} labels but {len(colours)} colours; pass one each")
    values: list[float | None] = []
    for label, pct in zip(labels, percents, strict=False):
        if pct is None:
            values.append(None)
            continue
        value = float(pct)
        if not math.isfinite(value) or not 0.0 <= value <= 100.0:
            problems.append(f"percentage for {label!r} is {pct}; give a number from 0 to 100")
        values.append(value)
    if problems:
        raise ValueError("; ".join(problems))
    return values


def _hover(labels: Sequence[str], values: Sequence[float | None]) -> list[str]:
    return [
        f"{label}: {'not scored yet' if v is None else f'{v:.0f}%'}"
        for label, v in zip(labels, values, strict=True)
    ]


def principle_radar(
    labels: Sequence[str],
    percents: Sequence[float | None],
    *,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw a radar (spider) chart of principle scores.

    Parameters
    ----------
    labels
        Principle names in order, e.g. ``"1 Plan ahead collectively"``.
    percents
        Score of each principle as a percentage (0-100) of what applies; ``None`` when
        nothing in the principle is scored yet.
    colours
        Marker colour of each principle (e.g. its red/amber/green band); the line colour
        by default, grey for unscored ones.
    title
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        The figure (one closed ``Scatterpolar`` trace on a 0-100 radial axis).

    Raises
    ------
    ValueError
        When lengths differ, no labels are given or a percentage is outside 0-100.
    """
    values = _check(labels, percents, colours)
    wrapped = [wrap_label(label) for label in labels]
    r = [0.0 if v is None else v for v in values]
    marker = [
        UNSCORED_COLOUR if v is None else (colours[i] if colours is not None else _LINE)
        for i, v in enumerate(values)
    ]
    hover = _hover(labels, values)
    # why drawn: the score is read without the radial axis, and an unscored principle (drawn
    # at 0) says so, on the chart and in its table (chart_text reads these labels)
    texts = ["not scored yet" if v is None else f"{v:.0f}%" for v in values]
    # Repeat the first point so the outline closes.
    figure = go.Figure(
        go.Scatterpolar(
            r=[*r, r[0]],
            theta=[*wrapped, wrapped[0]],
            mode="lines+markers+text",
            text=[*texts, texts[0]],
            textposition="top center",
            textfont={"size": 11},
            fill="toself",
            fillcolor=_FILL,
            line={"color": _LINE, "width": 2},
            marker={"color": [*marker, marker[0]], "size": 10},
            hovertext=[*hover, hover[0]],
            hoverinfo="text",
            name="Score",
        )
    )
    figure.update_layout(
        title=title,
        showlegend=False,
        polar={
            "radialaxis": {
                "range": [0, 100],
                "ticksuffix": "%",
                "tickvals": [25, 50, 75, 100],
                "angle": 90,
                "tickfont": {"size": 10},
            },
            "angularaxis": {"direction": "clockwise", "tickfont": {"size": 11}},
        },
        margin={"l": 120, "r": 120, "t": 60 if title else 40, "b": 40},
        height=520,
    )
    return figure


def theme_bars(
    labels: Sequence[str],
    percents: Sequence[float | None],
    *,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw a horizontal bar chart of theme scores (Blue Zones).

    Parameters
    ----------
    labels
        Theme names in order; the first is drawn at the top.
    percents
        Score of each theme as a percentage (0-100); ``None`` when nothing is scored yet.
    colours
        Bar colour of each theme (e.g. its red/amber/green band); grey for unscored ones.
    title
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        The figure (one horizontal ``Bar`` trace on a 0-100 axis).

    Raises
    ------
    ValueError
        When lengths differ, no labels are given or a percentage is outside 0-100.
    """
    values = _check(labels, percents, colours)
    bar_colours = [
        UNSCORED_COLOUR if v is None else (colours[i] if colours is not None else _LINE)
        for i, v in enumerate(values)
    ]
    texts = ["not scored yet" if v is None else f"{v:.0f}%" for v in values]
    figure = go.Figure(
        go.Bar(
            x=[0.0 if v is None else v for v in values],
            y=[wrap_label(label, width=30) for label in labels],
            orientation="h",
            marker={"color": bar_colours},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=_hover(labels, values),
            hoverinfo="text",
            name="Score",
        )
    )
    figure.update_layout(
        title=title,
        showlegend=False,
        xaxis={"range": [0, 110], "ticksuffix": "%", "tickvals": [0, 25, 50, 75, 100]},
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 30, "t": 60 if title else 20, "b": 40},
        height=max(240, 70 * len(labels) + 80),
    )
    return figure
