"""Streamlit glue for drawing a proposal on the map, layer by layer, and saving it.

The drawing is kept in the session as a draft (layer -> GeoJSON FeatureCollection). Shapes
drawn on the map wait, with the attributes typed beside the map, until the user adds them to
their layer; the draft with them is then read through the same readers and checks as an
uploaded proposal (:func:`hiap.schemes.drawn.read_drawn_proposal`) and kept only when it
passes, so the draft is always a valid proposal. Saving puts it into the open assessment as a
new version (:func:`hiap.ui.store.apply_edit`), which never overwrites another session's work.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from hiap.errors import HiapError, SchemeError
from hiap.schemes.drawn import (
    DRAW_TOOLS,
    layer_from_drawings,
    proposal_layers_geojson,
    read_drawn_proposal,
    with_layer,
)
from hiap.schemes.proposal import (
    FACILITY_TYPES,
    GREENSPACE_TYPES,
    LAYERS,
    PATH_TYPES,
    Proposal,
)
from hiap.settings import Settings
from hiap.ui.maps import st_folium
from hiap.ui.state import current_scheme
from hiap.ui.text import plain, problem_list
from hiap.viz.proposal_maps import proposal_draw_map

__all__ = [
    "DRAFT_KEY",
    "DRAWN_KEY",
    "draw_proposal",
    "edit_on_the_map",
    "saved_proposal",
]

DRAFT_KEY = "hiap.proposal_draft"
"""Session key of the drawn proposal (layer -> FeatureCollection), always valid."""

DRAWN_KEY = "hiap.proposal_drawn"
"""Session key of the shapes drawn on the map and not yet added: ``{layer: [features]}``."""

_ROUND_KEY = "hiap.proposal_draw_round"
_COUNTY_WGS84 = (-0.5, 52.0, 0.5, 52.75)  # Cambridgeshire and Peterborough, before a site

LAYER_LABELS = {
    "boundary": "Site boundary",
    "homes": "Homes (parcels or points)",
    "paths": "Paths and streets",
    "greenspace": "Greenspace",
    "facilities": "Facilities (GP, schools, shops...)",
    "bus_stops": "Bus stops",
    "bus_route": "Bus route",
}


def _attributes(layer: str) -> dict[str, object]:
    """Ask for the attributes of the shapes about to be added to ``layer``."""
    values: dict[str, object] = {}
    key = f"proposal-draw-{layer}"
    cols = st.columns(3)
    if layer == "boundary":
        values["name"] = cols[0].text_input("Scheme name", key=f"{key}-name")
        return values
    if layer in ("paths", "greenspace", "facilities"):
        choices = {"paths": PATH_TYPES, "greenspace": GREENSPACE_TYPES, "facilities": FACILITY_TYPES}[layer]
        values["type"] = cols[0].selectbox(
            "Type", choices, key=f"{key}-type", format_func=lambda v: v.replace("_", " ")
        )
    if layer == "homes":
        values["dwellings"] = cols[0].number_input(
            "Dwellings in each shape", min_value=1, max_value=100_000, value=100, step=10,
            key=f"{key}-dwellings",
        )
    if layer in ("greenspace", "facilities", "bus_stops", "bus_route", "homes"):
        values["name"] = cols[1].text_input("Name (optional)", key=f"{key}-name")
    if layer == "bus_route":
        values["headway_min"] = cols[0].number_input(
            "Minutes between buses (optional)", min_value=1.0, max_value=240.0, value=None,
            key=f"{key}-headway",
        )
        times = st.columns(3)
        values["first_bus"] = times[0].text_input("First bus, HH:MM (optional)", key=f"{key}-first")
        values["last_bus"] = times[1].text_input("Last bus, HH:MM (optional)", key=f"{key}-last")
        return values
    values["phase"] = cols[2].number_input(
        "Phase (optional)", min_value=1, max_value=100, value=None, step=1, key=f"{key}-phase"
    )
    if layer == "homes":
        values["year"] = st.number_input(
            "Year finished (optional)", min_value=1980, max_value=2100, value=None, step=1,
            key=f"{key}-year",
        )
    if layer == "facilities":
        values["opening_year"] = st.number_input(
            "Opening year (optional)", min_value=1980, max_value=2100, value=None, step=1,
            key=f"{key}-opening",
        )
    return values


def _show_problems(error: HiapError, *, lead: str = "Not added: the proposal would not pass the checks") -> None:
    problems = getattr(error, "problems", None) or [str(error)]
    st.error(problem_list(lead, problems))


def _use_scheme_boundary(draft: dict[str, Any]) -> None:
    scheme = current_scheme()
    if scheme is None or scheme.boundary is None or "boundary" in draft:
        return
    if st.button(f"Start from the boundary of {plain(scheme.name)}"):
        boundary = scheme.boundary.to_crs(4326)
        collection = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": scheme.name}, "geometry": g.__geo_interface__}
                for g in boundary.geometry
            ],
        }
        st.session_state[DRAFT_KEY] = with_layer(draft, "boundary", collection)
        st.rerun()


def draw_proposal(settings: Settings) -> Proposal | None:
    """Draw a proposal layer by layer; return it once it has a boundary.

    Parameters
    ----------
    settings
        Supplies the upload limits the drawn layers are checked against.

    Returns
    -------
    Proposal or None
        The drawn proposal (validated as an upload is), or ``None`` before a boundary.
    """
    draft: dict[str, Any] = st.session_state.setdefault(DRAFT_KEY, {})
    proposal: Proposal | None = None
    if draft:
        try:
            proposal = read_drawn_proposal(draft, settings=settings)
        except HiapError as error:  # the draft is kept valid; this is a safeguard
            _show_problems(error, lead="The drawing cannot be read")
    _use_scheme_boundary(draft)
    layer = st.radio(
        "Layer to draw", LAYERS, format_func=LAYER_LABELS.__getitem__, horizontal=True,
        key="proposal-draw-layer",
    )
    tools = DRAW_TOOLS[layer]
    st.caption(
        "Draw with the tools on the map's left ("
        + ", ".join(t.replace("polyline", "line") for t in tools)
        + "); finish a line or shape by clicking its last point again. Give the attributes "
        "below, then add the shapes to the layer. "
        + ("A new boundary replaces the old one." if layer == "boundary" else "")
    )
    bounds = (
        tuple(float(v) for v in proposal.layer("boundary").to_crs(4326).total_bounds)
        if proposal is not None
        else _COUNTY_WGS84
    )
    round_ = int(st.session_state.get(_ROUND_KEY, 0))
    returned = st_folium(
        proposal_draw_map(bounds, proposal, tools=tools),  # type: ignore[arg-type]
        height=480, use_container_width=True, returned_objects=["all_drawings"],
        key=f"proposal-draw-map-{layer}-{round_}",
    )
    drawings = (returned or {}).get("all_drawings") if isinstance(returned, dict) else None
    if isinstance(drawings, list) and drawings:
        st.session_state[DRAWN_KEY] = {layer: drawings}
    pending = st.session_state.get(DRAWN_KEY, {}).get(layer, [])
    st.write(f"{len(pending)} shape(s) drawn and not yet added to {LAYER_LABELS[layer].lower()}.")
    attributes = _attributes(layer)
    if st.button(f"Add the drawn shapes to {LAYER_LABELS[layer].lower()}", disabled=not pending):
        try:
            candidate = with_layer(draft, layer, layer_from_drawings(layer, pending, attributes))
            read_drawn_proposal(candidate, settings=settings)
        except SchemeError as error:
            _show_problems(error)
        else:
            st.session_state[DRAFT_KEY] = candidate
            st.session_state.pop(DRAWN_KEY, None)
            st.session_state[_ROUND_KEY] = round_ + 1  # a fresh map: the added shapes are drawn as layers
            st.rerun()
    if draft:
        counts = {LAYER_LABELS[name]: len(fc["features"]) for name, fc in draft.items()}
        st.caption(
            "Drawn so far: " + "; ".join(f"{k}: {v}" for k, v in counts.items()) + ". The "
            "drawing lasts as long as this browser session: save it with the assessment "
            "(below) to keep it."
        )
        cols = st.columns(2)
        remove = cols[0].selectbox(
            "Remove a layer", list(draft), index=None, format_func=LAYER_LABELS.__getitem__,
            placeholder="Choose a layer to remove", key="proposal-draw-remove",
        )
        if cols[1].button("Remove it", disabled=remove is None):
            st.session_state[DRAFT_KEY] = {k: v for k, v in draft.items() if k != remove}
            st.rerun()
    return proposal


def edit_on_the_map(proposal: Proposal) -> None:
    """Offer to copy a proposal (sample, upload or saved) into the drawing, to change it."""
    if st.button("Edit this proposal on the map", help="Copies its layers to 'Draw on the map'."):
        st.session_state[DRAFT_KEY] = proposal_layers_geojson(proposal)
        st.session_state.pop(DRAWN_KEY, None)
        st.success("Copied: choose 'Draw on the map' to change it.")


def saved_proposal(assessment: Any, settings: Settings) -> Proposal | None:
    """Return the proposal saved with an assessment, read as an upload is (``None`` if none).

    Parameters
    ----------
    assessment
        The open assessment (:class:`hiap.assessment.Assessment`) or ``None``.
    settings
        Supplies the upload limits.

    Returns
    -------
    Proposal or None
        The saved proposal; a problem reading it is shown, never raised.
    """
    layers = getattr(assessment, "proposal", None)
    if not layers:
        return None
    try:
        return read_drawn_proposal(layers, settings=settings)
    except HiapError as error:
        _show_problems(error, lead="The proposal saved with this assessment cannot be read")
        return None
