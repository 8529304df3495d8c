"""OpenStreetMap extracts in the data directory: which to use, and places tagged in them.

* :func:`find_osm_extract` -- a quick choice by the extracts' header boxes (the OSM fallback
  for GP practices and hospitals, :mod:`hiap.data.health`). Access runs and indicators choose
  on the walk network itself (:func:`hiap.access.network.choose_extract`), which uses
  :func:`extract_overlap` to skip extracts that cannot touch the area.
* :func:`read_osm_places` -- the nodes and ways carrying some tags as points (EPSG:27700), one
  row per place: a surgery mapped both as a node and as its building counts once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from hiap.data.registry import DATASETS, OSM_ATTRIBUTION, find_dataset_files
from hiap.errors import DataError
from hiap.settings import Settings
from isochrones.errors import IsochronesError
from isochrones.osm_reader import extract_bounds, read_tagged_points

__all__ = [
    "SAME_NAME_M",
    "SAME_PLACE_M",
    "extract_overlap",
    "find_osm_extract",
    "read_osm_places",
]

SAME_PLACE_M = 50.0
"""Tagged objects this close are one place when their names agree or one has no name."""

SAME_NAME_M = 250.0
"""Objects with the same name this close are one place: a surgery's node and its building's
centre (the mean of its outline) can be over 100 m apart on a large site, while two practices
of one name are branch surgeries kilometres apart."""

logger = logging.getLogger(__name__)


def _extent_bng(path: Path) -> BaseGeometry | None:
    """Return the extract's header box in EPSG:27700, or None when it has none or is unreadable."""
    try:
        bounds = extract_bounds(path)
    except IsochronesError as exc:
        logger.warning("OSM extract %s skipped: %s", path.name, exc)
        return None
    if bounds is None:
        return None
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    return shapely.box(*to_bng.transform_bounds(*bounds, densify_pts=21))


def extract_overlap(path: Path, area: BaseGeometry) -> float | None:
    """Share of an area (EPSG:27700) inside an extract's header box.

    A quick first look only: the box may hold far fewer streets than it spans. The access
    runs measure coverage on the network itself (:func:`hiap.access.network.choose_extract`).

    Parameters
    ----------
    path
        A ``.osm.pbf`` / ``.osm`` extract.
    area
        Geometry in EPSG:27700 (points and lines: 1 inside the box, else 0).

    Returns
    -------
    float or None
        0-1, or None when the extract has no header box (or cannot be read).
    """
    extent = _extent_bng(path)
    if extent is None:
        return None
    if area.area > 0:
        return float(extent.intersection(area).area / area.area)
    return 1.0 if extent.intersects(area) else 0.0


@overload
def find_osm_extract(
    settings: Settings, *, area: BaseGeometry | None = None, required: Literal[True] = True
) -> Path: ...


@overload
def find_osm_extract(
    settings: Settings, *, area: BaseGeometry | None = None, required: bool
) -> Path | None: ...


def find_osm_extract(
    settings: Settings, *, area: BaseGeometry | None = None, required: bool = True
) -> Path | None:
    """Pick the OSM extract in the data directory to use for an area.

    Parameters
    ----------
    settings
        Gives the data directory (its ``osm`` folder is searched).
    area
        Geometry in EPSG:27700. The extract whose header box covers the largest share of it
        wins (the first found, in file-name order, among equals); extracts without a header box
        are only used when no area is given. ``None`` takes the first extract found.
    required
        Raise when no extract fits (default); ``False`` returns None instead.

    Returns
    -------
    Path or None
        The chosen ``.osm.pbf`` / ``.osm`` file; None only when ``required`` is False and
        none fits.

    Raises
    ------
    DataError
        When ``required`` and there is no extract, or none overlaps the area.
    """
    files = find_dataset_files(DATASETS["osm"], settings.data_dir)
    if not files:
        if not required:
            return None
        raise DataError(
            "No OSM extract (*.osm.pbf or *.osm) in the data directory's osm/ folder (the "
            "HIAP_DATA_DIR setting; `hiap data status` shows it). Run "
            "`hiap data download osm` or pass --osm FILE."
        )
    if area is None:
        return files[0]
    best: tuple[float, Path] | None = None
    for path in files:
        overlap = extract_overlap(path, area)
        if overlap is None:
            continue
        if overlap > 0 and (best is None or overlap > best[0]):
            best = (overlap, path)
    if best is not None:
        if best[0] < 1.0 - 1e-9:
            logger.warning(
                "no OSM extract covers the whole area; using %s (%.0f%% of it)",
                best[1].name,  # the file's name only: messages show no server paths
                100 * best[0],
            )
        return best[1]
    if not required:
        return None
    raise DataError(
        f"None of the OSM extracts in the data directory's osm/ folder "
        f"({', '.join(p.name for p in files)}) "
        "overlaps the area. Download the extract for this area or pass --osm FILE."
    )


