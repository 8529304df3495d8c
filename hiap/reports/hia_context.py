"""The HIA chapters of the report, laid out as the HIA a council receives.

:func:`build_hia_report` gathers, from an assessment, the HIA rules and (optionally) the
health baseline, the rows of the chapters that come before the appendix: the non-technical
summary, screening and scoping, the baseline, the appraisal matrix with the overall rating,
the recommendations and the monitoring plan. The HTML / PDF template
(``templates/hia_chapters.html.j2``) and the Word export (:mod:`hiap.reports.word`) lay out
the same rows, so the three formats agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hiap.assessment import Assessment
from hiap.checklists.models import Catalogue
from hiap.hia.appraisal import (
    OverallRating,
    SignificantImpact,
    applicable_gateways,
    matrix_problems,
    overall_rating,
    relevant_topics,
    significant_impacts,
)
from hiap.hia.baseline import BaselineProfile
from hiap.hia.record import MECHANISM_LABELS, GatewayStatus, HiaType
from hiap.hia.rules import HiaRules, load_bfhl
from hiap.hia.screening import ScreeningResult, screen_assessment
from hiap.viz.baseline import (
    baseline_map_png,
    life_expectancy_around_png,
    life_expectancy_district_png,
)

__all__ = ["AMBITION_METHOD", "HIA_CHAPTERS", "HiaReport", "Table", "build_hia_report"]

HIA_CHAPTERS: tuple[str, ...] = (
    "Non-technical summary",
    "Screening and scoping",
    "Health baseline",
    "Appraisal: health impact matrix",
    "Recommendations",
    "Monitoring plan",
)
"""The chapter titles before the appendix, in order (tests check every format has them)."""

AMBITION_METHOD = (
    "Completeness / ambition: for the Healthy New Towns and Blue Zones checklists, the points "
    "awarded as a share of the points available from the criteria answered and applicable "
    "(each principle counts equally). It shows how completely and how ambitiously the scheme "
    "addresses the checklists. It is not the HIA's judgement: an average lets strength on one "
    "topic hide failure on another, so the overall rating comes from the matrix's residual "
    "impacts, capped by the gateways."
)

_HIA_TYPE_TEXT = {
    HiaType.FULL: "a full HIA",
    HiaType.RAPID: "a rapid HIA (HUDU Rapid HIA matrix)",
    HiaType.NONE: "no HIA",
}


@dataclass(frozen=True, slots=True)
class Table:
    """A table to print: a caption, column headings and rows of text."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class HiaReport:
    """Everything the HIA chapters show, as text, tables and figures."""

    summary: tuple[str, ...]
    screening: ScreeningResult
    screening_decision: str
    scope: Table
    groups: Table
    baseline_text: tuple[str, ...]
    baseline_tables: tuple[Table, ...]
    baseline_figures: tuple[tuple[bytes, str], ...]
    rating: OverallRating
    significant: Table
    gateways: Table
    matrix: Table
    problems: Table
    recommendations: Table
    monitoring: Table
    bfhl: Table
    ambition_method: str = AMBITION_METHOD
    references: tuple[str, ...] = field(default_factory=tuple)


def _groups_text(ids: Sequence[str], rules: HiaRules) -> str:
    return ", ".join((g.name if (g := rules.group(i)) else i) for i in ids)


def _significant_rows(
    impacts: Sequence[SignificantImpact], rules: HiaRules
) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            f"{i.topic_id} {i.topic_name}",
            i.direction.value,
            f"{i.magnitude.value}, {i.likelihood.value}",
            _groups_text(i.groups, rules) or "not named",
            i.residual.value if i.residual else "not given",
        )
        for i in impacts
    )


