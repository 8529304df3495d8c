"""`hiap access` commands: walking (and public transport) access to GP practices and hospitals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from hiap.access import AccessResult
    from hiap.settings import Settings
    from isochrones.transit import FallbackWalk

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="Travel times, isochrones and population reached for GP practices and hospitals.",
    no_args_is_help=True,
)


# --- shared by both commands: progress bar, tables, summary lines ---


def _indicator_table(title: str, frame: pd.DataFrame) -> Table:
    from rich.table import Table

    columns = [
        ("origins", "origins", "{:.0f}"),
        ("population", "population", "{:,.0f}"),
        ("pop_weighted_mean_time_min", "mean min (pop-weighted)", "{:.1f}"),
        ("pop_share_within_15min", "≤15 min", "{:.0%}"),
        ("pop_share_within_30min", "≤30 min", "{:.0%}"),
        ("pop_share_within_60min", "≤60 min", "{:.0%}"),
        ("pop_weighted_reachable_30min", "reachable ≤30 min", "{:.1f}"),
    ]
    table = Table(title=title)
    table.add_column(str(frame.index.name or ""), style="bold")
    for _, label, _ in columns:
        table.add_column(label, justify="right")
    for key, row in frame.iterrows():
        cells = []
        for col, _, fmt in columns:
            value = row.get(col)
            cells.append("–" if value is None or value != value else fmt.format(value))
        table.add_row(str(key), *cells)
    return table


def _run(
    measure: Callable[[Callable[[float, str], None]], AccessResult], *, hint: str | None = None
) -> AccessResult:
    """Run ``measure`` under a rich progress bar on stderr; errors exit 1 with the message.

    ``hint`` follows a data error's message (what else the user may try).
    """
    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.errors import DataError, HiapError
    from isochrones.errors import IsochronesError

    err = Console(stderr=True)
    try:
        with progress_bar(err) as advance:
            return measure(advance)
    except (HiapError, IsochronesError) as exc:
        err.print(f"[red]Error:[/] {exc}")
        if hint is not None and isinstance(exc, DataError):
            err.print(f"[bold]Hint:[/] {hint}")
        raise typer.Exit(1) from None


def _report(result: AccessResult, out: Path) -> None:
    """Print the run's indicators, parameters and warnings, and write the GeoPackage."""
    from rich.console import Console

    from hiap.access import write_access_geopackage

    console = Console()
    for warning in result.warnings:
        console.print(f"[bold yellow]Warning:[/] {warning}")
    console.print(
        f"{len(result.origins)} origins and {len(result.destinations)} destinations on the "
        f"network of {result.osm_path.name} ({result.coverage:.0%} of the area covered)"
        + (f"; {result.dropped_origins} origin(s) off the network left out"
           if result.dropped_origins else "")
    )
    titles = {"walk": "Walking", "transit": "Public transport", "scenario": "Scenario"}
    for mode, summary in result.summaries.items():
        console.print(_indicator_table(f"{titles[mode]}: overall", summary.overall))
        if summary.scheme is not None:
            console.print(_indicator_table(f"{titles[mode]}: the scheme's homes", summary.scheme))
        if summary.by_district is not None:
            console.print(_indicator_table(f"{titles[mode]}: by district", summary.by_district))
        if summary.by_imd_decile is not None:
            console.print(_indicator_table(
                f"{titles[mode]}: by IMD decile (1 = most deprived)", summary.by_imd_decile
            ))
    written = write_access_geopackage(result, out)
    console.print("Parameters: " + "; ".join(f"{k}: {v}" for k, v in result.parameters.items()))
    console.print(f"Wrote {written} (per-origin times, destinations, indicators, parameters).")
    for line in result.attribution:
        console.print(f"[dim]{line}[/]")


def _check_out(out: Path) -> None:
    if out.suffix.lower() != ".gpkg":
        typer.echo(f"Error: --out must end in .gpkg, got {out.name!r}.", err=True)
        raise typer.Exit(2)


_ACCEPT_DRIVE = typer.Option(
    "--accept-drive-roads",
    help="Walk on a drive-only extract as an approximation (every result is labelled).",
)
_FALLBACK_WALK = typer.Option(
    "--fallback-walk/--no-fallback-walk",
    help="Walk a straight line x 1.3 at 4.8 km/h where no OSM walk network covers the area "
    "(labelled in every result, with the share of legs walked that way); default: the "
    "fallback_walk setting (HIAP_FALLBACK_WALK).",
)


