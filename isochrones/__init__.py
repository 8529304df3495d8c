"""isochrones: walking street networks, travel times and isochrone polygons from local OSM data.

The package knows nothing about health or checklists and never imports hiap. Start with
:func:`build_walk_graph` (OSM extract -> OSMnx-compatible graph, cached), then
:class:`WalkNetwork` (read-only routing arrays) and the functions of
:mod:`isochrones.travel_times`, :mod:`isochrones.polygons` and :mod:`isochrones.access_summary`.
"""

from isochrones.access_summary import origin_access, summarise_access
from isochrones.errors import (
    EmptyNetworkError,
    IsochronesError,
    OsmFileError,
    ProblemsError,
    RoutingInputError,
)
from isochrones.network import (
    BNG_CRS,
    WALK_SPEED_KPH,
    Snapped,
    WalkNetwork,
    build_walk_graph,
)
from isochrones.polygons import DEFAULT_BANDS_MIN, catchments, isochrone_polygons
from isochrones.travel_times import (
    JTS_BANDS_MIN,
    NearestDestination,
    count_within,
    k_nearest,
    nearest_destination,
    od_matrix,
    time_from_sources,
)

__all__ = [
    "BNG_CRS",
    "DEFAULT_BANDS_MIN",
    "JTS_BANDS_MIN",
    "WALK_SPEED_KPH",
    "EmptyNetworkError",
    "IsochronesError",
    "NearestDestination",
    "OsmFileError",
    "ProblemsError",
    "RoutingInputError",
    "Snapped",
    "WalkNetwork",
    "build_walk_graph",
    "catchments",
    "count_within",
    "isochrone_polygons",
    "k_nearest",
    "nearest_destination",
    "od_matrix",
    "origin_access",
    "summarise_access",
    "time_from_sources",
]