def _baseline(profile: BaselineProfile | None) -> tuple[
    tuple[str, ...], tuple[Table, ...], tuple[tuple[bytes, str], ...]
]:  # fmt: skip
    if profile is None:
        return (
            (
                "The health baseline was not built for this report (no data directory, or "
                "the report was made without it).",
            ),
            (),
            (),
        )
    text = [profile.around_summary()]
    tables: list[Table] = []
    figures: list[tuple[bytes, str]] = []
    src = profile.sources[0] if profile.sources else None
    licence = f" Period {src.period}; {src.licence}." if src else ""
    if not profile.le_around.empty:
        tables.append(
            Table(
                "MSOAs around the scheme: life expectancy at birth (years), 2016 to 2020, "
                "and mean IMD 2019 decile (1 = most deprived)." + licence,
                ("MSOA", "District", "Distance (km)", "Male", "Female", "IMD decile"),
                tuple(
                    (
                        f"{r.msoa_name} ({r.msoa_code})",
                        str(r.lad_name),
                        f"{r.distance_km:.1f}",
                        f"{r.male_years:.1f}",
                        f"{r.female_years:.1f}",
                        f"{r.imd_decile_mean:.1f}",
                    )
                    for r in profile.le_around.itertuples()
                ),
            )
        )
        around = life_expectancy_around_png(profile)
        if around is not None:
            figures.append(
                (
                    around,
                    "Life expectancy at birth of the MSOAs around the scheme (dots) against "
                    "the district median (solid) and England's MSOA median (dashed), 2016 to "
                    "2020. ONS, OGL v3.0. The table above holds the same values.",
                )
            )
    wide = profile.le_districts.pivot_table(index="lad_name", columns="sex", values="median_years")
    rows = [(str(n), f"{r['Male']:.1f}", f"{r['Female']:.1f}") for n, r in wide.iterrows()]
    rows += [
        (
            "England (median of MSOAs)",
            f"{profile.le_england.get('Male', float('nan')):.1f}",
            f"{profile.le_england.get('Female', float('nan')):.1f}",
        )
    ]
    tables.append(
        Table(
            "Median MSOA life expectancy at birth by district (years), 2016 to 2020." + licence,
            ("District", "Male", "Female"),
            tuple(rows),
        )
    )
    figures.append(
        (
            life_expectancy_district_png(profile),
            "Median MSOA life expectancy at birth by district, male and female, 2016 to 2020 "
            "(Fenland and Peterborough lowest, South Cambridgeshire highest); dashed lines: "
            "England's MSOA median. ONS, OGL v3.0. The table above holds the same values.",
        )
    )
    shown_map = baseline_map_png(profile)
    if shown_map is not None:
        figures.append(
            (
                shown_map,
                "MSOAs of Cambridgeshire and Peterborough coloured by male life expectancy at "
                "birth, 2016 to 2020, with the scheme outlined in red. ONS and OS data, OGL v3.0.",
            )
        )
    if not profile.qof.empty:
        conditions = tuple(str(c) for c in profile.qof.columns)
        tables.append(
            Table(
                "Modelled prevalence of QOF conditions by district (% of registered patients), "
                "2019/20. House of Commons Library, Open Parliament Licence v3.0.",
                ("District", *conditions),
                tuple(
                    (str(n), *(f"{v:.1f}" for v in row.to_numpy()))
                    for n, row in profile.qof.iterrows()
                ),
            )
        )
    if not profile.smoking.empty:
        tables.append(
            Table(
                "Smoking prevalence in adults (15+), QOF, latest period (%). OHID Fingertips "
                "indicator 91547, OGL v3.0.",
                ("Area", "Period", "Smokers (%)", "95% CI"),
                tuple(
                    (
                        str(r.area_name),
                        str(r.period),
                        f"{r.value_pct:.1f}",
                        f"{r.lci_pct:.1f} to {r.uci_pct:.1f}",
                    )
                    for r in profile.smoking.itertuples()
                ),
            )
        )
    if profile.missing:
        tables.append(
            Table(
                "Not measured yet: add the file to measure.",
                ("Indicator", "Official source", "How to add it"),
                tuple((m.indicator, f"{m.title}, {m.source_url}", m.how) for m in profile.missing),
            )
        )
    text += list(profile.notes)
    return tuple(t for t in text if t), tuple(tables), tuple(figures)


