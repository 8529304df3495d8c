"""The report chapter "Which bus service change would help health most".

Built from a stored ranking (:func:`hiap.corridor.priorities.run_priorities`, the Buses page
or ``hiap buses prioritise``): the ranked table, a map, the method, the share of walking
legs walked by the straight-line fallback, and the sources with their licences. Pass the
section to :func:`hiap.reports.render_html` / ``render_pdf`` / ``render_docx`` in
``extra_sections``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiap import attribution
from hiap.reports.context import ReportSection

if TYPE_CHECKING:
    from hiap.corridor.priorities import PriorityResult

__all__ = ["BUS_SOURCES", "bus_priorities_section"]

BUS_SOURCES = (
    "Bus timetables: Traveline National Dataset (TNDS, TransXChange); bus stops: NaPTAN "
    "(Department for Transport); LSOA population and deprivation: ONS and MHCLG (IMD 2019); "
    "GP practices and hospitals: NHS ODS with hiap's sourced hospital classes. "
    f"{attribution.OGL}. Street network, where one covered the area: {attribution.OSM}."
)

METHOD = (
    "Each candidate change is applied to the timetable of the service day (each route's "
    "frequency doubled, its span extended to 22:00, a call at an acute hospital or an "
    "unserved GP practice it passes near, or a new stop where it passes residents with none). "
    "Public-transport and walking times from every LSOA's population-weighted centroid to "
    "the nearest GP practice and the nearest acute hospital with a type 1 A&E are routed over "
    "three weekday windows (07:00-10:00, 10:00-13:00, 17:00-20:00), before and after. A "
    "change's score is the person-minutes it saves: residents x minutes saved, for one trip "
    "to each destination, averaged over the windows. It is ranked for all residents and "
    "separately for those in the most deprived areas (IMD deciles 1-3); the residents newly "
    "within 30 and 60 minutes are counted too."
)

_COLUMNS = (
    ("rank", "Rank"),
    ("rank_imd1_3", "Rank, IMD 1-3"),
    ("label", "Change"),
    ("minutes_saved", "Person-minutes saved"),
    ("minutes_saved_imd1_3", "of which IMD 1-3"),
    ("newly_within_30", "Newly within 30 min"),
    ("newly_within_60", "Newly within 60 min"),
)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}"
    return "" if value is None else str(value)


def bus_priorities_section(
    result: PriorityResult, *, top: int = 15, with_map: bool = True, note: str | None = None
) -> ReportSection:
    """Build the chapter on which bus service change would help health most.

    Parameters
    ----------
    result
        A stored ranking.
    top
        Rows of the table (the best first; the CSV holds them all).
    with_map
        Draw the map of routes and ranked changes.
    note
        Where the ranking came from (e.g. "Run on the Buses page in this session.").

    Returns
    -------
    ReportSection
        Table, map, method, fallback share and sources.
    """
    from hiap.corridor.priorities import export_table

    table = export_table(result)
    shown = table.head(top)
    day = f" on {result.date:%A %d %B %Y}" if result.date is not None else ""
    n = len(table)
    best = shown.iloc[0] if len(shown) else None
    paragraphs = [
        *([note] if note else []),
        f"hiap tested {n} candidate change{'s' if n != 1 else ''} to the bus timetables{day} "
        "and ranked them by the time they would save residents travelling to a GP practice "
        "and an acute hospital."
        + (
            f" The best, {best['label']}, saves {best['minutes_saved']:,.0f} person-minutes "
            f"on a weekday ({best['minutes_saved_imd1_3']:,.0f} of them for residents of "
            "IMD deciles 1-3)."
            if best is not None and "minutes_saved_imd1_3" in shown
            else ""
        ),
        f"Method. {METHOD}",
        *result.notes,
    ]
    if result.fallback_share is not None:
        paragraphs.append(
            f"Walking: no offline walk network covers all of the area, so {result.fallback_share:.0%} "
            "of the baseline's walking legs were walked as a straight line x 1.3 at 4.8 km/h "
            "(access and egress at most 1.6 km): an explicit, labelled approximation."
        )
    else:
        paragraphs.append("Walking: every leg walked on the OpenStreetMap walk network.")
    paragraphs.append(f"Sources. {BUS_SOURCES}")
    columns = [(c, h) for c, h in _COLUMNS if c in shown]
    image = None
    if with_map and len(result.routes):
        from hiap.viz.bus_maps import priorities_map_png

        image = priorities_map_png(result)
    return ReportSection(
        title="Which bus service change would help health most",
        paragraphs=tuple(paragraphs),
        table_header=tuple(h for _, h in columns),
        table_rows=tuple(
            tuple(_cell(row[c]) for c, _ in columns) for _, row in shown.iterrows()
        ),
        image_png=image,
        caption=(
            "Bus routes of the timetables (lines), LSOAs (grey, sized by residents), acute "
            "hospitals and GP practices, and the best-ranked changes that have a place, "
            "numbered by rank; route-wide changes are in the table. The table is the text "
            "alternative of the map."
        ),
    )
