"""A proposal drawn on a map: the draw tool's shapes turned into layers, checked as uploads are.

The app's draw tool (the folium Draw plugin) hands back GeoJSON features in WGS84. They come
from the browser, so they are as hostile as an upload: :func:`layer_from_drawings` keeps only
each shape's geometry (the kinds the layer takes) and puts the attributes the user typed on
it, and :func:`read_drawn_proposal` reads the layers through the same readers and checks as an
uploaded proposal (:func:`hiap.schemes.proposal.read_proposal_files`: GeoJSON parsed by hiap,
every layer validated, every problem listed). A drawn proposal is kept as a mapping of layer
name to GeoJSON FeatureCollection, which is also how a proposal is saved with an assessment
(:func:`proposal_layers_geojson`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from hiap.errors import SchemeError
from hiap.schemes.proposal import LAYERS, Proposal, check_layer_name, read_proposal_files
from hiap.settings import Settings

__all__ = [
    "DRAW_TOOLS",
    "MAX_DRAWN_FEATURES",
    "layer_from_drawings",
    "proposal_layers_geojson",
    "read_drawn_proposal",
    "with_layer",
]

DRAW_TOOLS: dict[str, tuple[str, ...]] = {
    "boundary": ("polygon", "rectangle"),
    "homes": ("polygon", "rectangle", "marker"),
    "paths": ("polyline",),
    "greenspace": ("polygon", "rectangle"),
    "facilities": ("marker",),
    "bus_stops": ("marker",),
    "bus_route": ("polyline",),
}
"""The draw tool's shapes offered for each layer (Leaflet.draw names); every layer is drawable."""

MAX_DRAWN_FEATURES = 2_000
"""Most shapes one layer may hold when drawn (a masterplan has tens to hundreds)."""

_GEOMETRY_OF_TOOL = {
    "polygon": "Polygon",
    "rectangle": "Polygon",
    "polyline": "LineString",
    "marker": "Point",
}


def _scalar(value: object) -> str | int | float | None:
    """Return a JSON-safe attribute value (None for empty or non-finite)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    text = str(value).strip()
    return text[:200] or None


def layer_from_drawings(
    layer: str, features: Sequence[Any] | None, attributes: Mapping[str, object]
) -> dict[str, Any]:
    """Turn the draw tool's features into one proposal layer (a GeoJSON FeatureCollection).

    Parameters
    ----------
    layer
        The layer drawn (one of :data:`hiap.schemes.proposal.LAYERS`).
    features
        GeoJSON features as the draw tool returns them (WGS84); only their geometry is kept,
        and only shapes of the kinds the layer takes (:data:`DRAW_TOOLS`).
    attributes
        Attribute values given for these features (``type``, ``dwellings``, ``phase``...);
        empty values are left out.

    Returns
    -------
    dict
        A FeatureCollection whose features carry the attributes.

    Raises
    ------
    SchemeError
        When the layer is unknown, nothing usable was drawn, or too many shapes were.
    """
    check_layer_name(layer)
    kinds = {_GEOMETRY_OF_TOOL[t] for t in DRAW_TOOLS[layer]}
    properties = {k: v for k, v in ((str(k), _scalar(v)) for k, v in attributes.items()) if v is not None}
    out: list[dict[str, Any]] = []
    for feature in features or []:
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping) or geometry.get("type") not in kinds:
            continue
        out.append(
            {
                "type": "Feature",
                "properties": dict(properties),
                "geometry": {"type": geometry["type"], "coordinates": geometry.get("coordinates")},
            }
        )
    if not out:
        raise SchemeError(
            f"Nothing usable was drawn for '{layer}': draw "
            + " or ".join(sorted({t.replace('polyline', 'line') for t in DRAW_TOOLS[layer]}))
            + " shapes with the tools on the map's left."
        )
    if len(out) > MAX_DRAWN_FEATURES:
        raise SchemeError(f"'{layer}' has {len(out)} shapes; at most {MAX_DRAWN_FEATURES} can be drawn.")
    return {"type": "FeatureCollection", "features": out}


def with_layer(
    draft: Mapping[str, Mapping[str, Any]], layer: str, collection: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return a new draft with ``collection``'s features added to ``layer``.

    The ``boundary`` is replaced rather than added to: a site has one outline.

    Parameters
    ----------
    draft
        Layer name -> FeatureCollection (not modified).
    layer
        The layer to add to.
    collection
        The features to add.

    Returns
    -------
    dict
        The new draft.
    """
    out = {name: {"type": "FeatureCollection", "features": list(fc["features"])} for name, fc in draft.items()}
    kept = [] if layer == "boundary" else out.get(layer, {}).get("features", [])
    out[layer] = {"type": "FeatureCollection", "features": [*kept, *collection["features"]]}
    return out


def read_drawn_proposal(
    draft: Mapping[str, Mapping[str, Any]], *, settings: Settings, name: str | None = None
) -> Proposal:
    """Read a drawn (or saved) proposal through the same readers and checks as an upload.

    Parameters
    ----------
    draft
        Layer name -> GeoJSON FeatureCollection in WGS84.
    settings
        Supplies the upload limits.
    name
        The scheme's name (default: the boundary's ``name``).

    Returns
    -------
    Proposal
        The validated proposal.

    Raises
    ------
    SchemeError
        Listing every problem of every layer, as for an uploaded proposal.
    """
    files = {
        f"{layer}.geojson": json.dumps(collection, allow_nan=False).encode()
        for layer, collection in draft.items()
        if collection.get("features")
    }
    if "boundary.geojson" not in files:
        raise SchemeError(
            "The proposal has no site boundary yet: draw it first (choose the layer "
            "'boundary' and draw a polygon), or use the current scheme's boundary."
        )
    return read_proposal_files(files, settings=settings, name=name)


def proposal_layers_geojson(proposal: Proposal) -> dict[str, dict[str, Any]]:
    """Return every non-empty layer of a proposal as a GeoJSON FeatureCollection in WGS84.

    This is the form a proposal is drawn in and saved with an assessment; reading it back
    with :func:`read_drawn_proposal` gives the same layers.

    Parameters
    ----------
    proposal
        A validated proposal.

    Returns
    -------
    dict
        Layer name -> FeatureCollection (attributes that are empty are left out).
    """
    out: dict[str, dict[str, Any]] = {}
    for layer in LAYERS:
        frame = proposal.layer(layer)
        if frame.empty:
            continue
        data = json.loads(frame.to_crs(4326).to_json(drop_id=True, na="drop"))
        if layer == "boundary" and proposal.name:
            for feature in data["features"]:
                feature["properties"] = {**(feature.get("properties") or {}), "name": proposal.name}
        out[layer] = {"type": "FeatureCollection", "features": data["features"]}
    return out
