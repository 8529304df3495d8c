"""Text alternatives read back from the finished chart or map (WCAG 2.2 AA, 1.1.1)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import Point, box

from hiap.equity import equity_chart
from hiap.viz.access_maps import access_map
from hiap.viz.charts import theme_bars
from hiap.viz.text_alternatives import MAX_EXAMPLES, chart_text, map_layers

BNG = "EPSG:27700"


def test_equity_chart_reads_back_as_its_table() -> None:
    table = pd.DataFrame(
        {"pop_weighted_mean_time_min": [12.34, 15.0, float("nan")], "origins": [4, 2, 0]},
        index=pd.Index([1, 2, 3], name="imd_decile"),
    )
    text = chart_text(equity_chart(table, title="Walk time", mode_label="Walk time"))
    shown = text.table.set_index(text.table.columns[0])
    assert shown.index.name == "IMD 2019 decile (1 = most deprived)"
    assert list(shown.index) == ["1", "2", "3"]
    column = shown.columns[0]
    assert "Walk time" in column
    assert shown.loc["1", column] == 12.3 and shown.loc["2", column] == 15.0
    # a decile with no area is drawn as a stub at 0: its label says so, and so does the table
    assert shown.loc["3", "Label on the chart"] == "not covered"
    assert shown.loc["1", "Label on the chart"] == "12.3 min (4 areas)"


def test_two_series_and_a_reference_line() -> None:
    fig = go.Figure()
    fig.add_bar(y=["Fenland", "Peterborough"], x=[78.04, 78.6], name="Male", orientation="h")
    fig.add_bar(y=["Fenland", "Peterborough"], x=[82.0, 82.5], name="Female", orientation="h")
    fig.add_vline(x=79.5, annotation_text="England male 79.5")
    fig.update_layout(xaxis_title="Median life expectancy (years)", yaxis_title="District")
    text = chart_text(fig)
    assert list(text.table.columns) == ["District", "Male", "Female"]
    assert text.table.loc[0].tolist() == ["Fenland", 78.0, 82.0]
    assert text.notes == ["England male 79.5"]


def test_wrapped_labels_read_as_one_line() -> None:
    label = "Homes within a short walk of everyday shops and services"
    text = chart_text(theme_bars([label, "Parks"], [40.0, None]))
    assert text.table.iloc[:, 0].tolist() == [label, "Parks"]


def _gps(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"D{i}" for i in range(n)], "name": [f"PRACTICE <{i}>" for i in range(n)]},
        geometry=[Point(518000 + 100 * i, 295000) for i in range(n)], crs=BNG,
    )


def test_map_layers_name_counts_and_examples() -> None:
    bands = gpd.GeoDataFrame(
        {"band_min": [5.0, 10.0]},
        geometry=[box(517700, 294700, 518300, 295300), box(517300, 294300, 518700, 295700)],
        crs=BNG,
    )
    fmap = access_map(
        isochrones=bands, isochrone_label="Walking time to a GP surgery", bands_min=(5, 10),
        destinations={"gp": _gps(MAX_EXAMPLES + 2)},
    )
    layers = map_layers(fmap).set_index("Layer")
    assert list(layers.index) == ["Base map", "Walking time to a GP surgery (min)", "GP surgeries"]
    gps = layers.loc["GP surgeries"]
    assert gps["Shows"] == "points" and gps["Features"] == str(MAX_EXAMPLES + 2)
    # names as a person reads them (unescaped), the first few, then a count of the rest
    assert gps["Examples"].startswith("PRACTICE <0>; PRACTICE <1>")
    assert gps["Examples"].endswith("; and 2 more")
    isochrones = layers.loc["Walking time to a GP surgery (min)"]
    assert isochrones["Shows"] == "areas" and isochrones["Features"] == "2"
    assert "within 5 min" in isochrones["Examples"]
    assert (layers["At first"] == "shown").all()
