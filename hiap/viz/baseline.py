"""Pictures of the health baseline: life expectancy charts and the MSOA map.

Static PNGs for the report (matplotlib object API, no pyplot state shared between sessions)
and plotly / folium versions for the app, all drawn from one
:class:`hiap.hia.baseline.BaselineProfile`. Every picture has a table beside it in the page
and the report (WCAG text alternative); the captions carry the period and the licence.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize, to_hex
from matplotlib.figure import Figure

from hiap.hia.baseline import BaselineProfile
from hiap.viz.figures import _png, boundary_geometry_bng
from hiap.viz.maps import base_map

__all__ = [
    "LE_COLOURS",
    "baseline_map",
    "baseline_map_png",
    "life_expectancy_around_png",
    "life_expectancy_bars",
    "life_expectancy_district_png",
]

LE_COLOURS = {"Male": "#00567a", "Female": "#b8336a"}
"""Series colours (contrast above 4.5:1 on white)."""
_ENGLAND = "#1d2b36"
_CMAP = "viridis"


def _district_table(profile: BaselineProfile, sex: str) -> tuple[list[str], list[float]]:
    rows = profile.le_districts[profile.le_districts["sex"] == sex].sort_values("median_years")
    return rows["lad_name"].astype(str).tolist(), rows["median_years"].astype(float).tolist()


def life_expectancy_district_png(profile: BaselineProfile) -> bytes:
    """Median MSOA life expectancy per district, male and female, with England's median.

    Parameters
    ----------
    profile
        The baseline.

    Returns
    -------
    bytes
        PNG image.
    """
    fig = Figure(figsize=(6.5, 4.0))
    ax = fig.add_subplot()
    names, _ = _district_table(profile, "Male")
    y = np.arange(len(names))
    for offset, sex in ((-0.2, "Male"), (0.2, "Female")):
        rows = profile.le_districts[profile.le_districts["sex"] == sex].set_index("lad_name")
        values = [float(v) for v in rows["median_years"].reindex(names)]
        ax.barh(y + offset, values, height=0.38, color=LE_COLOURS[sex], label=sex)
        for yy, v in zip(y + offset, values, strict=True):
            ax.text(v + 0.1, yy, f"{v:.1f}", va="center", fontsize=7)
        england = profile.le_england.get(sex)
        if england is not None:
            ax.axvline(england, color=LE_COLOURS[sex], linestyle="--", linewidth=1)
    ax.set_yticks(y, [n + (" (scheme)" if n == profile.district_name else "") for n in names])
    ax.set_xlim(75, 90)
    ax.set_xlabel("Life expectancy at birth, median of MSOAs (years), 2016 to 2020")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=7,
              title="dashed lines: England MSOA median", title_fontsize=7)  # fmt: skip
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    return _png(fig)


def life_expectancy_around_png(profile: BaselineProfile) -> bytes | None:
    """Life expectancy of each MSOA around the scheme against its district and England.

    Returns
    -------
    bytes or None
        PNG image, or ``None`` when there is no scheme (no MSOAs around it).
    """
    around = profile.le_around
    if around.empty:
        return None
    fig = Figure(figsize=(6.5, 0.5 + 0.45 * len(around) + 1.0))
    ax = fig.add_subplot()
    labels = around["msoa_name"].astype(str).tolist()
    y = np.arange(len(labels))
    for offset, sex, col in ((-0.12, "Male", "male_years"), (0.12, "Female", "female_years")):
        ax.scatter(around[col], y + offset, color=LE_COLOURS[sex], label=f"{sex}, MSOA", zorder=3)
        district = profile._district_median(sex)
        if district is not None:
            ax.axvline(district, color=LE_COLOURS[sex], linewidth=1, label=f"{sex}, district")
        england = profile.le_england.get(sex)
        if england is not None:
            ax.axvline(england, color=LE_COLOURS[sex], linestyle="--", linewidth=1,
                       label=f"{sex}, England MSOA median")  # fmt: skip
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("Life expectancy at birth (years), 2016 to 2020")
    ax.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    return _png(fig)


def _le_norm(values: Sequence[float]) -> Normalize:
    finite = [v for v in values if np.isfinite(v)]
    return Normalize(vmin=min(finite, default=76.0), vmax=max(finite, default=90.0))


def baseline_map_png(profile: BaselineProfile) -> bytes | None:
    """Map the region's MSOAs coloured by male life expectancy, with the districts and scheme.

    Returns
    -------
    bytes or None
        PNG image, or ``None`` when the MSOA points are missing.
    """
    points = profile.msoa_map
    if points is None or points.empty:
        return None
    fig = Figure(figsize=(6.5, 5.2))
    ax = fig.add_subplot()
    if profile.districts is not None:
        profile.districts.boundary.plot(ax=ax, color="#6b7780", linewidth=0.8)
        for _, row in profile.districts.iterrows():
            c = row.geometry.representative_point()
            ax.annotate(str(row["lad_name"]), (c.x, c.y), fontsize=7, ha="center", color="#3a444c")
    values = points["male_years"].astype(float)
    norm = _le_norm(values.tolist())
    cmap = colormaps[_CMAP]
    ax.scatter(points.geometry.x, points.geometry.y, c=values, cmap=cmap, norm=norm, s=28,
               edgecolors="white", linewidths=0.4, zorder=3)  # fmt: skip
    if profile.boundary is not None:
        geom = boundary_geometry_bng(profile.boundary)
        gpd.GeoSeries([geom], crs="EPSG:27700").boundary.plot(
            ax=ax, color="#d00000", linewidth=2, zorder=4
        )
    sm = cmap_mappable(cmap, norm)
    bar = fig.colorbar(sm, ax=ax, shrink=0.7)
    bar.set_label("Male life expectancy at birth (years), 2016-20", fontsize=8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.text(0.0, -0.04, "Contains National Statistics and OS data © Crown copyright and database "
            "right;\nOGL v3.0. Points: MSOA population-weighted centres (postcode-mean proxy).",
            transform=ax.transAxes, fontsize=6, color="#3a444c")  # fmt: skip
    fig.tight_layout()
    return _png(fig)


def cmap_mappable(cmap: Colormap, norm: Normalize) -> ScalarMappable:
    """Return a ScalarMappable for a colour bar."""
    return ScalarMappable(norm=norm, cmap=cmap)


def life_expectancy_bars(profile: BaselineProfile) -> go.Figure:
    """Draw plotly bars of the district medians (male and female) with England's median lines."""
    names, _ = _district_table(profile, "Male")
    fig = go.Figure()
    for sex in ("Male", "Female"):
        rows = profile.le_districts[profile.le_districts["sex"] == sex].set_index("lad_name")
        fig.add_bar(
            y=names,
            x=[float(v) for v in rows["median_years"].reindex(names)],
            name=sex,
            orientation="h",
            marker_color=LE_COLOURS[sex],
            hovertemplate="%{y}: %{x:.1f} years<extra>" + sex + "</extra>",
        )
        england = profile.le_england.get(sex)
        if england is not None:
            fig.add_vline(x=england, line_dash="dash", line_color=LE_COLOURS[sex],
                          annotation_text=f"England MSOA median, {sex.lower()} {england:.1f}")  # fmt: skip
    fig.update_layout(
        barmode="group",
        xaxis={"range": [75, 90], "title": "Median MSOA life expectancy at birth (years)"},
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig


def baseline_map(profile: BaselineProfile) -> folium.Map | None:
    """Folium map: MSOA points by male life expectancy over OpenStreetMap, and the scheme."""
    points = profile.msoa_map
    if points is None or points.empty:
        return None
    wgs = points.to_crs(4326)
    minx, miny, maxx, maxy = wgs.total_bounds
    fmap = base_map((float(minx), float(miny), float(maxx), float(maxy)))
    norm = _le_norm(points["male_years"].astype(float).tolist())
    cmap = colormaps[_CMAP]
    for _, row in wgs.iterrows():
        male, female = float(row["male_years"]), float(row.get("female_years", np.nan))
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=7,
            color="white",
            weight=1,
            fill=True,
            fill_opacity=0.9,
            fill_color=to_hex(cmap(norm(male))),
            tooltip=f"{row['msoa_code']} ({row['lad_name']}): male {male:.1f}, female {female:.1f}",
        ).add_to(fmap)
    if profile.boundary is not None:
        scheme = gpd.GeoSeries([boundary_geometry_bng(profile.boundary)], crs="EPSG:27700")
        folium.GeoJson(
            scheme.to_crs(4326).to_json(),
            name="Scheme",
            style_function=lambda _f: {"color": "#d00000", "weight": 3, "fillOpacity": 0.1},
        ).add_to(fmap)
    return fmap
