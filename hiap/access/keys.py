"""Content digests of everything that changes an access answer (the app's and batch's keys).

A key built from a path or a flag serves a stale or someone else's answer when the file is
replaced or the scheme redrawn; these digests hash content: geometry as WKB, frames cell by
cell, files byte by byte (memoised per path, size and modification time by
:func:`isochrones.cache.file_digest`). Every key is made by :func:`answer_key`, which adds
the code that computes the answer (:func:`code_version`: hiap's version and a digest of the
routing core's and engine's source), so an answer kept from older code is never reused.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.access.options import AccessOptions, options_dict
from hiap.data.registry import DATASETS, find_dataset_files
from hiap.settings import Settings
from isochrones.cache import file_digest, source_digest
from isochrones.scenarios import Scenario

__all__ = [
    "ANSWER_DATASETS",
    "BUS_DATASETS",
    "access_key",
    "answer_key",
    "bus_key",
    "code_version",
    "content_digest",
    "data_digest",
    "files_digest",
    "frame_digest",
    "geometry_digest",
    "report_key",
]

ANSWER_DATASETS = (
    "osm", "gtfs", "txc", "naptan", "gp", "gp_cbpe", "hospitals", "hospitals_cbpe", "postcodes",
    "population", "imd", "lsoa_centroids", "oa_centroids", "districts",
)
"""The data directory's datasets an access run may read (their files are digested)."""

BUS_DATASETS = ("txc", "naptan", "gp", "gp_cbpe", "hospitals", "hospitals_cbpe", "postcodes",
                "population", "imd", "lsoa_centroids", "districts", "osm")
"""What a Buses page run reads: the TransXChange timetables and NaPTAN stops, the
destinations, the LSOA population and deprivation, and the OSM extracts a walk network may
come from (the corridor falls back to straight lines only where none covers it)."""


def geometry_digest(geom: BaseGeometry | None) -> str:
    """SHA-256 of a geometry's 2D WKB (``"none"`` for no geometry)."""
    if geom is None:
        return "none"
    return hashlib.sha256(shapely.to_wkb(geom, output_dimension=2)).hexdigest()


def frame_digest(frame: pd.DataFrame | None) -> str:
    """SHA-256 of a (Geo)DataFrame's CRS, columns, cells and geometry WKB."""
    if frame is None:
        return "none"
    digest = hashlib.sha256()
    if isinstance(frame, gpd.GeoDataFrame):
        digest.update(str(frame.crs).encode())
        for wkb in shapely.to_wkb(frame.geometry.to_numpy(), output_dimension=2):
            digest.update(wkb or b"")
        plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    else:
        plain = frame
    digest.update(json.dumps([str(c) for c in plain.columns]).encode())
    digest.update(pd.util.hash_pandas_object(plain.astype(str), index=True).to_numpy().tobytes())
    return digest.hexdigest()


