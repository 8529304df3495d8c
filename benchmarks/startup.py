"""Start-up time of the ``hiap`` command and of the app, as a new user meets them.

Times each command as a fresh process (the median of N runs, like hyperfine), so the figure
includes Python's own start-up and every import the command needs before it does any work:

- ``hiap --help``
- ``hiap scheme check sample_schemes/hampton.geojson`` (reads and validates one small file)
- ``hiap data status``

and, with ``--app``, the seconds from ``./scripts/app`` to the app answering its health check
(the install is skipped when nothing changed, see scripts/_venv.sh).

Usage::

    python benchmarks/startup.py [--runs 7] [--root PATH] [--app]

``--root`` times another checkout's code (e.g. a worktree of an older commit) with this
environment's packages, for a before/after comparison.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "hiap --help": ["--help"],
    "hiap scheme check hampton": ["scheme", "check", "sample_schemes/hampton.geojson"],
    "hiap data status": ["data", "status"],
}


def time_command(root: Path, args: list[str], runs: int) -> list[float]:
    """Run ``hiap ARGS`` ``runs`` times from ``root``'s code; return the wall times in s."""
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    code = "from hiap.cli.main import app; app()"
    times = []
    for _ in range(runs):
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
    return times


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
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--app", action="store_true", help="also time ./scripts/app")
    args = parser.parse_args()
    root = args.root.resolve()
    print(f"code from {root}; {args.runs} runs each; load average {os.getloadavg()[0]:.1f}")
    for label, command in COMMANDS.items():
        times = time_command(root, command, args.runs)
        print(
            f"{label:<28} median {statistics.median(times):5.2f} s  "
            f"min {min(times):5.2f} s  max {max(times):5.2f} s"
        )
    if args.app:
        print(f"{'./scripts/app to healthy':<28} {time_app_start(root):5.2f} s")


if __name__ == "__main__":
    main()
