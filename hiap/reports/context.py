"""The report's content, gathered from an assessment and the checklists before rendering.

:func:`build_context` turns an :class:`~hiap.assessment.Assessment` plus the loaded criteria
into plain, immutable rows (one per principle, criterion and HUDU topic) that the template
only has to lay out. Scores come from :mod:`hiap.scoring`, so the report always agrees with
the app.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hiap import attribution
from hiap.assessment import Answer, Assessment, HuduEntry
from hiap.checklists.models import Catalogue, Criterion, HuduTopic, Reference, Scale
from hiap.reports.site_map import site_map
from hiap.reports.sources import DATA_SOURCES, DataSource
from hiap.scoring import METHOD, AssessmentScore, score_assessment, suggest_hudu_direction
from hiap.viz import figures

if TYPE_CHECKING:
    from hiap.settings import Settings

__all__ = [
    "ChecklistView",
    "CriterionRow",
    "HuduRow",
    "PrincipleRow",
    "ReportContext",
    "ReportSection",
    "build_context",
]


@dataclass(frozen=True, slots=True)
class ReportSection:
    """An extra chapter for the report (e.g. access to GP surgeries and hospitals).

    All text is escaped when rendered; no markup is interpreted.

    Attributes
    ----------
    title
        Chapter heading.
    paragraphs
        Body text, one string per paragraph.
    table_header
        Column headings of an optional table.
    table_rows
        Rows of the table, each one value per column.
    image_png
        An optional figure (PNG bytes).
    caption
        Caption of the figure.
    """

    title: str
    paragraphs: Sequence[str] = ()
    table_header: Sequence[str] = ()
    table_rows: Sequence[Sequence[Any]] = ()
    image_png: bytes | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """One criterion with its answer, ready to print."""

    id: str
    title: str
    question: str
    answered: bool
    not_applicable: bool
    na_reason: str | None
    score: int | None
    max_score: int
    score_label: str
    evidence: str
    indicator_name: str | None
    measured_text: str | None
    suggested_score: int | None
    suggested_label: str | None
    rule_text: str | None
    justification: str | None
    is_override: bool


@dataclass(frozen=True, slots=True)
class PrincipleRow:
    """One principle (or theme) with its score and criteria."""

    id: str
    number: int
    name: str
    summary: str
    score_pct: float | None
    points: float
    max_points: float
    answered: int
    total: int
    not_applicable: int
    weight: float
    band: str | None
    formula: str
    criteria: tuple[CriterionRow, ...]


@dataclass(frozen=True, slots=True)
class ChecklistView:
    """One scored checklist: overall score, chart and principles."""

    id: str
    name: str
    description: str
    wording_note: str
    unit_name: str
    score_pct: float | None
    answered: int
    total: int
    not_applicable: int
    band: str | None
    provisional: bool
    formula: str
    chart_kind: str
    chart_png: bytes | None
    principles: tuple[PrincipleRow, ...]


@dataclass(frozen=True, slots=True)
class HuduRow:
    """One HUDU matrix topic with the assessor's judgement."""

    id: str
    number: int
    name: str
    direction: str | None
    suggested_direction: str | None
    evidence: str
    mitigation: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the report template shows."""

    assessment_id: str
    scheme_name: str
    reference: str | None
    assessor: str | None
    created_on: str
    updated_on: str
    generated_on: str
    version_label: str | None
    hiap_version: str
    scheme_rows: tuple[tuple[str, str], ...]
    map_png: bytes | None
    map_caption: str
    map_on_streets: bool
    weighted: bool
    checklists: tuple[ChecklistView, ...]
    hudu_description: str
    hudu_directions: tuple[tuple[str, str], ...]
    hudu_rows: tuple[HuduRow, ...]
    extra_sections: tuple[ReportSection, ...]
    method_notes: tuple[str, ...]
    bands_note: str
    scales: tuple[Scale, ...]
    references: tuple[Reference, ...]
    sources: tuple[DataSource, ...] = DATA_SOURCES
    attribution_lines: tuple[str, ...] = field(default=attribution.ALL)


_METADATA_LABELS: dict[str, str] = {
    "kind": "Kind of scheme",
    "scheme_kind": "Kind of scheme",
    "dwellings": "Dwellings",
    "area_ha": "Site area",
    "local_authority": "Local planning authority",
    "lad": "Local authority",
    "status": "Planning status",
    "applicant": "Applicant",
    "description": "Description",
}


def _date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def _format_metadata(key: str, value: Any) -> str:
    if key == "area_ha" and isinstance(value, int | float):
        return f"{value:,.1f} ha"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _scheme_rows(
    assessment: Assessment, boundary_area_ha: float | None
) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = [("Scheme name", assessment.scheme_name)]
    if assessment.scheme_reference:
        rows.append(("Application / project reference", assessment.scheme_reference))
    meta = assessment.scheme_metadata
    for key, value in meta.items():
        if value is None or value == "":
            continue
        label = _METADATA_LABELS.get(key, key.replace("_", " ").capitalize())
        rows.append((label, _format_metadata(key, value)))
    if "area_ha" not in meta and boundary_area_ha is not None:
        rows.append(("Site area (from boundary)", f"{boundary_area_ha:,.1f} ha"))
    rows.append(("Assessor", assessment.assessor or "not recorded"))
    return tuple(rows)


def _measured_text(value: float | None, unit: str) -> str | None:
    if value is None:
        return None
    if unit == "share":
        return f"{value * 100:.0f}%"
    shown = (
        f"{value:,.1f}".rstrip("0").rstrip(".")
        if not float(value).is_integer()
        else f"{value:,.0f}"
    )
    return f"{shown} {unit}"


def _rule_text(criterion: Criterion, unit: str, indicator_id: str | None = None) -> str | None:
    rule = criterion.rule_for(indicator_id) or criterion.indicator
    if rule is None:
        return None
    parts = []
    for t in rule.thresholds:
        bound = _measured_text(t.bound, unit) or ""
        parts.append(f"{t.score} if {'≥' if t.at_least is not None else '≤'} {bound}")
    parts.append(f"otherwise {rule.otherwise}")
    return "Thresholds: " + "; ".join(parts) + "."


def _criterion_row(
    criterion: Criterion, answer: Answer | None, catalogue: Catalogue
) -> CriterionRow:
    scale = catalogue.scale_of(criterion)
    answer = answer or Answer()
    rule = criterion.rule_for(answer.indicator_id) or criterion.indicator
    indicator = catalogue.indicators.get(rule.id) if rule else None
    if answer.indicator_id and indicator is None:
        indicator = catalogue.indicators.get(answer.indicator_id)
    unit = indicator.unit if indicator else ""
    score_label = (
        scale.label(answer.score)
        if answer.score is not None and answer.score <= scale.max_score
        else ""
    )
    suggested_label = (
        scale.label(answer.suggested_score)
        if answer.suggested_score is not None and answer.suggested_score <= scale.max_score
        else None
    )
    return CriterionRow(
        id=criterion.id,
        title=criterion.title,
        question=criterion.question,
        answered=answer.is_answered,
        not_applicable=answer.not_applicable,
        na_reason=answer.na_reason,
        score=answer.score,
        max_score=scale.max_score,
        score_label=score_label,
        evidence=answer.evidence,
        indicator_name=indicator.name if indicator else None,
        measured_text=_measured_text(answer.measured_value, unit),
        suggested_score=answer.suggested_score,
        suggested_label=suggested_label,
        rule_text=_rule_text(criterion, unit, answer.indicator_id),
        justification=answer.override_justification,
        is_override=answer.is_override,
    )


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width)) or text


_METHOD_NOTES: tuple[str, ...] = (
    "Each criterion is scored by the assessor on the scale shown below (0 not addressed, "
    "1 partly, 2 fully, 3 exemplary; a few process criteria stop at 2 fully). A criterion may "
    "be marked not applicable with a reason; it then counts neither for nor against the scheme.",
    "Where a criterion has a measurable indicator (for example the walking time to the nearest "
    "GP surgery, or the share of homes within 300 m of 2 ha of green space), hiap measures it "
    "from open data for the scheme boundary and suggests a score from published thresholds. The "
    "assessor may depart from the suggested score only with a written justification, which is "
    "printed with the criterion.",
    "The HUDU Rapid HIA matrix records, for each topic, the likely direction of the health "
    "impact, the evidence and the recommended mitigation. Where the checklist scores bear on a "
    "topic, hiap suggests a direction from them; the assessor's judgement is what is reported.",
    "Walking and public transport times are computed on the OpenStreetMap path network and "
    "published timetables; they are modelled estimates, not surveyed journeys.",
)


def _suggested(topic: HuduTopic, entry: HuduEntry | None, scores: AssessmentScore) -> str | None:
    if entry is not None and entry.suggested_direction is not None:
        return str(entry.suggested_direction)
    direction = suggest_hudu_direction(topic, scores)
    return str(direction) if direction is not None else None


def build_context(
    assessment: Assessment,
    *,
    catalogue: Catalogue,
    map_png: bytes | None = None,
    extra_sections: Sequence[ReportSection] = (),
    version: int | None = None,
    generated_at: datetime | None = None,
    settings: Settings | None = None,
) -> ReportContext:
    """Gather everything the report shows.

    Parameters
    ----------
    assessment
        The assessment.
    catalogue
        The loaded criteria.
    map_png
        A map to show; drawn from the boundary when ``None`` and a boundary exists.
    extra_sections
        Further chapters.
    version
        The saved version reported, if known.
    generated_at
        Report time; now by default.
    settings
        Gives the data directory whose OpenStreetMap extract the site map is drawn on
        (:func:`hiap.reports.site_map.site_map`); ``None``: a plain grid.

    Returns
    -------
    ReportContext
        Immutable rows for the template.
    """
    from hiap import __version__

    generated = generated_at or datetime.now(UTC)
    area_ha: float | None = None
    if assessment.boundary is not None:
        geom = figures.boundary_geometry_bng(assessment.boundary)
        area_ha = geom.area / 10_000 if geom.area > 0 else None

    shown_map = site_map(assessment, settings=settings, supplied_png=map_png)
    scores = score_assessment(assessment, catalogue)
    views: list[ChecklistView] = []
    for result in scores.checklists:
        checklist = catalogue.checklist(result.checklist_id)
        principles = tuple(
            PrincipleRow(
                id=p.id,
                number=p.number,
                name=p.name,
                summary=p.summary,
                score_pct=ps.percent,
                points=ps.points,
                max_points=ps.max_points,
                answered=ps.answered,
                total=ps.total,
                not_applicable=ps.not_applicable,
                weight=ps.weight,
                band=str(ps.band) if ps.band else None,
                formula=ps.formula,
                criteria=tuple(
                    _criterion_row(c, assessment.answers.get(c.id), catalogue) for c in p.criteria
                ),
            )
            for p, ps in zip(checklist.principles, result.principles, strict=True)
        )
        # Ten comparable principles read well as a radar; a handful of themes as bars.
        radar = len(principles) >= 6
        labels = [f"{p.number}. {p.name}" for p in principles]
        values = [p.score_pct for p in principles]
        if radar:
            chart = figures.radar_chart_png([_wrap(label, 22) for label in labels], values)
        else:
            chart = figures.bar_chart_png([_wrap(label, 30) for label in labels], values)
        views.append(
            ChecklistView(
                id=checklist.id,
                name=checklist.name,
                description=checklist.description,
                wording_note=checklist.wording_note,
                unit_name="principle" if radar else "theme",
                score_pct=result.percent,
                answered=result.answered,
                total=result.total,
                not_applicable=result.not_applicable,
                band=str(result.band) if result.band else None,
                provisional=result.provisional,
                formula=result.formula,
                chart_kind="radar" if radar else "bars",
                chart_png=chart,
                principles=principles,
            )
        )
    hudu = catalogue.hudu
    hudu_rows = tuple(
        HuduRow(
            id=t.id,
            number=t.number,
            name=t.name,
            direction=str(e.direction) if (e := assessment.hudu.get(t.id)) else None,
            suggested_direction=_suggested(t, e, scores),
            evidence=e.evidence if e else "",
            mitigation=e.mitigation if e else "",
        )
        for t in hudu.topics
    )
    used_scales = {c.scale for v in views for c in catalogue.checklist(v.id).criteria()}
    references: dict[str, Reference] = {}
    for view in views:
        for ref in catalogue.checklist(view.id).references:
            references.setdefault(ref.title, ref)
    for ref in hudu.references:
        references.setdefault(ref.title, ref)
    return ReportContext(
        assessment_id=assessment.id,
        scheme_name=assessment.scheme_name,
        reference=assessment.scheme_reference,
        assessor=assessment.assessor,
        created_on=_date(assessment.created_at),
        updated_on=_date(assessment.updated_at),
        generated_on=_date(generated),
        version_label=f"version {version}" if version is not None else None,
        hiap_version=__version__,
        scheme_rows=_scheme_rows(assessment, area_ha),
        map_png=shown_map.png if shown_map else None,
        map_caption=shown_map.caption if shown_map else "",
        map_on_streets=shown_map.on_streets if shown_map else False,
        weighted=bool(assessment.weights),
        checklists=tuple(views),
        hudu_description=hudu.description,
        hudu_directions=tuple(hudu.directions.items()),
        hudu_rows=hudu_rows,
        extra_sections=tuple(extra_sections),
        method_notes=(*_METHOD_NOTES[:2], METHOD, *_METHOD_NOTES[2:]),
        bands_note=scores.bands.rationale,
        scales=tuple(s for s in catalogue.scales.scales if s.id in used_scales),
        references=tuple(references.values()),
    )
