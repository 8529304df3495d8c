"""A scheme proposal: the masterplan's layers, read safely and validated once.

A proposal says what a scheme will build, so that hiap can assess the scheme rather than the
fields it stands on. Its layers (one GeoPackage with layers of these names, or one file per
layer named after it, e.g. ``homes.geojson``):

==============  ==========  ===================================================================
layer           geometry    attributes
==============  ==========  ===================================================================
``boundary``    polygon     required; ``name`` (optional)
``homes``       point or    ``dwellings`` (required, whole number > 0); ``phase``, ``year``
                polygon
``paths``       line        ``type``: street, footpath, cycleway, shared_path, bridleway;
                            ``phase``
``greenspace``  polygon     ``type``: park, play, allotment, natural; ``name``; ``phase``
``facilities``  point       ``type``: gp, health_centre, pharmacy, primary_school,
                            secondary_school, shop, community_centre, sports; ``name``;
                            ``phase``, ``opening_year``; ``list_size`` (GP patients, optional)
``bus_stops``   point       ``name``; ``phase``
``bus_route``   line        ``name``; ``headway_min``; ``first_bus``, ``last_bus`` (``HH:MM``)
==============  ==========  ===================================================================

Only ``boundary`` is required. :func:`read_proposal` reads a GeoPackage,
:func:`read_proposal_files` one file per layer; both go through the hardened readers of
:mod:`hiap.schemes.readers` and report every problem of every layer together.
:func:`template_gpkg` returns an empty GeoPackage with every layer and column, to fill in a GIS.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from hiap.errors import SchemeError
from hiap.gdal_safety import guard_gdal
from hiap.schemes.models import (
    BNG_EPSG,
    MAX_PHASING_YEAR,
    MIN_PHASING_YEAR,
    Scheme,
)
from hiap.schemes.readers import RawScheme, SourceLike, read_layers, read_raw
from hiap.schemes.samples import SAMPLE_SCHEMES_DIR
from hiap.schemes.validate import (
    _crs_problem,
    _location_problems,
    _repair_polygons,
    _split_by_type,
    validate_scheme,
)
from hiap.settings import Settings

__all__ = [
    "FACILITY_TYPES",
    "GREENSPACE_TYPES",
    "LAYERS",
    "PATH_TYPES",
    "SAMPLE_PROPOSALS_DIR",
    "Proposal",
    "check_layer_name",
    "list_sample_proposals",
    "load_proposal",
    "read_proposal",
    "read_proposal_files",
    "template_gpkg",
    "validate_proposal",
]

SAMPLE_PROPOSALS_DIR = SAMPLE_SCHEMES_DIR / "proposals"
"""Sample proposals drawn by the team, one folder of per-layer GeoJSON files each."""

_LAYER_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".kmz")

PATH_TYPES = ("street", "footpath", "cycleway", "shared_path", "bridleway")
"""Proposed link types; all are walkable (UK cycleways are shared unless segregated)."""

GREENSPACE_TYPES = ("park", "play", "allotment", "natural")

FACILITY_TYPES = (
    "gp",
    "health_centre",
    "pharmacy",
    "primary_school",
    "secondary_school",
    "shop",
    "community_centre",
    "sports",
)

_GEOMETRY = {
    "boundary": ("poly",),
    "homes": ("point", "poly"),
    "paths": ("line",),
    "greenspace": ("poly",),
    "facilities": ("point", "poly"),
    "bus_stops": ("point",),
    "bus_route": ("line",),
}
LAYERS: tuple[str, ...] = tuple(_GEOMETRY)
_PHASED = ("homes", "paths", "greenspace", "facilities", "bus_stops")  # layers with a 'phase'
"""The layer names a proposal may hold, ``boundary`` first."""


def check_layer_name(layer: str) -> None:
    """Check that ``layer`` names a proposal layer (one of :data:`LAYERS`).

    Parameters
    ----------
    layer
        The layer name asked for (a drawn layer, or one a caller reads).

    Raises
    ------
    SchemeError
        When it is not a proposal layer; the message lists the layers.
    """
    if layer not in LAYERS:
        raise SchemeError(f"No proposal layer '{layer}'; the layers are {', '.join(LAYERS)}.")

_TYPES: dict[str, tuple[str, ...]] = {
    "paths": PATH_TYPES,
    "greenspace": GREENSPACE_TYPES,
    "facilities": FACILITY_TYPES,
}
_SYNONYMS = {
    "doctor": "gp",
    "doctors": "gp",
    "gp_surgery": "gp",
    "surgery": "gp",
    "health_and_wellbeing_hub": "health_centre",
    "health_hub": "health_centre",
    "footway": "footpath",
    "path": "footpath",
    "cycle_path": "cycleway",
    "shared": "shared_path",
    "shared_use": "shared_path",
    "road": "street",
    "playground": "play",
    "allotments": "allotment",
    "nature": "natural",
    "primary": "primary_school",
    "secondary": "secondary_school",
    "supermarket": "shop",
    "community": "community_centre",
    "sport": "sports",
}
_KIND_LABEL = {"poly": "polygons", "line": "lines", "point": "points"}
_COLUMNS: dict[str, dict[str, str]] = {
    "boundary": {"name": "str"},
    "homes": {"dwellings": "int32", "phase": "int32", "year": "int32", "name": "str"},
    "paths": {"type": "str", "phase": "int32", "name": "str"},
    "greenspace": {"type": "str", "phase": "int32", "name": "str"},
    "facilities": {
        "type": "str",
        "name": "str",
        "phase": "int32",
        "opening_year": "int32",
        "list_size": "int32",
    },
    "bus_stops": {"name": "str", "phase": "int32"},
    "bus_route": {"name": "str", "headway_min": "float64", "first_bus": "str", "last_bus": "str"},
}


def _empty(layer: str) -> gpd.GeoDataFrame:
    cols = {
        c: pd.Series([], dtype="object" if t == "str" else "float64")
        for c, t in _COLUMNS[layer].items()
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=BNG_EPSG), crs=BNG_EPSG)


@dataclass(frozen=True)
class Proposal:
    """A validated scheme proposal, every layer in British National Grid (EPSG:27700).

    Parameters
    ----------
    scheme
        The site (the ``boundary`` layer) as a housing scheme; its ``dwellings`` are the sum of
        the ``homes`` layer when there is one.
    homes, paths, greenspace, facilities, bus_stops, bus_route
        The layers (empty frames when not given). ``type`` values are canonical
        (:data:`PATH_TYPES`, :data:`GREENSPACE_TYPES`, :data:`FACILITY_TYPES`); ``phase`` is a
        whole number or missing.
    notes
        What was repaired, ignored or assumed, for the user.
    source_name
        The file (or files) read.

    Notes
    -----
    Treat the frames as read-only: the app shares one proposal between pages.
    """

    scheme: Scheme
    homes: gpd.GeoDataFrame = field(default_factory=lambda: _empty("homes"))
    paths: gpd.GeoDataFrame = field(default_factory=lambda: _empty("paths"))
    greenspace: gpd.GeoDataFrame = field(default_factory=lambda: _empty("greenspace"))
    facilities: gpd.GeoDataFrame = field(default_factory=lambda: _empty("facilities"))
    bus_stops: gpd.GeoDataFrame = field(default_factory=lambda: _empty("bus_stops"))
    bus_route: gpd.GeoDataFrame = field(default_factory=lambda: _empty("bus_route"))
    notes: tuple[str, ...] = ()
    source_name: str = ""

    @property
    def name(self) -> str:
        """The scheme's name."""
        return self.scheme.name

    @property
    def dwellings(self) -> int:
        """Dwellings in the ``homes`` layer (0 when it is not given)."""
        return int(self.homes["dwellings"].sum()) if not self.homes.empty else 0

    @property
    def phases(self) -> tuple[int, ...]:
        """The phases named in any layer, in order (empty when none is)."""
        found: set[int] = set()
        for layer in LAYERS[1:]:
            frame = self.layer(layer)
            if "phase" in frame and not frame.empty:
                found.update(int(p) for p in frame["phase"].dropna())
        return tuple(sorted(found))

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return a layer by name (``boundary`` is the scheme's boundary).

        Raises
        ------
        SchemeError
            When ``name`` is not a proposal layer (:func:`check_layer_name`).
        """
        check_layer_name(name)
        if name == "boundary":
            boundary = self.scheme.boundary
            return boundary if boundary is not None else _empty("boundary")
        frame: gpd.GeoDataFrame = getattr(self, name)
        return frame

    def counts(self) -> dict[str, int]:
        """Return the number of features in each layer."""
        return {name: len(self.layer(name)) for name in LAYERS}

    @property
    def years(self) -> tuple[int, ...]:
        """The years homes are finished (``year``) or facilities open (``opening_year``), in order."""
        found: set[int] = set()
        for frame, column in ((self.homes, "year"), (self.facilities, "opening_year")):
            if column in frame and not frame.empty:
                found.update(int(y) for y in frame[column].dropna())
        return tuple(sorted(found))

    def upto_year(self, year: int) -> Proposal:
        """Return the proposal as built and open by the end of ``year``.

        Homes count from their ``year`` and facilities from their ``opening_year``: a GP or
        school counts only once open. A feature without a year follows its ``phase``: a
        phase is built by ``year`` once any of its homes are (the homes layer dates the
        phases); a feature with neither year nor phase comes with the first homes.

        Parameters
        ----------
        year
            The last year built.

        Returns
        -------
        Proposal
            The same proposal with later features left out, dwellings summed again.
        """
        homes = self.homes
        dated = homes["year"] if "year" in homes else pd.Series(np.nan, index=homes.index)
        phased = homes["phase"] if "phase" in homes else pd.Series(np.nan, index=homes.index)
        # The last phase started by then: the phase of any home finished by that year.
        started = phased[dated.notna() & (dated <= year)].dropna()
        last_phase = float(started.max()) if not started.empty else (1.0 if (dated <= year).any() else 0.0)

        def built(frame: gpd.GeoDataFrame, column: str | None) -> gpd.GeoDataFrame:
            if frame.empty:
                return frame
            when = frame[column] if column and column in frame else pd.Series(np.nan, index=frame.index)
            phase = frame["phase"] if "phase" in frame else pd.Series(np.nan, index=frame.index)
            by_phase = phase.isna() & (last_phase >= 1) | (phase <= last_phase)
            keep = (when.notna() & (when <= year)) | (when.isna() & by_phase)
            return frame[keep].reset_index(drop=True)

        columns = {"homes": "year", "facilities": "opening_year"}
        return self._built(f"by {year}", lambda name, frame: built(frame, columns.get(name)))

    def upto(self, phase: int) -> Proposal:
        """Return the proposal as built to the end of ``phase``.

        Features with no phase are taken to come with the first phase.

        Parameters
        ----------
        phase
            The last phase built.

        Returns
        -------
        Proposal
            The same proposal with later features left out, dwellings summed again.
        """

        def built(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            if "phase" not in frame or frame.empty:
                return frame
            return frame[frame["phase"].isna() | (frame["phase"] <= phase)].reset_index(drop=True)

        return self._built(f"to phase {phase}", lambda _name, frame: built(frame))

    def _built(
        self, label: str, built: Callable[[str, gpd.GeoDataFrame], gpd.GeoDataFrame]
    ) -> Proposal:
        """Return the proposal with each phased layer filtered by ``built(name, frame)``."""
        layers = {name: built(name, self.layer(name)) for name in _PHASED}
        homes = layers["homes"]
        dwellings = int(homes["dwellings"].sum()) if not homes.empty else None
        meta = self.scheme.metadata.model_copy(
            update={"dwellings": dwellings, "name": f"{self.scheme.name} ({label})"}
        )
        return replace(self, scheme=replace(self.scheme, metadata=meta), **layers)


def read_proposal(
    source: SourceLike,
    *,
    settings: Settings,
    filename: str | None = None,
    name: str | None = None,
) -> Proposal:
    """Read and validate a proposal GeoPackage (layers named as in :data:`LAYERS`).

    Parameters
    ----------
    source
        Path to a ``.gpkg`` file, or its uploaded bytes.
    settings
        Supplies the upload limits.
    filename
        The upload's name (required with bytes).
    name
        The scheme's name (default: the boundary's ``name``, else the file name).

    Returns
    -------
    Proposal
        Every layer checked and in EPSG:27700.

    Raises
    ------
    SchemeError
        Listing every problem of every layer, each with its remedy.
    """
    raws = read_layers(source, settings=settings, filename=filename)
    return validate_proposal(raws, name=name)


def read_proposal_files(
    files: Mapping[str, SourceLike], *, settings: Settings, name: str | None = None
) -> Proposal:
    """Read and validate a proposal given as one file per layer.

    Parameters
    ----------
    files
        File name -> path or uploaded bytes; the name's stem is the layer
        (``homes.geojson`` holds the homes). Any format :func:`hiap.schemes.read_scheme`
        reads.
    settings
        Supplies the upload limits.
    name
        The scheme's name.

    Returns
    -------
    Proposal
        Every layer checked and in EPSG:27700.

    Raises
    ------
    SchemeError
        Listing every problem of every layer, each with its remedy.
    """
    raws: dict[str, RawScheme] = {}
    for filename, source in files.items():
        layer = PurePosixPath(filename.replace("\\", "/")).stem.lower()
        raws[layer] = read_raw(source, settings=settings, filename=PurePosixPath(filename).name)
    return validate_proposal(raws, name=name)


def load_proposal(argument: str | Path, *, settings: Settings) -> Proposal:
    """Read a proposal from a GeoPackage, a folder of per-layer files, or a sample's id.

    Parameters
    ----------
    argument
        A ``.gpkg`` path; a folder holding ``boundary.geojson``, ``homes.geojson``...; or the
        id of a sample proposal (:func:`list_sample_proposals`).
    settings
        Supplies the upload limits.

    Returns
    -------
    Proposal
        The validated proposal.

    Raises
    ------
    SchemeError
        When nothing of that name exists, or the proposal has problems.
    """
    path = Path(argument)
    if not path.exists() and (SAMPLE_PROPOSALS_DIR / str(argument)).is_dir():
        path = SAMPLE_PROPOSALS_DIR / str(argument)
    if path.is_dir():
        files = {f.name: f for f in sorted(path.iterdir()) if f.suffix.lower() in _LAYER_SUFFIXES}
        if not files:
            raise SchemeError(
                f"The folder holds no layer files; name them after the layers ({', '.join(LAYERS)}), "
                "e.g. boundary.geojson and homes.geojson.",
                source=path.name,
            )
        return read_proposal_files(files, settings=settings)
    if not path.is_file():
        samples = ", ".join(list_sample_proposals()) or "none"
        raise SchemeError(
            f"No proposal file, folder or sample named '{argument}'. Give a GeoPackage "
            f"(`hiap scheme template` writes one to fill in) or a sample: {samples}.",
            source=str(argument),
        )
    return read_proposal(path, settings=settings)


def list_sample_proposals() -> list[str]:
    """Return the ids of the sample proposals (folders of :data:`SAMPLE_PROPOSALS_DIR`)."""
    if not SAMPLE_PROPOSALS_DIR.is_dir():
        return []
    return sorted(d.name for d in SAMPLE_PROPOSALS_DIR.iterdir() if (d / "boundary.geojson").is_file())


def validate_proposal(raws: Mapping[str, RawScheme], *, name: str | None = None) -> Proposal:
    """Check every layer of a proposal and build the :class:`Proposal`.

    Parameters
    ----------
    raws
        Layers as read (layer name -> :class:`RawScheme`).
    name
        The scheme's name.

    Returns
    -------
    Proposal
        The validated proposal.

    Raises
    ------
    SchemeError
        Listing every problem of every layer (each prefixed with its layer), with remedies.
    """
    source = ", ".join(dict.fromkeys(raw.source_name for raw in raws.values())) or "proposal"
    notes: list[str] = []
    problems: list[str] = []
    unknown = [layer for layer in raws if layer not in LAYERS]
    if unknown:
        notes.append(
            f"Layer(s) {', '.join(unknown)} ignored: a proposal's layers are {', '.join(LAYERS)}."
        )
    if "boundary" not in raws:
        raise SchemeError(
            f"The proposal has no 'boundary' layer (it has: {', '.join(raws) or 'none'}). Add "
            "the site outline as a polygon layer named 'boundary' (`hiap scheme template` "
            "writes an empty GeoPackage with every layer).",
            source=source,
        )
    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer in LAYERS[1:]:
        if layer in raws:
            frame = _check_layer(layer, raws[layer], notes, problems)
            if frame is not None:
                layers[layer] = frame
    dwellings = int(layers["homes"]["dwellings"].sum()) if "homes" in layers else None
    meta: dict[str, Any] = {"kind": "housing"}
    if name:
        meta["name"] = name
    if dwellings:
        meta["dwellings"] = dwellings
    scheme: Scheme | None = None
    try:
        scheme = validate_scheme(raws["boundary"], kind="housing", metadata=meta)
    except SchemeError as exc:
        problems.extend(f"Layer 'boundary': {p}" for p in exc.problems)
    if problems or scheme is None:
        raise SchemeError(problems, source=source)
    site = (
        shapely.union_all(scheme.boundary.geometry.to_numpy())
        if scheme.boundary is not None
        else None
    )
    if site is not None and "homes" in layers:
        outside = ~layers["homes"].geometry.representative_point().within(site.buffer(1.0))
        if outside.any():
            notes.append(
                f"{int(outside.sum())} feature(s) of 'homes' lie outside the boundary; they "
                "are assessed where drawn."
            )
    if "homes" not in layers:
        notes.append(
            "No 'homes' layer: homes are assessed on a regular grid of points over the site, "
            "each an equal share of the homes."
        )
    return Proposal(
        scheme=scheme,
        notes=tuple([*notes, *scheme.notes]),
        source_name=source,
        **layers,
    )


def _check_layer(
    layer: str, raw: RawScheme, notes: list[str], problems: list[str]
) -> gpd.GeoDataFrame | None:
    """Validate one non-boundary layer; append its problems (prefixed) and notes."""
    where = f"Layer '{layer}'"
    local: list[str] = []
    frame = raw.frame
    if frame.empty:
        notes.append(f"{where} is empty and was ignored.")
        return None
    frame = frame.rename(
        columns={c: c.strip().lower() for c in frame.columns if isinstance(c, str)}
    )
    layer_notes: list[str] = []
    polys, lines, points = _split_by_type(frame, layer_notes)
    parts = {"poly": polys, "line": lines, "point": points}
    allowed = _GEOMETRY[layer]
    wrong = [k for k in parts if k not in allowed and not parts[k].empty]
    if wrong:
        local.append(
            f"holds {', '.join(f'{len(parts[k])} {_KIND_LABEL[k]}' for k in wrong)}, but it "
            f"takes {' or '.join(_KIND_LABEL[k] for k in allowed)} only; move those features "
            "to the right layer."
        )
    kept = [parts[k] for k in allowed if not parts[k].empty]
    if not kept:
        problems.extend(f"{where} {p}" for p in local or ["has no usable geometry; redraw it."])
        return None
    out = gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs=frame.crs)
    out = _repair_polygons(out, layer_notes, local) if "poly" in allowed else out
    if frame.crs is None:
        local.append(_crs_problem(raw))
    else:
        located = _location_problems(raw, out.geometry)
        local.extend(located)
        if not located:
            out = out.to_crs(BNG_EPSG)
    local.extend(_attribute_problems(layer, out, layer_notes))
    notes.extend(f"{where}: {n}" for n in layer_notes)
    if local:
        problems.extend(f"{where}: {p}" for p in local)
        return None
    keep_cols = [c for c in _COLUMNS[layer] if c in out.columns]
    return gpd.GeoDataFrame(out[[*keep_cols, "geometry"]], geometry="geometry", crs=BNG_EPSG)


def _whole_numbers(
    frame: gpd.GeoDataFrame, column: str, *, low: float, high: float, required: bool
) -> tuple[pd.Series, list[str]]:
    """Parse a column of whole numbers in [low, high]; return it and the rows that fail."""
    if column not in frame:
        return pd.Series([np.nan] * len(frame), index=frame.index), (
            ["all rows (no such column)"] if required else []
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad: list[str] = []
    for pos, (raw, val) in enumerate(zip(frame[column], values, strict=True)):
        missing = raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == ""
        if missing:
            if required:
                bad.append(f"row {pos + 1} (empty)")
            continue
        if not (math.isfinite(val) and float(val).is_integer() and low <= val <= high):
            bad.append(f"row {pos + 1} ({raw!r})")
    return values, bad


def _attribute_problems(layer: str, frame: gpd.GeoDataFrame, notes: list[str]) -> list[str]:
    """Check and normalise a layer's attributes in place; return the problems."""
    problems: list[str] = []

    def check(column: str, low: float, high: float, required: bool, what: str) -> None:
        values, bad = _whole_numbers(frame, column, low=low, high=high, required=required)
        if bad:
            problems.append(
                f"'{column}' must be {what}; {len(bad)} row(s) are not: "
                f"{', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}."
            )
        frame[column] = values

    if layer == "homes":
        check("dwellings", 1, 100_000, True, "a whole number of dwellings (1 or more)")
        check(
            "year",
            MIN_PHASING_YEAR,
            MAX_PHASING_YEAR,
            False,
            f"a year {MIN_PHASING_YEAR}-{MAX_PHASING_YEAR}",
        )
    if layer == "facilities":
        check("opening_year", MIN_PHASING_YEAR, MAX_PHASING_YEAR, False, "a year")
        check("list_size", 1, 200_000, False, "a whole number of registered patients")
    if layer != "bus_route" and layer != "boundary":
        check("phase", 1, 100, False, "a whole number from 1 (the first phase)")
    if layer == "bus_route" and "headway_min" in frame:
        head = pd.to_numeric(frame["headway_min"], errors="coerce")
        if ((head <= 0) | (head > 240)).any():
            problems.append("'headway_min' must be minutes between buses, from 1 to 240.")
        frame["headway_min"] = head
    if layer == "bus_route":
        for column in ("first_bus", "last_bus"):
            if column not in frame:
                continue
            text = frame[column].map(lambda v: "" if v is None or v != v else str(v).strip())
            bad = [f"row {i + 1} ({v!r})" for i, v in enumerate(text) if v and not _is_hhmm(v)]
            if bad:
                problems.append(
                    f"'{column}' must be a time of day as HH:MM (e.g. 06:30); "
                    f"{len(bad)} row(s) are not: {', '.join(bad[:5])}."
                )
            frame[column] = text
        if {"first_bus", "last_bus"} <= set(frame.columns):
            late = [
                f"row {i + 1}"
                for i, (a, b) in enumerate(zip(frame["first_bus"], frame["last_bus"], strict=True))
                if _is_hhmm(a) and _is_hhmm(b) and _minutes(b) < _minutes(a)
            ]
            if late:
                problems.append(f"'last_bus' is before 'first_bus' in {', '.join(late[:5])}.")
    if layer in _TYPES:
        allowed = _TYPES[layer]
        if "type" not in frame:
            problems.append(
                f"has no 'type' column; add one saying for each feature one of: {', '.join(allowed)}."
            )
            return problems
        canon = [_canonical(v) for v in frame["type"]]
        bad = [
            f"row {i + 1} ({v!r})"
            for i, (v, c) in enumerate(zip(frame["type"], canon, strict=True))
            if c not in allowed
        ]
        if bad:
            problems.append(
                f"'type' must be one of {', '.join(allowed)}; {len(bad)} row(s) are not: "
                f"{', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}."
            )
        frame["type"] = canon
    if "name" in frame:
        frame["name"] = frame["name"].astype("object").where(frame["name"].notna(), "")
        frame["name"] = frame["name"].map(lambda v: str(v)[:200])
    return problems


