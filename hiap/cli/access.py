"""`hiap access` commands: walking (and public transport) access to GP practices and hospitals."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="Travel times, isochrones and population reached for GP practices and hospitals.",
    no_args_is_help=True,
)


# --- `hiap access walk` (walking access; self-contained, the transit command sits apart) ---

_WALK_STEPS = (
    "Building the walk network",
    "Loading destinations",
    "Loading populated origins",
    "Routing (one multi-source pass)",
    "Summarising indicators",
    "Drawing isochrones and catchments",
)


def _walk_table(title: str, frame: pd.DataFrame) -> Table:
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


@app.command("walk")
def walk(
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (.gpkg).")],
    to: Annotated[str, typer.Option("--to", help="Destinations: gp or hospital.")] = "gp",
    osm: Annotated[
        Path | None,
        typer.Option(
            "--osm",
            help="OSM extract (.osm.pbf/.osm); default: the first in data_dir/osm covering the area.",
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
    snap: Annotated[
        str, typer.Option("--snap", help="Attach points to the nearest street edge or node.")
    ] = "edge",
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
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hiap.access.walk import resolve_area, walk_access, write_walk_geopackage
    from hiap.errors import HiapError
    from hiap.settings import get_settings
    from isochrones.errors import IsochronesError

    console, err = Console(), Console(stderr=True)
    if to not in ("gp", "hospital"):
        err.print(f"[red]Error:[/] --to must be 'gp' or 'hospital', got {to!r}.")
        raise typer.Exit(2)
    if level not in ("lsoa", "oa"):
        err.print(f"[red]Error:[/] --level must be 'lsoa' or 'oa', got {level!r}.")
        raise typer.Exit(2)
    if snap not in ("edge", "node"):
        err.print(f"[red]Error:[/] --snap must be 'edge' or 'node', got {snap!r}.")
        raise typer.Exit(2)
    if out.suffix.lower() != ".gpkg":
        err.print(f"[red]Error:[/] --out must end in .gpkg, got {out.name!r}.")
        raise typer.Exit(2)
    try:
        settings = get_settings()
        polygon, label = resolve_area(settings, area)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as bar:
            task = bar.add_task("Starting", total=len(_WALK_STEPS) + 1)

            def advance(step: str) -> None:
                bar.update(task, description=step, completed=_WALK_STEPS.index(step))

            result = walk_access(
                settings,
                to=to,  # type: ignore[arg-type]
                osm_path=osm,
                area=polygon,
                buffer_km=buffer_km,
                level=level,  # type: ignore[arg-type]
                speed_kph=speed_kph,
                snap_to=snap,  # type: ignore[arg-type]
                progress=advance,
                hospital_classes=hospital_class or None,
                include_branches=include_branches,
            )
            bar.update(task, description="Writing the GeoPackage", completed=len(_WALK_STEPS))
            written = write_walk_geopackage(result, out)
            bar.update(task, description="Done", completed=len(_WALK_STEPS) + 1)
    except (HiapError, IsochronesError) as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    what = "GP practices" + (" and branch surgeries" if include_branches else "")
    if to == "hospital":
        from hiap.data.hospitals import DEFAULT_HOSPITAL_CLASSES, HOSPITAL_CLASSES

        picked = hospital_class or DEFAULT_HOSPITAL_CLASSES
        what = "hospitals (" + "; ".join(HOSPITAL_CLASSES.get(c, c) for c in picked) + ")"
    console.print(
        f"Walking at {speed_kph:g} km/h to {len(result.destinations)} {what}; area: {label}; "
        f"network: {result.osm_path.name}; {len(result.origins)} {level.upper()} origins"
        + (
            f" ({result.dropped_origins} off the network left out)"
            if result.dropped_origins
            else ""
        )
    )
    for note in result.notes:
        console.print(note)
    excluded = result.excluded_origins
    if excluded is not None and len(excluded):
        code_col = "code" if "code" in excluded else None
        for row in excluded.head(10).itertuples():
            name = getattr(row, code_col) if code_col else f"row {row.Index}"
            console.print(f"  left out: {name}: {row.reason}")
        if len(excluded) > 10:
            console.print(f"  ... and {len(excluded) - 10} more")
    console.print(_walk_table("Overall", result.overall))
    console.print(_walk_table("By district", result.by_district))
    console.print(_walk_table("By IMD decile (1 = most deprived)", result.by_imd_decile))
    console.print(
        f"Wrote {written} (layers: origins, destinations, isochrones, catchments, indicators)."
    )
    for line in result.attribution:
        console.print(f"[dim]{line}[/]")


# --- `hiap access transit` (public transport + walking over a departure window) ---


@app.command("transit")
def transit(
    to: Annotated[
        str, typer.Option("--to", help="gp, hospital, or a CSV/GPKG of destination points.")
    ],
    date: Annotated[str, typer.Option("--date", help="Service day, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (.gpkg).")],
    gtfs: Annotated[
        list[Path] | None,
        typer.Option(
            "--gtfs",
            help="GTFS zip/folder or TransXChange .xml (repeatable); default: the data "
            "directory's GTFS feeds with stops around the origins and destinations.",
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
    window: Annotated[
        str, typer.Option("--window", help="Departure window HH:MM-HH:MM.")
    ] = "07:00-10:00",
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario JSON/YAML to compare.")
    ] = None,
    origins: Annotated[
        Path | None,
        typer.Option(
            "--origins", help="CSV/GPKG of origin points (population column used if present)."
        ),
    ] = None,
    count_reachable: Annotated[
        bool,
        typer.Option(
            "--count-reachable", help="Also count services within 15/30/45/60 min (slower)."
        ),
    ] = False,
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
) -> None:
    """Public-transport + walking times to the nearest GP, hospital or given destinations."""
    import datetime as dt

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hiap.access.transit import (
        keep_weighted,
        load_points,
        transit_access,
        write_transit_geopackage,
    )
    from hiap.errors import HiapError
    from hiap.settings import get_settings
    from isochrones.errors import IsochronesError

    console, err = Console(), Console(stderr=True)
    try:
        day = dt.date.fromisoformat(date)
        start, end = (dt.time.fromisoformat(p) for p in window.split("-"))
    except ValueError:
        err.print(
            f"[red]Error:[/] --date must be YYYY-MM-DD and --window HH:MM-HH:MM "
            f"(got {date!r}, {window!r})."
        )
        raise typer.Exit(2) from None
    if out.suffix.lower() != ".gpkg":
        err.print(f"[red]Error:[/] --out must end in .gpkg, got {out.name!r}.")
        raise typer.Exit(2)
    try:
        settings = get_settings()
        if to in ("gp", "hospital"):
            from hiap.data.health import load_gp_practices, load_hospitals

            dest = load_gp_practices(settings) if to == "gp" else load_hospitals(settings)
            dest = dest.to_crs("EPSG:4326")
        else:
            dest = load_points(Path(to), crs=points_crs, weight_col=weight_col)
            if weight_col is None and "healthcare" in dest:
                # The column of the Porto Alegre sample grid: cells with health services.
                dest = keep_weighted(dest, "healthcare", source=Path(to))
        if origins is not None:
            orig = load_points(origins, crs=points_crs)
            if "population" in orig:
                orig = keep_weighted(orig, "population", source=origins)
        elif to in ("gp", "hospital"):
            from hiap.data.population import load_area_origins

            orig = load_area_origins(settings).to_crs("EPSG:4326")
        else:
            err.print("[red]Error:[/] give --origins when --to is a file.")
            raise typer.Exit(2)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("Starting", total=1)

            def advance(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            result = transit_access(
                settings,
                gtfs=gtfs or None,
                osm=osm,
                date=day,
                destinations=dest,
                origins=orig,
                window=(start, end),
                scenario=scenario,
                count_reachable=count_reachable,
                progress=advance,
            )
            written = write_transit_geopackage(result, out)
    except (HiapError, IsochronesError) as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(result.indicators.T.to_string(float_format=lambda v: f"{v:.3g}"))
    console.print(f"Wrote {written} (layers: origins, destinations, indicators).")
    for line in result.attribution:
        console.print(f"[dim]{line}[/]")
