"""Fixtures for the routing-core tests: real walk networks built once per session.

The OSM extracts are found in the shared data directory by pattern, never by exact name.
Graphs are cached in a session temporary folder, so each is built from OSM only once.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from hiap.settings import get_settings
from isochrones import WalkNetwork, build_walk_graph


def _osm_file(pattern: str) -> Path:
    folder = get_settings().data_dir / "osm"
    found = sorted(folder.glob(pattern))
    if not found:
        pytest.skip(f"no OSM extract matching {pattern} in {folder}")
    return found[0]


@pytest.fixture(scope="session")
def hampton_osm() -> Path:
    return _osm_file("*hampton*.osm")


@pytest.fixture(scope="session")
def rutland_pbf() -> Path:
    return _osm_file("rutland*.osm.pbf")


@pytest.fixture(scope="session")
def graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("walk_graph_cache")


@pytest.fixture(scope="session")
def hampton_graph(hampton_osm: Path, graph_cache: Path) -> nx.MultiDiGraph:
    return build_walk_graph(hampton_osm, cache_dir=graph_cache)


@pytest.fixture(scope="session")
def hampton_net(hampton_graph: nx.MultiDiGraph) -> WalkNetwork:
    return WalkNetwork.from_graph(hampton_graph)


@pytest.fixture(scope="session")
def rutland_graph(rutland_pbf: Path, graph_cache: Path) -> nx.MultiDiGraph:
    return build_walk_graph(rutland_pbf, cache_dir=graph_cache)


@pytest.fixture(scope="session")
def rutland_net(rutland_graph: nx.MultiDiGraph) -> WalkNetwork:
    return WalkNetwork.from_graph(rutland_graph)
