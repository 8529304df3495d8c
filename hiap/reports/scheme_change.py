"""The report chapter "What the scheme changes": baseline -> with scheme -> change.

Built from :func:`hiap.indicators.compare.assess_proposal`; pass the section to
:func:`hiap.reports.render_html` / ``render_pdf`` in ``extra_sections``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiap.reports.context import ReportSection
from hiap.viz.proposal_maps import CHANGE_MAP_ATTRIBUTION, change_map_frame_bng, change_map_png

if TYPE_CHECKING:
    from hiap.indicators.compare import Comparison
    from hiap.settings import Settings

__all__ = ["scheme_change_section"]


def _rows(table: object) -> tuple[tuple[str, str, str, str], ...]:
    import pandas as pd

    assert isinstance(table, pd.DataFrame)
    return tuple(
        (
            str(r["indicator"]),
            str(r["baseline shown"]),
            str(r["with scheme shown"]),
            str(r["for health"]),
        )
        for _, r in table.iterrows()
    )


def _change_map(comparison: Comparison, settings: Settings | None) -> bytes:
    base = None
    if settings is not None:
        from hiap.viz.osm_base import local_base

        base = local_base(change_map_frame_bng(comparison), settings=settings)
    return change_map_png(comparison, base=base)


def scheme_change_section(
    comparison: Comparison, *, with_map: bool = True, settings: Settings | None = None
) -> list[ReportSection]:
    """Build the "What the scheme changes" chapter (and one for the neighbours, when measured).

    Parameters
    ----------
    comparison
        Today's map and the map with the scheme, measured from the same homes.
    with_map
        Draw the side-by-side map of the walk to the nearest GP.
    settings
        Gives the data directory: the map is drawn on its local OpenStreetMap extract's
        streets, paths, water and green spaces (none when ``None`` or no extract covers it).

    Returns
    -------
    list of ReportSection
        The site's chapter, then the existing residents' and the phases' when measured.
    """
    table = comparison.table()
    counts = table["for health"].value_counts()
    proposal = comparison.proposal
    paragraphs = [
        f"hiap measured {proposal.name} twice from the same {comparison.baseline.points} home "
        "points: on today's OpenStreetMap (the baseline) and with the scheme built (its "
        "proposed paths, facilities, greenspace and stops added, and its new residents counted "
        f"for GP capacity). {int(counts.get('better', 0))} indicators get better for health, "
        f"{int(counts.get('worse', 0))} get worse and {int(counts.get('no change', 0))} do not "
        "change by a margin that counts (half a percentage point of homes, a quarter of a "
        "minute, one whole count, or 1%).",
        *comparison.notes,
        "The suggested direction of each HUDU matrix topic is taken from these changes: all "
        "better, positive; all worse, negative; none that counts, neutral; some of each, "
        "uncertain.",
    ]
    header = ("Indicator", "Baseline (today's map)", "With the scheme", "For health")
    sections = [
        ReportSection(
            title="What the scheme changes",
            paragraphs=tuple(paragraphs),
            table_header=header,
            table_rows=_rows(table),
            image_png=_change_map(comparison, settings)
            if with_map and "gp_walk_min_baseline" in comparison.homes
            else None,
            caption=(
                "Walk to the nearest GP practice from each home point, today (left) and with the "
                f"scheme's proposed facilities and paths (right). {CHANGE_MAP_ATTRIBUTION}."
            ),
        )
    ]
    neighbours = comparison.neighbours_table()
    if neighbours is not None:
        sections.append(
            ReportSection(
                title="What the scheme changes for its neighbours",
                paragraphs=(
                    "The same indicators for the people who already live around the site (census "
                    "output areas whose centroid lies within 1 km of it, weighted by population): "
                    "whether the scheme's new GP, park or paths help them, and (last row) how "
                    "the scheme's new residents change the GP supply of the practices they share.",
                ),
                table_header=header,
                table_rows=_rows(neighbours),
            )
        )
    for label, before, after in comparison.phases:
        from hiap.indicators.compare import compare_reports

        sections.append(
            ReportSection(
                title=f"What the scheme changes, homes built {label}",
                paragraphs=(f"Measured from the homes built {label}, with what is built by then.",),
                table_header=header,
                table_rows=_rows(compare_reports(before, after)),
            )
        )
    return sections
