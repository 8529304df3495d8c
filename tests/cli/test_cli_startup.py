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


def _check_without_tables(path: str) -> tuple[str, set[str]]:
    """Run ``hiap scheme check PATH`` in a fresh interpreter; return its output and modules."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from hiap.cli.main import app\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        app(['scheme', 'check', {path!r}])\n"
        "    except SystemExit as exc:\n"
        "        print('exit', exc.code)\n"
        "print(json.dumps({'out': out.getvalue(), 'modules': sorted(sys.modules)}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["out"], set(answer["modules"])


def test_scheme_check_of_geojson_and_kml_loads_no_pandas(tmp_path) -> None:
    # hiap parses GeoJSON and KML itself and validates with shapely and pyproj: the tables
    # (pandas, geopandas) are built only when something asks for them, and GDAL is not needed
    from hiap.schemes import SAMPLE_SCHEMES_DIR

    sample = SAMPLE_SCHEMES_DIR / "hampton.geojson"
    ring = json.loads(sample.read_text(encoding="utf-8"))["features"][0]["geometry"]
    coordinates = " ".join(f"{x},{y}" for x, y in ring["coordinates"][0])
    kml = tmp_path / "hampton.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>Hampton</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>",
        encoding="utf-8",
    )
    for path in (sample, kml):
        output, loaded = _check_without_tables(str(path))
        assert "exit 0" in output and "Area:      996.4 ha" in output, output
        assert "Features:  1 polygon(s), 0 line(s), 0 stop(s)" in output, output
        heavy = {"pandas", "geopandas", "pyogrio", "osmnx", "numba"}
        assert not loaded & heavy, (path.name, sorted(loaded & heavy))
