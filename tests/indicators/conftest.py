"""Fixtures for the indicator tests: a street grid built in code, in British National Grid."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import pytest
import shapely

from hiap.indicators.homes import Homes
from hiap.indicators.walkgraph import WalkGraph

X0, Y0 = 500_000.0, 300_000.0
STEP_M = 100.0
SIZE = 7  # 7 x 7 nodes, 600 m x 600 m


def grid_xy(i: int, j: int) -> tuple[float, float]:
    """Coordinates of grid node (column i, row j)."""
    return X0 + i * STEP_M, Y0 + j * STEP_M


def build_grid_graph(size: int = SIZE, rows: int | None = None) -> nx.MultiDiGraph:
    """A ``size`` (columns) x ``rows`` grid of 100 m blocks with both edge directions."""
    ny = size if rows is None else rows
    g = nx.MultiDiGraph(crs="EPSG:27700")
    for i in range(size):
        for j in range(ny):
            x, y = grid_xy(i, j)
            g.add_node(i * ny + j, x=x, y=y)
    for i in range(size):
        for j in range(ny):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < size and j + dj < ny:
                    a, b = i * ny + j, (i + di) * ny + (j + dj)
                    g.add_edge(a, b, length=STEP_M)
                    g.add_edge(b, a, length=STEP_M)
    for n in g.nodes:
        g.nodes[n]["street_count"] = len(set(g.successors(n)))
    return g


@pytest.fixture(scope="session")
def grid() -> WalkGraph:
    return WalkGraph.from_graph(build_grid_graph())


def points_at(*ij: tuple[float, float]) -> gpd.GeoDataFrame:
    xy = np.array([grid_xy(i, j) for i, j in ij])  # type: ignore[arg-type]
    pts = shapely.points(xy[:, 0], xy[:, 1])
    return gpd.GeoDataFrame({"weight": np.full(len(pts), 1 / len(pts))}, geometry=pts, crs=27700)


def homes_at(graph: WalkGraph, *ij: tuple[float, float]) -> Homes:
    return Homes.snap(graph, points_at(*ij))


TO_LL = pyproj.Transformer.from_crs(27700, 4326, always_xy=True)


class OsmWriter:
    """Writes a small OSM XML file from coordinates in EPSG:27700."""

    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.ways: list[str] = []
        self.next_id = 1

    def node(self, x: float, y: float, tags: dict[str, str] | None = None) -> int:
        lon, lat = TO_LL.transform(x, y)
        nid = self.next_id
        self.next_id += 1
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())
        self.nodes.append(
            f'<node id="{nid}" version="1" timestamp="2024-05-01T00:00:00Z" '
            f'lat="{lat:.8f}" lon="{lon:.8f}">{inner}</node>'
        )
        return nid

    def way(self, wid: int, refs: list[int], tags: dict[str, str]) -> None:
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        self.ways.append(
            f'<way id="{wid}" version="1" timestamp="2024-05-01T00:00:00Z">{nds}{inner}</way>'
        )

    def area(self, wid: int, box: tuple[float, float, float, float], tags: dict[str, str]) -> None:
        x0, y0, x1, y1 = box
        ring = [self.node(x0, y0), self.node(x1, y0), self.node(x1, y1), self.node(x0, y1)]
        self.way(wid, [*ring, ring[0]], tags)

    def write(self, path: Path) -> Path:
        # Ways in falling id order: an unsorted file, as API exports often are.
        body = "\n".join(self.nodes + self.ways[::-1])
        path.write_text(f'<?xml version="1.0"?>\n<osm version="0.6">\n{body}\n</osm>\n')
        return path
