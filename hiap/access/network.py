"""The walk network an access run stands on: which extract, how much of the area it covers.

Which function to use when:

* :func:`choose_extract` -- the OSM extract for an area: among those whose header box touches
  it, the one whose *walk network* covers the largest share of it (header boxes overstate:
  a county extract's box may hold only a corner of its streets).
* :func:`network_coverage` -- that share for one network.
* :func:`walkway_share` -- the share of a network's length on footways, paths and other ways
  only pedestrians use; a drive-only extract (exported for cars) has none, and walking on it
  routes people along carriageways.
* :class:`Resources` / :class:`DirectResources` -- how a run gets its walk network, feed and
  timetable: directly (CLI, tests) or from the app's shared caches (:mod:`hiap.ui.cache`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from hiap.access.feeds import is_transxchange, stops_files_for, timetable_files
from hiap.data.osm import extract_overlap
from hiap.data.registry import DATASETS, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones import BNG_CRS, WalkNetwork, build_walk_network
from isochrones.errors import IsochronesError
from isochrones.gtfs import (
    Feed,
    load_feed,
    load_transxchange_files,
    merge_feeds,
    naptan_coordinates,
)
from isochrones.osm_reader import WALKWAY_HIGHWAYS, is_walkway
from isochrones.transit import TransitNetwork, build_transit_network

__all__ = [
    "COVERAGE_CELL_M",
    "MIN_COVERAGE",
    "WALKWAY_HIGHWAYS",
    "DirectResources",
    "ExtractChoice",
    "Resources",
    "RunResources",
    "choose_extract",
    "fallback_walk_network",
    "load_timetables",
    "load_timetables_with_stops",
    "network_coverage",
    "walkway_share",
]

logger = logging.getLogger(__name__)

MIN_COVERAGE = 0.5
"""Below this share of the area on the network a run is refused (warned below 0.95)."""

WARN_COVERAGE = 0.95
"""Below this share of the area on the network a run warns."""

COVERAGE_CELL_M = 250.0
"""Coverage is counted on a grid of this spacing: a cell counts when a walk node lies within
its half-diagonal plus 100 m (a street can run between two junctions of a cell)."""


MIN_WALKWAY_SHARE = 0.005
"""A network with less than this share of its length on walkways is taken as drive-only."""

MIN_JUDGED_LENGTH_M = 20_000.0
"""Networks shorter than this are not judged drive-only: a hamlet or a hand-made test grid may
have no footway at all, while any town with 2 km around it has many."""


def network_coverage(network: WalkNetwork, area: BaseGeometry) -> float:
    """Share of an area (EPSG:27700 polygon) within reach of the network's junctions.

    Parameters
    ----------
    network
        A walk network in EPSG:27700.
    area
        The requested area; points and lines count as covered when a junction is near.

    Returns
    -------
    float
        0-1: the share of :data:`COVERAGE_CELL_M` grid cells of the area with a junction
        within the cell's half-diagonal plus 100 m.
    """
    if network.n_nodes == 0:
        return 0.0
    if area.area <= 0:
        samples = np.asarray(shapely.get_coordinates(area.representative_point()))
        spacing = COVERAGE_CELL_M
    else:
        # why: at most ~4,000 cells, so a district is measured as fast as a site
        spacing = max(COVERAGE_CELL_M, float(np.sqrt(area.area / 4000.0)))
        minx, miny, maxx, maxy = area.bounds
        xs = np.arange(minx + spacing / 2, maxx, spacing)
        ys = np.arange(miny + spacing / 2, maxy, spacing)
        gx, gy = np.meshgrid(xs, ys)
        pts = shapely.points(gx.ravel(), gy.ravel())
        inside = shapely.contains(area, pts) if len(pts) else np.zeros(0, dtype=bool)
        samples = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
        if len(samples) == 0:
            samples = np.asarray(shapely.get_coordinates(area.representative_point()))
    tree = cKDTree(np.column_stack([network.x, network.y]))
    dist, _ = tree.query(samples, k=1)
    reach = spacing * np.sqrt(2) / 2 + 100.0
    return float(np.mean(dist <= reach))


def walkway_share(network: WalkNetwork | nx.MultiDiGraph) -> float:
    """Share of a walk network's length on footways, paths, steps, cycleways and tracks.

    Parameters
    ----------
    network
        A :class:`~isochrones.WalkNetwork` built from an extract (its ``edge_walkway``
        flags), or an OSMnx-style graph with ``highway`` and ``length`` on its edges; both
        give the same share (an edge merged by simplification counts when any part of it is
        a walkway, :data:`WALKWAY_HIGHWAYS`).

    Returns
    -------
    float
        0-1; 1 for a network under :data:`MIN_JUDGED_LENGTH_M` (too small to judge) or a
        network built from bare arrays, whose ways are not known.
    """
    if isinstance(network, WalkNetwork):
        if network.edge_walkway is None:
            return 1.0
        length = network.edge_length_m
        total = float(length.sum())
        walkway = float(length[network.edge_walkway].sum())
    else:
        total = walkway = 0.0
        for _, _, data in network.edges(data=True):
            edge_m = float(data.get("length", 0.0))
            total += edge_m
            if is_walkway(data):
                walkway += edge_m
    if total < MIN_JUDGED_LENGTH_M:
        return 1.0
    return walkway / total if total > 0 else 0.0


@dataclass(frozen=True)
class ExtractChoice:
    """The extract chosen for an area, and how well it covers it.

    Attributes
    ----------
    path
        The extract.
    coverage
        Share of the area on its walk network (:func:`network_coverage`).
    walkway_share
        Share of the network's length on walkways (:func:`walkway_share`).
    candidates
        Every extract considered with its coverage, best first (file names only).
    """

    path: Path
    coverage: float
    walkway_share: float
    candidates: tuple[tuple[str, float], ...]

    @property
    def drive_only(self) -> bool:
        """Whether the network has (almost) no footway or path: a roads-only export."""
        return self.walkway_share < MIN_WALKWAY_SHARE


class Resources(Protocol):
    """Where a run gets its expensive, read-only inputs (the app shares them between users)."""

    def walk_network(
        self, osm_path: Path, *, area: BaseGeometry | None, area_crs: str, margin_m: float,
        to_crs: str,
    ) -> WalkNetwork:
        """Return the walk network (routing arrays) of an extract around an area."""
        ...

    def feed(self, paths: Sequence[Path]) -> Feed:
        """Return the timetable of one or more GTFS / TransXChange files (merged)."""
        ...

    def transit_network(
        self, feed: Feed, walk: WalkNetwork, date: dt.date, window_s: tuple[int, int]
    ) -> TransitNetwork:
        """Return the feed's timetable for a date, its stops linked on the walk network."""
        ...