def _summary(
    assessment: Assessment,
    screening: ScreeningResult,
    decision: HiaType,
    rating: OverallRating,
    impacts: Sequence[SignificantImpact],
    rules: HiaRules,
    in_scope: int,
    total: int,
) -> tuple[str, ...]:
    homes = assessment.scheme_metadata.get("dwellings")
    size = f" of {homes:,} homes" if isinstance(homes, int) else ""
    out = [
        f"This is the health impact assessment of {assessment.scheme_name}{size}. Screening "
        f"found that {_HIA_TYPE_TEXT[screening.outcome]} is needed: {screening.reason}"
        + (
            f" The assessor decided on {_HIA_TYPE_TEXT[decision]} instead: "
            f"{assessment.hia.screening_note}"
            if decision != screening.outcome
            else ""
        ),
        f"{in_scope} of the {total} HUDU topics are in scope. Overall rating: "
        f"{rating.band.upper()}. {rating.text}",
    ]
    negative = [i for i in impacts if i.direction.value == "negative"]
    positive = [i for i in impacts if i.direction.value == "positive"]
    if negative:
        out.append(
            "Significant harms: "
            + "; ".join(
                f"{i.topic_name.lower()} ({_groups_text(i.groups, rules) or 'groups not named'})"
                for i in negative
            )
            + "."
        )
    if positive:
        out.append(
            "Significant benefits: " + "; ".join(i.topic_name.lower() for i in positive) + "."
        )
    capped = [c.gateway.name.lower() for c in rating.capped_by]
    if capped:
        out.append("Gateways not met or not yet evidenced: " + "; ".join(capped) + ".")
    recs = assessment.hia.recommendations
    if recs:
        kinds = sorted({MECHANISM_LABELS[r.mechanism] for r in recs})
        out.append(
            f"{len(recs)} recommendation{'s' if len(recs) != 1 else ''}, secured by "
            f"{', '.join(kinds).lower()}; {len(assessment.hia.monitoring)} monitoring indicators."
        )
    if assessment.hia.conclusion.strip():
        out.append(assessment.hia.conclusion.strip())
    return tuple(out)


def _drafts_note(count: int) -> str:
    if not count:
        return ""
    rows, verb = ("row", "is") if count == 1 else ("rows", "are")
    return f" {count} draft {rows} typed but not yet saved {verb} left out."


