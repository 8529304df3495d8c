"""Files hiap still opens with GDAL (the data directory's, ``--area``, ``--points``) fetch nothing.

No upload reaches GDAL any more, but the data directory's boundary files and the files named on
the command line do, and a GeoJSON can name a URL inside it (a ``crs`` link), a ``/vsicurl/``
path or a local file. The process-wide switches set at ``import hiap`` send GDAL's requests to
an unusable proxy, but ``NO_PROXY`` (often set for internal hosts) lets a request skip that
proxy; the fetch hook (:func:`hiap.gdal_safety.guard_gdal`) answers every request itself.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pyproj

from tests.security.conftest import Listener
from tests.security.corpus import CANARY, Targets

ROOT = Path(__file__).resolve().parents[2]
GDAL_CALLS = {
    "read_file", "to_file", "read_dataframe", "write_dataframe", "read_info", "read_arrow",
    "open_arrow", "write_arrow", "list_layers", "read_bounds",
}  # fmt: skip
"""pyogrio and geopandas functions that open a file with GDAL."""

_READ_EVERY_SITE = """
import json, sys
from pathlib import Path
from hiap.access.areas import resolve_area
from hiap.access.points import load_points
from hiap.data.population import load_districts
from hiap.settings import get_settings

data = Path(sys.argv[1])
settings = get_settings(environ={}, data_dir=data, cache_dir=data / "cache")
districts = load_districts(settings, lad_codes=None)
area, _ = resolve_area(settings, data / "area.geojson")
points = load_points(data / "points.geojson")
print(json.dumps({
    "districts": sorted(districts["lad_code"]),
    "district_min_x": float(districts.total_bounds[0]),
    "area_m2": area.area,
    "points": len(points),
}))
"""


def _feature_collection(crs: dict[str, object], code: str) -> str:
    square = [[0.10, 52.20], [0.11, 52.20], [0.11, 52.21], [0.10, 52.21], [0.10, 52.20]]
    feature = {
        "type": "Feature",
        "properties": {"LAD21CD": code, "LAD21NM": f"District {code}", "people": 10},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    return json.dumps({"type": "FeatureCollection", "crs": crs, "features": [feature]})


def _link(url: str) -> dict[str, object]:
    return {"type": "link", "properties": {"href": url, "type": "ogcwkt"}}


def _name(name: str) -> dict[str, object]:
    return {"type": "name", "properties": {"name": name}}


def test_gdal_reads_of_data_and_command_line_files_fetch_and_read_nothing(
    targets: Targets, listener: Listener, tmp_path: Path
) -> None:
    base = listener.base_url
    canary_wkt = tmp_path / "canary.wkt"  # a CRS the reads would take on if the path were read
    canary_wkt.write_text(pyproj.CRS(27700).to_wkt("WKT1_GDAL").replace("OSGB", CANARY, 1))
    boundaries = tmp_path / "data" / "boundaries"
    boundaries.mkdir(parents=True)
    hostile = {
        boundaries / "lad_link.geojson": _feature_collection(_link(f"{base}/lad.wkt"), "E1"),
        boundaries / "lad_vsicurl.geojson": _feature_collection(
            _name(f"/vsicurl/{base}/lad.wkt"), "E2"
        ),
        boundaries / "lad_path.geojson": _feature_collection(_name(str(canary_wkt)), "E3"),
        boundaries / "lad_file_link.geojson": _feature_collection(
            _link(f"file://{canary_wkt}"), "E4"
        ),
        tmp_path / "data" / "area.geojson": _feature_collection(_link(f"{base}/area.wkt"), "A"),
        tmp_path / "data" / "points.geojson": _feature_collection(
            _link(f"{base}/points.wkt"), "P"
        ),
    }
    for path, text in hostile.items():
        path.write_text(text)
    # why NO_PROXY: it lets libcurl skip the unusable proxy hiap sets, as a deployment that
    # lists its internal hosts there would; only the fetch hook then stands in the way
    env = dict(os.environ, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    done = subprocess.run(
        [sys.executable, "-c", _READ_EVERY_SITE, str(tmp_path / "data")],
        capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
    )  # fmt: skip
    try:
        assert done.returncode == 0, done.stderr[-2000:]
        assert listener.requests == []
    finally:
        listener.requests.clear()
    read = json.loads(done.stdout.strip().splitlines()[-1])
    assert read["districts"] == ["E1", "E2", "E3", "E4"]
    # read as longitude/latitude (GeoJSON's own CRS), not as the canary file's metres
    assert 500_000 < read["district_min_x"] < 600_000
    assert 0 < read["area_m2"] < 1_000_000
    assert read["points"] == 1
    assert CANARY not in done.stdout + done.stderr


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def test_every_gdal_call_in_hiap_is_guarded_first() -> None:
    """Each function that opens a file with GDAL calls guard_gdal() before it does."""
    sources = [*sorted((ROOT / "hiap").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]
    unguarded, sites = [], 0
    for path in sources:
        if path.name == "gdal_safety.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in _functions(tree):
            calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
            guards = [c.lineno for c in calls if _called_name(c) == "guard_gdal"]
            for call in calls:
                if _called_name(call) in GDAL_CALLS:
                    sites += 1
                    if not any(line < call.lineno for line in guards):
                        unguarded.append(f"{path.relative_to(ROOT)}:{call.lineno}")
        top_level = {id(c) for f in _functions(tree) for c in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and id(node) not in top_level:
                assert _called_name(node) not in GDAL_CALLS, f"{path}: GDAL at import"
    assert unguarded == []
    assert sites >= 10  # the reads and writes listed in the module docstring of gdal_safety
