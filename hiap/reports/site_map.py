"""The report's site map: the boundary on the local OpenStreetMap streets, paths, water, green.

:func:`site_map` is the one place the reports (HTML, PDF and Word) get their site map from:
it finds the extract in the data directory that covers the site
(:func:`hiap.viz.osm_base.local_base`), draws the boundary on it
(:func:`hiap.viz.figures.boundary_map_png`) and writes the caption that says what the map
shows and its licence. Without an extract (or without settings) the map is drawn on a plain
grid and the caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiap import attribution
from hiap.viz import figures

if TYPE_CHECKING:
    from hiap.assessment import Assessment
    from hiap.settings import Settings

__all__ = ["SiteMap", "site_map"]


@dataclass(frozen=True)
class SiteMap:
    """A site map ready for a report.

    Parameters
    ----------
    png
        The image.
    caption
        What it shows, where the base comes from, and the licence.
    on_streets
        True when it is drawn on the local OpenStreetMap base.
    """

    png: bytes
    caption: str
    on_streets: bool


def site_map(
    assessment: Assessment, *, settings: Settings | None = None, supplied_png: bytes | None = None
) -> SiteMap | None:
    """Return the site map of an assessment for the report, or ``None`` without a boundary.

    Parameters
    ----------
    assessment
        The assessment (its saved boundary is drawn).
    settings
        Gives the data directory searched for an OpenStreetMap extract covering the site;
        ``None`` draws the site on a plain grid.
    supplied_png
        A map the caller made instead (used as it is).

    Returns
    -------
    SiteMap or None
        The map and its caption; ``None`` when there is no map to show.
    """
    if supplied_png is not None:
        return SiteMap(supplied_png, "Map supplied for this report.", on_streets=False)
    if assessment.boundary is None:
        return None
    base = None
    if settings is not None:
        from hiap.viz.osm_base import local_base

        base = local_base(figures.site_frame_bng(assessment.boundary), settings=settings)
    png = figures.boundary_map_png(assessment.boundary, base=base)
    if base is not None and not base.empty:
        counts = base.counts()
        caption = (
            "Drawn by hiap from the boundary saved with the assessment, on the streets "
            f"({counts['roads']}), footpaths and cycle paths ({counts['paths']}), water "
            f"({counts['water']}) and green spaces ({counts['green']}) of the local "
            f"OpenStreetMap extract: {base.source}."
        )
        if attribution.OSM not in base.source:
            caption += f" {attribution.OSM}."
        if base.coverage < 0.95:
            caption += (
                f" The extract covers about {100 * base.coverage:.0f}% of the mapped area; "
                "beyond it the map shows no streets (not an absence of streets)."
            )
        return SiteMap(png, caption, on_streets=True)
    caption = (
        "Drawn by hiap from the boundary saved with the assessment, on a plain grid: no "
        "local OpenStreetMap extract covers the site (add one to the data directory's osm "
        "folder to draw the streets around it)."
    )
    return SiteMap(png, caption, on_streets=False)
