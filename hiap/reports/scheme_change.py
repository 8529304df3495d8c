"""The report chapter "What the scheme changes": baseline -> with scheme -> change.

Built from :func:`hiap.indicators.compare.assess_proposal`; pass the section to
:func:`hiap.reports.render_html` / ``render_pdf`` in ``extra_sections``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiap.reports.context import ReportSection
from hiap.viz.proposal_maps import (
    CHANGE_MAP_ATTRIBUTION,
    MAPPED_VALUES,
    change_map_frame_bng,
    change_map_png,
    changed_values,
    indicator_summary,
)

if TYPE_CHECKING:
    from hiap.indicators.compare import Comparison
    from hiap.settings import Settings
    from hiap.viz.osm_base import BaseLayers

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


def _indicator_sections(
    comparison: Comparison, base: BaseLayers | None, *, skip: tuple[str, ...]
) -> list[ReportSection]:
    """One section per mapped value that changes: the two maps and the app's figures table."""
    sections = []
    for column in (c for c in changed_values(comparison) if c not in skip):
        label, unit, _ = MAPPED_VALUES[column]
        summary = indicator_summary(comparison, column)
        how = {
            "min": "coloured by the minutes, in walking-time bands",
            "within": "green where the home meets the standard, red where it does not",
            "count": "darker the more types within reach",
        }[unit]
        sections.append(
            ReportSection(
                title=f"What the scheme changes: {label.lower()}",
                paragraphs=(
                    f"{label} from each home point, today and with the scheme ({how}). The "
                    "table gives the same figures as the map, as in the app's page.",
                ),
                table_header=("Figure", "Today", "With the scheme"),
                table_rows=tuple(
                    (str(r["figure"]), str(r["today"]), str(r["with the scheme"]))
                    for _, r in summary.iterrows()
                ),
                image_png=change_map_png(comparison, column=column, base=base),
                caption=(
                    f"{label} from each home point, today (left) and with the scheme's proposed "
                    f"facilities, greenspace, stops and paths (right). {CHANGE_MAP_ATTRIBUTION}."
                ),
            )
        )
    return sections


def _base(comparison: Comparison, settings: Settings | None) -> BaseLayers | None:
    """Return the local OSM streets, paths, water and green beneath the maps (None without settings)."""
    if settings is None:
        return None
    from hiap.viz.osm_base import local_base

    return local_base(change_map_frame_bng(comparison), settings=settings)


def scheme_change_section(
    comparison: Comparison, *, with_map: bool = True, settings: Settings | None = None
) -> list[ReportSection]:
    """Build the "What the scheme changes" chapter (and one for the neighbours, when measured).

    Parameters
    ----------
    comparison
        Today's map and the map with the scheme, measured from the same homes.
    with_map
        Draw the side-by-side map of the walk to the nearest GP, and one section for each
        other per-home value that changes (:func:`hiap.viz.proposal_maps.changed_values`):
        the same two maps and the figures table the app shows beside its maps.
    settings
        Gives the data directory: the map is drawn on its local OpenStreetMap extract's
        streets, paths, water and green spaces (none when ``None`` or no extract covers it).

    Returns
    -------
    list of ReportSection
        The site's chapter, one per changed value, then the existing residents' and the
        phases' when measured.
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
    base = _base(comparison, settings) if with_map else None
    sections = [
        ReportSection(
            title="What the scheme changes",
            paragraphs=tuple(paragraphs),
            table_header=header,
            table_rows=_rows(table),
            image_png=change_map_png(comparison, base=base)
            if with_map and "gp_walk_min_baseline" in comparison.homes
            else None,
            caption=(
                "Walk to the nearest GP practice from each home point, today (left) and with the "
                f"scheme's proposed facilities and paths (right). {CHANGE_MAP_ATTRIBUTION}."
            ),
        )
    ]
    if with_map:
        # The GP walk is the chapter's own map, so its section is not repeated.
        sections += _indicator_sections(comparison, base, skip=("gp_walk_min",))
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
