"""Turn what a user draws or uploads into a bus :class:`~isochrones.scenarios.Scenario`.

Which function to use when:

* :func:`route_from_drawings` -- the GeoJSON features the map's draw tool returns.
* :func:`route_from_file` -- an uploaded GeoJSON / GeoPackage / KML with the route line and,
  optionally, its stops as points.
* :func:`new_route` -- an :class:`~isochrones.scenarios.AddRoute` from a line (stops placed
  every ``stop_spacing_m``) or from stop points ordered along it.
* :func:`scenario_text` / :func:`parse_scenario` -- save and load a scenario as JSON or YAML.
* :func:`scenario_layers` -- the new route and stops as map layers.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import shapely
import yaml

from hiap.errors import SchemeError
from hiap.schemes.readers import read_raw
from hiap.settings import Settings, get_settings
from isochrones.gtfs import Feed
from isochrones.scenarios import AddRoute, ChangeFrequency, NewStop, Scenario, load_scenario

__all__ = [
    "RouteSketch",
    "new_route",
    "parse_scenario",
    "route_from_drawings",
    "route_from_file",
    "route_stops",
    "scenario_layers",
    "scenario_text",
]

WGS84 = "EPSG:4326"

RouteSketch = tuple[list[tuple[float, float]] | None, list[tuple[float, float]]]
"""A route line (``[lon, lat]`` vertices, or None) and stop points (``(lon, lat)``)."""


def route_from_drawings(features: Sequence[dict[str, Any]] | None) -> RouteSketch:
    """Take the last drawn line and every drawn marker from the draw tool's features.

    Parameters
    ----------
    features
        GeoJSON features (``all_drawings`` from streamlit-folium), in WGS84.

    Returns
    -------
    tuple
        The line's vertices (None if no line was drawn) and the markers as stops.
    """
    line: list[tuple[float, float]] | None = None
    stops: list[tuple[float, float]] = []
    for feature in features or []:
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") == "LineString" and len(geometry.get("coordinates", [])) >= 2:
            line = [(float(x), float(y)) for x, y, *_ in geometry["coordinates"]]
        elif geometry.get("type") == "Point":
            x, y, *_ = geometry["coordinates"]
            stops.append((float(x), float(y)))
    return line, stops


def route_from_file(data: bytes, filename: str, *, settings: Settings | None = None) -> RouteSketch:
    """Read a route line and optional stop points from an uploaded file.

    The upload goes through the same safe readers as a scheme (:func:`hiap.schemes.read_raw`):
    the extension chooses the reader, the content is checked first, and references inside the
    file are refused.

    Parameters
    ----------
    data
        The file's bytes (GeoJSON, GeoPackage or KML, with a CRS).
    filename
        Its name (for messages and the format).
    settings
        Supplies the upload limits (default: from the environment).

    Returns
    -------
    tuple
        The line's vertices in WGS84 and its stops.

    Raises
    ------
    SchemeError
        When the file cannot be read or holds no line (``UnsafeUploadError`` when refused).
    """
    raw = read_raw(data, settings=settings or get_settings(), filename=filename)
    frame, filename = raw.frame, raw.source_name
    if frame.crs is None:
        raise SchemeError([f"{filename}: the route file has no CRS; save it with one (EPSG:4326)."])
    frame = frame.to_crs(WGS84)
    lines = frame[frame.geom_type.isin(["LineString", "MultiLineString"])]
    if lines.empty:
        raise SchemeError([f"{filename}: no line in the file; draw the route as a LineString."])
    merged = shapely.line_merge(shapely.union_all(lines.geometry.to_numpy()))
    if merged.geom_type != "LineString":
        raise SchemeError([f"{filename}: the route's lines do not join into one line; join them."])
    points = frame[frame.geom_type == "Point"]
    stops = [(float(p.x), float(p.y)) for p in points.geometry]
    return [(float(x), float(y)) for x, y, *_ in merged.coords], stops


def new_route(
    line: Sequence[tuple[float, float]],
    *,
    stops: Sequence[tuple[float, float]] = (),
    route_id: str = "NEW1",
    name: str = "New bus route",
    headway_min: float = 15.0,
    start: dt.time = dt.time(6, 0),
    end: dt.time = dt.time(22, 0),
    speed_kph: float = 20.0,
    stop_spacing_m: float = 400.0,
) -> AddRoute:
    """Describe a new bus route from a line (and optionally its stops).

    With two or more stop points they are used, ordered along the line; otherwise stops are
    placed along the line every ``stop_spacing_m``.

    Returns
    -------
    AddRoute
        Validated edit.
    """
    if len(stops) >= 2:
        path = shapely.LineString(line)
        order = sorted(stops, key=lambda p: path.project(shapely.Point(p)))
        return AddRoute(
            route_id=route_id, name=name, headway_min=headway_min, start=start, end=end,
            speed_kph=speed_kph,
            stops=[NewStop(stop_id=f"{route_id}_{i + 1}", lon=x, lat=y, name=f"{name} stop {i + 1}")
                   for i, (x, y) in enumerate(order)],
        )
    return AddRoute(
        route_id=route_id, name=name, headway_min=headway_min, start=start, end=end,
        speed_kph=speed_kph, line=list(line), stop_spacing_m=stop_spacing_m,
    )


def scenario_text(scenario: Scenario, fmt: Literal["json", "yaml"]) -> str:
    """Return a scenario as JSON or YAML text (what :func:`parse_scenario` reads back)."""
    data = scenario.model_dump(mode="json")
    if fmt == "json":
        return json.dumps(data, indent=2)
    return yaml.safe_dump(data, sort_keys=False)


def parse_scenario(data: bytes, filename: str) -> Scenario:
    """Read an uploaded scenario (``.json``, ``.yaml``, ``.yml``).

    Raises
    ------
    isochrones.gtfs.errors.ScenarioError
        Listing every problem in the file.
    """
    suffix = Path(filename).suffix.lower() or ".json"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scenario{suffix}"
        path.write_bytes(data)
        return load_scenario(path)


def route_stops(feed: Feed, route_id: str) -> gpd.GeoDataFrame:
    """Return the stops an existing route serves, as WGS84 points (``stop_name``)."""
    trips = feed.trips.loc[feed.trips["route_id"] == route_id, "trip_id"]
    used = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips), "stop_id"].unique()
    stops = feed.stops[feed.stops["stop_id"].isin(used)].dropna(subset=["stop_lat", "stop_lon"])
    return gpd.GeoDataFrame(
        {"stop_name": stops["stop_name"].to_numpy()},
        geometry=gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]),
        crs=WGS84,
    )


def scenario_layers(
    scenario: Scenario, feed: Feed | None = None
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Return the lines and stops a scenario adds or re-times, in WGS84 (None when none).

    With the baseline ``feed``, the stops of routes whose frequency changes are included.
    """
    lines: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    for edit in scenario.edits:
        if isinstance(edit, ChangeFrequency) and feed is not None:
            served = route_stops(feed, edit.route_id)
            stops += [{"stop_name": n, "geometry": g} for n, g in zip(served["stop_name"], served.geometry, strict=True)]
            continue
        if not isinstance(edit, AddRoute):
            continue
        if edit.line is not None:
            lines.append({"name": edit.name or edit.route_id, "geometry": shapely.LineString(edit.line)})
        for stop in edit.stops or []:
            if isinstance(stop, NewStop):
                stops.append({"stop_name": stop.name or stop.stop_id,
                              "geometry": shapely.Point(stop.lon, stop.lat)})
        if edit.stops and len(stops) >= 2 and edit.line is None:
            lines.append({"name": edit.name or edit.route_id,
                          "geometry": shapely.LineString([s["geometry"] for s in stops[-len(edit.stops):]])})
    line_frame = gpd.GeoDataFrame(lines, geometry="geometry", crs=WGS84) if lines else None
    stop_frame = gpd.GeoDataFrame(stops, geometry="geometry", crs=WGS84) if stops else None
    return line_frame, stop_frame
