"""Scheme boundaries and routes: read safely, validate once, hold in British National Grid.

Which function to use:

- :func:`read_scheme` for anything a user gives (a path, or bytes uploaded to the app):
  GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ. It applies the upload defences
  (:mod:`hiap.schemes.safety`), validates everything at once (:mod:`hiap.schemes.validate`)
  and returns a :class:`Scheme` whose geometry is in EPSG:27700.
- :func:`list_sample_schemes` and :func:`load_sample_scheme` for the hand-drawn samples in
  ``sample_schemes/`` and the real site boundaries found in the data directory.

Problems raise :class:`hiap.errors.SchemeError` (``.problems`` lists each with its remedy);
refused uploads raise its subclass :class:`hiap.errors.UnsafeUploadError`.
"""

from typing import TYPE_CHECKING, Any

from hiap.schemes.models import (
    BNG_EPSG,
    ENGLAND_PERSONS_PER_DWELLING,
    SCHEME_KINDS,
    SampleSchemeInfo,
    Scheme,
    SchemeKind,
    SchemeMetadata,
    make_metadata,
)
from hiap.schemes.samples import SAMPLE_SCHEMES_DIR, list_sample_schemes, load_sample_scheme

if TYPE_CHECKING:
    from hiap.schemes.load import read_scheme

__all__ = [
    "BNG_EPSG",
    "ENGLAND_PERSONS_PER_DWELLING",
    "SAMPLE_SCHEMES_DIR",
    "SCHEME_KINDS",
    "SampleSchemeInfo",
    "Scheme",
    "SchemeKind",
    "SchemeMetadata",
    "list_sample_schemes",
    "load_sample_scheme",
    "make_metadata",
    "read_scheme",
]


def __getattr__(name: str) -> Any:
    """Import the readers on first use.

    They load shapely and pyproj, which listing the samples does not need.
    """
    if name == "read_scheme":
        from hiap.schemes.load import read_scheme

        return read_scheme
    raise AttributeError(f"module 'hiap.schemes' has no attribute {name!r}")
