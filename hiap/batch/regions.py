"""The regions of a batch from the data directory: districts or boundary files.

Each area (a district name or code, or a boundary file, as ``hiap access --area`` takes them)
becomes one :class:`~hiap.batch.partition.BatchRegion`: the data directory's LSOA (or OA)
population-weighted centroids inside it, the GP practices and hospitals within the batch's
halo of it (and of its timetables' stops, for public transport), the OSM extract whose walk
network covers most of it (or the one given) and the GTFS feeds reaching it (or those given).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import shapely

from hiap.access.areas import resolve_area
from hiap.access.engine import AccessOptions
from hiap.access.network import DirectResources, choose_extract
from hiap.batch.partition import BatchRegion, _stops_hull, halo_m
from hiap.data.gp_branches import with_branches
from hiap.data.health import load_gp_practices, load_hospitals
from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES
from hiap.data.population import load_area_origins, load_districts
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones import BNG_CRS

__all__ = ["regions_from_data"]


def _destinations(
    settings: Settings, kind: str, reach: shapely.Geometry, options: AccessOptions
) -> gpd.GeoDataFrame:
    if kind == "gp":
        found = load_gp_practices(settings, area=reach)
        found = with_branches(found, settings) if options.include_branches else found
    else:
        found = load_hospitals(
            settings, area=reach,
            classes=list(options.hospital_classes or DEFAULT_HOSPITAL_CLASSES),
        )
    found = found.to_crs(BNG_CRS)
    found = found.assign(geometry=shapely.point_on_surface(found.geometry.to_numpy()))
    return gpd.GeoDataFrame(found[["code", "name", "geometry"]], geometry="geometry", crs=BNG_CRS)


def regions_from_data(
    settings: Settings,
    areas: Sequence[str] | None,
    options: AccessOptions,
    *,
    to: Sequence[str] = ("gp", "hospital"),
    walk_cap_min: float,
    osm_path: Path | None = None,
    feed_paths: Sequence[Path] | None = None,
) -> list[BatchRegion]:
    """Build the batch's regions from the data directory.

    Parameters
    ----------
    settings
        Gives the data directory.
    areas
        District names or codes, or boundary files; None: every district of the data
        directory's boundary files (Cambridgeshire and Peterborough).
    options
        The access options (level, mode, hospital classes, branch surgeries...).
    to
        Destination kinds: ``"gp"`` and/or ``"hospital"``.
    walk_cap_min
        The longest walk reported (sizes the reach the destinations are loaded over).
    osm_path
        The extract for every region; by default each region's best-covering extract.
    feed_paths
        Timetables for every region (public transport); by default the data directory's
        GTFS feeds reaching each region.

    Returns
    -------
    list of BatchRegion
        One per area, named by the area's label.

    Raises
    ------
    DataError
        When a region has no populated origin, or data is missing.
    """
    from hiap.access.feeds import find_gtfs_feeds

    if areas is None:
        labels = [str(code) for code in load_districts(settings)["lad_code"]]
    else:
        labels = list(areas)
    halo = halo_m(options, walk_cap_min=walk_cap_min)
    level: Literal["lsoa", "oa"] = "oa" if options.level == "oa" else "lsoa"
    every = load_area_origins(settings, level=level)
    regions = []
    for area in labels:
        polygon, label = resolve_area(settings, area)
        if polygon is None:
            continue
        origins = every[every.intersects(polygon)].reset_index(drop=True)
        if origins.empty:
            raise DataError(
                f"No populated {level.upper()} centroid lies in {label}: the population files "
                "cover Cambridgeshire and Peterborough."
            )
        feeds: tuple[Path, ...] = ()
        reach = polygon
        if options.rides:
            if feed_paths:
                feeds = tuple(feed_paths)
            else:
                box = gpd.GeoSeries([polygon.buffer(halo)], crs=BNG_CRS).to_crs(4326).iloc[0]
                feeds = tuple(find_gtfs_feeds(settings, area=box))
            reach = shapely.union(polygon, _stops_hull(settings, feeds))
        reach = reach.buffer(halo)
        # The area's coverage and footways are judged once here, as `hiap access` judges them.
        choice = choose_extract(
            settings, polygon, resources=DirectResources(settings),
            margin_m=options.buffer_km * 1000, candidates=[osm_path] if osm_path else None,
        )
        if choice.coverage < options.min_coverage:
            raise DataError(
                f"The OSM extract {choice.path.name} has walkable streets over only "
                f"{choice.coverage:.0%} of {label}: download an extract covering it (`hiap data "
                "download osm`), pass one with --osm, or leave the area out."
            )
        if choice.drive_only and not options.accept_drive_roads:
            raise DataError(
                f"{choice.path.name} holds drive roads only, so walks in {label} would follow "
                "carriageways: use an extract with footways, or accept drive roads as an "
                "approximation (--accept-drive-roads; the results then say so)."
            )
        osm = choice.path
        regions.append(BatchRegion(
            name=label,
            origins=origins,
            destinations={kind: _destinations(settings, kind, reach, options) for kind in to},
            osm_path=Path(osm),
            feed_paths=feeds,
        ))
    return regions
