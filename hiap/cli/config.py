"""`hiap config` commands: the settings in force and where each came from."""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer's rich help formatter costs a second to import
    help="Show hiap's settings (environment, .env, TOML file, defaults).",
    no_args_is_help=True,
)


@app.command("show")
def show() -> None:
    """Print every setting, its value and where it came from (environment, .env, file, default)."""
    from rich.console import Console
    from rich.table import Table

    from hiap.errors import HiapError
    from hiap.settings import CONFIG_FILE_VAR, ENV_FILE_VAR, default_config_file, settings_origins

    out, err = Console(), Console(stderr=True)
    try:
        rows = settings_origins()
    except HiapError as exc:
        err.print(f"[red]Error:[/] {exc}")
        raise typer.Exit(2) from None
    table = Table(title="hiap settings")
    table.add_column("setting", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("from", overflow="fold")
    for name, value, origin in rows:
        table.add_row(name, str(value), origin)
    out.print(table)
    out.print(
        f"Set a value with HIAP_<SETTING> in the environment or a .env file ({ENV_FILE_VAR} "
        f"names another), or `setting = value` in {default_config_file()} ({CONFIG_FILE_VAR} "
        "names another)."
    )
