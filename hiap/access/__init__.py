"""Access to health services: hiap's glue around the ``isochrones`` routing package."""

from hiap.access.walk import (
    WalkAccessResult,
    find_osm_extract,
    load_walk_network,
    resolve_area,
    walk_access,
    write_walk_geopackage,
)

__all__ = [
    "WalkAccessResult",
    "find_osm_extract",
    "load_walk_network",
    "resolve_area",
    "walk_access",
    "write_walk_geopackage",
]
