"""Drawn and uploaded routes into scenarios; scenario files saved and read back."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from hiap.errors import SchemeError
from hiap.scenario_inputs import (
    new_route,
    parse_scenario,
    route_from_drawings,
    route_from_file,
    scenario_layers,
    scenario_text,
)
from isochrones.gtfs.errors import ScenarioError
from isochrones.scenarios import AddRoute, ChangeFrequency, NewStop, Scenario

LINE = [(-51.23, -30.03), (-51.22, -30.04), (-51.20, -30.05)]


def test_route_from_drawings_takes_line_and_markers() -> None:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-51.20, -30.05]}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(p) for p in LINE]}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-51.23, -30.03]}},
    ]
    line, stops = route_from_drawings(features)
    assert line == LINE and stops == [(-51.20, -30.05), (-51.23, -30.03)]
    assert route_from_drawings(None) == (None, [])


def test_new_route_orders_stops_along_the_line() -> None:
    edit = new_route(LINE, stops=[(-51.20, -30.05), (-51.23, -30.03)], headway_min=12)
    assert edit.stops is not None and edit.line is None
    first, last = edit.stops[0], edit.stops[-1]
    assert isinstance(first, NewStop) and isinstance(last, NewStop)
    assert (first.lon, last.lon) == (-51.23, -51.20)
    by_line = new_route(LINE, stop_spacing_m=300)
    assert by_line.line == LINE and by_line.stops is None and by_line.stop_spacing_m == 300


def test_route_from_file_reads_a_geojson_in_any_crs() -> None:
    frame = gpd.GeoDataFrame(
        {"kind": ["route", "stop"]},
        geometry=[LineString(LINE), Point(LINE[0])], crs="EPSG:4326",
    ).to_crs("EPSG:32722")
    line, stops = route_from_file(frame.to_json().encode(), "route.geojson")
    assert line is not None and len(line) == 3
    assert line[0] == pytest.approx(LINE[0], abs=1e-6) and len(stops) == 1


def test_route_from_file_without_a_line_says_so() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(LINE[0])], crs="EPSG:4326")
    with pytest.raises(SchemeError, match="no line"):
        route_from_file(frame.to_json().encode(), "stops.geojson")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_scenario_text_round_trips(fmt: str) -> None:
    scenario = Scenario(
        name="More buses",
        edits=[new_route(LINE, headway_min=10, start=dt.time(7), end=dt.time(19)),
               ChangeFrequency(route_id="T12", headway_min=5)],
    )
    text = scenario_text(scenario, fmt)  # type: ignore[arg-type]
    assert parse_scenario(text.encode(), f"s.{fmt}") == scenario


def test_parse_scenario_lists_problems() -> None:
    bad = json.dumps({"name": "x", "edits": [{"kind": "add_route", "route_id": "N1"}]})
    with pytest.raises(ScenarioError, match="headway_min"):
        parse_scenario(bad.encode(), "bad.json")


def test_scenario_layers_draw_new_lines_and_stops() -> None:
    scenario = Scenario(name="s", edits=[
        AddRoute(route_id="A", line=LINE, headway_min=10),
        new_route(LINE, stops=[(-51.20, -30.05), (-51.23, -30.03)], route_id="B"),
    ])
    lines, stops = scenario_layers(scenario)
    assert lines is not None and len(lines) == 2
    assert stops is not None and len(stops) == 2 and lines.crs == "EPSG:4326"
