"""`hiap access` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="access commands.", no_args_is_help=True)
