"""Cutting a batch into partitions by area, each with a halo so no journey is cut at its edge.

A region (a district, a boundary, a synthetic region) has its populated origins, its
destinations, its OSM extract and, for public transport, its timetables. Its origins are cut
into square tiles of ``tile_km``; one tile's origins are one :class:`Partition`. Each partition
is measured on the network of its *core* (the convex hull of its origins) grown by a *halo*:

* **walking**: the halo is ``walk_cap_min`` x walking speed (every point of a walk of at most
  that many minutes lies within that straight-line distance of its origin, the snap legs
  included) plus ``max_snap_m`` (the street a destination snaps to must be there whole, and
  OSM ways are cut into segments far shorter than that). Walks longer than the cap are
  reported as "not within the cap" (infinite), in the batch and in a single run alike
  (:func:`hiap.batch.run.cap_walk`), so a partition answers exactly what one run over the
  whole region answers;
* **public transport**: a journey may ride anywhere the timetable goes, so the core also takes
  in the feed's reach, the convex hull of its stops, and the halo is the longest walk allowed
  all the way (``max_walk_min`` x walking speed, plus ``max_snap_m``): every point of a
  journey is on a walk from the origin, on a vehicle between stops, or on a walk from a stop.

The partition's identity (:attr:`Partition.key`) is a SHA-256 of everything that changes its
answer: the origins and destinations (content), the extract, timetables and NaPTAN stops
(file digests), the options, the halo, the core and the code that measures it (hiap's
version and a digest of the engine's source: :func:`hiap.access.keys.answer_key`). A rerun
skips a partition whose key is already finished.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.access.engine import AccessOptions, options_dict
from hiap.access.feeds import stops_files_for, timetable_files
from hiap.access.keys import answer_key, files_digest, frame_digest, geometry_digest
from hiap.errors import SettingsError
from hiap.settings import Settings
from isochrones import BNG_CRS

__all__ = [
    "BATCH_FORMAT",
    "BatchRegion",
    "Partition",
    "halo_m",
    "plan_partitions",
]

BATCH_FORMAT = 1
"""Version of the partition files and of the key; a change makes every partition run again."""


@dataclass(frozen=True)
class BatchRegion:
    """One region of a batch: its origins, destinations and data files.

    Attributes
    ----------
    name
        The region's name (unique in the batch).
    origins
        Populated points in EPSG:27700 with ``code`` (unique) and ``population``; ``name``,
        ``imd_decile`` and ``lad_name`` are carried to the results when present.
    destinations
        ``{"gp": points, "hospital": points}`` (any labels), each with ``code`` and ``name``,
        in EPSG:27700.
    osm_path
        The OSM extract walked on.
    feed_paths
        GTFS / TransXChange files (public transport).
    """

    name: str
    origins: gpd.GeoDataFrame
    destinations: Mapping[str, gpd.GeoDataFrame]
    osm_path: Path
    feed_paths: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Partition:
    """One tile of a region: the origins measured and everything needed to measure them.

    Attributes
    ----------
    region
        The region's name.
    tile
        The tile's label, ``"<column>_<row>"`` on the ``tile_km`` grid.
    origins
        The tile's origins.
    destinations
        Per label, the destinations within the halo of the core.
    core
        The area grown by the halo (EPSG:27700): the origins' convex hull, with the feed's
        stops' hull for public transport.
    halo_m
        The halo around the core.
    osm_path, feed_paths
        The region's files.
    options
        The access options (mode, speed, snapping, window...).
    walk_cap_min
        Walks longer than this are reported as beyond the cap.
    key
        SHA-256 of the inputs (see the module's docstring).
    """

    region: str
    tile: str
    origins: gpd.GeoDataFrame
    destinations: dict[str, gpd.GeoDataFrame]
    core: BaseGeometry
    halo_m: float
    osm_path: Path
    feed_paths: tuple[Path, ...]
    options: AccessOptions
    walk_cap_min: float
    key: str = field(default="")

    @property
    def label(self) -> str:
        """``"<region> tile <tile>"``, for progress and messages."""
        return f"{self.region} tile {self.tile}"


def halo_m(options: AccessOptions, *, walk_cap_min: float) -> float:
    """Return the halo around a partition's core, in metres (see the module's docstring).

    Parameters
    ----------
    options
        The access options (mode, walking speed, longest walk, snapping distance).
    walk_cap_min
        The longest walk reported (walking).

    Returns
    -------
    float
        ``max(walk_cap_min (walking), max_walk_min (public transport)) x speed + max_snap_m``.
    """
    minutes = max(
        walk_cap_min if options.walks else 0.0, options.max_walk_min if options.rides else 0.0
    )
    return minutes * options.speed_kph * 1000.0 / 60.0 + options.max_snap_m


def _check_region(region: BatchRegion, options: AccessOptions) -> list[str]:
    problems = []
    o = region.origins
    for col in ("code", "population"):
        if col not in o:
            problems.append(f"region {region.name!r}: the origins have no {col!r} column")
    if "code" in o and o["code"].duplicated().any():
        problems.append(f"region {region.name!r}: origin codes repeat ({o['code'][o['code'].duplicated()].iloc[0]!r})")
    if o.crs is None or not o.crs.equals(BNG_CRS):
        problems.append(f"region {region.name!r}: the origins must be in {BNG_CRS}")
    if not region.destinations:
        problems.append(f"region {region.name!r}: no destinations")
    for label, dest in region.destinations.items():
        if dest.crs is None or not dest.crs.equals(BNG_CRS):
            problems.append(f"region {region.name!r}: destinations {label!r} must be in {BNG_CRS}")
    if options.rides and not region.feed_paths:
        problems.append(f"region {region.name!r}: public transport needs timetables (feeds)")
    return problems


def timetable_inputs(settings: Settings, feed_paths: Sequence[Path]) -> tuple[
    tuple[Path, ...], tuple[Path, ...]
]:
    """Return the timetable files and the NaPTAN stops files placing their TransXChange stops.

    As ``hiap access transit --feed`` reads them (:func:`hiap.access.feeds.timetable_files`,
    :func:`hiap.access.feeds.stops_files_for`): a folder of TransXChange files counts as its
    files, and TransXChange is placed by the data directory's NaPTAN Stops CSVs.
    """
    files = timetable_files(feed_paths)
    return files, stops_files_for(settings, files)


def _stops_hull(settings: Settings, feed_paths: Sequence[Path]) -> BaseGeometry:
    """Convex hull of every stop of the timetables, in EPSG:27700 (the feed's reach)."""
    from hiap.access.feeds import feed_stops
    from hiap.access.network import load_timetables

    files, stops = timetable_inputs(settings, feed_paths)
    # why: keyed by content digests, so planning a batch again (a rerun) reads no feed twice
    key = f"{files_digest(files)}|{files_digest(stops)}"
    if key not in _HULLS:
        points = feed_stops(load_timetables(files, stops=stops), crs=BNG_CRS)
        _HULLS[key] = shapely.convex_hull(shapely.union_all(points.geometry.to_numpy()))
        while len(_HULLS) > 32:
            _HULLS.popitem(last=False)
    return _HULLS[key]


_HULLS: OrderedDict[str, BaseGeometry] = OrderedDict()
"""Stops' hulls of the timetables planned in this process, by content digest."""


def plan_partitions(
    settings: Settings,
    regions: Sequence[BatchRegion],
    options: AccessOptions,
    *,
    tile_km: float,
    walk_cap_min: float,
) -> list[Partition]:
    """Cut every region's origins into tiles and give each its halo and key.

    Parameters
    ----------
    settings
        Gives the data directory (its NaPTAN stops place TransXChange timetables).
    regions
        The regions (names unique).
    options
        The access options every partition is measured with.
    tile_km
        Side of the square tiles.
    walk_cap_min
        The longest walk reported; at least the last JTS band (60 min).

    Returns
    -------
    list of Partition
        In region order, then by tile.

    Raises
    ------
    SettingsError
        When a region is unusable (missing columns, repeated codes, wrong CRS, no feed for
        public transport) or the tile size or cap are out of range; every problem together.
    """
    problems = []
    if tile_km <= 0:
        problems.append(f"the tile size must be positive, got {tile_km:g} km")
    if walk_cap_min < 60:
        problems.append(
            f"the walking cap must be at least 60 min (the last JTS band), got {walk_cap_min:g}"
        )
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        problems.append(f"region names repeat: {names}")
    for region in regions:
        problems += _check_region(region, options)
    if problems:
        raise SettingsError("Batch: " + "; ".join(problems) + ".")
    halo = halo_m(options, walk_cap_min=walk_cap_min)
    tile_m = tile_km * 1000.0
    opts = options_dict(options)
    parts: list[Partition] = []
    for region in regions:
        osm_digest = files_digest([region.osm_path]) if region.osm_path.exists() else "missing"
        feeds = tuple(region.feed_paths) if options.rides else ()
        feed_files, stops_files = timetable_inputs(settings, feeds) if feeds else ((), ())
        reach = _stops_hull(settings, feeds) if feeds else None
        o = region.origins.reset_index(drop=True)
        col = np.floor(o.geometry.x.to_numpy() / tile_m).astype(np.int64)
        row = np.floor(o.geometry.y.to_numpy() / tile_m).astype(np.int64)
        for c, r in sorted(set(zip(col.tolist(), row.tolist(), strict=True))):
            mine = o[(col == c) & (row == r)].reset_index(drop=True)
            core = shapely.convex_hull(shapely.union_all(mine.geometry.to_numpy()))
            if core.area == 0:
                core = core.buffer(1.0)  # one or two origins: a valid polygon to clip around
            if reach is not None:
                core = shapely.union(core, reach)
            grown = core.buffer(halo)
            dests = {
                label: d[d.intersects(grown)].reset_index(drop=True)
                for label, d in region.destinations.items()
            }
            key = answer_key({
                "batch_format": BATCH_FORMAT,
                "region": region.name,
                "tile": f"{c}_{r}",
                "origins": frame_digest(mine),
                "destinations": {k: frame_digest(v) for k, v in sorted(dests.items())},
                "osm": osm_digest,
                "feeds": files_digest(feed_files),
                "naptan": files_digest(stops_files),
                "options": opts,
                "walk_cap_min": walk_cap_min,
                "halo_m": halo,
                "core": geometry_digest(core),
            })
            parts.append(Partition(
                region=region.name, tile=f"{c}_{r}", origins=mine, destinations=dests,
                core=core, halo_m=halo, osm_path=region.osm_path, feed_paths=feeds,
                options=options, walk_cap_min=walk_cap_min, key=key,
            ))
    return parts
