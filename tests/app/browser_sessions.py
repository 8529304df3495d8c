"""What the two-session browser tests share: two sessions of one app, a scheme picked or
uploaded, and the Access page's overall row read back (walk: test_browser_access_sessions.py,
public transport: test_browser_transit_sessions.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.app.browser import app_pages


@contextmanager
def two_sessions(database: Path, *, timeout_ms: int) -> Iterator[tuple[Any, Any]]:
    """Run the app on ``database`` and yield two pages, each its own browser session.

    Both have the app's home page open; every request off this machine is refused.
    """
    env = {"HIAP_DATABASE_URL": f"sqlite:///{database}"}
    with app_pages(env, sessions=2, prepare=_refuse_outside, timeout_ms=timeout_ms) as (one, two):
        yield one, two


def _refuse_outside(page: Any) -> None:
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())


def use_sample(page: Any, title: str, *, timeout_ms: int) -> None:
    """On the Scheme page: pick the sample scheme called ``title`` and use it."""
    from playwright.sync_api import expect

    page.get_by_placeholder("Pick a scheme").first.click(timeout=timeout_ms)
    page.get_by_role("option", name=re.compile(title)).first.click()
    page.get_by_role("button", name="Use this scheme").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=timeout_ms)


def upload_scheme(page: Any, path: Path, name: str, *, timeout_ms: int) -> None:
    """Go to the Scheme page, upload the boundary file ``path`` as ``name`` and use it."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="Scheme", exact=True).first.click()
    page.get_by_role("tab", name="Upload your own").click()
    page.get_by_label("Scheme name").fill(name)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_role("button", name="Check and use this file").click(timeout=timeout_ms)
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=timeout_ms)


def read_surrounding_row(page: Any, *, timeout_ms: int) -> str:
    """Wait for the Access page's run and return its surrounding-area row, as a sentence."""
    from playwright.sync_api import expect

    line = page.get_by_text(re.compile(r"^Surrounding area \(\d+ areas\): mean")).first
    expect(line).to_be_visible(timeout=timeout_ms)
    return str(line.inner_text())
