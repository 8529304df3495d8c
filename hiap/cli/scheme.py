"""`hiap scheme` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="scheme commands.", no_args_is_help=True)
