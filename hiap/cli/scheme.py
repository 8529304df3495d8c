"""`hiap scheme` commands: check a scheme file, list the sample schemes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# hiap.schemes loads the geometry stacks: each command imports it when it runs, so `hiap --help`
# and a mistyped option answer at once.
if TYPE_CHECKING:
    from hiap.schemes import Scheme
    from hiap.settings import Settings

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="Check scheme boundary and route files, and list the sample schemes.",
    no_args_is_help=True,
)


def _settings() -> Settings:
    from hiap.errors import HiapError
    from hiap.settings import get_settings

    try:
        return get_settings()
    except HiapError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None


def _summary(scheme: Scheme) -> list[str]:
    meta = scheme.metadata
    lon, lat = scheme.centroid_lonlat
    centre = scheme.centroid
    lines = [
        f"Scheme:    {meta.name}",
        f"Kind:      {meta.kind}",
        f"File:      {scheme.source_name}",
        f"CRS:       {scheme.source_crs} in the file; held as EPSG:27700 (British National Grid)",
    ]
    # why: counts and figures come from the shapely geometries; asking for the GeoDataFrames
    # would import pandas and geopandas (half a second) just to count rows
    sizes = scheme.feature_counts
    if sizes["boundary"] is not None:
        lines.append(f"Area:      {scheme.area_ha:,.1f} ha")
    lines.append(f"Centroid:  E {centre.x:,.0f} N {centre.y:,.0f} (lon {lon:.5f}, lat {lat:.5f})")
    counts = [
        f"{sizes[part] or 0} {label}"
        for part, label in (("boundary", "polygon(s)"), ("lines", "line(s)"), ("stops", "stop(s)"))
    ]
    lines.append(f"Features:  {', '.join(counts)}")
    if sizes["lines"] is not None:
        lines.append(f"Route:     {scheme.route_length_km:,.2f} km")
    if meta.dwellings is not None:
        residents = scheme.new_residents or 0.0
        lines.append(
            f"Dwellings: {meta.dwellings:,} (about {residents:,.0f} new residents at "
            f"{meta.persons_per_dwelling:g} per dwelling)"
        )
    if meta.headway_min is not None:
        span = meta.service_span_h
        span_text = f", {span:g} h span" if span is not None else ""
        lines.append(f"Service:   every {meta.headway_min:g} min{span_text}")
    if meta.phasing_year is not None:
        lines.append(f"Phasing:   {meta.phasing_year}")
    if scheme.notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in scheme.notes)
    else:
        lines.append("Notes:     none (nothing was repaired or ignored)")
    return lines


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage, zipped Shapefile or KML.")],
    layer: Annotated[
        str | None, typer.Option(help="Layer to read when the file has several.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="housing, transport or mixed (default: from the file)."),
    ] = None,
) -> None:
    """Read and validate a scheme file; print every problem, or a summary of the scheme."""
    from hiap.errors import SchemeError
    from hiap.schemes import SCHEME_KINDS, read_scheme

    settings = _settings()
    if kind is not None and kind not in SCHEME_KINDS:
        typer.echo(
            f"Error: --kind must be one of {', '.join(SCHEME_KINDS)} (got '{kind}').", err=True
        )
        raise typer.Exit(2)
    try:
        scheme = read_scheme(file, settings=settings, layer=layer, kind=kind)
    except SchemeError as exc:
        where = exc.source or file.name
        typer.echo(f"{where}: {len(exc.problems)} problem(s) found:", err=True)
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1) from None
    for line in _summary(scheme):
        typer.echo(line)


@app.command("list")
def list_schemes() -> None:
    """List the sample schemes and the real site boundaries found in the data directory."""
    from hiap.schemes import list_sample_schemes

    settings = _settings()
    infos = list_sample_schemes(settings)
    if not infos:
        typer.echo("No sample schemes found.")
        return
    width = max(len(info.id) for info in infos)
    for info in infos:
        typer.echo(f"{info.id:<{width}}  {info.kind:<9}  {info.origin:<14}  {info.name}")
    typer.echo(
        "Samples are approximate outlines drawn by the hiap team (see sample_schemes/README.md); "
        "data-directory sites are read in place."
    )


def _scheme_from_argument(argument: str, settings: Settings) -> Scheme:
    """Read a scheme from a file path, or load a sample by its id (``hiap scheme list``)."""
    from hiap.schemes import load_sample_scheme, read_scheme

    path = Path(argument)
    if path.exists():
        return read_scheme(path, settings=settings)
    return load_sample_scheme(argument, settings)


@app.command("template")
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the empty proposal GeoPackage.")] = Path(
        "proposal.gpkg"
    ),
) -> None:
    """Write an empty proposal GeoPackage (boundary, homes, paths, greenspace, facilities...)."""
    from hiap.schemes.proposal import LAYERS, template_gpkg

    if out.exists():
        typer.echo(f"Error: {out} exists; choose another name or remove it first.", err=True)
        raise typer.Exit(2)
    out.write_bytes(template_gpkg())
    typer.echo(f"Wrote {out} with layers: {', '.join(LAYERS)} (EPSG:27700).")
    typer.echo("Fill them in a GIS, then: hiap scheme assess " + str(out) + " --compare")


@app.command("assess")
def assess(
    scheme: Annotated[
        str, typer.Argument(help="A scheme file, or a sample id from `hiap scheme list`.")
    ],
    osm: Annotated[
        Path | None,
        typer.Option(help="OSM extract (PBF or XML); default: the one covering the scheme."),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option(help="Also write the indicators to this CSV file.")
    ] = None,
    spacing_m: Annotated[
        float, typer.Option(help="Spacing of the grid of home points inside the site, metres.")
    ] = 75.0,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="SCHEME is a proposal (GeoPackage, folder of layers or sample proposal): "
            "measure today's map and with the scheme built, and print the change.",
        ),
    ] = False,
    gpkg: Annotated[
        Path | None,
        typer.Option(help="With --compare: also write the table, homes and layers to this GeoPackage."),
    ] = None,
    phases: Annotated[bool, typer.Option(help="With --compare: also measure each phase.")] = True,
    neighbours: Annotated[
        bool, typer.Option(help="With --compare: also measure the existing residents around the site.")
    ] = True,
    accept_drive_roads: Annotated[
        bool,
        typer.Option(
            "--accept-drive-roads",
            help="Measure walks on a drive-only extract as an approximation (labelled).",
        ),
    ] = False,
    fallback_walk: Annotated[
        bool | None,
        typer.Option(
            "--fallback-walk/--no-fallback-walk",
            help="Where no OSM extract covers the site, walk to GP practices and hospitals by "
            "the straight line x 1.3 at 4.8 km/h (labelled; OSM-based indicators stay "
            "unmeasured); default: the fallback_walk setting (HIAP_FALLBACK_WALK).",
        ),
    ] = None,
    gtfs: Annotated[
        list[Path] | None,
        typer.Option(
            "--gtfs",
            help="With --compare: GTFS zip/folder or TransXChange .xml (repeatable) for public "
            "transport and the proposal's bus route; default: the data directory's feeds "
            "with stops near the site.",
        ),
    ] = None,
) -> None:
    """Measure the spatial health indicators of a scheme (greenspace, GP access, food, play...)."""
    settings = _settings()
    if fallback_walk is not None:
        settings = settings.model_copy(update={"fallback_walk": fallback_walk})
    if compare:
        from hiap.cli.proposal import assess_compare

        assess_compare(
            scheme, osm=osm, csv=csv, gpkg=gpkg, spacing_m=spacing_m, phases=phases,
            neighbours=neighbours, settings=settings, gtfs=gtfs,
        )
        return
    if gpkg is not None:
        typer.echo("Error: --gpkg needs --compare (a proposal).", err=True)
        raise typer.Exit(2)
    from rich.console import Console
    from rich.table import Table

    from hiap.cli._progress import progress_bar
    from hiap.errors import HiapError
    from hiap.indicators import assess_indicators

    console = Console()
    try:
        chosen = _scheme_from_argument(scheme, settings)
        with progress_bar(console, start="Measuring") as report_progress:
            report = assess_indicators(
                chosen,
                settings=settings,
                osm_path=osm,
                spacing_m=spacing_m,
                accept_drive_roads=accept_drive_roads,
                progress=report_progress,
            )
            report_progress(1.0, "Done")
    except HiapError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    table = Table(title=f"Health indicators: {report.scheme_name} ({report.points} home points)")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    table.add_column("method", overflow="fold")
    for result in report.results:
        table.add_row(result.name, result.formatted(), result.method)
    console.print(table)
    for missing in report.unavailable:
        console.print(f"[yellow]Not measured[/]: {missing.name}: {missing.reason}")
    for line in report.sources:
        console.print(f"[dim]{line}[/]")
    if csv is not None:
        report.to_frame().to_csv(csv, index=False)
        console.print(f"Wrote {csv}")
