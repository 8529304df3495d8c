"""Tests of the plotly score charts (built without streamlit)."""

from __future__ import annotations

import json
import math

import plotly.graph_objects as go
import pytest

from hiap.viz.charts import RAG_COLOURS, UNSCORED_COLOUR, principle_radar, theme_bars, wrap_label

TEN = [f"{n} Principle number {n} with a long name" for n in range(1, 11)]


def test_radar_has_one_closed_trace_with_every_principle() -> None:
    percents = [10.0 * n for n in range(1, 11)]
    fig = principle_radar(TEN, percents, title="HNT")
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert isinstance(trace, go.Scatterpolar)
    # Closed outline: ten principles plus the first repeated.
    assert list(trace.r) == [*percents, percents[0]]
    assert trace.theta[0] == trace.theta[-1]
    assert len(set(trace.theta)) == 10
    assert tuple(fig.layout.polar.radialaxis.range) == (0, 100)
    assert fig.layout.title.text == "HNT"
    # Serialisable for st.plotly_chart.
    json.loads(fig.to_json())


def test_radar_draws_unscored_as_grey_zero_and_says_so() -> None:
    percents: list[float | None] = [None, 50.0, *([80.0] * 8)]
    colours = [RAG_COLOURS["green"]] * 10
    fig = principle_radar(TEN, percents, colours=colours)
    trace = fig.data[0]
    assert trace.r[0] == 0.0
    assert trace.marker.color[0] == UNSCORED_COLOUR
    assert trace.marker.color[1] == RAG_COLOURS["green"]
    assert "not scored yet" in trace.hovertext[0]
    assert "50%" in trace.hovertext[1]
    # drawn on the chart too, so its table says "not scored yet" rather than a bare 0
    assert trace.text[0] == "not scored yet" and trace.text[1] == "50%"
    from hiap.viz.text_alternatives import chart_text

    table = chart_text(fig, category="Principle").table.set_index("Principle")
    assert table.iloc[0]["Label on the chart"] == "not scored yet"
    assert len(table) == 10  # the repeated closing point is one row


def test_long_labels_wrap() -> None:
    label = wrap_label("Develop health services that help people to stay well", width=18)
    assert "<br>" in label
    assert all(len(line) <= 18 for line in label.split("<br>"))


def test_bars_keep_order_colours_and_text() -> None:
    labels = ["Move naturally", "Right tribe", "Plant slant"]
    colours = [RAG_COLOURS["red"], RAG_COLOURS["amber"], RAG_COLOURS["green"]]
    fig = theme_bars(labels, [20.0, None, 100.0], colours=colours)
    bar = fig.data[0]
    assert isinstance(bar, go.Bar)
    assert list(bar.x) == [20.0, 0.0, 100.0]
    assert list(bar.y) == labels
    assert list(bar.marker.color) == [RAG_COLOURS["red"], UNSCORED_COLOUR, RAG_COLOURS["green"]]
    assert list(bar.text) == ["20%", "not scored yet", "100%"]
    assert fig.layout.yaxis.autorange == "reversed"


@pytest.mark.parametrize(
    ("labels", "percents", "colours", "message"),
    [
        (["a", "b"], [1.0], None, "2 labels but 1 percentages"),
        ([], [], None, "no labels"),
        (["a"], [101.0], None, "'a' is 101.0"),
        (["a"], [math.nan], None, "from 0 to 100"),
        (["a", "b"], [1.0, 2.0], ["#000"], "2 labels but 1 colours"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(
    labels: list[str], percents: list[float], colours: list[str] | None, message: str
) -> None:
    for chart in (principle_radar, theme_bars):
        with pytest.raises(ValueError, match=message):
            chart(labels, percents, colours=colours)