def _fallback(settings: Settings, flag: bool | None) -> FallbackWalk | None:
    """Return the explicit straight-line walking fallback, from the flag or else the setting."""
    from isochrones.transit import FallbackWalk

    on = settings.fallback_walk if flag is None else flag
    return FallbackWalk() if on else None


_MAX_SNAP = typer.Option(
    "--max-snap-m",
    help="Leave out origins and destinations farther than this from a street, m "
    "(default: the origin_max_snap_m setting, HIAP_ORIGIN_MAX_SNAP_M, 500 m).",
)


@app.command("walk")
def walk(
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (.gpkg).")],
    to: Annotated[str, typer.Option("--to", help="Destinations: gp or hospital.")] = "gp",
    osm: Annotated[
        Path | None,
        typer.Option(
            "--osm",
            help="OSM extract (.osm.pbf/.osm); default: the one in data_dir/osm whose walk "
            "network covers most of the area.",
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="Boundary file, or a district name or code (e.g. Peterborough, E06000031).",
        ),
    ] = None,
    buffer_km: Annotated[
        float,
        typer.Option("--buffer-km", help="Network and destinations kept around the area, km."),
    ] = 2.0,
    level: Annotated[str, typer.Option("--level", help="Origins: lsoa or oa.")] = "lsoa",
    speed_kph: Annotated[float, typer.Option("--speed-kph", help="Walking speed, km/h.")] = 4.8,
    accept_drive_roads: Annotated[bool, _ACCEPT_DRIVE] = False,
    max_snap_m: Annotated[float | None, _MAX_SNAP] = None,
    hospital_class: Annotated[
        list[str] | None,
        typer.Option(
            "--hospital-class",
            help="With --to hospital: classes to include (repeat the option): acute_ae, acute, "
            "community, mental_health, independent. Default: acute_ae (acute with a type 1 A&E).",
        ),
    ] = None,
    include_branches: Annotated[
        bool,
        typer.Option(
            "--include-branches",
            help="With --to gp: also count the practices' branch surgeries (NHS ODS list of "
            "2017, placed by postcode). Off by default.",
        ),
    ] = False,
) -> None:
    """Compute walking times from every populated area to the nearest GP practice or hospital."""
    from hiap.access import AccessOptions, measure_access, resolve_area
    from hiap.errors import HiapError
    from hiap.settings import get_settings

    _check_out(out)
    if to not in ("gp", "hospital") or level not in ("lsoa", "oa"):
        typer.echo(
            f"Error: --to must be gp or hospital and --level lsoa or oa (got {to!r}, {level!r}).",
            err=True,
        )
        raise typer.Exit(2)
    try:
        settings = get_settings()
        polygon, label = resolve_area(settings, area)
        options = AccessOptions(
            mode="walk", to=to, buffer_km=buffer_km, level=level,  # type: ignore[arg-type]
            speed_kph=speed_kph, accept_drive_roads=accept_drive_roads,
            max_snap_m=max_snap_m if max_snap_m is not None else settings.origin_max_snap_m,
            hospital_classes=tuple(hospital_class) if hospital_class else None,
            include_branches=include_branches,
        )
    except HiapError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    if polygon is None and osm is None:
        typer.echo("Error: give --area (a district or boundary file) or --osm FILE.", err=True)
        raise typer.Exit(2)
    result = _run(lambda progress: measure_access(
        settings, options, area=polygon, area_label=label, osm_path=osm, progress=progress
    ))
    _report(result, out)


