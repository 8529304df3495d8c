"""The ``hiap`` command starts without the heavy stacks: they load when a command needs them."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from hiap.cli.main import app

HEAVY = (
    "geopandas",
    "pandas",
    "numpy",
    "shapely",
    "pyogrio",
    "osmnx",
    "numba",
    "pydantic",
    "plotly",
    "matplotlib",
    "weasyprint",
    "requests",
    "typer.rich_utils",
    "dask",
    "distributed",
)


def _modules_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter and return the modules it loaded."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_stack() -> None:
    loaded = _modules_after("import hiap.cli.main")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_renders_without_the_heavy_stacks() -> None:
    loaded = _modules_after(
        "import contextlib\n"
        "from hiap.cli.main import app\n"
        "with contextlib.suppress(SystemExit):\n"
        "    app(['scheme', '--help'])\n"
    )
    # The group callback reads the settings (pydantic) to place numba's cache; nothing more.
    heavy = set(HEAVY) - {"pydantic"}
    assert not loaded & heavy, sorted(loaded & heavy)


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("data", "scheme", "access", "report"):
        assert group in result.output


def test_scheme_list_reads_no_geometry_stack() -> None:
    # Listing reads each sample's name and kind from its JSON: no geometry library is needed.
    loaded = _modules_after(
        "import contextlib\n"
        "from hiap.cli.main import app\n"
        "with contextlib.suppress(SystemExit):\n"
        "    app(['scheme', 'list'])\n"
    )
    heavy = {"geopandas", "pandas", "numpy", "shapely", "pyogrio", "pyproj", "osmnx", "numba"}
    assert not loaded & heavy, sorted(loaded & heavy)
