"""Maps of a scheme proposal and of what it changes: a static figure and a web map.

* :func:`change_map_png` -- two panels side by side (today's map, with the scheme) of one
  per-home value, e.g. the walk to the nearest GP, with the proposal's layers; offline, in
  British National Grid, for the report chapter :mod:`hiap.reports.scheme_change`.
  The report draws one for each value that changes (:func:`changed_values`).
* :func:`indicator_map` -- a folium map of one per-home value (:data:`MAPPED_VALUES`: walks,
  public transport, each greenspace standard, play, sport, bus stops, everyday destinations)
  on today's map, with the scheme (its layers drawn, proposed greenspace included), or as the
  change (a difference layer); :func:`indicator_summary` is the table of
  the same figures that sits beside each map in the app (text alternative).
* :func:`proposal_draw_map` -- the layers drawn so far and the draw tool, for drawing a
  proposal in the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch

from hiap import attribution
from hiap.viz.access_maps import NEW_ROUTE_COLOUR, add_draw_tool
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

__all__ = [
    "CHANGE_MAP_ATTRIBUTION",
    "MAPPED_VALUES",
    "change_map_frame_bng",
    "change_map_png",
    "changed_values",
    "indicator_map",
    "indicator_summary",
    "mapped_values",
    "proposal_draw_map",
]

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
    label: str | None = None,
    base: BaseLayers | None = None,
) -> bytes:
    """Draw today's map and the map with the scheme side by side, homes coloured by ``column``.

    The colours are those of :func:`indicator_map` (the app's maps): minutes in walking-time
    bands, a yes/no standard green where met and red where not, counts in shades of blue.

    Parameters
    ----------
    comparison
        The result of :func:`hiap.indicators.compare.assess_proposal`.
    column
        A per-home value of :data:`MAPPED_VALUES` (e.g. ``gp_walk_min`` or
        ``angst_2ha_300m_within``).
    label
        What the value is, for the titles (default: its :data:`MAPPED_VALUES` label).
    base
        Streets, paths, water and green spaces around the site drawn beneath both panels
        (:func:`hiap.viz.osm_base.local_base` of :func:`change_map_frame_bng`).

    Returns
    -------
    bytes
        A PNG, 2 panels, with legend, proposal layers and the attribution line.
    """
    name, unit, higher = MAPPED_VALUES[column]
    homes = comparison.homes
    weight = homes["weight"].to_numpy(float)
    proposal = comparison.proposal
    fig = Figure(figsize=(10.0, 5.4), dpi=150)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
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
            shown = values.to_numpy(float)
            ax.scatter(
                homes.geometry.x,
                homes.geometry.y,
                c=[_value_colour(v, unit, higher) for v in shown],
                s=14,
                edgecolors="#333333",
                linewidths=0.2,
                zorder=4,
            )
            title += f": {_panel_figure(shown, weight, unit)}"
        ax.set_title(title, fontsize=10)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    handles: list[Patch | Line2D] = _value_legend(unit, higher)
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
    fig.suptitle(f"{label or name}, from each home of {proposal.name}", fontsize=11)
    fig.text(
        0.99, 0.005, CHANGE_MAP_ATTRIBUTION, ha="right", va="bottom", fontsize=5.5, color="#4a5a60"
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.16, wspace=0.04)
    return _png(fig)


def _panel_figure(values: np.ndarray, weight: np.ndarray, unit: str) -> str:
    """Return a panel's title figure: the median home, or the share meeting a standard."""
    from hiap.indicators.homes import weighted_quantile, weighted_share

    if unit == "within":
        return f"{weighted_share(values > 0, weight):.0%} of homes meet it"
    if unit == "min":
        finite = np.isfinite(values)
        if not finite.any():
            return "none reached"
        return f"median {float(np.median(values[finite])):.1f} min"
    return f"median {weighted_quantile(values, weight, 0.5):g}"


def _value_legend(unit: str, higher: bool) -> list[Patch | Line2D]:
    """Legend entries for the colours :func:`_value_colour` gives a unit."""
    if unit == "min":
        return [
            Patch(
                facecolor=c,
                edgecolor="#333333",
                label=f"{lo:g}-{hi:g} min" if hi < 1e8 else f"{lo:g}+ min",
            )
            for c, lo, hi in zip(_BAND_COLOURS, _BANDS_MIN[:-1], _BANDS_MIN[1:], strict=True)
        ]
    if unit == "within":
        return [
            Patch(facecolor=_value_colour(1.0, unit, higher), edgecolor="#333333", label="Meets it"),
            Patch(facecolor=_value_colour(0.0, unit, higher), edgecolor="#333333",
                  label="Does not meet it"),
        ]
    return [
        Patch(facecolor=_value_colour(float(n), unit, higher), edgecolor="#333333",
              label=f"{n:g}" if n < 6 else f"{n:g}+")
        for n in range(7)
    ]


def _add_proposal_layers(fmap: folium.Map, proposal: Proposal, *, built: bool = True) -> None:
    """Draw the site and, when ``built``, every layer of the proposal (for the app's maps)."""
    add_layer(
        fmap,
        proposal.layer("boundary"),
        name="Site",
        style={"color": _BOUNDARY, "weight": 3, "fillOpacity": 0.0},
    )
    if not built:
        return
    homes = proposal.layer("homes")
    parcels = homes[~homes.geom_type.isin(["Point", "MultiPoint"])] if not homes.empty else homes
    if not parcels.empty:
        add_layer(
            fmap,
            parcels,
            name="Proposed homes (parcels)",
            style={"color": "#7f2704", "weight": 1, "fillColor": "#fdd0a2", "fillOpacity": 0.35},
            tooltip_fields=["name", "dwellings", "phase", "year"],
        )
    styles = {
        "greenspace": (
            "Proposed greenspace",
            {"color": _GREEN, "weight": 1, "fillColor": "#a6dba0", "fillOpacity": 0.6},
            ["type", "name", "phase"],
        ),
        "paths": (
            "Proposed paths",
            {"color": "#000000", "weight": 2, "dashArray": "6 4"},
            ["type", "name", "phase"],
        ),
        "bus_route": (
            "Proposed bus route",
            {"color": NEW_ROUTE_COLOUR, "weight": 4, "opacity": 0.9},
            ["name", "headway_min", "first_bus", "last_bus"],
        ),
    }
    for layer, (name, style, fields) in styles.items():
        frame = proposal.layer(layer)
        if not frame.empty:
            add_layer(fmap, frame, name=name, style=style, tooltip_fields=fields)
    for layer, name, colour in (
        ("facilities", "Proposed facilities", "#b71c1c"),
        ("bus_stops", "Proposed bus stops", NEW_ROUTE_COLOUR),
    ):
        frame = proposal.layer(layer)
        if frame.empty:
            continue
        marks = folium.FeatureGroup(name=name)
        labels = frame.get("name", frame.geometry.geom_type)
        kinds = frame.get("type")
        for i, point in enumerate(frame.to_crs(4326).geometry.representative_point()):
            kind = str(kinds.iloc[i]) if kinds is not None else ""
            badge_marker(
                (point.y, point.x),
                badge=_FACILITY_BADGES.get(kind, "+") if layer == "facilities" else "B",
                colour=colour,
                tooltip=f"{map_text(labels.iloc[i]) or name}" + (f" ({map_text(kind)})" if kind else ""),
            ).add_to(marks)
        marks.add_to(fmap)
    if not homes.empty:
        points = homes[homes.geom_type.isin(["Point", "MultiPoint"])]
        if not points.empty:
            group = folium.FeatureGroup(name="Proposed homes (points)")
            for point, dwellings in zip(
                points.to_crs(4326).geometry.representative_point(), points["dwellings"], strict=True
            ):
                folium.CircleMarker(
                    [point.y, point.x], radius=5, color="#7f2704", fill=True, fill_opacity=0.5,
                    weight=1, tooltip=f"{dwellings:,.0f} dwellings",
                ).add_to(group)
            group.add_to(fmap)


def _site_map(proposal: Proposal) -> folium.Map:
    boundary = proposal.layer("boundary")
    return base_map(tuple(float(v) for v in boundary.to_crs(4326).total_bounds))  # type: ignore[arg-type]


MAPPED_VALUES: dict[str, tuple[str, str, bool]] = {
    "gp_walk_min": ("Walk to the nearest GP", "min", False),
    "hospital_walk_min": ("Walk to the nearest hospital", "min", False),
    "gp_pt_min": ("Public transport to the nearest GP", "min", False),
    "hospital_pt_min": ("Public transport to the nearest hospital", "min", False),
    "gi_doorstep_05ha_200m_within": ("0.5 ha greenspace within 200 m", "within", True),
    "angst_2ha_300m_within": ("2 ha greenspace within 300 m (ANGSt)", "within", True),
    "gi_local_2ha_300m_within": ("2 ha local greenspace within 300 m", "within", True),
    "gi_neighbourhood_10ha_1km_within": ("10 ha greenspace within 1 km", "within", True),
    "angst_20ha_2km_within": ("20 ha greenspace within 2 km (ANGSt)", "within", True),
    "playground_400m_within": ("A playground within 400 m", "within", True),
    "sports_800m_within": ("Sports facilities within 800 m", "within", True),
    "bus_stop_400m_within": ("A bus stop within 400 m", "within", True),
    "everyday_destinations_800m": ("Everyday destination types within 800 m", "count", True),
}
"""Per-home values a comparison can map: column -> (label, unit, higher is better)."""


def mapped_values(comparison: Comparison) -> list[str]:
    """Return the columns of :data:`MAPPED_VALUES` measured in both worlds, in that order."""
    homes = comparison.homes
    return [c for c in MAPPED_VALUES if f"{c}_baseline" in homes and f"{c}_with" in homes]


def changed_values(comparison: Comparison) -> list[str]:
    """Return the :func:`mapped_values` that change for health at one home or more.

    Parameters
    ----------
    comparison
        The comparison.

    Returns
    -------
    list of str
        Columns of :data:`MAPPED_VALUES`, in that order, where some home is better or worse
        with the scheme (by the margins of :func:`indicator_summary`).
    """
    homes = comparison.homes
    out = []
    for column in mapped_values(comparison):
        _, unit, higher = MAPPED_VALUES[column]
        before = homes[f"{column}_baseline"].to_numpy(float)
        after = homes[f"{column}_with"].to_numpy(float)
        if any(_verdict(b, a, unit, higher) != "same" for b, a in zip(before, after, strict=True)):
            out.append(column)
    return out


def _value_text(value: float, unit: str) -> str:
    if unit == "within":
        return "yes" if value else "no"
    if not np.isfinite(value):
        return "not reached"
    return f"{value:.1f} min" if unit == "min" else f"{value:g}"


def _verdict(before: float, after: float, unit: str, higher: bool) -> str:
    if unit == "within":
        return "same" if bool(before) == bool(after) else ("better" if bool(after) == higher else "worse")
    if not (np.isfinite(before) or np.isfinite(after)):
        return "same"
    delta = (after if np.isfinite(after) else 1e9) - (before if np.isfinite(before) else 1e9)
    tolerance = 0.25 if unit == "min" else 0.5
    if abs(delta) < tolerance:
        return "same"
    return "better" if (delta > 0) == higher else "worse"


_VERDICT_COLOURS = {"better": _GREEN, "worse": _WORSE, "same": _SAME}


def _value_colour(value: float, unit: str, higher: bool) -> str:
    if unit == "within":
        return _GREEN if bool(value) == higher else _WORSE
    if unit == "min":
        if not np.isfinite(value):
            return _BAND_COLOURS[-1]
        band = int(np.searchsorted(_BANDS_MIN, value, side="right")) - 1
        return _BAND_COLOURS[min(max(band, 0), len(_BAND_COLOURS) - 1)]
    palette = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d", "#023858", "#011f3a")
    return palette[int(min(max(value, 0), 6))]


def indicator_map(comparison: Comparison, column: str, *, world: str) -> folium.Map:
    """Return one web map of a per-home value: today's map, with the scheme, or the change.

    Parameters
    ----------
    comparison
        The result of :func:`hiap.indicators.compare.assess_proposal`.
    column
        A per-home value of :data:`MAPPED_VALUES` (e.g. ``angst_2ha_300m_within``).
    world
        ``"baseline"`` (the site on today's map), ``"with"`` (the proposal's layers drawn,
        proposed greenspace included) or ``"change"`` (homes green where better for health,
        red where worse, grey where the same).

    Returns
    -------
    folium.Map
        OSM base map with the layers and the homes coloured; hover a home for its values.
        :func:`indicator_summary` gives the same figures as a table, to show beside it.
    """
    label, unit, higher = MAPPED_VALUES[column]
    fmap = _site_map(comparison.proposal)
    _add_proposal_layers(fmap, comparison.proposal, built=world != "baseline")
    homes = comparison.homes.to_crs(4326)
    before = homes[f"{column}_baseline"].to_numpy(float)
    after = homes[f"{column}_with"].to_numpy(float)
    title = {"baseline": "today", "with": "with the scheme", "change": "change"}[world]
    group = folium.FeatureGroup(name=f"Homes: {label.lower()}, {title}")
    for point, b, a in zip(homes.geometry, before, after, strict=True):
        if world == "change":
            colour = _VERDICT_COLOURS[_verdict(b, a, unit, higher)]
        else:
            colour = _value_colour(b if world == "baseline" else a, unit, higher)
        folium.CircleMarker(
            [point.y, point.x], radius=4, color="#333333", fill=True, fill_color=colour,
            fill_opacity=0.9, weight=1,
            tooltip=f"{_value_text(b, unit)} today, {_value_text(a, unit)} with the scheme",
        ).add_to(group)
    group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def indicator_summary(comparison: Comparison, column: str) -> pd.DataFrame:
    """Return the figures of :func:`indicator_map` as a table (the map's text alternative).

    Parameters
    ----------
    comparison
        The comparison.
    column
        A per-home value of :data:`MAPPED_VALUES`.

    Returns
    -------
    pandas.DataFrame
        Rows: for a yes/no standard, the share of homes meeting it today and with the
        scheme; for minutes or counts, the median, and the 10th and 90th percentiles; then the
        share of homes better, worse and the same for health. Columns ``figure``, ``today``,
        ``with the scheme``.
    """
    from hiap.indicators.homes import weighted_quantile, weighted_share

    _, unit, higher = MAPPED_VALUES[column]
    homes = comparison.homes
    weight = homes["weight"].to_numpy(float)
    before = homes[f"{column}_baseline"].to_numpy(float)
    after = homes[f"{column}_with"].to_numpy(float)
    rows: list[tuple[str, str, str]] = []
    if unit == "within":
        rows.append((
            "homes meeting the standard",
            f"{weighted_share(before > 0, weight):.0%}",
            f"{weighted_share(after > 0, weight):.0%}",
        ))
    else:
        for name, q in (("median home", 0.5), ("10th percentile", 0.1), ("90th percentile", 0.9)):
            rows.append((
                name,
                _value_text(weighted_quantile(before, weight, q), unit),
                _value_text(weighted_quantile(after, weight, q), unit),
            ))
    verdicts = np.array([_verdict(b, a, unit, higher) for b, a in zip(before, after, strict=True)])
    for verdict in ("better", "worse", "same"):
        share = weighted_share(verdicts == verdict, weight)
        rows.append((f"homes {verdict} for health with the scheme", "", f"{share:.0%}"))
    return pd.DataFrame(rows, columns=["figure", "today", "with the scheme"])


def proposal_draw_map(
    bounds_wgs84: tuple[float, float, float, float],
    proposal: Proposal | None,
    *,
    tools: tuple[str, ...],
) -> folium.Map:
    """Return a map for drawing a proposal: the layers drawn so far and the draw tool.

    Parameters
    ----------
    bounds_wgs84
        Area to show (the site, or the county before a site is drawn).
    proposal
        The proposal drawn so far (``None`` before the boundary).
    tools
        The draw tool's shapes for the layer being drawn
        (:data:`hiap.schemes.drawn.DRAW_TOOLS`).

    Returns
    -------
    folium.Map
        With the Draw control and a layer control.
    """
    fmap = base_map(bounds_wgs84)
    if proposal is not None:
        _add_proposal_layers(fmap, proposal)
    add_draw_tool(fmap, tools, colour=NEW_ROUTE_COLOUR)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap
