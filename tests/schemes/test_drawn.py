"""A proposal drawn on the map: shapes to layers, the upload's checks, and a save round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hiap.assessment import Assessment
from hiap.errors import SchemeError
from hiap.schemes.drawn import (
    DRAW_TOOLS,
    layer_from_drawings,
    proposal_layers_geojson,
    read_drawn_proposal,
    with_layer,
)
from hiap.schemes.proposal import LAYERS, check_layer_name, load_proposal
from hiap.settings import Settings, get_settings
from hiap.storage import AssessmentStore

# A site near Cambridge, lon/lat, as Leaflet.draw hands it back.
SITE = [[0.100, 52.200], [0.106, 52.200], [0.106, 52.204], [0.100, 52.204], [0.100, 52.200]]


def drawn(kind: str, coordinates: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": {"type": kind, "coordinates": coordinates}}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(environ={"HIAP_CACHE_DIR": str(tmp_path / "cache")})


@pytest.fixture
def draft() -> dict[str, Any]:
    boundary = layer_from_drawings("boundary", [drawn("Polygon", [SITE])], {"name": "Drawn site"})
    homes = layer_from_drawings(
        "homes", [drawn("Point", [0.102, 52.202]), drawn("Point", [0.104, 52.202])],
        {"dwellings": 40, "phase": 1, "year": 2028},
    )
    return with_layer(with_layer({}, "boundary", boundary), "homes", homes)


def test_only_the_geometry_of_the_right_kind_is_kept(draft: dict[str, Any]) -> None:
    hostile = drawn("Point", [0.103, 52.201], name="<script>x</script>", type="gp", dwellings=1e9)
    line = drawn("LineString", [[0.1, 52.2], [0.2, 52.3]])
    layer = layer_from_drawings("facilities", [hostile, line, {"geometry": "nonsense"}], {"type": "gp", "name": "Hub"})
    (feature,) = layer["features"]
    assert feature["properties"] == {"type": "gp", "name": "Hub"}  # typed, not what the browser sent
    with pytest.raises(SchemeError, match="Nothing usable was drawn for 'paths'"):
        layer_from_drawings("paths", [hostile], {"type": "footpath"})


def test_drawing_and_reading_a_layer_share_one_layer_check(
    draft: dict[str, Any], settings: Settings
) -> None:
    assert set(DRAW_TOOLS) == set(LAYERS)  # every layer can be drawn
    for name in LAYERS:
        check_layer_name(name)
    unknown = "No proposal layer 'roads'; the layers are boundary, homes, paths,"
    with pytest.raises(SchemeError, match=unknown):
        check_layer_name("roads")
    with pytest.raises(SchemeError, match=unknown):
        layer_from_drawings("roads", [drawn("Polygon", [SITE])], {})
    with pytest.raises(SchemeError, match=unknown):
        read_drawn_proposal(draft, settings=settings).layer("roads")


def test_a_drawn_proposal_passes_the_upload_checks(draft: dict[str, Any], settings: Settings) -> None:
    proposal = read_drawn_proposal(draft, settings=settings)
    assert proposal.name == "Drawn site"
    assert proposal.dwellings == 80
    assert proposal.homes.crs.to_epsg() == 27700
    assert proposal.years == (2028,)
    # The same message as an uploaded file with the same mistake.
    bad = with_layer(draft, "facilities", layer_from_drawings(
        "facilities", [drawn("Point", [0.103, 52.201])], {"type": "hairdresser"}))
    with pytest.raises(SchemeError, match="'type' must be one of gp, health_centre"):
        read_drawn_proposal(bad, settings=settings)
    with pytest.raises(SchemeError, match="no site boundary yet"):
        read_drawn_proposal({"homes": draft["homes"]}, settings=settings)


def test_a_new_boundary_replaces_the_old_and_other_layers_add_up(draft: dict[str, Any]) -> None:
    again = with_layer(draft, "boundary", draft["boundary"])
    assert len(again["boundary"]["features"]) == 1
    more = with_layer(draft, "homes", draft["homes"])
    assert len(more["homes"]["features"]) == 4
    assert len(draft["homes"]["features"]) == 2  # the input draft is not changed


def test_a_sample_survives_the_save_round_trip(settings: Settings, tmp_path: Path) -> None:
    sample = load_proposal("northstowe-phase-2", settings=settings)
    layers = proposal_layers_geojson(sample)
    store = AssessmentStore(tmp_path / "db.sqlite")
    assessment = Assessment.new(scheme_name=sample.name).with_changes(proposal=layers)
    store.save(assessment, author="Ann")
    back = read_drawn_proposal(store.load(assessment.id).proposal or {}, settings=settings)
    assert back.name == sample.name
    assert back.counts() == sample.counts()
    assert back.dwellings == sample.dwellings
    assert back.phases == sample.phases
    for layer in ("homes", "facilities", "bus_route"):
        assert back.layer(layer).geometry.geom_equals_exact(sample.layer(layer).geometry, 0.01).all()


def test_the_saved_proposal_must_be_geojson() -> None:
    with pytest.raises(ValueError, match="not a GeoJSON FeatureCollection"):
        Assessment.new(scheme_name="x").with_changes(proposal={"homes": {"type": "Point", "coordinates": [0, 0]}})
    with pytest.raises(ValueError, match="lower_snake_case"):
        Assessment.new(scheme_name="x").with_changes(proposal={"Homes!": {"type": "FeatureCollection", "features": []}})