def files_digest(paths: Sequence[Path] | None) -> str:
    """SHA-256 over the content digests of files (``"auto"`` for none given).

    A folder (a GTFS feed unzipped, a region's TransXChange files) counts as every file in
    it, by relative name and content.
    """
    if paths is None:
        return "auto"
    parts: list[str] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file())
            parts.extend(f"{p.relative_to(path).as_posix()}:{file_digest(p)}" for p in inside)
        else:
            parts.append(file_digest(path))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def data_digest(settings: Settings, names: Sequence[str] = ANSWER_DATASETS) -> str:
    """SHA-256 over the content of the data directory's files of some datasets."""
    parts = []
    for name in names:
        for path in find_dataset_files(DATASETS[name], settings.data_dir):
            parts.append(f"{name}:{path.name}:{file_digest(path)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def code_version() -> dict[str, str]:
    """Return what computes an answer: hiap's version and a digest of the code.

    The digest covers the routing core (``isochrones``: the RAPTOR kernel, walk networks,
    timetables) and hiap's access engine, batch and bus corridor packages, so a change to any
    of them (a kernel fix, a new snapping rule) gives new keys though the version number
    stays the same. Read once per process (and per version and package location): code does
    not change under a running process, and a batch plans hundreds of keys.

    Returns
    -------
    dict
        ``{"hiap": version, "code": SHA-256 of the sources}``.
    """
    import hiap
    import isochrones

    return dict(_code_version(hiap.__version__, str(isochrones.__file__), str(hiap.__file__)))


@functools.lru_cache(maxsize=4)
def _code_version(version: str, isochrones_init: str, hiap_init: str) -> dict[str, str]:
    package = Path(hiap_init).parent
    return {
        "hiap": version,
        "code": source_digest(
            Path(isochrones_init).parent,
            *(package / name for name in ("access", "batch", "corridor")),
        ),
    }


def answer_key(parts: Mapping[str, Any]) -> str:
    """Return the key of an answer: a SHA-256 of its inputs' digests and :func:`code_version`.

    The one key builder: :func:`access_key`, :func:`bus_key`, :func:`report_key`, a batch's
    partitions (:func:`hiap.batch.plan_partitions`) and the app's caches
    (:mod:`hiap.ui.cache`) give it their parts.

    Parameters
    ----------
    parts
        Everything else that changes the answer, JSON-ready (digests, options); values JSON
        cannot hold are written as their text.

    Returns
    -------
    str
        A hex SHA-256.
    """
    body = {"parts": dict(parts), "code_version": code_version()}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def access_key(
    settings: Settings,
    options: AccessOptions,
    *,
    area: BaseGeometry | None = None,
    scheme: gpd.GeoDataFrame | None = None,
    osm_path: Path | None = None,
    feeds: Sequence[Path] | None = None,
    origins: gpd.GeoDataFrame | None = None,
    destinations: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
) -> str:
    """Return the key of one :func:`hiap.access.measure_access` call: equal keys, equal answers.

    Parameters
    ----------
    settings
        Its data directory's files are digested (what the run may read).
    options
        Every option (date, window, step, bands, destinations, buffer...).
    area, scheme, osm_path, feeds, origins, destinations, scenario
        The run's inputs, as passed to :func:`~hiap.access.measure_access`.

    Returns
    -------
    str
        A hex SHA-256.
    """
    parts = {
        "options": options_dict(options),
        "area": geometry_digest(area),
        "scheme": frame_digest(scheme),
        "osm": files_digest([osm_path] if osm_path is not None else None),
        "feeds": files_digest(feeds),
        "origins": frame_digest(origins),
        "destinations": frame_digest(destinations),
        "scenario": scenario.model_dump_json() if scenario is not None else "none",
        "data": data_digest(settings),
        "branches": files_digest(_branch_files(settings)) if options.include_branches else "none",
    }
    return answer_key(parts)


def _branch_files(settings: Settings) -> list[Path]:
    """Return the GP branch surgery files a run with branches may read (not a catalogue dataset)."""
    from hiap.data.gp_branches import BRANCH_PATTERN

    return sorted((settings.data_dir / "health").glob(BRANCH_PATTERN))


def _plain(value: Any) -> Any:
    """Turn dataclasses, mappings and times into JSON-ready data (for a key)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # dates and times: their ISO form


def _update(digest: Any, value: Any, depth: int = 0) -> None:
    """Feed ``value``'s content into a hashlib object (see :func:`content_digest`)."""
    import datetime as dt

    import numpy as np
    from pydantic import BaseModel

    if depth > 12:  # why: evidence objects are a few levels deep; a cycle must not hang a page
        digest.update(b"<deep>")
        return
    digest.update(type(value).__name__.encode())
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        digest.update(repr(value).encode())
    elif isinstance(value, (dt.date, dt.time, dt.datetime)):
        digest.update(value.isoformat().encode())
    elif isinstance(value, Path):
        digest.update(value.name.encode())
    elif isinstance(value, pd.DataFrame):
        digest.update(frame_digest(value).encode())
    elif isinstance(value, pd.Series):
        digest.update(frame_digest(value.to_frame()).encode())
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, BaseGeometry):
        digest.update(geometry_digest(value).encode())
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            digest.update(name.encode())
            _update(digest, getattr(value, name), depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            digest.update(f.name.encode())
            _update(digest, getattr(value, f.name), depth + 1)
    elif isinstance(value, Mapping):
        for key in sorted(value, key=str):
            digest.update(str(key).encode())
            _update(digest, value[key], depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        for item in items:
            _update(digest, item, depth + 1)
    else:  # an object hiap does not know: its public attributes, else its text
        attributes = {k: v for k, v in vars(value).items() if not k.startswith("_")} if hasattr(
            value, "__dict__") else None
        if attributes:
            _update(digest, attributes, depth + 1)
        else:
            digest.update(repr(value).encode())


def content_digest(value: Any) -> str:
    """SHA-256 of a value's content: frames cell by cell, geometry as WKB, models field by field.

    For keys of things derived from session evidence (an access run, a bus ranking, measured
    indicators, a proposal comparison), whose objects are not files: two equal results give
    one digest, and any changed number a new one.

    Parameters
    ----------
    value
        Frames, geometries, dataclasses, pydantic models, mappings, sequences and plain values,
        nested.

    Returns
    -------
    str
        A hex SHA-256.
    """
    digest = hashlib.sha256()
    _update(digest, value)
    return digest.hexdigest()


def report_key(assessment_id: str, version: int, fmt: str, evidence: Mapping[str, Any]) -> str:
    """Return the key of a report prepared in the app: the version, format and its evidence.

    Parameters
    ----------
    assessment_id, version, fmt
        The saved version reported and the file format.
    evidence
        The session's results the report carries (access run, indicators, scenario, proposal
        comparison, bus ranking), digested by content (:func:`content_digest`): evidence
        that arrives or changes after the report was prepared gives a new key.

    Returns
    -------
    str
        A hex SHA-256.
    """
    parts = {
        "what": "report", "assessment": assessment_id, "version": version, "format": fmt,
        "evidence": content_digest(dict(evidence)),
    }
    return answer_key(parts)


def bus_key(settings: Settings, what: str, options: Mapping[str, Any]) -> str:
    """Return the key of one Buses page load or run: equal keys, equal answers.

    Parameters
    ----------
    settings
        Its data directory's timetables, stops, destinations, population and OSM extracts
        (:data:`BUS_DATASETS`) are digested by content, so the same files under another
        folder give the same key and an edited file a new one.
    what
        The computation (``"feed"``, ``"corridor"``, ``"priorities"``, ``"route"``...).
    options
        Everything else that changes the answer: the service day, windows, step, candidates,
        fallback walking settings, a route's line and service (dataclasses are expanded).

    Returns
    -------
    str
        A hex SHA-256.
    """
    parts = {
        "what": what,
        "options": _plain(options),
        "data": data_digest(settings, BUS_DATASETS),
    }
    return answer_key(parts)