def _name_key(name: object) -> str:
    return " ".join(str(name).casefold().split()) if isinstance(name, str) else ""


def _same_place_groups(points: gpd.GeoSeries, names: list[str]) -> np.ndarray:
    """Label each point with its place: union of pairs close enough to be the same place."""
    parent = np.arange(len(points))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    geoms = points.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=SAME_NAME_M)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        a, b = names[i], names[j]
        near = shapely.distance(geoms[i], geoms[j]) <= SAME_PLACE_M
        if (a and a == b) or (near and (not a or not b)):
            parent[root(j)] = root(i)
    return np.array([root(i) for i in range(len(points))])


def read_osm_places(
    osm_path: str | Path, *, tags: Sequence[tuple[str, str]]
) -> gpd.GeoDataFrame:
    """Read the places carrying any of ``tags`` in an extract, one row per place.

    A place is often mapped twice (a node at the door and the building outline, or an old
    and a new node). Objects with the same name (case and spacing ignored) within
    :data:`SAME_NAME_M`, or within :data:`SAME_PLACE_M` when one has no name, count once; the
    named node is kept before a way, so the point stays where the mapper put the entrance.

    Parameters
    ----------
    osm_path
        A ``.osm.pbf`` or ``.osm`` extract.
    tags
        ``(key, value)`` pairs such as ``("amenity", "doctors")``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (``osm:node/123`` or ``osm:way/456``), ``name`` (``<NA>`` when
        untagged), ``osm_tag`` (``key=value`` matched), ``merged`` (how many OSM objects the
        place stands for) and point ``geometry`` in EPSG:27700. ``attrs["files"]`` names the
        extract and ``attrs["attribution"]`` the OSM licence line.

    Raises
    ------
    DataError
        When the extract is missing or unreadable.
    """
    path = Path(osm_path)
    try:
        found = read_tagged_points(path, tags=tags)
    except IsochronesError as exc:
        raise DataError(f"{exc} Pass an existing .osm.pbf / .osm file.") from exc
    frame = pd.DataFrame(
        found, columns=["osm_type", "osm_id", "name", "lon", "lat", "key", "value"]
    )
    names = frame["name"].astype("string").str.strip()
    frame["name"] = names.mask(names == "")  # an empty name tag is no name
    # Named before unnamed, nodes before ways, then by id: the first of each place is kept.
    frame = frame.assign(
        _unnamed=frame["name"].isna(), _way=frame["osm_type"] != "node"
    ).sort_values(["_unnamed", "_way", "osm_id"], kind="stable", ignore_index=True)
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)), crs=4326
    ).to_crs("EPSG:27700")
    table = pd.DataFrame(
        {
            "code": ("osm:" + frame["osm_type"] + "/" + frame["osm_id"].astype(str)).astype(
                "string"
            ),
            "name": frame["name"],
            "osm_tag": (frame["key"] + "=" + frame["value"]).astype("string"),
        }
    )
    if len(table):
        table["_place"] = _same_place_groups(geometry, [_name_key(n) for n in frame["name"]])
    else:
        table["_place"] = pd.Series(dtype="int64")
    table["merged"] = table.groupby("_place")["code"].transform("size").astype("int64")
    keep = ~table["_place"].duplicated()
    merged = int((~keep).sum())
    if merged:
        logger.info(
            "%d OSM objects in %s merged into the place they duplicate", merged, path.name
        )
    gdf = gpd.GeoDataFrame(
        table.loc[keep, ["code", "name", "osm_tag", "merged"]].reset_index(drop=True),
        geometry=geometry[keep.to_numpy()].to_numpy(),
        crs="EPSG:27700",
    )
    gdf.attrs.update({"files": [path.name], "attribution": [OSM_ATTRIBUTION]})
    return gdf
