"""The public-transport demo area: r5r's Porto Alegre sample (no UK feed can be had offline here).

Origins are the H3 hexagons with residents; destinations the hexagons holding at least one
healthcare facility (the sample has counts, not names). Measure it with
:func:`hiap.access.measure_access` like any other area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hiap.data.registry import OSM_ATTRIBUTION
from hiap.errors import DataError
from hiap.settings import Settings

__all__ = ["PORTO_ALEGRE_DIR", "DemoArea", "porto_alegre_demo"]

PORTO_ALEGRE_DIR = Path("transit") / "porto_alegre"
"""Where the Porto Alegre sample lives in the data directory."""

R5R_ATTRIBUTION = (
    "Porto Alegre sample data: r5r (ipeaGIT, MIT); EPTC GTFS, open data of the operator"
)


@dataclass(frozen=True)
class DemoArea:
    """A ready-made area: its extract, feeds, origins and destinations.

    Attributes
    ----------
    name
        Label for messages and titles.
    osm_path
        The OSM extract the walk legs use.
    feed_paths
        GTFS feeds (merged when several).
    origins
        Populated points: ``code``, ``name``, ``population`` (WGS84).
    destinations
        Points with ``code`` and ``name`` (WGS84).
    destination_label
        What the destinations are.
    area_wgs84
        Bounding box of the points, ``(minx, miny, maxx, maxy)``.
    attribution
        Lines to show with results.
    """

    name: str
    osm_path: Path
    feed_paths: tuple[Path, ...]
    origins: gpd.GeoDataFrame
    destinations: gpd.GeoDataFrame
    destination_label: str
    area_wgs84: tuple[float, float, float, float]
    attribution: tuple[str, ...] = field(default=())


def porto_alegre_demo(settings: Settings) -> DemoArea:
    """Return the Porto Alegre public-transport demo area.

    Raises
    ------
    DataError
        When the sample files are missing from the data directory.
    """
    folder = settings.data_dir / PORTO_ALEGRE_DIR
    wanted = [folder / "poa_osm.pbf", folder / "poa_eptc.zip", folder / "poa_hexgrid.csv"]
    missing = [p.name for p in wanted if not p.is_file()]
    if missing:
        raise DataError(
            f"The Porto Alegre demo needs {', '.join(missing)} in the data directory's "
            f"{PORTO_ALEGRE_DIR} folder (r5r's sample data, see SOURCES.md of the data directory)."
        )
    hexes = pd.read_csv(folder / "poa_hexgrid.csv", dtype={"id": str})
    points = gpd.GeoDataFrame(
        hexes, geometry=gpd.points_from_xy(hexes["lon"], hexes["lat"]), crs="EPSG:4326"
    )
    points = points.rename(columns={"id": "code"})
    origins = points[points["population"] > 0].copy()
    origins["name"] = "Hexagon " + origins["code"]
    origins = origins[["code", "name", "population", "geometry"]].reset_index(drop=True)
    dest = points[points["healthcare"] > 0].copy()
    dest["name"] = dest["healthcare"].astype(int).astype(str) + " healthcare facility(ies)"
    dest = dest[["code", "name", "healthcare", "geometry"]].reset_index(drop=True)
    return DemoArea(
        name="Porto Alegre (demo)",
        osm_path=folder / "poa_osm.pbf",
        feed_paths=(folder / "poa_eptc.zip",),
        origins=origins,
        destinations=dest,
        destination_label="healthcare facility",
        area_wgs84=tuple(float(v) for v in points.total_bounds),  # type: ignore[arg-type]
        attribution=(OSM_ATTRIBUTION, R5R_ATTRIBUTION),
    )
