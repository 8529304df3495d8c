"""The snapping rule on the real Hampton case: homes beside the A1260 Nene Parkway.

Two output areas of Hampton (population-weighted centroids, ONS 2011, in EPSG:27700) lie beside
the A1260, a trunk dual carriageway. On the 2012 map their own estate roads are not drawn; the
nearest mapped estate paths are 300-350 m away, the carriageway 190-240 m. Attached to the
carriageway they "walk" along it to the next junction; attached to the estate they do not.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely

from hiap.data.health import load_gp_practices
from hiap.settings import Settings
from isochrones import WalkNetwork, build_walk_graph, nearest_destination

# E00079148 and E00079149
HOMES_XY = np.array([[517547.99, 296661.16], [517301.73, 296809.72]])


@pytest.fixture(scope="module")
def graph(hampton_extract: Path, access_settings: Settings) -> nx.MultiDiGraph:
    return build_walk_graph(hampton_extract, cache_dir=access_settings.cache_dir)


def _refs(graph: nx.MultiDiGraph, edges: np.ndarray) -> list[str]:
    keys = list(graph.edges(keys=True))
    return [str(graph.edges[keys[int(e)]].get("ref")) for e in edges]


def test_homes_beside_the_a1260_attach_to_their_estate(
    graph: nx.MultiDiGraph, access_settings: Settings
) -> None:
    net = WalkNetwork.from_graph(graph)
    # the old rule (nearest edge of any kind) put both on the carriageway
    old = net.snap(HOMES_XY, to="edge", fallback_m=0.0)
    assert net.edge_avoided[old.edge_index].all()
    assert _refs(graph, old.edge_index) == ["A1260", "A1260"]
    new = net.snap(HOMES_XY, to="edge", exclude_beyond_m=access_settings.origin_max_snap_m)
    assert not net.edge_avoided[new.edge_index].any()
    assert not new.on_avoided.any() and not new.excluded.any()
    assert (new.offset_m > old.offset_m).all()  # a longer walk to the path, but no detour

    hull = shapely.convex_hull(shapely.multipoints(shapely.points(net.x, net.y)))
    gps = load_gp_practices(access_settings, area=hull.buffer(1000))
    before, _ = nearest_destination(net, net.snap(gps, to="edge", fallback_m=0.0)).for_points(old)
    after, _ = nearest_destination(net, net.snap(gps, to="edge")).for_points(new)
    saved_min = (before - after) / 60.0
    # the detour along the carriageway cost them 6-9 minutes
    assert np.all(saved_min > 5.0), saved_min