def load_timetables(paths: Sequence[Path], *, stops: Sequence[Path] = ()) -> Feed:
    """Load GTFS zips/folders and TransXChange ``.xml`` files (or folders of them) into one feed.

    The reader is chosen by the file's extension, never by its content. TransXChange files
    are read together (:func:`isochrones.gtfs.load_transxchange_files`: a stop two services
    share is one stop), placed by the NaPTAN ``stops`` files; the Buses page, the corridor
    and ``hiap access transit`` all read Cambridgeshire's timetables through this function.

    Parameters
    ----------
    paths
        The files or folders (:func:`hiap.access.feeds.timetable_files`); several feeds are
        merged, each id prefixed by its file's stem.
    stops
        NaPTAN Stops CSVs giving the TransXChange stops' coordinates
        (:func:`hiap.access.feeds.stops_files_for` finds the data directory's).

    Returns
    -------
    Feed
        The validated (merged) feed.

    Raises
    ------
    DataError
        When a TransXChange file is given without NaPTAN stops, or a folder holds no timetable.
    """
    files = timetable_files(paths)
    txc = [p for p in files if is_transxchange(p)]
    feeds: list[Feed] = []
    prefixes: list[str] = []
    if txc:
        if not stops:
            raise DataError(
                f"{txc[0].name}: TransXChange lists stops without coordinates, and no NaPTAN "
                "Stops CSV was found to place them. " + (DATASETS["naptan"].how_to_get or "")
            )
        feeds.append(load_transxchange_files(txc, stop_coordinates=naptan_coordinates(stops)))
        prefixes.append(f"{txc[0].stem}:" if len(txc) == 1 else "txc:")
    for p in files:
        if not is_transxchange(p):
            feeds.append(load_feed(p))
            prefixes.append(f"{p.stem}:")
    if len(feeds) == 1:
        return feeds[0]
    return merge_feeds(feeds, prefixes=prefixes)


