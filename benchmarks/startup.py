"""Start-up time of the ``hiap`` command and of the app, as a new user meets them.

Times each command as a fresh process (the median of N runs, like hyperfine), so the figure
includes Python's own start-up and every import the command needs before it does any work:

- ``hiap --help``
- ``hiap scheme list``
- ``hiap scheme check FILE`` on the Hampton sample in each format a user may give: GeoJSON
  (the shipped file), and a GeoPackage, a zipped Shapefile and a KML written from it in a
  temporary folder before timing
- ``hiap data status``

and, for each, its CPU time (steadier than wall time on a shared machine) and which heavy
stacks it imported (pandas, geopandas, pyogrio, numba, osmnx, and the lighter shapely and
pyproj that checking any scheme file needs), read from
``python -X importtime`` in one extra run,

and, with ``--app``, the seconds from ``./scripts/app`` to the app answering its health check
(the install is skipped when nothing changed, see scripts/_venv.sh).

Usage::

    python benchmarks/startup.py [--runs 7] [--root PATH [--root PATH]] [--app]

``--root`` times another checkout's code (e.g. ``git archive`` of an older commit) with this
environment's packages; given twice, the two are timed in alternation, run by run, so that a
before/after comparison sees the same load on a shared machine. The figures depend on compiled
bytecode being present in the environment (``scripts/_venv.sh`` compiles it at install):
without it, every run compiles pandas and geopandas from source.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_schemes" / "hampton.geojson"
HEAVY = ("pandas", "geopandas", "pyogrio", "numba", "osmnx", "shapely", "pyproj")


def sample_files(folder: Path) -> dict[str, Path]:
    """Write the Hampton sample as GeoPackage, zipped Shapefile and KML; return every format."""
    import geopandas as gpd

    frame = gpd.read_file(SAMPLE)
    files = {"geojson": SAMPLE}
    files["gpkg"] = folder / "hampton.gpkg"
    frame.to_crs(27700).to_file(files["gpkg"], layer="hampton", driver="GPKG")
    shp = folder / "shp"
    shp.mkdir()
    frame.to_crs(27700)[["name", "geometry"]].to_file(shp / "hampton.shp")
    files["zipped shapefile"] = folder / "hampton.zip"
    with zipfile.ZipFile(files["zipped shapefile"], "w") as archive:
        for part in shp.iterdir():
            archive.write(part, part.name)
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    ring = document["features"][0]["geometry"]["coordinates"][0]
    coordinates = " ".join(f"{x},{y}" for x, y in ring)
    files["kml"] = folder / "hampton.kml"
    files["kml"].write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>Hampton</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>",
        encoding="utf-8",
    )
    return files


def commands(files: dict[str, Path]) -> dict[str, list[str]]:
    """The commands to time, by label."""
    timed = {"hiap --help": ["--help"], "hiap scheme list": ["scheme", "list"]}
    for label, path in files.items():
        timed[f"hiap scheme check ({label})"] = ["scheme", "check", str(path)]
    timed["hiap data status"] = ["data", "status"]
    return timed


def heavy_imports(root: Path, args: list[str]) -> list[str]:
    """Return the heavy stacks ``hiap ARGS`` imports (from ``python -X importtime``)."""
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from hiap.cli.main import app; app()", *args],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        check=False,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return [name for name in HEAVY if name in names]


def time_command(root: Path, args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Run ``hiap ARGS`` ``runs`` times from ``root``'s code; return wall and CPU times in s.

    CPU time (user + system of the child) is the steadier figure on a shared, loaded machine.
    """
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    code = "from hiap.cli.main import app; app()"
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def time_app_start(root: Path) -> float:
    """Seconds from ``./scripts/app`` to a healthy server (the install already stamped)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            "./scripts/app",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - start < 300:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the app did not answer within 300 s")
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="checkout whose code to time (default: this one); give it twice to compare two, "
        "timed in alternation so that both see the same load",
    )
    parser.add_argument("--app", action="store_true", help="also time ./scripts/app")
    args = parser.parse_args()
    roots = [root.resolve() for root in (args.root or [ROOT])]
    print(f"{args.runs} runs each; load average {os.getloadavg()[0]:.1f}")
    for number, root in enumerate(roots, start=1):
        print(f"[{number}] code from {root}")
    with tempfile.TemporaryDirectory(prefix="hiap-startup-") as tmp:
        for label, command in commands(sample_files(Path(tmp))).items():
            times: dict[Path, list[float]] = {root: [] for root in roots}
            cpu: dict[Path, list[float]] = {root: [] for root in roots}
            for _ in range(args.runs):
                for root in roots:
                    wall_s, cpu_s = time_command(root, command, 1)
                    times[root] += wall_s
                    cpu[root] += cpu_s
            for number, root in enumerate(roots, start=1):
                heavy = ", ".join(heavy_imports(root, command)) or "none"
                tag = f"[{number}] " if len(roots) > 1 else ""
                print(
                    f"{tag}{label:<38} wall median {statistics.median(times[root]):5.2f} s "
                    f"(min {min(times[root]):5.2f})  CPU median "
                    f"{statistics.median(cpu[root]):5.2f} s (min {min(cpu[root]):5.2f})  "
                    f"heavy: {heavy}"
                )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.app:
        print(f"{'./scripts/app to healthy':<40} {time_app_start(roots[0]):5.2f} s")


if __name__ == "__main__":
    main()
