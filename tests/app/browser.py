"""Start the real app in a subprocess and drive it with Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
# Without these flags Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def indicator_sentence(gpkg: Path, mode: str) -> str:
    """Return a CLI run's overall row of one mode (``walk``, ``transit``) as the Access page
    writes it under its table (the text the browser tests read)."""
    import geopandas as gpd

    ind = gpd.read_file(gpkg, layer="indicators")
    row = ind[(ind["mode"] == mode) & (ind["grouping"] == "all")].iloc[0]
    return (
        f"mean {row['pop_weighted_mean_time_min']:.2f} min (population-weighted), "
        f"{row['pop_share_within_15min']:.1%} within 15 min, "
        f"{row['pop_share_within_30min']:.1%} within 30 min."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(env_overrides: dict[str, str], *, base_url_path: str = "") -> Iterator[str]:
    """Run ``streamlit run streamlit_app.py`` on a free port and yield its URL.

    ``base_url_path`` runs it under ``server.baseUrlPath`` (as behind a proxy at ``/hiap``).
    """
    port = _free_port()
    env = {**os.environ, **env_overrides, "PYTHONWARNINGS": "ignore"}
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.baseUrlPath", base_url_path,
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}" + (f"/{base_url_path.strip('/')}" if base_url_path else "")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    output = process.stdout.read() if process.stdout else ""
                    raise RuntimeError(f"streamlit exited early:\n{output}") from None
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not become healthy within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