@app.command("transit")
def transit(
    to: Annotated[
        str, typer.Option("--to", help="gp, hospital, or a CSV/GPKG of destination points.")
    ],
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (.gpkg).")],
    date: Annotated[
        str | None, typer.Option("--date", help="Service day, YYYY-MM-DD; default: a Tuesday the feed runs.")
    ] = None,
    gtfs: Annotated[
        list[Path] | None,
        typer.Option(
            "--feed",
            "--gtfs",
            help="Timetable: GTFS zip/folder, TransXChange .xml, or a folder of TransXChange "
            "files (repeatable; TransXChange stops are placed by the data directory's NaPTAN "
            "Stops CSVs); default: the data directory's GTFS feeds with stops around the area.",
        ),
    ] = None,
    osm: Annotated[
        Path | None,
        typer.Option(
            "--osm",
            help="OSM extract (.osm.pbf) for walking legs; default: the one in data_dir/osm "
            "covering the area.",
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option("--area", help="Boundary file or district (for --to gp/hospital)."),
    ] = None,
    buffer_km: Annotated[
        float, typer.Option("--buffer-km", help="Network and destinations kept around the area, km.")
    ] = 2.0,
    window: Annotated[
        str, typer.Option("--window", help="Departure window HH:MM-HH:MM.")
    ] = "07:00-10:00",
    step_min: Annotated[
        float, typer.Option("--step-min", help="Minutes between departures in the window.")
    ] = 1.0,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario JSON/YAML to compare.")
    ] = None,
    origins: Annotated[
        Path | None,
        typer.Option(
            "--origins", help="CSV/GPKG of origin points (population column used if present)."
        ),
    ] = None,
    points_crs: Annotated[
        str | None,
        typer.Option(
            "--points-crs",
            help="CRS of x/y columns in the --to/--origins CSVs (e.g. EPSG:27700); "
            "lon/lat columns are read as WGS84 without it.",
        ),
    ] = None,
    weight_col: Annotated[
        str | None,
        typer.Option(
            "--weight-col",
            help="Keep only destinations (--to file) with this column above zero; default: "
            "'healthcare' when the file has it.",
        ),
    ] = None,
    count_reachable: Annotated[
        bool,
        typer.Option(
            "--count-reachable", help="Also count services within 15/30/45/60 min (slower)."
        ),
    ] = False,
    max_snap_m: Annotated[float | None, _MAX_SNAP] = None,
    fallback_walk: Annotated[bool | None, _FALLBACK_WALK] = None,
) -> None:
    """Public-transport + walking times to the nearest GP, hospital or given destinations."""
    import datetime as dt

    from hiap.access import (
        AccessOptions,
        keep_weighted,
        load_points,
        measure_access,
        resolve_area,
    )
    from hiap.errors import HiapError
    from hiap.settings import get_settings
    from isochrones.errors import IsochronesError
    from isochrones.scenarios import load_scenario

    _check_out(out)
    try:
        day = dt.date.fromisoformat(date) if date else None
        start, end = (dt.time.fromisoformat(p) for p in window.split("-"))
    except ValueError:
        typer.echo(
            f"Error: --date must be YYYY-MM-DD and --window HH:MM-HH:MM "
            f"(got {date!r}, {window!r}).",
            err=True,
        )
        raise typer.Exit(2) from None
    try:
        settings = get_settings()
        dest = orig = None
        if to not in ("gp", "hospital"):
            dest = load_points(Path(to), crs=points_crs, weight_col=weight_col)
            if weight_col is None and "healthcare" in dest:
                # The column of the Porto Alegre sample grid: cells with health services.
                dest = keep_weighted(dest, "healthcare", source=Path(to))
        if origins is not None:
            orig = load_points(origins, crs=points_crs)
            if "population" in orig:
                orig = keep_weighted(orig, "population", source=origins)
        elif dest is not None:
            typer.echo("Error: give --origins when --to is a file.", err=True)
            raise typer.Exit(2)
        polygon, label = resolve_area(settings, area)
        if polygon is None and orig is None:
            typer.echo("Error: give --area (a district or boundary file) or --origins.", err=True)
            raise typer.Exit(2)
        edits = load_scenario(scenario) if scenario is not None else None
        options = AccessOptions(
            mode="transit", to=to if dest is None else Path(to).stem, buffer_km=buffer_km,
            date=day, window=(start, end), step_min=step_min,
            max_snap_m=max_snap_m if max_snap_m is not None else settings.origin_max_snap_m,
            transit_counts=count_reachable,
            fallback=_fallback(settings, fallback_walk),
        )
    except (HiapError, IsochronesError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    result = _run(lambda progress: measure_access(
        settings, options, area=polygon, area_label=label if polygon is not None else None,
        osm_path=osm, feeds=gtfs or None, origins=orig, destinations=dest, scenario=edits,
        scenario_dir=scenario.parent if scenario is not None else None, progress=progress,
    ), hint=None if options.fallback is not None or osm is not None else (
        "where no OSM extract covers the area, --fallback-walk walks a straight line x 1.3 "
        "instead (labelled in the result)."
    ))
    _report(result, out)