def build_hia_report(
    assessment: Assessment,
    *,
    catalogue: Catalogue,
    rules: HiaRules,
    baseline: BaselineProfile | None = None,
) -> HiaReport:
    """Gather the HIA chapters of one assessment.

    Parameters
    ----------
    assessment
        The assessment.
    catalogue
        The loaded criteria (HUDU topics).
    rules
        The HIA rules (:func:`hiap.hia.rules.load_hia_rules`).
    baseline
        The health baseline around the scheme (:func:`hiap.hia.baseline.build_baseline`);
        the chapter says it was not built when ``None``.

    Returns
    -------
    HiaReport
        Text, tables and figures for the template and the Word export.
    """
    hudu = catalogue.hudu
    record = assessment.hia
    screening = screen_assessment(
        assessment.scheme_metadata,
        rules,
        district_code=baseline.district_code if baseline is not None else None,
    )
    decision = record.screening_outcome or screening.outcome
    relevant = {t.id for t in relevant_topics(assessment, hudu)}
    rating = overall_rating(assessment, hudu, rules)
    impacts = significant_impacts(assessment, hudu)
    scope = Table(
        "Scoping: HUDU topics in scope.",
        ("Topic", "In scope", "Reason"),
        tuple(
            (
                f"{t.number}. {t.name}",
                "yes" if t.id in relevant else "no",
                record.scope[t.id].reason if t.id in record.scope else "",
            )
            for t in hudu.topics
        ),
    )
    groups = Table(
        f"Population groups considered (after {rules.cite(rules.population_groups_source)}).",
        ("Group", "How the scheme may affect them"),
        tuple((g.name, record.groups.get(g.id, "not recorded")) for g in rules.population_groups),
    )
    gateway_rows = tuple(
        (
            f"{c.gateway.id} {c.gateway.name}",
            {"met": "met", "not_met": "not met", "unknown": "not yet evidenced"}[c.status.value],
            c.gateway.cap if c.status is not GatewayStatus.MET else "",
            c.evidence,
        )
        for c in applicable_gateways(assessment, rules)
    )
    matrix_rows = []
    for t in hudu.topics:
        e = assessment.hudu.get(t.id)
        in_scope = t.id in relevant
        matrix_rows.append(
            (
                f"{t.number}. {t.name}",
                "scoped out"
                if not in_scope
                else (e.direction.value if e and e.direction else "not assessed"),
                f"{e.magnitude.value if e.magnitude else '-'} / "
                f"{e.likelihood.value if e.likelihood else '-'}"
                if e
                else "",
                _groups_text(e.groups, rules) if e else "",
                e.evidence if e else "",
                e.mitigation if e else "",
                e.residual_direction.value if e and e.residual_direction else "",
            )
        )
    problems = matrix_problems(assessment, hudu, rules)
    topic_names = {t.id: f"{t.number}. {t.name}" for t in hudu.topics}
    bfhl = load_bfhl()
    text, tables, figures = _baseline(baseline)
    return HiaReport(
        summary=_summary(
            assessment,
            screening,
            decision,
            rating,
            impacts,
            rules,
            len(relevant),
            len(hudu.topics),
        ),
        screening=screening,
        screening_decision=_HIA_TYPE_TEXT[decision]
        + ("" if record.screening_outcome is None else " (assessor's decision)"),
        scope=scope,
        groups=groups,
        baseline_text=text,
        baseline_tables=tables,
        baseline_figures=figures,
        rating=rating,
        significant=Table(
            "Significant impacts (moderate or major; probable or definite) and the groups who "
            "bear them.",
            ("Topic", "Impact", "Magnitude, likelihood", "Groups", "After mitigation"),
            _significant_rows(impacts, rules),
        ),
        gateways=Table(
            "Gateways: an unmet gateway caps the overall rating, however well the rest scores.",
            ("Gateway", "Status", "Caps the rating at", "Evidence"),
            gateway_rows,
        ),
        matrix=Table(
            "HUDU Rapid HIA matrix.",
            (
                "Topic",
                "Impact",
                "Magnitude / likelihood",
                "Groups affected",
                "Evidence",
                "Mitigation or enhancement",
                "Residual impact",
            ),
            tuple(matrix_rows),
        ),
        problems=Table(
            "Still to complete before the matrix can be relied on.",
            ("Topic", "Needs"),
            tuple((topic_names.get(p.topic_id, p.topic_id), p.text) for p in problems),
        ),
        recommendations=Table(
            "Recommendations, how each is secured and when."
            + _drafts_note(len(record.recommendation_drafts)),
            ("Id", "Topic", "Action", "Owner", "Mechanism", "Trigger"),
            tuple(
                (
                    r.id,
                    topic_names.get(r.topic_id, r.topic_id),
                    r.action,
                    r.owner,
                    MECHANISM_LABELS[r.mechanism],
                    r.trigger,
                )
                for r in record.recommendations
            ),
        ),
        monitoring=Table(
            "Monitoring plan." + _drafts_note(len(record.monitoring_drafts)),
            ("Id", "Indicator", "Baseline", "Target", "Data source", "Frequency", "Checks"),
            tuple(
                (
                    m.id,
                    m.indicator,
                    m.baseline,
                    m.target,
                    m.data_source,
                    m.frequency,
                    m.recommendation_id or "",
                )
                for m in record.monitoring
            ),
        ),
        bfhl=Table(
            f"{bfhl.name} (green / amber / red to prompt discussion). Source: "
            f"{bfhl.reference.publisher} ({bfhl.reference.year}), {bfhl.reference.title}; "
            "prompts in hiap's words.",
            ("Consideration", "Light", "Note"),
            tuple(
                (
                    f"{c.number}. {c.name}",
                    (a.light or "not judged") if (a := record.bfhl.get(c.id)) else "not judged",
                    a.note if a else "",
                )
                for c in bfhl.considerations
            ),
        ),
        references=tuple(rules.cite(r.id) for r in rules.references),
    )
