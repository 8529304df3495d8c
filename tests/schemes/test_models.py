"""Scheme metadata rules and the Scheme helpers, on hand-built values."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import shapely

from hiap.errors import SchemeError
from hiap.schemes import ENGLAND_PERSONS_PER_DWELLING, Scheme, SchemeMetadata, make_metadata


def test_defaults() -> None:
    meta = SchemeMetadata(name="X")
    assert meta.kind == "housing"
    assert meta.persons_per_dwelling == ENGLAND_PERSONS_PER_DWELLING == 2.36
    assert meta.dwellings is None and meta.service_span_h is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": ""}, "'name': String should have at least 1 character"),
        ({"name": "X", "kind": "road"}, "use one of housing, transport or mixed"),
        ({"name": "X", "dwellings": 2.5}, "'dwellings'"),
        ({"name": "X", "persons_per_dwelling": 9}, "between 1 and 6 people per home"),
        ({"name": "X", "phasing_year": 3000}, "from 1980 to 2100"),
        ({"name": "X", "colour": "red"}, "Unknown scheme metadata field 'colour'"),
        ({"name": "X", "kind": "transport", "dwellings": 10}, "set kind to 'mixed'"),
        (
            {
                "name": "X",
                "kind": "transport",
                "first_departure": "19:00",
                "last_departure": "07:00",
            },
            "last_departure 07:00 is not after first_departure 19:00",
        ),
    ],
)
def test_metadata_errors_name_field_and_remedy(values: dict[str, object], expected: str) -> None:
    with pytest.raises(SchemeError) as info:
        make_metadata(values, source="form")
    assert expected in str(info.value)
    assert str(info.value).startswith("form: ")


def test_metadata_is_frozen_and_parses_times() -> None:
    meta = make_metadata(
        {
            "name": "Bus",
            "kind": "transport",
            "headway_min": "20",
            "first_departure": "06:00",
            "last_departure": "23:30",
        }
    )
    assert meta.first_departure == dt.time(6, 0)
    assert meta.service_span_h == pytest.approx(17.5)
    with pytest.raises(ValueError, match="frozen"):
        meta.name = "Other"


def test_scheme_helpers_on_a_hand_built_scheme() -> None:
    site = shapely.box(545_000, 254_000, 545_200, 254_500)  # 10 ha
    boundary = gpd.GeoDataFrame(geometry=[site], crs=27700)
    scheme = Scheme(make_metadata({"name": "S", "dwellings": 400}), boundary)
    assert scheme.area_ha == pytest.approx(10.0)
    assert (scheme.centroid.x, scheme.centroid.y) == (545_100.0, 254_250.0)
    lon, lat = scheme.centroid_lonlat
    assert 0.10 < lon < 0.13 and 52.15 < lat < 52.18  # Trumpington, south Cambridge
    assert scheme.new_residents == pytest.approx(944.0)
    assert scheme.density_dph == pytest.approx(40.0)
    assert scheme.route_length_km == 0.0
    wgs84 = scheme.boundary_wgs84()
    assert wgs84 is not None and str(wgs84.crs) == "EPSG:4326"
    assert str(boundary.crs) == "EPSG:27700"  # the input frame was not reprojected in place
    assert scheme.boundary is boundary
