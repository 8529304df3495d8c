"""isochrones: walking and public-transport travel times and isochrones from local data.

The package knows nothing about health or checklists and never imports hiap. The public API,
about ten names (each has numpydoc with an Examples section, run as doctests by
``tests/isochrones/test_api.py``, which also holds a longer example of each):

=============================  ===============================================================
:func:`build_walk_network`     OSM extract -> :class:`WalkNetwork` (pyosmium -> arrays, cached);
                               :func:`build_walk_graph` gives the OSMnx/networkx graph instead
:class:`WalkNetwork`           immutable routing arrays; :meth:`WalkNetwork.snap` attaches points
:func:`nearest_destination`    walking time from every node to its nearest destination
:func:`od_matrix`              walking times origins x destinations
:func:`isochrone_polygons`     nested walking isochrones from one or many points
:func:`load_feed`              a GTFS feed (zip or folder), validated
:func:`build_transit_network`  a feed on a date, linked to the walk network (a
                               :class:`TransitNetwork`)
:func:`window_travel_times`    public transport + walking travel-time matrix (or nearest
                               destination) over a departure window, range-RAPTOR
:class:`Scenario`              edits to a feed (add/remove a route, change a frequency, ...),
                               applied with :func:`apply_scenario`
:class:`IsochronesError`       base of every error (:class:`RoutingInputError`,
                               :class:`OsmFileError`, :class:`EmptyNetworkError`, ...)
=============================  ===============================================================

The public-transport names load on first use (they bring numba and the GTFS reader), so
``import isochrones`` stays light and an entry point can still point numba's cache elsewhere
first.
"""

import importlib
from typing import TYPE_CHECKING, Any

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

_LAZY = {
    "build_walk_network": "isochrones.network_arrays",
    "load_feed": "isochrones.gtfs",
    "TransitNetwork": "isochrones.transit",
    "build_transit_network": "isochrones.transit",
    "window_travel_times": "isochrones.transit",
    "Scenario": "isochrones.scenarios",
    "apply_scenario": "isochrones.scenarios",
}


def __getattr__(name: str) -> Any:
    """Import the public-transport names (and the array builder) on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'isochrones' has no attribute {name!r}")


if TYPE_CHECKING:
    from isochrones.gtfs import load_feed
    from isochrones.network_arrays import build_walk_network
    from isochrones.scenarios import Scenario, apply_scenario
    from isochrones.transit import TransitNetwork, build_transit_network, window_travel_times

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
    "Scenario",
    "Snapped",
    "TransitNetwork",
    "WalkNetwork",
    "apply_scenario",
    "build_transit_network",
    "build_walk_graph",
    "build_walk_network",
    "catchments",
    "count_within",
    "isochrone_polygons",
    "k_nearest",
    "load_feed",
    "nearest_destination",
    "od_matrix",
    "origin_access",
    "summarise_access",
    "time_from_sources",
    "window_travel_times",
]
