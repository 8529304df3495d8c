"""`hiap scheme assess PROPOSAL --compare`: every indicator on today's map and with the scheme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import pandas as pd

    from hiap.settings import Settings


def assess_compare(
    argument: str,
    *,
    osm: Path | None,
    csv: Path | None,
    gpkg: Path | None,
    spacing_m: float,
    phases: bool,
    neighbours: bool,
    settings: Settings,
    gtfs: list[Path] | None = None,
) -> None:
    """Run :func:`hiap.indicators.compare.assess_proposal` and print and write the change.

    Parameters
    ----------
    argument
        A proposal GeoPackage, a folder of per-layer files, or a sample proposal's id.
    osm
        The OSM extract (default: the one covering the site).
    csv, gpkg
        Where to write the table (CSV) and the table, homes and layers (GeoPackage).
    spacing_m
        Spacing of home points in parcels.
    phases, neighbours
        Also measure each phase, and the existing residents around the site.
    settings
        Data and cache folders.
    gtfs
        Timetables (GTFS or TransXChange) for public transport and the proposed bus route;
        default: the data directory's feeds with stops near the site.
    """
    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.errors import HiapError
    from hiap.indicators.compare import assess_proposal, comparison_gpkg, proposal_feed
    from hiap.schemes.proposal import load_proposal

    console = Console()
    try:
        proposal = load_proposal(argument, settings=settings)
        feed = proposal_feed(proposal, settings=settings, paths=gtfs)
        with progress_bar(console, start="Measuring") as report_progress:
            comparison = assess_proposal(
                proposal,
                settings=settings,
                osm_path=osm,
                feed=feed,
                spacing_m=spacing_m,
                by_phase=phases,
                neighbours=neighbours,
                progress=report_progress,
            )
    except HiapError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    table = comparison.table()
    _rich_table(
        console,
        f"What the scheme changes: {proposal.name} ({comparison.baseline.points} home points)",
        table,
    )
    neighbour_table = comparison.neighbours_table()
    if neighbour_table is not None:
        _rich_table(console, "Existing residents around the site", neighbour_table)
    phase_table = comparison.phase_table()
    if phase_table is not None:
        for label, _, _ in comparison.phases:
            part = phase_table.rename(
                columns={
                    f"{label}: baseline": "baseline shown",
                    f"{label}: with scheme": "with scheme shown",
                    f"{label}: for health": "for health",
                }
            )
            _rich_table(console, f"Homes built {label}", part)
    for note in comparison.notes:
        console.print(f"[dim]{note}[/]")
    missing = table[table["for health"] == "not measured"]
    for row in missing.itertuples(index=False):
        console.print(f"[yellow]Not measured[/]: {row.indicator}: {row.reason}")
    for line in comparison.with_scheme.sources:
        console.print(f"[dim]{line}[/]")
    if csv is not None:
        table.to_csv(csv, index=False)
        console.print(f"Wrote {csv}")
    if gpkg is not None:
        gpkg.write_bytes(comparison_gpkg(comparison))
        console.print(f"Wrote {gpkg}")


def _rich_table(console: object, title: str, table: pd.DataFrame) -> None:
    from rich.console import Console
    from rich.table import Table

    assert isinstance(console, Console)
    out = Table(title=title)
    out.add_column("indicator")
    out.add_column("baseline", justify="right")
    out.add_column("with scheme", justify="right")
    out.add_column("for health")
    colour = {"better": "green", "worse": "red", "no change": "default", "not measured": "dim"}
    for _, row in table.iterrows():
        verdict = str(row["for health"])
        out.add_row(
            str(row["indicator"]),
            str(row["baseline shown"]),
            str(row["with scheme shown"]),
            f"[{colour.get(verdict, 'default')}]{verdict}[/]",
        )
    console.print(out)
