"""`hiap buses` commands: Cambridgeshire's bus timetables, the Busway corridor, route priorities."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import datetime as dt

    from hiap.corridor import CambsFeed
    from hiap.corridor.priorities import SchemeRoute
    from hiap.settings import Settings

app = typer.Typer(
    rich_markup_mode=None,
    help="Cambridgeshire's buses (TransXChange + NaPTAN): the feed, the Busway corridor to "
    "hospitals and GPs, and which service change would help most.",
    no_args_is_help=True,
)

DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="Service day YYYY-MM-DD; default: the normal-timetable Tuesday."),
]
FallbackOpt = Annotated[
    bool | None,
    typer.Option(
        "--fallback-walk/--no-fallback-walk",
        help="Walk a straight line x 1.3 at 4.8 km/h where no OSM walk network covers a place "
        "(labelled in every result); default: the fallback_walk setting (HIAP_FALLBACK_WALK).",
    ),
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(f"[red]Error:[/] {message}")
    return typer.Exit(code)


def _scheme_route(scheme: str, settings: Settings) -> SchemeRoute:
    """Read a scheme file or a sample's name and return its route line, or fail clearly."""
    from hiap.corridor.priorities import scheme_route
    from hiap.schemes import load_sample_scheme, read_scheme

    loaded = (
        read_scheme(Path(scheme), settings=settings)
        if Path(scheme).is_file()
        else load_sample_scheme(scheme, settings)
    )
    found = scheme_route(loaded.lines)
    if found is None:
        raise _fail("the scheme has no route line; give a transport scheme (a line).")
    return found


def _setup(date: str | None, fallback_walk: bool | None) -> tuple[Settings, CambsFeed, dt.date]:
    import datetime as dt

    from hiap.corridor import load_cambs_feed, service_date_choice
    from hiap.settings import get_settings

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise _fail(f"--date must be YYYY-MM-DD, got {date!r}.", 2) from None
    settings = get_settings()
    if fallback_walk is not None:
        settings = settings.model_copy(update={"fallback_walk": fallback_walk})
    cambs = load_cambs_feed(settings)
    choice = service_date_choice(cambs.feed, day)
    if choice.trips == 0:
        raise _fail(
            f"no bus of the timetables runs on {choice.date}; try {choice.typical} "
            f"({choice.why_typical})"
        )
    return settings, cambs, choice.date


@app.command("feed")
def feed(date: DateOpt = None) -> None:
    """Check and summarise the TransXChange files: services, patterns, profiles, holidays."""
    import datetime as dt

    from rich.console import Console

    from hiap.corridor import load_cambs_feed, service_date_choice
    from hiap.errors import HiapError
    from hiap.settings import get_settings

    console = Console(soft_wrap=True)
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise _fail(f"--date must be YYYY-MM-DD, got {date!r}.", 2) from None
    try:
        cambs = load_cambs_feed(get_settings())
    except HiapError as exc:
        raise _fail(str(exc)) from None
    s = cambs.summary
    console.print(
        f"{len(cambs.txc_files)} TransXChange file(s), {len(cambs.naptan_files)} NaPTAN file(s): "
        + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in s.counts.items())
    )
    console.print(s.services.to_string(index=False))
    console.print(
        "\nOperating profiles:\n" + s.profiles.drop(columns=["service_id"]).to_string(index=False)
    )
    bank = s.bank_holidays
    if len(bank):
        year_counts = bank.groupby("holiday").agg(
            dates=("date", "nunique"),
            profiles_running=("runs", "sum"),
            profiles_not_running=("runs", lambda r: int((~r).sum())),
        )
        console.print("\nBank holidays named in the operating profiles:")
        console.print(year_counts.to_string())
    choice = service_date_choice(cambs.feed, day)
    console.print(
        f"\nService day {choice.date:%A %d %B %Y}: {choice.trips} trips on "
        f"{choice.routes} route(s)."
    )
    console.print(choice.per_route.to_string(index=False))
    console.print(f"Normal timetable: {choice.why_typical}")
    for w in s.warnings:
        console.print(f"[yellow]Warning:[/] {w}")
    console.print("[dim]Traveline National Dataset and NaPTAN (DfT), OGL v3.[/]")


