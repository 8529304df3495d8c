"""`hiap report`: write an assessment's HTML, PDF or Word (.docx) report.

``hiap report ASSESSMENT --format pdf --out report.pdf`` where ASSESSMENT is the id of a saved
assessment (or a unique start of it) or the path of an exported assessment JSON file.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hiap.errors import HiapError

# The assessment model (pydantic) and the settings are imported when a report is written, so
# `hiap --help` starts quickly.
if TYPE_CHECKING:
    from hiap.assessment import Assessment
    from hiap.hia.baseline import BaselineProfile
    from hiap.reports import ReportSection

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="Write the HTML, PDF or Word report of a saved or exported assessment.",
    no_args_is_help=True,
    # The group has no subcommands: let options follow the ASSESSMENT argument.
    context_settings={"allow_interspersed_args": True},
    subcommand_metavar="",
)


class ReportFormat(StrEnum):
    """Output formats of ``hiap report``."""

    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "assessment"


def _from_store(ref: str, db_url: str | None, version: int | None) -> Assessment:
    from hiap.settings import get_settings
    from hiap.storage import AssessmentStore, database_path_from_url

    if db_url:
        path = database_path_from_url(db_url, setting="--db")
    else:
        path = database_path_from_url(get_settings().database_url)
    if not path.exists():
        raise _fail(
            f"{ref!r} is not a file, and there is no assessment database at {path}. "
            "Give the path of an exported assessment JSON, or the database with --db "
            "sqlite:///path/to/assessments.sqlite."
        )
    store = AssessmentStore(path)
    summaries = store.list()
    matches = [s for s in summaries if s.id == ref] or [
        s for s in summaries if s.id.startswith(ref.lower()) and len(ref) >= 4
    ]
    if not matches:
        hint = (
            "It holds: " + "; ".join(f"{s.id} ({s.scheme_name})" for s in summaries[:5])
            if summaries
            else "It holds no assessments."
        )
        raise _fail(f"no assessment {ref!r} in {path}. {hint}")
    if len(matches) > 1:
        names = ", ".join(f"{s.id} ({s.scheme_name})" for s in matches)
        raise _fail(f"{ref!r} matches several assessments: {names}. Give more of the id.")
    return store.load(matches[0].id, version=version)


def _evidence_sections(assessment: Assessment, wanted: bool | None) -> list[ReportSection]:
    """Measure the scheme's evidence with a progress bar; ``None`` means "if possible"."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hiap.reports.evidence import (
        evidence_available,
        evidence_sections,
        measure_evidence,
        scheme_from_assessment,
    )
    from hiap.settings import get_settings

    if wanted is False:
        return []
    settings = get_settings()
    if not evidence_available(assessment, settings=settings):
        if wanted:
            raise _fail(
                "--evidence needs the scheme boundary in the assessment and an OSM extract "
                "covering it in the data directory's osm/ folder (`hiap data download osm`); "
                "or use --no-evidence.",
                2,
            )
        return []
    scheme = scheme_from_assessment(assessment, settings=settings)
    if scheme is None:  # evidence_available already checked the boundary
        return []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("Measuring the evidence", total=1.0)

        def advance(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        measured = measure_evidence(scheme, settings=settings, progress=advance)
    for problem in measured.problems:
        typer.echo(f"Warning: {problem}", err=True)
    return evidence_sections(measured, boundary=assessment.boundary, settings=settings)


def _baseline(assessment: Assessment, wanted: bool) -> BaselineProfile | None:
    """Build the health baseline around the scheme, or ``None`` (with a warning) if it cannot."""
    from hiap.hia.baseline import build_baseline
    from hiap.settings import get_settings

    if not wanted:
        return None
    try:
        return build_baseline(get_settings(), boundary=assessment.boundary)
    except HiapError as error:
        typer.echo(f"Warning: no health baseline chapter: {error}", err=True)
        return None


@app.callback(invoke_without_command=True)
def report(
    assessment: Annotated[
        str,
        typer.Argument(
            help="Assessment id in the database (or its first characters), or an exported "
            "assessment .json file.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.HTML,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (default: <scheme-name>.<format>)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Assessment database URL (sqlite:///path); default HIAP_DATABASE_URL or the "
            "per-user database.",
        ),
    ] = None,
    version: Annotated[
        int | None,
        typer.Option(help="Saved version to report (default: the latest).", min=1),
    ] = None,
    checklists: Annotated[
        Path | None,
        typer.Option(help="Folder of checklist YAML files (default: the project's)."),
    ] = None,
    evidence: Annotated[
        bool | None,
        typer.Option(
            "--evidence/--no-evidence",
            help="Measure the scheme's spatial indicators and walking access to GP surgeries "
            "and add them to the report (map, indicators, equity chart). Default: on when the "
            "assessment has a boundary and an OSM extract in the data directory covers it.",
            show_default=False,
        ),
    ] = None,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline/--no-baseline",
            help="Add the local health baseline chapter (life expectancy, prevalence) from the "
            "data directory.",
        ),
    ] = True,
    scenario_result: Annotated[
        Path | None,
        typer.Option(
            "--scenario-result",
            help="A transport scenario's result to add as a chapter: the CSV from the "
            "Transport scenario page's \"Download what changed (CSV)\".",
            show_default=False,
        ),
    ] = None,
    bus_priorities: Annotated[
        Path | None,
        typer.Option(
            "--bus-priorities",
            help="A stored bus service ranking to add as a chapter (table, map, method, "
            "sources): the priorities.json written by `hiap buses prioritise --out FOLDER`.",
            show_default=False,
        ),
    ] = None,
    proposal: Annotated[
        str | None,
        typer.Option(
            "--proposal",
            help="A scheme proposal (GeoPackage, folder of layer files or sample id): add the "
            "chapter \"What the scheme changes\" (baseline -> with scheme, with maps).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the HTML or PDF report of an assessment."""
    from hiap.checklists.loader import load_catalogue
    from hiap.reports import render_html, render_pdf
    from hiap.settings import get_settings
    from hiap.storage import read_assessment_json

    try:
        source = Path(assessment)
        if source.suffix.lower() == ".json" or source.is_file():
            if version is not None:
                raise _fail("--version applies to saved assessments, not to a JSON file.", 2)
            loaded = read_assessment_json(source)
        else:
            loaded = _from_store(assessment, db, version)
        catalogue = load_catalogue(checklists)
        settings = get_settings()  # the data directory: OSM base of the site map, baseline
        target = out or Path(f"{_slug(loaded.scheme_name)}.{fmt.value}")
        sections: list[ReportSection] = _evidence_sections(loaded, evidence)
        if scenario_result is not None:
            from hiap.reports.evidence import scenario_section
            from hiap.reports.scenario_file import read_scenario_result

            sections.append(scenario_section(read_scenario_result(scenario_result)))
        if bus_priorities is not None:
            from hiap.corridor.priorities import load_priorities
            from hiap.reports.bus_priorities import bus_priorities_section

            sections.append(
                bus_priorities_section(
                    load_priorities(bus_priorities),
                    note=f"From the stored ranking {bus_priorities.name}.",
                )
            )
        if proposal is not None:
            from hiap.indicators.compare import assess_proposal
            from hiap.reports.scheme_change import scheme_change_section
            from hiap.schemes.proposal import load_proposal

            comparison = assess_proposal(load_proposal(proposal, settings=settings), settings=settings)
            sections.extend(scheme_change_section(comparison, settings=settings))
        profile = _baseline(loaded, baseline)
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt is ReportFormat.DOCX:
            from hiap.reports.word import render_docx

            target.write_bytes(
                render_docx(
                    loaded,
                    checklists=catalogue,
                    version=version,
                    baseline=profile,
                    settings=settings,
                    extra_sections=sections,
                )
            )
        elif fmt is ReportFormat.PDF:
            data = render_pdf(
                loaded,
                checklists=catalogue,
                version=version,
                extra_sections=sections,
                baseline=profile,
                settings=settings,
            )
            target.write_bytes(data)
        else:
            html = render_html(
                loaded,
                checklists=catalogue,
                version=version,
                extra_sections=sections,
                baseline=profile,
                settings=settings,
            )
            target.write_text(html, encoding="utf-8")
    except HiapError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write the report: {exc}") from None
    typer.echo(f"Wrote {fmt.value.upper()} report of {loaded.scheme_name!r} to {target}")
