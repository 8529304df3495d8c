"""`hiap batch`: JTS-style access indicators for many areas at once, on a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hiap.cli.access import _ACCEPT_DRIVE, _MAX_SNAP

if TYPE_CHECKING:
    from hiap.batch import BatchResult

HELP = """Walking and public-transport access to the nearest GP practice and hospital for many
areas at once, on a Dask cluster: minutes per LSOA and the population shares within
15/30/45/60 minutes, overall, by area, district and IMD decile (by_lsoa.csv,
indicators.csv in --out). Each area is cut into --tile-km tiles measured with a halo, so
results equal one run over the whole area. A local cluster of --workers processes is started
unless --scheduler names a running one (every worker needs hiap and the same data directory
at the same path). Finished tiles are kept in --out: run the same command again after a
failure or interruption and only the rest is measured."""


def batch(
    out: Annotated[Path, typer.Option("--out", help="Output folder (kept between runs).")],
    area: Annotated[
        list[str] | None,
        typer.Option(
            "--area",
            help="District name or code, or boundary file (repeat the option); default: every "
            "district in the data directory.",
        ),
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="gp and/or hospital (repeat the option); default: both."),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="walk, transit (public transport) or both.")
    ] = "walk",
    osm: Annotated[
        Path | None,
        typer.Option("--osm", help="OSM extract for every area; default: the best-covering one."),
    ] = None,
    gtfs: Annotated[
        list[Path] | None,
        typer.Option(
            "--feed",
            "--gtfs",
            help="Timetable: GTFS zip/folder, TransXChange .xml, or a folder of TransXChange "
            "files (repeatable; TransXChange stops are placed by the data directory's NaPTAN "
            "Stops CSVs); default: the data directory's GTFS feeds reaching each area.",
        ),
    ] = None,
    tile_km: Annotated[
        float, typer.Option("--tile-km", help="Side of the square partitions, km.")
    ] = 10.0,
    walk_cap_min: Annotated[
        float,
        typer.Option(
            "--walk-cap-min",
            help="Walks longer than this are reported as beyond it (sizes the halo; >= 60).",
        ),
    ] = 60.0,
    date: Annotated[
        str | None, typer.Option("--date", help="Service day YYYY-MM-DD; default: a Tuesday the feed runs.")
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Departure window HH:MM-HH:MM (public transport).")
    ] = "07:00-10:00",
    step_min: Annotated[
        float, typer.Option("--step-min", help="Minutes between departures in the window.")
    ] = 1.0,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler (tcp://host:8786); default: a local cluster.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes of the local cluster.")
    ] = 2,
    dashboard_address: Annotated[
        str,
        typer.Option("--dashboard-address", help="Local cluster's dashboard (':0': any free port)."),
    ] = ":8787",
    accept_drive_roads: Annotated[bool, _ACCEPT_DRIVE] = False,
    max_snap_m: Annotated[float | None, _MAX_SNAP] = None,
) -> None:
    """Measure access for many areas at once on Dask (see HELP)."""
    import datetime as dt
    import logging

    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.errors import HiapError
    from isochrones.errors import IsochronesError

    err = Console(stderr=True)
    kinds = list(to or ["gp", "hospital"])
    if mode not in ("walk", "transit", "both") or not set(kinds) <= {"gp", "hospital"}:
        typer.echo(
            f"Error: --mode must be walk, transit or both and --to gp or hospital "
            f"(got {mode!r}, {kinds}).",
            err=True,
        )
        raise typer.Exit(2)
    if workers < 1:
        typer.echo(f"Error: --workers must be at least 1, got {workers}.", err=True)
        raise typer.Exit(2)
    try:
        day = dt.date.fromisoformat(date) if date else None
        start, end = (dt.time.fromisoformat(p) for p in window.split("-"))
    except ValueError:
        typer.echo(
            f"Error: --date must be YYYY-MM-DD and --window HH:MM-HH:MM (got {date!r}, {window!r}).",
            err=True,
        )
        raise typer.Exit(2) from None
    try:
        import distributed  # noqa: F401
    except ImportError:
        typer.echo(
            "Error: hiap batch needs Dask: install the batch extra (pip install 'hiap[batch]').",
            err=True,
        )
        raise typer.Exit(1) from None
    # why: the cluster's own INFO/WARNING lines (workers starting, closing) would break up the
    # progress bar; its errors still show, and every failed partition is listed at the end
    logging.getLogger("distributed").setLevel(logging.ERROR)
    from hiap.access import AccessOptions
    from hiap.batch import run_batch
    from hiap.batch.regions import regions_from_data
    from hiap.settings import get_settings

    try:
        settings = get_settings()
        options = AccessOptions(
            mode=mode,  # type: ignore[arg-type]
            date=day, window=(start, end), step_min=step_min,
            accept_drive_roads=accept_drive_roads,
            max_snap_m=max_snap_m if max_snap_m is not None else settings.origin_max_snap_m,
        )
        with progress_bar(err, start="Planning the partitions") as advance:
            advance(0.0, "Reading the areas, extracts and destinations")
            regions = regions_from_data(
                settings, area, options, to=kinds, walk_cap_min=walk_cap_min, osm_path=osm,
                feed_paths=gtfs,
            )
            result = run_batch(
                settings, regions, options, out_dir=out, tile_km=tile_km,
                walk_cap_min=walk_cap_min, scheduler=scheduler, workers=workers,
                dashboard_address=dashboard_address, progress=advance,
                announce=lambda link: err.print(f"Dask dashboard: {link}"),
            )
    except (HiapError, IsochronesError) as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    report(result, out, drive_roads=accept_drive_roads)


def report(result: BatchResult, out: Path, *, drive_roads: bool = False) -> None:
    """Print what a batch did: partitions measured and reused, failures, files and figures."""
    from rich.console import Console

    from hiap import attribution
    from hiap.access import DRIVE_ROADS_LABEL

    console = Console()
    console.print(
        f"{result.partitions} partitions: {result.computed} measured now, {result.reused} "
        f"already finished, {len(result.failed)} failed ({result.seconds:.1f} s)."
    )
    if result.failed:
        for label, message in result.failed:
            console.print(f"[red]Failed:[/] {label}: {message}")
        console.print(
            f"The finished partitions are kept in {out.name}/: run the same command again to "
            "measure only the rest."
        )
        raise typer.Exit(1)
    indicators = result.indicators
    assert indicators is not None and result.table is not None
    overall = indicators[indicators["group_by"] == "all"]
    for row in overall.itertuples():
        console.print(
            f"{row.destination} by {row.mode}: {row.population:,.0f} residents in "
            f"{row.origins:.0f} areas; population-weighted mean {row.pop_weighted_mean_time_min:.1f} min "
            f"(of those within reach); within 15/30/45/60 min: "
            f"{row.pop_share_within_15min:.0%} / {row.pop_share_within_30min:.0%} / "
            f"{row.pop_share_within_45min:.0%} / {row.pop_share_within_60min:.0%}"
        )
    if drive_roads:
        console.print(f"[bold yellow]Warning:[/] {DRIVE_ROADS_LABEL}")
    for path in result.files:
        console.print(f"Wrote {path}")
    for line in (f"Street network {attribution.OSM}", attribution.OGL):
        console.print(f"[dim]{line}[/]")
