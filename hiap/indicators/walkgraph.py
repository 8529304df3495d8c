"""The walk network as the indicators use it: the routing core's arrays plus junction counts.

The indicators need three things from the walk network: snap points to it, walk distances
between points, and the streets at each junction. The first two are the routing core's
(:class:`isochrones.network.WalkNetwork` edge snapping, used through
:mod:`hiap.indicators.homes`); this module adds the street counts (OSMnx's
``street_count``) and the metres/minutes conversions standards are written in.

Build one with :meth:`WalkGraph.from_graph` (an OSMnx-style graph projected to EPSG:27700,
such as :func:`isochrones.network.build_walk_graph` returns) or :meth:`WalkGraph.from_network`.
Points are joined to the nearest street edge (as every access figure of hiap): the straight
line to the street and the walk along it are walked too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from isochrones.network import WALK_SPEED_KPH, WalkNetwork, kph_to_mps

__all__ = ["WALK_SPEED_KPH", "WalkGraph", "metres_to_minutes", "minutes_to_metres"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def minutes_to_metres(minutes: float, *, speed_kph: float = WALK_SPEED_KPH) -> float:
    """Return the distance walked in ``minutes`` at ``speed_kph``."""
    return minutes * 60.0 * kph_to_mps(speed_kph)


def metres_to_minutes(metres: FloatArray | float, *, speed_kph: float = WALK_SPEED_KPH) -> Any:
    """Return the minutes needed to walk ``metres`` at ``speed_kph``."""
    return np.asarray(metres, dtype=float) / (60.0 * kph_to_mps(speed_kph))


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """A walk network (EPSG:27700) with the number of streets meeting at each node.

    Parameters
    ----------
    network
        The routing core's read-only arrays.
    street_count
        Streets meeting at each node, by node position (dead ends are 1).
    """

    network: WalkNetwork
    street_count: IntArray

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> WalkGraph:
        """Build from an OSMnx-style graph projected to metres (the graph is only read).

        ``street_count`` is read from the nodes when OSMnx (or the routing core) set it, else
        counted as :meth:`from_network` does.
        """
        network = WalkNetwork.from_graph(graph)
        counts = [graph.nodes[int(n)].get("street_count") for n in network.node_ids]
        if all(c is not None for c in counts):
            return cls(network, np.asarray(counts, dtype=np.int64))
        return cls.from_network(network)

    @classmethod
    def from_network(cls, network: WalkNetwork) -> WalkGraph:
        """Build from routing arrays, counting streets per node as OSMnx does.

        OSMnx's ``street_count`` counts the physical street segments at a node: each
        two-way pair of directed edges once, parallel segments (two streets joining the
        same junctions) separately, and a loop twice. The segments are told apart by their
        end nodes and length.
        """
        u = np.asarray(network.edge_u, dtype=np.int64)
        v = np.asarray(network.edge_v, dtype=np.int64)
        length_mm = np.round(np.asarray(network.edge_length_m) * 1000.0).astype(np.int64)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        segments = np.unique(np.column_stack([lo, hi, length_mm]), axis=0)
        counts = np.bincount(segments[:, 0], minlength=network.n_nodes)
        counts += np.bincount(segments[:, 1], minlength=network.n_nodes)
        return cls(network, counts.astype(np.int64))

    @property
    def x_m(self) -> FloatArray:
        """Node eastings."""
        return np.asarray(self.network.x)

    @property
    def y_m(self) -> FloatArray:
        """Node northings."""
        return np.asarray(self.network.y)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self.network.n_nodes

    def snap(self, x_m: FloatArray, y_m: FloatArray) -> tuple[IntArray, FloatArray]:
        """Return the nearest node of each point and the straight-line distance to it."""
        xy = np.column_stack([np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float)])
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        snapped = self.network.snap(xy)
        return snapped.node_index, snapped.distance_m
