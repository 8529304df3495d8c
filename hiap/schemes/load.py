"""The entry point for scheme files: read safely, then validate once.

Use :func:`read_scheme` for anything a user provides (a path on the command line or bytes
uploaded to the app). It raises :class:`hiap.errors.SchemeError` listing every problem, or
:class:`hiap.errors.UnsafeUploadError` when an upload is refused for safety.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hiap.schemes.models import Scheme, SchemeKind, SchemeMetadata
from hiap.schemes.readers import SourceLike, read_raw
from hiap.schemes.validate import validate_scheme
from hiap.settings import Settings


def read_scheme(
    source: SourceLike,
    *,
    settings: Settings,
    filename: str | None = None,
    kind: SchemeKind | None = None,
    layer: str | None = None,
    name: str | None = None,
    dwellings: int | None = None,
    metadata: SchemeMetadata | Mapping[str, Any] | None = None,
) -> Scheme:
    """Read and validate a scheme boundary or route from a file path or uploaded bytes.

    Parameters
    ----------
    source
        Path to a GeoJSON, GeoPackage, zipped Shapefile, Shapefile (path only), KML or KMZ
        file, or the bytes of an upload.
    settings
        Supplies the upload limits (``max_upload_mb``, ``max_unzipped_mb``, ``max_zip_ratio``).
    filename
        Name of the upload; required with bytes, its suffix picks the reader.
    kind
        ``housing``, ``transport`` or ``mixed``; by default taken from the metadata, else
        inferred from the geometry.
    layer
        The GeoPackage layer (or shapefile in a zip, or KML folder) holding the scheme;
        required when there are several.
    name, dwellings
        Shortcuts for the metadata fields of the same name (they win over ``metadata``).
    metadata
        Further metadata (see :class:`SchemeMetadata`); these win over values found in the
        file's attributes. Unknown fields are rejected.

    Returns
    -------
    Scheme
        The validated scheme, geometry in British National Grid (EPSG:27700).

    Raises
    ------
    UnsafeUploadError
        When an upload is too large, or a crafted zip or KML (zip-slip, zip bomb, entities).
    SchemeError
        When the file cannot be used; ``error.problems`` lists every problem with its remedy.
    """
    if isinstance(metadata, SchemeMetadata):
        values: dict[str, Any] = metadata.model_dump(exclude_unset=True)
    else:
        values = dict(metadata or {})
    if name is not None:
        values["name"] = name
    if dwellings is not None:
        values["dwellings"] = dwellings
    raw = read_raw(source, settings=settings, filename=filename, layer=layer)
    return validate_scheme(raw, kind=kind, metadata=values)
