"""The base map drawn from the local OpenStreetMap extract: streets, paths, water, green.

One selection of base features serves every map that needs a background without web tiles:

- :func:`select_base` cuts the extract's features (:class:`hiap.indicators.osm_features.
  OsmFeatures`) to a box and simplifies them for drawing;
- :func:`local_base` finds the extract in the data directory that covers a box and selects
  from it (``None`` when no extract covers the box);
- :func:`draw_base` draws the selection on a matplotlib axis (the report maps:
  :mod:`hiap.viz.figures`, :mod:`hiap.viz.proposal_maps`);
- :func:`hiap.viz.offline.add_local_base` draws the same selection as the folium fallback base
  of the app's maps when the tiles cannot be reached.

Every map drawn on this base carries the OpenStreetMap (ODbL) attribution.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

if TYPE_CHECKING:
    from hiap.indicators.osm_features import OsmFeatures
    from hiap.settings import Settings

__all__ = [
    "BASE_STYLE",
    "BaseLayers",
    "base_legend",
    "draw_base",
    "local_base",
    "select_base",
]

logger = logging.getLogger(__name__)

BNG = "EPSG:27700"

BASE_STYLE: dict[str, str] = {
    "road": "#9a9a9a",
    "path": "#a0522d",
    "green_fill": "#c8e6c0",
    "green_edge": "#7fb77e",
    "water_fill": "#a9cfe8",
    "water_edge": "#5b9bc8",
}
"""Colours of the base layers, shared by the report maps and the folium fallback base."""

_SIMPLIFY_M = {"streets": 2.0, "green": 4.0, "water": 3.0}
_MAX_BOX_SIDE_M = 8_000.0  # beyond a town's size a street base is clutter, not context


@dataclass(frozen=True)
class BaseLayers:
    """Base-map features inside a box, in British National Grid (EPSG:27700).

    Parameters
    ----------
    streets
        Highway lines with ``is_path`` (footways, cycleways, paths) and geometry.
    green
        Accessible green-space polygons.
    water
        Water areas (polygons) and waterways (lines), with ``kind``.
    box_bng
        The box the layers were cut to (minx, miny, maxx, maxy).
    source
        The extract's attribution and date sentence (OpenStreetMap, ODbL).
    coverage
        Share (0-1) of the box inside the extract's extent; beyond it the base is blank.
    """

    streets: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    box_bng: tuple[float, float, float, float]
    source: str
    coverage: float = 1.0

    @property
    def empty(self) -> bool:
        """True when the box holds no street, green space or water."""
        return self.streets.empty and self.green.empty and self.water.empty

    def counts(self) -> dict[str, int]:
        """Return how many roads, paths, green spaces and water features the base holds."""
        paths = int(self.streets["is_path"].astype(bool).sum()) if not self.streets.empty else 0
        return {
            "roads": len(self.streets) - paths,
            "paths": paths,
            "green": len(self.green),
            "water": len(self.water),
        }


def select_base(
    features: OsmFeatures, box_bng: tuple[float, float, float, float], *, coverage: float = 1.0
) -> BaseLayers:
    """Cut an extract's streets, paths, green spaces and water to a box, simplified for drawing.

    Parameters
    ----------
    features
        The extract's features (:func:`hiap.indicators.osm_features.extract_osm_features`).
    box_bng
        (minx, miny, maxx, maxy) in EPSG:27700.
    coverage
        Share of the box the extract covers, kept with the layers for captions.

    Returns
    -------
    BaseLayers
        Features that intersect the box (whole, not clipped: lines leave the frame cleanly).
    """
    area = shapely.box(*box_bng)

    def cut(frame: gpd.GeoDataFrame, columns: list[str], tolerance_m: float) -> gpd.GeoDataFrame:
        if frame.empty:
            return gpd.GeoDataFrame(
                {c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=BNG), crs=BNG
            )
        inside = frame[frame.intersects(area)][[*columns, "geometry"]]
        return inside.assign(geometry=inside.geometry.simplify(tolerance_m))

    return BaseLayers(
        streets=cut(features.streets, ["is_path"], _SIMPLIFY_M["streets"]),
        green=cut(features.greenspace, [], _SIMPLIFY_M["green"]),
        water=cut(features.water, ["kind"], _SIMPLIFY_M["water"]),
        box_bng=tuple(float(v) for v in box_bng),  # type: ignore[arg-type]
        source=features.source,
        coverage=coverage,
    )


def local_base(
    box_bng: tuple[float, float, float, float], *, settings: Settings
) -> BaseLayers | None:
    """Return the base features of the box from the local extract that covers it.

    Parameters
    ----------
    box_bng
        (minx, miny, maxx, maxy) in EPSG:27700; a box wider than 8 km is cut to 8 km around
        its centre (a street base is context for a site, not for a county).
    settings
        Gives the data directory (its ``osm`` folder) and the feature cache.

    Returns
    -------
    BaseLayers or None
        ``None`` when no extract in the data directory covers the box, or it cannot be read
        (the reason is logged; the map is then drawn without a base and says so).
    """
    from hiap.data.osm import extract_overlap, find_osm_extract
    from hiap.errors import HiapError
    from hiap.indicators.osm_features import extract_osm_features

    x0, y0, x1, y1 = box_bng
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = min((x1 - x0) / 2, _MAX_BOX_SIDE_M / 2)
    half_h = min((y1 - y0) / 2, _MAX_BOX_SIDE_M / 2)
    box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    try:
        extract = find_osm_extract(settings, area=shapely.box(*box), required=False)
        if extract is None:
            return None
        covered = extract_overlap(extract, shapely.box(*box))
        features = extract_osm_features(extract, settings=settings)
        return select_base(features, box, coverage=1.0 if covered is None else covered)
    except (HiapError, OSError) as exc:
        logger.info("no local OSM base for the map: %s", exc)
        return None


def _lines(frame: gpd.GeoDataFrame) -> list[np.ndarray]:
    parts = shapely.get_parts(frame.geometry.to_numpy())
    return [np.asarray(p.coords) for p in parts if p.geom_type == "LineString" and not p.is_empty]


def _area_look(kind: str, *, hatched: bool = False) -> dict[str, Any]:
    if hatched:
        return {"facecolor": "white", "edgecolor": BASE_STYLE[f"{kind}_edge"], "hatch": "////"}
    return {"facecolor": BASE_STYLE[f"{kind}_fill"], "edgecolor": BASE_STYLE[f"{kind}_edge"]}


def draw_base(
    ax: Any,
    base: BaseLayers,
    *,
    zorder: float = 0.2,
    lines_zorder: float | None = None,
    hatch_water: bool = False,
) -> None:
    """Draw the base on a matplotlib axis in EPSG:27700: green, water, roads, then paths.

    Parameters
    ----------
    ax
        A matplotlib ``Axes`` whose data coordinates are British National Grid metres.
    base
        The features to draw (:func:`select_base` / :func:`local_base`).
    zorder
        Drawing order of the lowest layer; the others sit just above it, all below
        anything drawn at ``zorder + 0.5`` or more.
    lines_zorder
        Drawing order of the lines (water, roads, paths) when they must lie above something
        the areas lie beneath (e.g. walking-time bands); by default just above the areas.
    hatch_water
        Draw water hatched on white, not filled blue: on maps whose data are shades of blue
        (walking-time bands) a blue lake would read as a band.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch

    from hiap.viz.figures import _polygon_path

    style = BASE_STYLE
    for frame, look, z in (
        (base.green, _area_look("green"), zorder),
        (base.water, _area_look("water", hatched=hatch_water), zorder + 0.05),
    ):
        for geom in frame.geometry:
            path = _polygon_path(geom)
            if path is not None:
                ax.add_patch(PathPatch(path, lw=0.4, zorder=z, **look))
    lines_at = zorder + 0.1 if lines_zorder is None else lines_zorder
    if not base.water.empty:
        ax.add_collection(LineCollection(_lines(base.water), colors=style["water_edge"],
                                         linewidths=1.0, zorder=lines_at))  # fmt: skip
    if not base.streets.empty:
        is_path = base.streets["is_path"].astype(bool).to_numpy()
        ax.add_collection(LineCollection(_lines(base.streets[~is_path]), colors=style["road"],
                                         linewidths=0.9, zorder=lines_at + 0.1))  # fmt: skip
        ax.add_collection(LineCollection(_lines(base.streets[is_path]), colors=style["path"],
                                         linewidths=0.6, linestyles=(0, (3, 2)),
                                         zorder=lines_at + 0.15))  # fmt: skip


def base_legend(base: BaseLayers, *, hatch_water: bool = False) -> list[Any]:
    """Return matplotlib legend handles for the base layers present in ``base``.

    Parameters
    ----------
    base
        The base drawn with :func:`draw_base`.
    hatch_water
        As given to :func:`draw_base`.

    Returns
    -------
    list
        ``Line2D`` / ``Patch`` handles: roads, paths, green space, water (those present).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    counts = base.counts()
    style = BASE_STYLE
    handles: list[Any] = []
    if counts["roads"]:
        handles.append(Line2D([], [], color=style["road"], lw=1.2, label="Street"))
    if counts["paths"]:
        handles.append(Line2D([], [], color=style["path"], lw=1.0, ls=(0, (3, 2)),
                              label="Footpath or cycle path"))  # fmt: skip
    if counts["green"]:
        handles.append(Patch(**_area_look("green"), label="Green space"))
    if counts["water"]:
        handles.append(Patch(**_area_look("water", hatched=hatch_water), label="Water"))
    return handles
