"""Sample schemes: hand-drawn outlines and real site boundaries from the data directory.

The samples are approximate outlines the hiap team drew from public facts (see
``sample_schemes/README.md``); their metadata sit in each GeoJSON feature's properties. Real
boundaries are read in place from ``<data_dir>/schemes/<collection>/<site>/site.geojson``
(the ActDev layout), never copied.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiap.errors import SchemeError
from hiap.resources import resource_dir
from hiap.schemes.models import SCHEME_KINDS, SampleSchemeInfo, SchemeKind
from hiap.settings import Settings

if TYPE_CHECKING:
    from hiap.schemes.models import Scheme

logger = logging.getLogger(__name__)

SAMPLE_SCHEMES_DIR = resource_dir("sample_schemes")
"""The hand-drawn sample schemes shipped with hiap (:func:`hiap.resources.resource_dir`)."""

ACTDEV_SOURCE = (
    "ActDev (University of Leeds ITS, github cyipt/actdev): site boundary from the hiap data "
    "directory. Census 2011 data OGL v3; OSM-derived layers © OpenStreetMap contributors, ODbL 1.0."
)


def _first_properties(path: Path) -> dict[str, Any]:
    """Properties of a GeoJSON file's first feature (files we ship or the data directory's)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        features = document.get("features") or []
        properties = features[0].get("properties") or {} if features else {}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        logger.warning("Skipping unreadable scheme file %s: %s", path.name, exc)
        return {}
    return properties if isinstance(properties, dict) else {}


def _sample_kind(value: Any) -> SchemeKind:
    text = str(value).lower() if value is not None else ""
    for kind in SCHEME_KINDS:
        if kind == text:
            return kind
    return "housing"


def _actdev_metadata(properties: dict[str, Any], folder: Path) -> dict[str, Any]:
    name = properties.get("full_name") or folder.name.replace("-", " ").title()
    values: dict[str, Any] = {"name": str(name), "kind": "housing", "source": ACTDEV_SOURCE}
    dwellings = properties.get("dwellings_when_complete")
    if isinstance(dwellings, int | float) and dwellings >= 0:
        values["dwellings"] = int(dwellings)
    authority = properties.get("main_local_authority")
    if authority:
        values["description"] = (
            f"Real site boundary of {name} ({authority}) from the ActDev project; completion "
            f"status at ActDev's survey: {properties.get('is_complete', 'unknown')}."
        )
    return values


def list_sample_schemes(
    settings: Settings, *, samples_dir: Path | None = None
) -> list[SampleSchemeInfo]:
    """List the shipped sample schemes and the real site boundaries in the data directory.

    Parameters
    ----------
    settings
        Supplies ``data_dir``, searched for ``schemes/*/*/site.geojson``.
    samples_dir
        Folder of hand-drawn samples (defaults to the project's ``sample_schemes/``).

    Returns
    -------
    list of SampleSchemeInfo
        Samples first (by name), then data-directory sites (by name).
    """
    folder = SAMPLE_SCHEMES_DIR if samples_dir is None else samples_dir
    samples = []
    for path in sorted(folder.glob("*.geojson")) if folder.is_dir() else []:
        properties = _first_properties(path)
        name = str(properties.get("name") or path.stem)
        kind = _sample_kind(properties.get("kind"))
        samples.append(SampleSchemeInfo(path.stem, name, kind, path, "sample"))
    found = []
    schemes_dir = settings.data_dir / "schemes"
    if schemes_dir.is_dir():
        for path in sorted(schemes_dir.glob("*/*/site.geojson")):
            site = path.parent
            properties = _first_properties(path)
            name = str(properties.get("full_name") or site.name.replace("-", " ").title())
            scheme_id = f"{site.parent.name}-{site.name}"
            found.append(SampleSchemeInfo(scheme_id, name, "housing", path, "data directory"))
    return sorted(samples, key=lambda i: i.name) + sorted(found, key=lambda i: i.name)


def load_sample_scheme(
    scheme_id: str, settings: Settings, *, samples_dir: Path | None = None
) -> Scheme:
    """Read and validate one scheme listed by :func:`list_sample_schemes`.

    Parameters
    ----------
    scheme_id
        The ``id`` of a listed scheme (e.g. ``"northstowe"`` or ``"actdev-hampton"``).
    settings
        Supplies the data directory and the read limits.
    samples_dir
        Folder of hand-drawn samples (defaults to the project's ``sample_schemes/``).

    Returns
    -------
    Scheme
        The validated scheme.

    Raises
    ------
    SchemeError
        When no scheme has that id (the message lists the ids), or the file is invalid.
    """
    infos = {info.id: info for info in list_sample_schemes(settings, samples_dir=samples_dir)}
    info = infos.get(scheme_id)
    if info is None:
        raise SchemeError(
            f"No sample scheme '{scheme_id}'. The schemes are: {', '.join(infos) or '(none)'}.",
            source="sample schemes",
        )
    from hiap.schemes.load import read_scheme  # the readers need geopandas: listing does not

    if info.origin == "sample":
        return read_scheme(info.path, settings=settings)
    metadata = _actdev_metadata(_first_properties(info.path), info.path.parent)
    return read_scheme(info.path, settings=settings, kind="housing", metadata=metadata)
