"""`hiap hia`: the HIA stages from the command line.

- ``hiap hia screen --dwellings 120 --district E07000012`` says which HIA a scheme needs and why.
- ``hiap hia check ASSESSMENT`` prints the overall rating (capped by gateways), the significant
  impacts and what the matrix still needs, for a saved or exported assessment.
- ``hiap hia baseline [SAMPLE_SCHEME]`` prints the health baseline around a sample scheme (or
  of the six districts), with periods and licences.

Imports are inside the commands so that ``hiap --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hiap.errors import HiapError

app = typer.Typer(
    rich_markup_mode=None,
    help="Health impact assessment stages: screening, the appraisal check, the health baseline.",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def screen(
    dwellings: Annotated[int | None, typer.Option(help="Number of homes.", min=0)] = None,
    area_ha: Annotated[float | None, typer.Option(help="Site area in hectares.", min=0)] = None,
    kind: Annotated[str | None, typer.Option(help="Scheme kind (housing, transport...).")] = None,
    district: Annotated[
        str | None, typer.Option(help="ONS code of the district, e.g. E07000012.")
    ] = None,
) -> None:
    """Say which HIA (full, rapid or none) the thresholds in checklists/hia.yaml ask for."""
    from hiap.hia.rules import load_hia_rules
    from hiap.hia.screening import screen as run_screen

    try:
        result = run_screen(
            load_hia_rules(), dwellings=dwellings, area_ha=area_ha, kind=kind,
            district_code=district,
        )  # fmt: skip
    except HiapError as error:
        raise _fail(str(error)) from None
    rule = f" (rule {result.rule_id})" if result.rule_id else ""
    typer.echo(f"{result.outcome.value.upper()} HIA{rule}: {result.reason}")
    typer.echo(f"Source: {result.source}")
    typer.echo("Screened on: " + "; ".join(result.inputs))


@app.command()
def check(
    assessment: Annotated[
        str,
        typer.Argument(help="Assessment id in the database (or its start), or an exported .json."),
    ],
    db: Annotated[
        str | None, typer.Option("--db", help="Assessment database URL (sqlite:///path).")
    ] = None,
) -> None:
    """Print the overall rating, the significant impacts and what the matrix still needs."""
    from hiap.checklists.loader import load_catalogue
    from hiap.cli.report import _from_store
    from hiap.hia.appraisal import matrix_problems, overall_rating, significant_impacts
    from hiap.hia.rules import load_hia_rules
    from hiap.storage import read_assessment_json

    try:
        source = Path(assessment)
        if source.suffix.lower() == ".json" or source.is_file():
            loaded = read_assessment_json(source)
        else:
            loaded = _from_store(assessment, db, None)
        catalogue, rules = load_catalogue(), load_hia_rules()
    except HiapError as error:
        raise _fail(str(error)) from None
    rating = overall_rating(loaded, catalogue.hudu, rules)
    typer.echo(f"{loaded.scheme_name}: overall rating {rating.band.upper()}. {rating.text}")
    if rating.band != rating.matrix_band:
        typer.echo(f"  (the matrix alone: {rating.matrix_band}; capped by gateways)")
    for reason in rating.reasons:
        typer.echo(f"  - {reason}")
    impacts = significant_impacts(loaded, catalogue.hudu)
    typer.echo(f"Significant impacts: {len(impacts) or 'none'}")
    for i in impacts:
        typer.echo(
            f"  - {i.topic_id} {i.topic_name}: {i.direction.value}, {i.magnitude.value}, "
            f"{i.likelihood.value}; groups: {', '.join(i.groups) or 'not named'}"
        )
    problems = matrix_problems(loaded, catalogue.hudu, rules)
    typer.echo(f"Matrix items to finish: {len(problems)}")
    for p in problems:
        typer.echo(f"  - {p.topic_id}: {p.text}")


@app.command()
def baseline(
    sample: Annotated[
        str | None,
        typer.Argument(help="A sample scheme id (see `hiap scheme list`); none for the region."),
    ] = None,
    radius_km: Annotated[float, typer.Option(help="Radius around the scheme, km.", min=0.5)] = 3.0,
) -> None:
    """Print the health baseline: life expectancy around the scheme, district and England."""
    import json

    from hiap.hia.baseline import build_baseline
    from hiap.schemes import load_sample_scheme
    from hiap.settings import get_settings

    settings = get_settings()
    try:
        boundary = None
        if sample is not None:
            scheme = load_sample_scheme(sample, settings)
            if scheme.boundary is not None:
                boundary = json.loads(scheme.boundary.to_crs(4326).to_json())
        profile = build_baseline(settings, boundary=boundary, radius_km=radius_km)
    except HiapError as error:
        raise _fail(str(error)) from None
    if profile.district_name:
        typer.echo(f"District: {profile.district_name} ({profile.district_code})")
    typer.echo(profile.around_summary())
    for row in profile.le_around.itertuples():
        typer.echo(
            f"  {row.msoa_name} ({row.msoa_code}), {row.distance_km:.1f} km: male "
            f"{row.male_years:.1f}, female {row.female_years:.1f}, IMD decile "
            f"{row.imd_decile_mean:.1f}"
        )
    typer.echo("Median MSOA life expectancy at birth by district (male / female), 2016 to 2020:")
    wide = profile.le_districts.pivot_table(index="lad_name", columns="sex", values="median_years")
    for name, r in wide.iterrows():
        typer.echo(f"  {name}: {r['Male']:.1f} / {r['Female']:.1f}")
    england = profile.le_england
    typer.echo(
        f"  England (MSOA median): {england.get('Male', float('nan')):.1f} / "
        f"{england.get('Female', float('nan')):.1f}"
    )
    for m in profile.missing:
        typer.echo(f"Add the file to measure: {m.indicator}: {m.title} ({m.source_url}). {m.how}")
    for s in profile.sources:
        typer.echo(f"Source: {s.name}; period {s.period}; {s.licence}")
