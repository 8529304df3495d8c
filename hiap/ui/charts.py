"""Show a plotly chart in the app with its figures as a table beside it (WCAG 1.1.1).

Pages call :func:`st_chart` instead of ``st.plotly_chart``: the table is read from the figure
itself (:func:`hiap.viz.text_alternatives.chart_text`), so it always matches what is drawn.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from hiap.viz.text_alternatives import chart_text

__all__ = ["st_chart"]


def st_chart(
    figure: go.Figure, *, caption: str | None = None, category: str | None = None, **kwargs: Any
) -> None:
    """Show ``figure`` and, under it, the chart as a table with its annotations as notes.

    Parameters
    ----------
    figure
        A plotly bar, line, scatter or polar chart.
    caption
        What the table's values are (units, period, source), shown above the table.
    category
        Header of the table's first column (what each row is); by default the category
        axis title.
    **kwargs
        Passed to ``st.plotly_chart`` (``key``, ``width``...).
    """
    st.plotly_chart(figure, **kwargs)
    text = chart_text(figure, category=category)
    # why st.table: it is an HTML <table> a screen reader can walk; st.dataframe is a canvas
    with st.expander("The chart as a table"):
        if caption:
            st.caption(caption)
        st.table(text.table.set_index(text.table.columns[0]))
        if text.notes:
            st.caption("Also marked on the chart: " + "; ".join(text.notes) + ".")
