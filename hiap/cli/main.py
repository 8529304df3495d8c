"""Entry point of the ``hiap`` command: gathers the command groups."""

from __future__ import annotations

import contextlib

import typer

from hiap.cli import access, batch, buses, config, data, hia, report, scheme

app = typer.Typer(
    name="hiap",
    help="Health-in-all-policies impact assessment for planning and transport.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help text: typer's rich help formatter (rich.markdown, pygments) alone costs about a
    # second of start-up, more than everything else `hiap --help` needs.
    rich_markup_mode=None,
)


@app.callback()
def _startup() -> None:
    # Runs before every command, so before the router (numba) is imported. Bad settings are
    # left for the command itself to report, with the remedy. Imported here, not at the top,
    # so `hiap --help` starts without pydantic (every command module imports lazily too).
    from hiap.errors import SettingsError
    from hiap.settings import configure_numba_cache, get_settings

    with contextlib.suppress(SettingsError):
        configure_numba_cache(get_settings())


app.add_typer(data.app, name="data")
app.add_typer(scheme.app, name="scheme")
app.add_typer(access.app, name="access")
app.add_typer(buses.app, name="buses")
app.add_typer(report.app, name="report")
app.add_typer(hia.app, name="hia")
app.add_typer(config.app, name="config")
app.command("batch", help=batch.HELP, no_args_is_help=True)(batch.batch)


if __name__ == "__main__":  # pragma: no cover
    app()
