"""Features without pandas: the attribute values validation sees, and the lazily built tables."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from hiap.schemes import Scheme, read_scheme
from hiap.schemes.features import Features
from hiap.settings import Settings


def _same(left: list[object], right: list[object]) -> bool:
    """Equal values and types, NaN equal to NaN."""
    return len(left) == len(right) and all(
        type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))
        for a, b in zip(left, right, strict=True)
    )


@pytest.mark.parametrize(
    "values",
    [
        [400, None],
        [400, 2.5],
        [400, 12],
        [400, 400.0],
        [True, None],
        [True, 1],
        [True, False],
        [400, "400"],
        [None, None],
        [" a ", None],
        [1.5, float("nan")],
        [2**63, None],
        ["x", "__missing__"],
        [7, "__missing__"],
    ],
)
def test_column_values_are_those_of_the_table(values: list[object]) -> None:
    # validation reads attribute values without pandas; they must be what the GeoDataFrame
    # holds, or a file would give other metadata (400 against 400.0) than before
    records = [{"dwellings": v} if v != "__missing__" else {"other": 1} for v in values]
    features = Features.from_records([records], [shapely.Point(0, 0)] * len(records), None)
    plain = features.column("dwellings", range(len(records)))
    assert features.has_column("dwellings")
    assert _same(plain, features.frame["dwellings"].tolist()), (plain, features.frame.dtypes)


_JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**64 - 1),
    st.floats(),
    st.text(max_size=3),
    st.just("__missing__"),
)


@settings(max_examples=500, deadline=None)
@given(values=st.lists(_JSON_VALUES, min_size=1, max_size=5))
def test_column_values_match_pandas_for_any_json_values(values: list[object]) -> None:
    records = [{"v": v} if v != "__missing__" else {} for v in values]
    features = Features.from_records([records], [None] * len(records), None)
    if features.has_column("v"):
        plain = features.column("v", range(len(records)))
        assert _same(plain, features.frame["v"].tolist()), (values, plain)


_KML_RECORD = st.fixed_dictionaries(
    {}, optional={"v": st.one_of(st.none(), st.text(max_size=2)), "name": st.none() | st.just("x")}
)


@settings(max_examples=300, deadline=None)
@given(groups=st.lists(st.lists(_KML_RECORD, min_size=1, max_size=3), min_size=2, max_size=3))
def test_values_of_several_kml_folders_match_pandas_concat(
    groups: list[list[dict[str, object]]],
) -> None:
    # several KML folders are one table joined by pandas.concat; their text values are read
    # without pandas, so they must be what the joined table holds
    count = sum(len(group) for group in groups)
    features = Features.from_records(groups, [None] * count, None)
    for name in ("v", "name"):
        if features.has_column(name):
            plain = features.column(name, range(count))
            assert _same(plain, features.frame[name].tolist()), (groups, name, plain)


def test_scheme_tables_are_built_once_on_first_use(
    tmp_path, settings: Settings
) -> None:
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Site", "dwellings": 300, "geometry": "note"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0.1, 52.2], [0.11, 52.2], [0.11, 52.21], [0.1, 52.2]]],
                },
            }
        ],
    }
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    scheme = read_scheme(path, settings=settings)
    assert scheme.feature_counts == {"boundary": 1, "lines": None, "stops": None}
    area_ha = scheme.area_ha  # from the shapely geometry, before any table exists
    boundary = scheme.boundary
    assert boundary is scheme.boundary  # built once, then kept
    assert list(boundary.columns) == ["name", "dwellings", "geometry_property", "geometry"]
    assert boundary.crs.to_epsg() == 27700
    assert boundary.geometry.area.sum() / 10_000 == pytest.approx(area_ha)
    assert scheme.lines is None and scheme.route_length_km == 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        scheme.boundary = None  # type: ignore[misc]
    renamed = dataclasses.replace(scheme, metadata=scheme.metadata.model_copy(update={"name": "B"}))
    assert renamed.name == "B" and renamed.boundary is boundary
    copy = pickle.loads(pickle.dumps(read_scheme(path, settings=settings)))
    assert isinstance(copy, Scheme) and copy.area_ha == pytest.approx(area_ha)
    assert list(copy.boundary.columns) == list(boundary.columns)