def _is_hhmm(text: str) -> bool:
    parts = text.split(":")
    return (
        len(parts) == 2
        and parts[0].isdigit()
        and len(parts[0]) in (1, 2)
        and parts[1].isdigit()
        and len(parts[1]) == 2
        and int(parts[0]) < 24
        and int(parts[1]) < 60
    )


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _canonical(value: object) -> str:
    text = str(value if value is not None else "").strip().lower()
    text = "_".join(text.replace("-", " ").replace("&", "and").split())
    return _SYNONYMS.get(text, text)


def template_gpkg() -> bytes:
    """Return an empty proposal GeoPackage: every layer, its geometry and its columns.

    Returns
    -------
    bytes
        A GeoPackage (EPSG:27700) with one empty layer per entry of :data:`LAYERS`.
    """
    geometry_types = {"poly": "MultiPolygon", "line": "MultiLineString", "point": "Point"}
    guard_gdal()
    with tempfile.TemporaryDirectory(prefix="hiap-template-") as tmp:
        path = Path(tmp) / "proposal.gpkg"
        for layer in LAYERS:
            frame = _empty(layer)
            for column, dtype in _COLUMNS[layer].items():
                frame[column] = pd.Series([], dtype="object" if dtype == "str" else dtype)
            # why: homes and facilities may be points or polygons; Unknown lets a GIS hold both
            geom = "Unknown" if len(_GEOMETRY[layer]) > 1 else geometry_types[_GEOMETRY[layer][0]]
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type=geom)
        return path.read_bytes()
