"""Access to accessible greenspace: Natural England's ANGSt and the Green Infrastructure Framework.

Standards measured (share of the scheme's home points that meet each):

========================================  =========  ==========  ===================
indicator                                 site size  within      distance measured
========================================  =========  ==========  ===================
``gi_doorstep_05ha_200m_share`` (GIF)     0.5 ha     200 m       along the walk network
``angst_2ha_300m_share`` (ANGSt)          2 ha       300 m       along the walk network
``gi_local_2ha_300m_share`` (GIF)         2 ha       300 m       along the walk network
``gi_neighbourhood_10ha_1km_share`` (GIF) 10 ha      1 km        along the walk network
``angst_20ha_2km_share`` (ANGSt)          20 ha      2 km        straight line
========================================  =========  ==========  ===================

Sources: Natural England, *Nature Nearby: Accessible Natural Greenspace Guidance* (NE265,
2010), ANGSt; Natural England, *Green Infrastructure Framework: Principles and Standards for
England* (2023), Accessible Greenspace Standards. Both are written as distances from home; we
measure the short ones along the walk network, which is what a resident walks. A site's
entrances are not mapped consistently in OSM, so a site is reached at the nearest street node
that lies within 20 m of it, or at the node nearest to any point of its edge (sampled every
25 m) plus the straight line from there to the edge. The 2 km standard is measured in a
straight line from the home point to the site's edge (as ANGSt's own mapping does at that
scale), which overstates access where rivers or railways force detours.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from hiap.indicators.homes import Destinations, Homes, nearest_walk_m, weighted_share
from hiap.indicators.walkgraph import WalkGraph

__all__ = [
    "GREENSPACE_STANDARDS",
    "GreenspaceStandard",
    "greenspace_access",
    "greenspace_distances",
    "greenspace_entries",
]

FloatArray = npt.NDArray[np.float64]

ENTRY_TOLERANCE_M = 20.0
EDGE_SAMPLE_M = 25.0
MAX_EDGE_SNAP_M = 150.0


@dataclass(frozen=True)
class GreenspaceStandard:
    """One size-and-distance standard."""

    id: str
    name: str
    min_area_ha: float
    within_m: float
    along_network: bool
    standard: str


GREENSPACE_STANDARDS: tuple[GreenspaceStandard, ...] = (
    GreenspaceStandard(
        "gi_doorstep_05ha_200m_share",
        "Doorstep greenspace (0.5 ha within 200 m)",
        0.5,
        200.0,
        True,
        "Green Infrastructure Framework doorstep standard (Natural England, 2023)",
    ),
    GreenspaceStandard(
        "angst_2ha_300m_share",
        "ANGSt: 2 ha greenspace within 300 m",
        2.0,
        300.0,
        True,
        "ANGSt (Natural England, Nature Nearby NE265, 2010)",
    ),
    GreenspaceStandard(
        "gi_local_2ha_300m_share",
        "Local greenspace (2 ha within 300 m)",
        2.0,
        300.0,
        True,
        "Green Infrastructure Framework local standard (Natural England, 2023)",
    ),
    GreenspaceStandard(
        "gi_neighbourhood_10ha_1km_share",
        "Neighbourhood greenspace (10 ha within 1 km)",
        10.0,
        1000.0,
        True,
        "Green Infrastructure Framework neighbourhood standard (Natural England, 2023)",
    ),
    GreenspaceStandard(
        "angst_20ha_2km_share",
        "ANGSt: 20 ha greenspace within 2 km",
        20.0,
        2000.0,
        False,
        "ANGSt (Natural England, Nature Nearby NE265, 2010)",
    ),
)


def greenspace_entries(graph: WalkGraph, sites: gpd.GeoDataFrame) -> Destinations:
    """Return the network access points of greenspace sites (see the module notes).

    Parameters
    ----------
    graph
        Walk graph in EPSG:27700.
    sites
        Greenspace polygons in EPSG:27700.

    Returns
    -------
    Destinations
        Nodes within 20 m of a site (offset 0) and nodes nearest to points on each site's
        edge (offset: the straight line to the edge, only where under 150 m).
    """
    if sites.empty:
        return Destinations.at_nodes(graph, np.empty(0, dtype=np.int64), np.empty(0))
    geoms = sites.geometry.to_numpy()
    node_pts = shapely.points(graph.x_m, graph.y_m)
    tree = shapely.STRtree(node_pts)
    hits = tree.query(geoms, predicate="dwithin", distance=ENTRY_TOLERANCE_M)
    inside = np.unique(hits[1])
    edges = shapely.segmentize(shapely.boundary(geoms), EDGE_SAMPLE_M)
    coords = shapely.get_coordinates(edges)
    node, dist = graph.snap(coords[:, 0], coords[:, 1])
    near = dist <= MAX_EDGE_SNAP_M
    nodes = np.concatenate([inside, node[near]]).astype(np.int64)
    offsets = np.concatenate([np.zeros(len(inside)), dist[near]])
    return Destinations.at_nodes(graph, nodes, offsets)


def greenspace_distances(
    graph: WalkGraph,
    homes: Homes,
    greenspace: gpd.GeoDataFrame,
    *,
    standards: tuple[GreenspaceStandard, ...] = GREENSPACE_STANDARDS,
) -> dict[str, FloatArray]:
    """Distance from each home point to the nearest site large enough for each standard.

    Parameters
    ----------
    graph
        Walk graph (EPSG:27700).
    homes
        Home points snapped to ``graph``.
    greenspace
        Accessible greenspace sites with ``area_ha``.
    standards
        The standards to measure.

    Returns
    -------
    dict
        ``{standard id: metres per home point}`` (along the network up to the standard's
        distance, ``inf`` beyond it; in a straight line for the 2 km standard; 0 inside a site).
    """
    out: dict[str, FloatArray] = {}
    home_geoms = homes.points.geometry.to_numpy()
    for std in standards:
        sites = greenspace[greenspace["area_ha"] >= std.min_area_ha]
        if sites.empty:
            out[std.id] = np.full(len(homes), np.inf)
            continue
        if std.along_network:
            entries = greenspace_entries(graph, sites)
            dist = nearest_walk_m(graph, homes, entries, limit_m=std.within_m)
            # A home inside a site has it on the doorstep whatever the network says.
            inside = shapely.STRtree(sites.geometry.to_numpy()).query(
                home_geoms, predicate="intersects"
            )[0]
            dist[np.unique(inside)] = 0.0
        else:
            tree = shapely.STRtree(sites.geometry.to_numpy())
            _, dist = tree.query_nearest(home_geoms, return_distance=True, all_matches=False)
        out[std.id] = np.asarray(dist, dtype=float)
    return out


def greenspace_access(
    graph: WalkGraph,
    homes: Homes,
    greenspace: gpd.GeoDataFrame,
    *,
    standards: tuple[GreenspaceStandard, ...] = GREENSPACE_STANDARDS,
) -> dict[str, float]:
    """Share of home points meeting each greenspace standard.

    Parameters
    ----------
    graph
        Walk graph (EPSG:27700).
    homes
        Home points snapped to ``graph``.
    greenspace
        Accessible greenspace sites with ``area_ha`` (as :mod:`hiap.indicators.osm_features`
        gives them).
    standards
        The standards to measure.

    Returns
    -------
    dict
        ``{standard id: share of homes (0-1)}``.
    """
    dist = greenspace_distances(graph, homes, greenspace, standards=standards)
    by_id = {std.id: std for std in standards}
    return {k: weighted_share(d <= by_id[k].within_m, homes.weight) for k, d in dist.items()}
