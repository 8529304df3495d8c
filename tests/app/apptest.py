"""The one AppTest set-up of the page tests: a fresh database and caches, a page opened.

Streamlit's caches live in the test process, shared by every AppTest in it as by the app's
sessions; each page-test module starts and ends with them empty, on a database of its own,
through :func:`fresh_app_state` (the ``app_state`` fixtures of ``tests/app/conftest.py``).
:func:`open_page` opens a page of the app, optionally with a scheme already chosen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hiap.schemes import Scheme
from hiap.settings import get_settings
from hiap.ui.state import SCHEME_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")

needs_hampton = pytest.mark.skipif(
    not (get_settings().data_dir / "osm" / "peterborough_hampton_2012.osm").is_file(),
    reason="Hampton OSM missing",
)
"""Skip a test that needs the Hampton OSM extract when the data directory lacks it."""


@contextmanager
def fresh_app_state(folder: Path, **environ: str) -> Iterator[Path]:
    """Run with an empty database in ``folder`` and empty Streamlit caches before and after.

    Parameters
    ----------
    folder
        Where the database (``db.sqlite``) is made.
    environ
        Other environment variables for the app (e.g. ``HIAP_CACHE_DIR``).

    Yields
    ------
    Path
        The database file.
    """
    path = folder / "db.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HIAP_DATABASE_URL", f"sqlite:///{path}")
        for name, value in environ.items():
            patch.setenv(name, value)
        st.cache_resource.clear()
        st.cache_data.clear()
        yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(
    page: str,
    *,
    scheme: Scheme | None = None,
    state: Mapping[str, object] | None = None,
    timeout_s: float = 240,
) -> AppTest:
    """Open a page of the app (``"pages/access.py"``), the scheme chosen if given.

    ``state`` sets other session-state keys first (``{ASSESSOR_KEY: "Ann Planner"}``).
    The page must draw without an exception.
    """
    at = AppTest.from_file(APP, default_timeout=timeout_s)
    if scheme is not None:
        at.session_state[SCHEME_KEY] = scheme
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: object) -> str:
    """Return the text a reader sees when Streamlit renders ``markdown`` (tags dropped).

    The pages show untrusted text through :func:`hiap.ui.text.plain`, which escapes its
    marks; compare what is shown, not the escaped source, with the message expected.
    """
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(str(markdown))
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\u00a0", " ")
    text = text.replace("\u2060", "")  # the word joiners that keep addresses from links
    return text.strip()


def marks(markdown: object) -> set[str]:
    """Return the HTML elements ``markdown`` renders to, besides paragraphs and line breaks."""
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(str(markdown))
    return set(re.findall(r"<([a-z0-9]+)", rendered)) - {"p", "br"}