def load_timetables_with_stops(settings: Settings, paths: Sequence[Path]) -> Feed:
    """:func:`load_timetables` with TransXChange stops placed by the data directory's NaPTAN.

    Parameters
    ----------
    settings
        Gives the data directory (its NaPTAN Stops CSVs, :func:`hiap.access.feeds.stops_files_for`).
    paths
        GTFS zips/folders, TransXChange files or folders of them.

    Returns
    -------
    Feed
        The validated (merged) feed.
    """
    files = timetable_files(paths)
    return load_timetables(files, stops=stops_files_for(settings, files))


class DirectResources:
    """Build every input on demand (the walk network still uses its array cache on disk)."""

    def __init__(self, settings: Settings) -> None:
        self._cache_dir = settings.cache_dir
        self._settings = settings

    def walk_network(
        self, osm_path: Path, *, area: BaseGeometry | None, area_crs: str, margin_m: float,
        to_crs: str,
    ) -> WalkNetwork:
        """Build (or reload from the disk cache) the walk network, straight on arrays.

        :func:`isochrones.build_walk_network` reads the extract into the routing arrays
        without a networkx graph (the same network as ``WalkNetwork.from_graph`` of
        :func:`isochrones.build_walk_graph`, which stays available for a graph wanted for
        its own sake).
        """
        try:
            return build_walk_network(
                osm_path, area=area, area_crs=area_crs, margin_m=margin_m, to_crs=to_crs,
                cache_dir=self._cache_dir,
            )
        except IsochronesError as exc:
            raise DataError(f"{osm_path.name}: {exc}") from exc

    def feed(self, paths: Sequence[Path]) -> Feed:
        """Load the timetable files (TransXChange placed by the data directory's NaPTAN stops)."""
        return load_timetables_with_stops(self._settings, paths)

    def transit_network(
        self, feed: Feed, walk: WalkNetwork, date: dt.date, window_s: tuple[int, int]
    ) -> TransitNetwork:
        """Build the timetable of a date, stops linked on the walk network."""
        return build_transit_network(feed, date, walk=walk, time_window_s=window_s)