@app.command("corridor")
def corridor(
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSVs, GeoPackage and map.")],
    date: DateOpt = None,
    fallback_walk: FallbackOpt = None,
    step_min: Annotated[
        float, typer.Option("--step-min", help="Minutes between departures.")
    ] = 1.0,
) -> None:
    """Busway corridor: PT + walk times from its LSOAs to acute hospitals and GPs."""
    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.corridor import CorridorConfig, run_corridor
    from hiap.errors import HiapError
    from hiap.gdal_safety import guard_gdal
    from hiap.viz.bus_maps import corridor_map
    from isochrones.errors import IsochronesError
    from isochrones.transit import FallbackWalk

    console, err = Console(soft_wrap=True), Console(stderr=True)
    try:
        settings, cambs, day = _setup(None if date is None else date, fallback_walk)
        config = CorridorConfig(
            date=day,
            step_min=step_min,
            fallback=FallbackWalk() if settings.fallback_walk else None,
        )
        with progress_bar(err) as advance:
            result = run_corridor(
                settings,
                cambs,
                config,
                progress=lambda stage, frac: advance(frac, stage),
            )
            advance(1.0, "Done")
    except (HiapError, IsochronesError) as exc:
        raise _fail(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    table = result.origins.drop(columns="geometry")
    table.to_csv(out / "corridor_lsoas.csv", index=False)
    result.by_decile.to_csv(out / "corridor_by_imd_decile.csv", index=False)
    result.by_district.to_csv(out / "corridor_by_district.csv", index=False)
    gpkg = out / "corridor.gpkg"
    gpkg.unlink(missing_ok=True)
    guard_gdal()
    for name, frame in (
        ("lsoas", result.origins),
        ("stops", result.stops),
        ("routes", result.routes),
        ("destinations", result.destinations),
    ):
        frame.to_file(gpkg, layer=name, driver="GPKG")
    corridor_map(
        result.origins,
        result.routes,
        result.stops,
        result.destinations,
        column="interpeak_hospital_p50_min",
        label="median minutes to the nearest acute hospital, 10:00-13:00",
    ).save(str(out / "corridor_map.html"))
    cols = [c for c in result.by_decile.columns if c.endswith("median_min")]
    console.print(
        result.by_decile[["imd_decile", "population", *cols]].round(1).to_string(index=False)
    )
    console.print(
        result.by_district[
            ["lad_name", "population", *cols, "last_bus_back_median", "gp_last_bus_back_median"]
        ]
        .round(1)
        .to_string(index=False)
    )
    for note in result.notes:
        console.print(note)
    console.print(
        f"Wrote corridor_lsoas.csv, corridor_by_imd_decile.csv, "
        f"corridor_by_district.csv, corridor.gpkg and corridor_map.html in {out.name}/."
    )
    for line in result.attribution:
        console.print(f"[dim]{line}[/]")


@app.command("prioritise")
def prioritise(
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV and map.")],
    date: DateOpt = None,
    fallback_walk: FallbackOpt = None,
) -> None:
    """Rank candidate service changes by person-minutes saved to the nearest GP and hospital."""
    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.corridor import CorridorConfig
    from hiap.corridor.priorities import export_table, run_priorities, save_priorities
    from hiap.errors import HiapError
    from hiap.viz.bus_maps import priorities_map
    from isochrones.errors import IsochronesError
    from isochrones.transit import FallbackWalk

    console, err = Console(soft_wrap=True), Console(stderr=True)
    try:
        settings, cambs, day = _setup(date, fallback_walk)
        config = CorridorConfig(
            date=day, fallback=FallbackWalk() if settings.fallback_walk else None
        )
        with progress_bar(err) as advance:
            result = run_priorities(
                settings,
                cambs,
                config,
                progress=lambda stage, frac: advance(frac, stage),
            )
    except (HiapError, IsochronesError) as exc:
        raise _fail(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    table = export_table(result)
    table.to_csv(out / "priorities.csv", index=False)
    save_priorities(result, out / "priorities.json")
    priorities_map(result.table, result.routes, result.origins).save(
        str(out / "priorities_map.html")
    )
    console.print("Current service:\n" + result.service.to_string(index=False))
    console.print(
        table[
            [
                "rank",
                "rank_imd1_3",
                "label",
                "minutes_saved",
                "minutes_saved_imd1_3",
                "newly_within_30",
                "newly_within_60",
            ]
        ]
        .head(10)
        .to_string(index=False)
    )
    for note in result.notes:
        console.print(note)
    console.print(
        f"Wrote priorities.csv, priorities_map.html and priorities.json in {out.name}/ "
        f"(add it to a report: hiap report ASSESSMENT --bus-priorities {out.name}/priorities.json)."
    )


@app.command("route")
def route(
    scheme: Annotated[
        str,
        typer.Argument(
            help="A transport scheme file with a route line, or a sample scheme id "
            "(e.g. fenland-bus-link)."
        ),
    ],
    date: DateOpt = None,
    fallback_walk: FallbackOpt = None,
    headway_min: Annotated[
        float | None, typer.Option("--headway-min", help="Default: the scheme's, else 60.")
    ] = None,
) -> None:
    """Test a scheme's bus route: person-minutes saved to the nearest GP and acute hospital."""
    from rich.console import Console

    from hiap.corridor import CorridorConfig
    from hiap.corridor.priorities import export_table, test_route_line
    from hiap.errors import HiapError
    from isochrones.errors import IsochronesError
    from isochrones.transit import FallbackWalk

    console = Console(soft_wrap=True)
    try:
        settings, cambs, day = _setup(date, fallback_walk)
        found = _scheme_route(scheme, settings)
        result = test_route_line(
            settings,
            cambs,
            CorridorConfig(date=day, fallback=FallbackWalk() if settings.fallback_walk else None),
            line_lonlat=list(found.line),
            name=found.name,
            headway_min=headway_min or found.headway_min,
            first=found.first,
            last=found.last,
        )
    except (HiapError, IsochronesError) as exc:
        raise _fail(str(exc)) from None
    console.print(export_table(result).T.to_string())
    for note in result.notes:
        console.print(note)


@app.command("route-access")
def route_access(
    scheme: Annotated[
        str,
        typer.Argument(
            help="A transport scheme file with a route line, or a sample scheme id "
            "(e.g. fenland-bus-link)."
        ),
    ],
    to: Annotated[
        str, typer.Option("--to", help="gp, or hospital (acute with a type 1 A&E).")
    ] = "gp",
    date: DateOpt = None,
    fallback_walk: FallbackOpt = None,
    headway_min: Annotated[
        float | None, typer.Option("--headway-min", help="Default: the scheme's, else 60.")
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the per-LSOA times to this CSV.")
    ] = None,
) -> None:
    """Access along a scheme's bus route, today and with it (the Access page's route test)."""
    from dataclasses import replace

    from rich.console import Console

    from hiap.cli._progress import progress_bar
    from hiap.corridor.route_access import before_after, scheme_route_access
    from hiap.errors import HiapError
    from isochrones.errors import IsochronesError
    from isochrones.transit import FallbackWalk

    if to not in ("gp", "hospital"):
        raise _fail(f"--to must be gp or hospital, got {to!r}.", 2)
    console, err = Console(soft_wrap=True), Console(stderr=True)
    try:
        settings, cambs, day = _setup(date, fallback_walk)
        found = _scheme_route(scheme, settings)
        if headway_min is not None:
            found = replace(found, headway_min=headway_min)
        with progress_bar(err) as advance:
            result = scheme_route_access(
                settings, cambs, found, date=day, to=to,
                fallback=FallbackWalk() if settings.fallback_walk else None, progress=advance,
            )
    except (HiapError, IsochronesError) as exc:
        raise _fail(str(exc)) from None
    console.print(f"{found.name}: every {found.headway_min:g} min, {found.first:%H:%M}-"
                  f"{found.last:%H:%M}, to the nearest {to}")
    console.print(before_after(result).round(1).to_string(index=False))
    for warning in result.warnings:
        console.print(f"[yellow]Note:[/] {warning}")
    if result.fallback_share is not None:
        console.print(f"{result.fallback_share:.0%} of walking legs used the straight-line fallback.")
    if csv is not None:
        result.origins.drop(columns="geometry").to_csv(csv, index=False)
        console.print(f"Wrote {csv.name}.")
    console.print("[dim]Traveline National Dataset, NaPTAN (DfT), ONS, NHS ODS: OGL v3.[/]")
