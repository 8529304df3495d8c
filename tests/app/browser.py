"""Start the real app in a subprocess and drive it with Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
HOME_TEXT = "hiap: health in all policies"
"""Text of the app's home page that shows once the app has drawn."""


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


@contextmanager
def app_pages(
    env_overrides: dict[str, str],
    *,
    sessions: int = 1,
    viewport: dict[str, int] | None = None,
    base_url_path: str = "",
    prepare: Callable[[Any], None] | None = None,
    timeout_ms: float = 60_000,
) -> Iterator[list[Any]]:
    """Run the app (:func:`running_app`) and open its home page in Debian's Chromium.

    Parameters
    ----------
    env_overrides, base_url_path
        As for :func:`running_app`.
    sessions
        How many pages to open, each in a browser context (a session) of its own.
    viewport
        Their size (default 1400 x 1000).
    prepare
        Called with each page before it opens the app (to route or refuse requests).
    timeout_ms
        How long the home page may take to draw.

    Yields
    ------
    list
        The Playwright pages, each showing the home page; the browser closes afterwards.
    """
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = viewport or {"width": 1400, "height": 1000}
    with (
        running_app(env_overrides, base_url_path=base_url_path) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = [browser.new_context(viewport=size).new_page() for _ in range(sessions)]
            for page in pages:
                if prepare is not None:
                    prepare(page)
                page.goto(url, wait_until="domcontentloaded")
                expect(page.get_by_text(HOME_TEXT).first).to_be_visible(timeout=timeout_ms)
            yield pages
        finally:
            browser.close()
