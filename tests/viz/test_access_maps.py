"""Folium access maps, checked on their rendered HTML (layers, colours, attribution, popups)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from hiap import attribution
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.viz.access_maps import (
    BAND_PALETTE,
    CAPACITY_PALETTE,
    CHANGE_COLOURS,
    access_map,
    band_colours,
    capacity_classes,
    capacity_map,
    difference_map,
    draw_map,
)

BNG = "EPSG:27700"


def _bands() -> gpd.GeoDataFrame:
    # Nested squares around a point in Peterborough, 5/10/15 minutes.
    centre = (518000.0, 295000.0)
    rows = [
        {"band_min": b, "geometry": box(centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r)}
        for b, r in ((5.0, 300), (10.0, 700), (15.0, 1100))
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=BNG)


def _gps() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["D81001", "D81002"], "name": ["HAMPTON MEDICAL CENTRE", "NENE VALLEY PRACTICE"],
         "postcode": ["PE7 8QA", "PE2 5RT"]},
        geometry=[Point(518000, 295000), Point(518900, 295600)], crs=BNG,
    )


def test_band_colours_are_sequential_and_dark_first() -> None:
    assert band_colours([5]) == [BAND_PALETTE[0]]
    five = band_colours([5, 10, 15, 20, 30])
    assert five[0] == BAND_PALETTE[0] and five[-1] == BAND_PALETTE[-1]
    assert len(set(five)) == 5
    # darkness (sum of RGB) increases monotonically along the bands
    light = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in five]
    assert light == sorted(light)
    assert band_colours([]) == []


def test_access_map_has_bands_markers_legend_and_attribution() -> None:
    scheme = Scheme(
        metadata=SchemeMetadata(name="Test Fields", dwellings=100),
        boundary=gpd.GeoDataFrame(geometry=[box(517800, 294800, 518200, 295200)], crs=BNG),
    )
    origins = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": ["LSOA A", "LSOA B"],
         "population": [1500, 1600], "time_min": [4.0, np.inf]},
        geometry=[Point(518100, 295100), Point(520000, 297000)], crs=BNG,
    )
    stops = gpd.GeoDataFrame({"stop_name": ["Hampton Hargate"]}, geometry=[Point(518300, 295300)], crs=BNG)
    bands = _bands()
    before = bands.copy()
    fmap = access_map(
        isochrones=bands, isochrone_label="Walking time to a GP surgery", origins=origins,
        bands_min=(5, 10, 15), destinations={"gp": _gps()}, stops=stops, scheme=scheme,
        attribution_lines=["NHS Digital, OGL v3.0"],
    )
    html = fmap.get_root().render()
    for colour in band_colours([5, 10, 15]):
        assert colour in html
    for layer in ("Walking time to a GP surgery (min)", "Areas by travel time", "GP surgeries",
                  "Bus stops", "Scheme: Test Fields"):
        assert layer in html, layer
    assert "L.control.layers" in html
    assert "OpenStreetMap" in html and attribution.OSM in html and "NHS Digital, OGL v3.0" in html
    assert "HAMPTON MEDICAL CENTRE" in html and "Code: D81001" in html
    assert "LSOA B: not reached" in html  # the infinite origin
    assert "within 5 min" in html
    # legend in plain HTML (nothing fetched from a CDN), one entry per band
    assert "hiap-legend" in html and "0-5 min" in html and "10-15 min" in html
    assert "d3.v" not in html and "StepColormap" not in html
    # inputs untouched (still BNG, same rows)
    assert bands.crs == before.crs and bands.equals(before)


def test_access_map_without_results_still_attributes_osm() -> None:
    html = access_map(destinations={"hospital": _gps()}).get_root().render()
    assert "Hospitals" in html and attribution.OSM in html


def test_hospital_class_shows_in_the_popup() -> None:
    hospitals = _gps().assign(
        hospital_class_label=["Acute hospital with a type 1 A&E", None]
    )
    html = access_map(destinations={"hospital": hospitals}).get_root().render()
    assert "Acute hospital with a type 1 A&amp;E" in html or "type 1 A&E" in html


def test_difference_map_sorts_origins_by_change() -> None:
    diff = gpd.GeoDataFrame(
        {"name": ["faster", "slower", "new", "same"],
         "base_min": [30.0, 20.0, np.inf, 12.0], "scenario_min": [22.0, 25.0, 40.0, 12.0],
         "change_min": [-8.0, 5.0, -np.inf, 0.0]},
        geometry=[Point(-51.2, -30.05), Point(-51.21, -30.05), Point(-51.2, -30.06), Point(-51.22, -30.04)],
        crs="EPSG:4326",
    )
    route = gpd.GeoDataFrame({"name": ["New 1"]}, geometry=[LineString([(-51.2, -30.05), (-51.22, -30.04)])],
                             crs="EPSG:4326")
    html = difference_map(diff, route_lines=route).get_root().render()
    for layer in ("Newly reached", "Faster", "Slower", "Unchanged", "Scenario route"):
        assert layer in html
    for colour in CHANGE_COLOURS.values():
        assert colour in html
    assert "not reached → 40.0 min" in html and "30.0 → 22.0 min" in html


def test_draw_map_offers_line_and_marker_tools_only() -> None:
    html = draw_map((-51.3, -30.2, -51.1, -30.0)).get_root().render()
    assert "L.Control.Draw" in html
    assert '"polygon": false' in html and '"rectangle": false' in html
    assert "openstreetmap.org/copyright" in html and "ODbL 1.0" in html


@pytest.mark.parametrize("bands", [[5, 10, 15, 20, 30], [10, 20, 30, 45, 60, 75, 90, 120, 150]])
def test_band_colours_one_per_band(bands: list[int]) -> None:
    assert len(band_colours(bands)) == len(bands)


def test_capacity_map_reads_in_people_per_practice_with_legend_and_attribution() -> None:
    scheme = Scheme(
        metadata=SchemeMetadata(name="Test Fields", dwellings=100),
        boundary=gpd.GeoDataFrame(geometry=[box(517800, 294800, 518200, 295200)], crs=BNG),
    )
    areas = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002", "E01000003"], "name": ["LSOA A", "LSOA B", "LSOA C"],
         "population": [1500.0, 1600.0, 1400.0], "people_per_practice": [2040.0, 6123.0, float("inf")],
         "list_pressure": [0.954, 1.234, float("inf")]},
        geometry=[Point(518100, 295100), Point(519000, 296000), Point(522000, 299000)], crs=BNG,
    )
    homes = gpd.GeoDataFrame({"population": [240.0], "people_per_practice": [9123.0], "list_pressure": [1.5]},
                             geometry=[Point(518000, 295000)], crs=BNG)
    before = areas.copy()
    fmap = capacity_map(
        areas, homes=homes, gps=_gps(), scheme=scheme,
        layer_label="People per GP practice (2SFCA, enhanced)", attribution_lines=[attribution.OGL],
    )
    html = fmap.get_root().render()
    for layer in ("People per GP practice (2SFCA, enhanced)", "Scheme homes (new residents)",
                  "GP surgeries", "Scheme: Test Fields"):
        assert layer in html, layer
    assert "hiap-legend" in html and "no practice within 30 min" in html
    assert attribution.OSM in html and attribution.OGL in html and "L.control.layers" in html
    # rounded as the sentences, the indicators and the CLI round (one formatter)
    assert "LSOA B: about 1 GP practice per 6,100 people; list pressure 1.23 (residents 1,600)" in html
    assert "LSOA C: no practice within 30 min (residents 1,400)" in html
    assert "about 1 GP practice per 9,100 people; list pressure 1.50" in html
    assert "up to 3,600" in html and "7,900-9,100" in html  # legend classes in the same figures
    assert CAPACITY_PALETTE[-1] in html and "#969696" in html  # the most supply, and none
    assert areas.equals(before) and areas.crs == before.crs


def test_capacity_classes_are_increasing_and_ignore_zero() -> None:
    limits = capacity_classes([0.0, float("nan"), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert limits == sorted(limits) and limits[-1] == 0.6 and len(limits) == 5
    assert capacity_classes([0.0, 0.0]) == []
    assert capacity_classes([0.2, 0.2, 0.2]) == [0.2]


def test_destination_names_cannot_inject_markup_or_script() -> None:
    # A proposal's facilities layer is uploaded: its names reach the map's popups and tooltips.
    hostile = "<script>alert(1)</script>`${alert(2)}`"
    gps = _gps().assign(name=[hostile, "<img src=x onerror=alert(3)>"])
    html = access_map(destinations={"gp": gps}).get_root().render()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "${alert(2)}" not in html and "`${" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_uploaded_stop_names_are_escaped_on_the_scheme_map() -> None:
    from hiap.viz.maps import scheme_map

    stops = gpd.GeoDataFrame(
        {"name": ["<script>alert(4)</script>"]}, geometry=[Point(518000, 295000)], crs=BNG
    )
    scheme = Scheme(metadata=SchemeMetadata(name="Test"), boundary=None, stops=stops)
    html = scheme_map(scheme).get_root().render()
    assert "<script>alert(4)" not in html and "&lt;script&gt;alert(4)" in html


def test_markers_need_no_icon_font() -> None:
    # folium.Icon draws its glyph with Font Awesome / Glyphicons from a CDN: blank offline.
    # Every hiap marker with a symbol is a plain-HTML badge instead.
    from hiap.viz.bus_maps import corridor_map

    origins = gpd.GeoDataFrame(
        {"name": ["LSOA A"], "minutes": [12.0]}, geometry=[Point(518100, 295100)], crs=BNG
    )
    routes = gpd.GeoDataFrame(
        {"name": ["B"], "stops": [2]}, geometry=[LineString([(518000, 295000), (519000, 296000)])], crs=BNG
    )
    stops = gpd.GeoDataFrame({"stop_name": ["Stop"]}, geometry=[Point(518500, 295500)], crs=BNG)
    destinations = gpd.GeoDataFrame(
        {"name": ["PETERBOROUGH CITY HOSPITAL", "HAMPTON MEDICAL CENTRE"],
         "kind": ["acute hospital", "gp"]},
        geometry=[Point(516000, 299000), Point(518000, 295000)], crs=BNG,
    )
    maps = {
        "access": access_map(destinations={"gp": _gps(), "hospital": _gps()}),
        "corridor": corridor_map(origins, routes, stops, destinations, column="minutes", label="x"),
    }
    for name, fmap in maps.items():
        html = fmap.get_root().render()
        assert "hiap-badge" in html, name
        assert "AwesomeMarkers.icon" not in html and '"fa"' not in html, name
        assert "glyphicon-" not in html and "fa-" not in html, name
    corridor = maps["corridor"].get_root().render()
    assert r"\u003eH\u003c/div" in corridor and r"\u003eGP\u003c/div" in corridor
