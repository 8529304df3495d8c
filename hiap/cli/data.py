"""`hiap data` commands: what data is present, and fetching what is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

# Each command imports what it needs when it runs, so `hiap --help` starts quickly.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from hiap.settings import Settings

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="See which datasets are in the data directory and download missing ones.",
    no_args_is_help=True,
)


def _settings(err: Console) -> Settings:
    from hiap.errors import HiapError
    from hiap.settings import get_settings

    try:
        return get_settings()
    except HiapError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None


def _human_size(size_bytes: int) -> str:
    size = float(size_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - the loop always returns


@app.command("status")
def status() -> None:
    """Show every dataset hiap uses: its files, what each covers, date, licence, how to fetch."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    from hiap.data.registry import attribution_lines
    from hiap.data.status import dataset_status, relative_name

    out, err = Console(), Console(stderr=True)
    settings = _settings(err)
    with err.status("Reading what each network and timetable file covers (cached after once)"):
        statuses = dataset_status(settings, coverage=True)
    out.print(f"Data directory: [bold]{settings.data_dir}[/]\n")
    colour = {"yes": "green", "sample only": "yellow", "missing": "red"}
    for st in statuses:
        out.print(
            f"[bold]{st.dataset.name}[/]  [{colour[st.state]}]{st.state}[/]  "
            f"{st.dataset.title}  [dim]({st.dataset.licence})[/]",
            highlight=False,
        )
        if not st.present:
            how = st.fetch_command or st.dataset.how_to_get or st.dataset.source_url
            out.print(Text(f"    how to get it: {how}"), highlight=False)
            continue
        cover = st.region_cover()
        if cover is not None:
            out.print(Padding(Text(f"best cover of each district: {cover}"), (0, 0, 0, 2)))
        for f in st.files:
            # One line per file, never wrapped: a name cut across lines cannot be recognised
            # or copied. What the file covers follows on its own, wrapped, indented lines.
            name = relative_name(f.path, settings.data_dir)
            out.print(
                Text(f"  {name}  {f.data_date} ({f.date_source}), {_human_size(f.size_bytes)}"),
                soft_wrap=True,
                highlight=False,
            )
            if f.coverage is not None:
                out.print(Padding(Text(f.coverage.label(), style="dim"), (0, 0, 0, 6)))
    present = [st.dataset for st in statuses if st.present]
    samples = [st.dataset.name for st in statuses if st.state == "sample only"]
    missing = [st for st in statuses if not st.present]
    out.print(f"{len(present)} of {len(statuses)} datasets present.")
    if samples:
        out.print(
            f"[yellow]Sample only[/] (data from outside Cambridgeshire and Peterborough, for "
            f"tests): {', '.join(samples)}. Fetch the region's: hiap data download "
            + " ".join(samples)
        )
    if missing:
        fetchable = [st.dataset.name for st in missing if st.fetch_command]
        if fetchable:
            out.print(f"Fetch the missing ones with: hiap data download {' '.join(fetchable)}")
    if present:
        out.print("\n[bold]Attribution[/] (show with any map or table of this data):")
        for line in attribution_lines(present):
            out.print(f"  {line}")


@app.command("download")
def download(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Dataset names (see `hiap data status`).", show_default=False),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Download every dataset that has a direct download.")
    ] = False,
) -> None:
    """Download datasets into the data directory, with checksums recorded in CHECKSUMS.json."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from hiap.data.download import download_dataset
    from hiap.data.registry import DATASETS, get_dataset
    from hiap.errors import HiapError

    out, err = Console(), Console(stderr=True)
    settings = _settings(err)
    if all_ and names:
        err.print("[red]Error:[/] give dataset names or --all, not both.")
        raise typer.Exit(2)
    if all_:
        names = [d.name for d in DATASETS.values() if d.downloadable]
    if not names:
        err.print(
            "[red]Error:[/] name the datasets to download, or pass --all. "
            f"Valid names: {', '.join(DATASETS)}."
        )
        raise typer.Exit(2)
    try:
        for name in names:
            get_dataset(name)  # check every name before fetching anything
    except HiapError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None

    out.print(f"Downloading into [bold]{settings.data_dir}[/]")
    failures: list[str] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=out,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        for name in names:
            try:
                results = download_dataset(name, settings, progress=report)
            except HiapError as exc:
                failures.append(name)
                progress.console.print(f"[red]✗ {name}:[/] {exc}", soft_wrap=True)
                continue
            for res in results:
                what = ", ".join(p.name for p in res.extracted) or res.path.name
                check = "verified" if res.verified else "recorded"
                progress.console.print(
                    f"[green]✓ {name}:[/] {what} ({_human_size(res.size_bytes)}, "
                    f"SHA-256 {res.sha256[:12]}… {check})"
                )
    if failures:
        err.print(
            f"[red]{len(failures)} of {len(names)} download(s) failed:[/] {', '.join(failures)}"
        )
        raise typer.Exit(1)


@app.command("verify")
def verify() -> None:
    """Check downloaded files against the checksums recorded in CHECKSUMS.json."""
    from rich.console import Console

    from hiap.data.download import verify_checksums
    from hiap.errors import HiapError

    out, err = Console(), Console(stderr=True)
    settings = _settings(err)
    try:
        checks = verify_checksums(settings)
    except HiapError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None
    if not checks:
        out.print("No downloads recorded yet (CHECKSUMS.json is empty or absent).")
        return
    bad = 0
    for check in checks:
        if check.status == "ok":
            out.print(f"[green]ok[/]       {check.path}")
        else:
            bad += 1
            out.print(f"[red]{check.status:<8}[/] {check.path}")
    if bad:
        err.print(
            f"[red]{bad} file(s) differ from their recorded checksum or are missing.[/] "
            "Download them again with `hiap data download NAME`."
        )
        raise typer.Exit(1)