class RunResources(DirectResources):
    """:class:`DirectResources` that keeps what it built for a batch of related runs.

    A run of several windows or destinations over one area (the Busway corridor) asks for
    the same walk networks each time (choosing the extract measures every candidate); this
    keeps them for the life of the object, so they are read once.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._networks: dict[tuple[str, bytes | None, str, float, str], WalkNetwork] = {}

    def walk_network(
        self, osm_path: Path, *, area: BaseGeometry | None, area_crs: str, margin_m: float,
        to_crs: str,
    ) -> WalkNetwork:
        """Build the walk network once per extract, area, margin and CRS."""
        key = (str(osm_path), None if area is None else shapely.to_wkb(area), area_crs,
               margin_m, to_crs)
        if key not in self._networks:
            self._networks[key] = super().walk_network(
                osm_path, area=area, area_crs=area_crs, margin_m=margin_m, to_crs=to_crs
            )
        return self._networks[key]


def choose_extract(
    settings: Settings,
    area: BaseGeometry,
    *,
    resources: Resources,
    margin_m: float = 0.0,
    candidates: Sequence[Path] | None = None,
) -> ExtractChoice:
    """Choose the extract whose walk network covers most of an area.

    Parameters
    ----------
    settings
        Gives the data directory (its ``osm`` folder).
    area
        Polygon in EPSG:27700.
    resources
        Builds the walk networks measured.
    margin_m
        Network kept around the area (as the run will build it).
    candidates
        Extracts to consider; by default every extract of the data directory whose header box
        touches the area (those without a header box are measured too).

    Returns
    -------
    ExtractChoice
        The best extract, its coverage and walkway share, and every candidate's coverage.

    Raises
    ------
    DataError
        When there is no extract, or none has any walkable street in the area.
    """
    folder = settings.data_dir / "osm"
    files = list(candidates) if candidates is not None else find_dataset_files(
        DATASETS["osm"], settings.data_dir
    )
    if not files:
        raise DataError(
            f"No OSM extract (*.osm.pbf or *.osm) in the data directory's {folder.name}/ folder "
            "(the HIAP_DATA_DIR setting; `hiap data status` shows it). "
            "Run `hiap data download osm` or pass --osm FILE."
        )
    scored: list[tuple[float, float, Path]] = []
    for path in files:
        overlap = extract_overlap(path, area)
        if overlap is not None and overlap <= 0:
            continue
        try:
            network = resources.walk_network(
                path, area=area, area_crs=BNG_CRS, margin_m=margin_m, to_crs=BNG_CRS
            )
        except DataError as exc:
            logger.info("extract %s not usable for the area: %s", path.name, exc)
            continue
        scored.append((network_coverage(network, area), walkway_share(network), path))
    if not scored:
        raise DataError(
            f"None of the OSM extracts ({', '.join(p.name for p in files)}) has a walkable "
            "street in the area. Download the extract for this area (`hiap data download osm`) "
            "or pass --osm FILE."
        )
    # why: most coverage first; among equals, a network with footways before a drive-only one
    scored.sort(key=lambda s: (-round(s[0], 3), -(s[1] >= MIN_WALKWAY_SHARE), s[2].name))
    cover, walkways, path = scored[0]
    return ExtractChoice(
        path=path,
        coverage=cover,
        walkway_share=walkways,
        candidates=tuple((p.name, c) for c, _, p in scored),
    )


def fallback_walk_network(
    settings: Settings,
    area: BaseGeometry,
    *,
    resources: Resources,
    margin_m: float = 0.0,
    min_coverage: float = MIN_COVERAGE,
) -> tuple[ExtractChoice | None, WalkNetwork | None, str]:
    """Return the walk network of a run that may walk straight lines where none exists.

    The extract is chosen as for any run (:func:`choose_extract`); it is used when it covers
    at least ``min_coverage`` of the area and has footways (a drive-only export would walk
    people along carriageways). Otherwise there is no network and every walk is the
    straight-line fallback (:class:`isochrones.transit.FallbackWalk`), said in ``why``.

    Parameters
    ----------
    settings
        Gives the data directory.
    area
        Polygon in EPSG:27700.
    resources
        Builds the walk networks.
    margin_m
        Network kept around the area.
    min_coverage
        Least share of the area the network must cover to be used.

    Returns
    -------
    tuple
        ``(choice, network, why)``: the extract considered (None when there is none), its
        walk network in EPSG:27700 (None: walk by the fallback everywhere) and, without a
        network, why (file names only).
    """
    try:
        choice = choose_extract(settings, area, resources=resources, margin_m=margin_m)
    except DataError as exc:
        return None, None, str(exc)
    if choice.drive_only or choice.coverage < min_coverage:
        why = (
            f"the best OSM extract, {choice.path.name}, holds drive roads only"
            if choice.drive_only
            else f"the best OSM extract, {choice.path.name}, covers {choice.coverage:.0%} of "
            "the area"
        )
        logger.info("no walk network: %s", why)
        return choice, None, why
    network = resources.walk_network(
        choice.path, area=area, area_crs=BNG_CRS, margin_m=margin_m, to_crs=BNG_CRS
    )
    return choice, network, ""
