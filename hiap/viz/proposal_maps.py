"""Maps of a scheme proposal and of what it changes: a static figure and a web map.

* :func:`change_map_png` -- two panels side by side (today's map, with the scheme) of one
  per-home value, e.g. the walk to the nearest GP, with the proposal's layers; offline, in
  British National Grid, for the report chapter :mod:`hiap.reports.scheme_change`.
* :func:`change_map` -- a folium map with the proposal's layers and the homes coloured by the
  change (a difference layer), for the app. A table of the same figures sits beside it in the
  app (text alternative).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch

from hiap import attribution
from hiap.viz.figures import _png, _polygon_path
from hiap.viz.maps import add_layer, badge_marker, base_map, map_text
from hiap.viz.osm_base import BaseLayers, base_legend, draw_base

# Marker text for each proposed facility type (hiap.schemes.proposal.FACILITY_TYPES); "+" else.
_FACILITY_BADGES = {
    "gp": "GP",
    "health_centre": "HC",
    "pharmacy": "Rx",
    "primary_school": "PS",
    "secondary_school": "SS",
    "shop": "Sh",
    "community_centre": "CC",
    "sports": "Sp",
}

if TYPE_CHECKING:
    from hiap.indicators.compare import Comparison
    from hiap.schemes.proposal import Proposal

__all__ = ["CHANGE_MAP_ATTRIBUTION", "change_map", "change_map_frame_bng", "change_map_png"]

CHANGE_MAP_ATTRIBUTION = f"{attribution.OSM}; {attribution.OGL}"

_BANDS_MIN = (0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 1e9)
# Colour-blind-safe sequential blues to purples (ColorBrewer PuBu), darker = farther.
_BAND_COLOURS = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d", "#023858")
_GREEN = "#1b7837"
_WORSE = "#b2182b"
_SAME = "#8c8c8c"
_BOUNDARY = "#d95f02"
_FACILITY = "#c2185b"


def _layers(proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
    return {
        name: proposal.layer(name)
        for name in ("boundary", "greenspace", "paths", "facilities", "bus_stops")
    }


def _draw_proposal(ax: Any, proposal: Proposal) -> None:
    layers = _layers(proposal)
    for geom in layers["greenspace"].geometry:
        path = _polygon_path(geom)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="#a6dba0", edgecolor=_GREEN, lw=0.6, alpha=0.8))
    for geom in layers["boundary"].geometry:
        path = _polygon_path(geom)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor=_BOUNDARY, lw=1.6))
    for geom in layers["paths"].geometry:
        for part in getattr(geom, "geoms", [geom]):
            xs, ys = part.xy
            ax.plot(xs, ys, color="#000000", lw=1.0, ls="--")
    fac = layers["facilities"]
    if not fac.empty:
        pts = fac.geometry.representative_point()
        ax.scatter(
            pts.x,
            pts.y,
            marker="P",
            s=70,
            c=_FACILITY,
            edgecolors="white",
            linewidths=0.8,
            zorder=5,
        )


def change_map_frame_bng(comparison: Comparison) -> tuple[float, float, float, float]:
    """Return the box (EPSG:27700) each panel of :func:`change_map_png` shows.

    Parameters
    ----------
    comparison
        The proposal's comparison.

    Returns
    -------
    tuple of float
        (minx, miny, maxx, maxy): the site with an 8 % margin.
    """
    site = comparison.proposal.layer("boundary").total_bounds
    pad = 0.08 * max(site[2] - site[0], site[3] - site[1])
    return (site[0] - pad, site[1] - pad, site[2] + pad, site[3] + pad)


def change_map_png(
    comparison: Comparison,
    *,
    column: str = "gp_walk_min",
    label: str = "Walk to the nearest GP",
    base: BaseLayers | None = None,
) -> bytes:
    """Draw today's map and the map with the scheme side by side, homes coloured by ``column``.

    Parameters
    ----------
    comparison
        The result of :func:`hiap.indicators.compare.assess_proposal`.
    column
        A per-home value in minutes (``gp_walk_min`` or ``hospital_walk_min``).
    label
        What the value is, for the titles.
    base
        Streets, paths, water and green spaces around the site drawn beneath both panels
        (:func:`hiap.viz.osm_base.local_base` of :func:`change_map_frame_bng`).

    Returns
    -------
    bytes
        A PNG, 2 panels, with legend, proposal layers and the attribution line.
    """
    homes = comparison.homes
    proposal = comparison.proposal
    fig = Figure(figsize=(10.0, 5.4), dpi=150)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    cmap = ListedColormap(list(_BAND_COLOURS))
    norm = BoundaryNorm(list(_BANDS_MIN), cmap.N)
    x0, y0, x1, y1 = change_map_frame_bng(comparison)
    for ax, world, title in zip(
        axes, ("baseline", "with"), ("Today's map", "With the scheme"), strict=True
    ):
        if base is not None and not base.empty:
            draw_base(ax, base)
        values = homes.get(f"{column}_{world}")
        if world == "with":
            _draw_proposal(ax, proposal)
        else:
            for geom in proposal.layer("boundary").geometry:
                path = _polygon_path(geom)
                if path is not None:
                    ax.add_patch(PathPatch(path, facecolor="none", edgecolor=_BOUNDARY, lw=1.6))
        if values is not None:
            shown = np.where(np.isfinite(values), values, 1e8)
            ax.scatter(
                homes.geometry.x,
                homes.geometry.y,
                c=shown,
                cmap=cmap,
                norm=norm,
                s=14,
                edgecolors="#333333",
                linewidths=0.2,
                zorder=4,
            )
            median = float(np.nanmedian(np.where(np.isfinite(values), values, np.nan)))
            title += f": median {median:.1f} min"
        ax.set_title(title, fontsize=10)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    handles: list[Patch | Line2D] = [
        Patch(
            facecolor=c,
            edgecolor="#333333",
            label=f"{lo:g}-{hi:g} min" if hi < 1e8 else f"{lo:g}+ min",
        )
        for c, lo, hi in zip(_BAND_COLOURS, _BANDS_MIN[:-1], _BANDS_MIN[1:], strict=True)
    ]
    handles += [
        Patch(facecolor="none", edgecolor=_BOUNDARY, label="Site"),
        Patch(facecolor="#a6dba0", edgecolor=_GREEN, label="Proposed greenspace"),
        Line2D([], [], color="#000000", ls="--", label="Proposed path"),
        Line2D(
            [],
            [],
            marker="P",
            color="none",
            markerfacecolor=_FACILITY,
            markersize=9,
            label="Proposed facility",
        ),
    ]
    if base is not None and not base.empty:
        handles += base_legend(base)
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.025),
        ncol=6,
        fontsize=7,
        frameon=False,
    )
    fig.suptitle(f"{label}, from each home of {proposal.name}", fontsize=11)
    fig.text(
        0.99, 0.005, CHANGE_MAP_ATTRIBUTION, ha="right", va="bottom", fontsize=5.5, color="#4a5a60"
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.16, wspace=0.04)
    return _png(fig)


def change_map(comparison: Comparison, *, column: str = "gp_walk_min") -> folium.Map:
    """Return a web map of the proposal with the homes coloured by the change in ``column``.

    Green: the walk is shorter with the scheme; red: longer; grey: the same (within 0.25 min).

    Parameters
    ----------
    comparison
        The result of :func:`hiap.indicators.compare.assess_proposal`.
    column
        A per-home value in minutes.

    Returns
    -------
    folium.Map
        OSM base map with the proposal's layers and the difference layer.
    """
    proposal = comparison.proposal
    boundary = proposal.layer("boundary")
    fmap = base_map(tuple(float(v) for v in boundary.to_crs(4326).total_bounds))  # type: ignore[arg-type]
    add_layer(
        fmap, boundary, name="Site", style={"color": _BOUNDARY, "weight": 3, "fillOpacity": 0.0}
    )
    layers = _layers(proposal)
    if not layers["greenspace"].empty:
        add_layer(
            fmap,
            layers["greenspace"],
            name="Proposed greenspace",
            style={"color": _GREEN, "weight": 1, "fillColor": "#a6dba0", "fillOpacity": 0.6},
            tooltip_fields=["type", "name"],
        )
    if not layers["paths"].empty:
        add_layer(
            fmap,
            layers["paths"],
            name="Proposed paths",
            style={"color": "#000000", "weight": 2, "dashArray": "6 4"},
            tooltip_fields=["type", "name"],
        )
    homes = comparison.homes.to_crs(4326)
    change = homes.get(f"{column}_change")
    group = folium.FeatureGroup(name="Homes: change in the walk to the nearest GP")
    if change is not None:
        before = homes[f"{column}_baseline"].to_numpy()
        after = homes[f"{column}_with"].to_numpy()
        for point, delta, b, a in zip(
            homes.geometry, change.to_numpy(), before, after, strict=True
        ):
            colour = (
                _SAME
                if not np.isfinite(delta) or abs(delta) < 0.25
                else (_GREEN if delta < 0 else _WORSE)
            )
            folium.CircleMarker(
                [point.y, point.x],
                radius=4,
                color=colour,
                fill=True,
                fill_opacity=0.9,
                weight=1,
                tooltip=f"{b:.1f} min today, {a:.1f} min with the scheme",
            ).add_to(group)
    group.add_to(fmap)
    fac = layers["facilities"]
    if not fac.empty:
        marks = folium.FeatureGroup(name="Proposed facilities")
        for point, kind, name in zip(
            fac.to_crs(4326).geometry.representative_point(),
            fac["type"],
            fac.get("name", fac["type"]),
            strict=True,
        ):
            badge_marker(
                (point.y, point.x),
                badge=_FACILITY_BADGES.get(str(kind), "+"),
                colour="#b71c1c",
                tooltip=f"{map_text(name)} ({map_text(kind)})",
            ).add_to(marks)
        marks.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
