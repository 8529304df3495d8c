"""Access to health services: the one engine every screen and command asks.

Start with :func:`measure_access` and :class:`AccessOptions`; it returns an
:class:`AccessResult` (per-origin times, the nearest destination, bands, indicators, the
parameters and the digests of the data used). :func:`write_access_geopackage` saves one.
The rest are the pieces around it: :func:`resolve_area` (a district or boundary file),
:func:`choose_extract` (the extract covering most of an area, measured on its network),
:func:`load_points` (user point files), :mod:`hiap.access.feeds` (timetables),
:mod:`hiap.access.demo` (the Porto Alegre sample) and :mod:`hiap.access.capacity` (GP
capacity by 2SFCA).
"""

from hiap.access.areas import resolve_area
from hiap.access.engine import (
    DRIVE_ROADS_LABEL,
    AccessOptions,
    AccessResult,
    ModeSummary,
    measure_access,
)
from hiap.access.network import DirectResources, ExtractChoice, Resources, choose_extract
from hiap.access.output import write_access_geopackage
from hiap.access.points import keep_weighted, load_points

__all__ = [
    "DRIVE_ROADS_LABEL",
    "AccessOptions",
    "AccessResult",
    "DirectResources",
    "ExtractChoice",
    "ModeSummary",
    "Resources",
    "choose_extract",
    "keep_weighted",
    "load_points",
    "measure_access",
    "resolve_area",
    "write_access_geopackage",
]
