"""Session-wide test setup: keep numba's compiled-code cache out of the repository.

This runs before any test module imports ``isochrones.raptor``; numba chooses where to cache
a compiled function when its decorator runs, so the folder must be set first.

With ``HIAP_REQUIRE_BROWSER=1`` (set by ``scripts/test``) a browser test that skips (no
Chromium, no map libraries) fails instead, so a green run means the browser tests ran.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator

import pytest

from hiap.settings import configure_numba_cache, get_settings

configure_numba_cache(get_settings())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("HIAP_REQUIRE_BROWSER") == "1"
        and item.get_closest_marker("browser") is not None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"browser test could not run ({reason}); scripts/test requires the browser tests. "
            "Set HIAP_SKIP_BROWSER_TESTS=1 to skip them on purpose."
        )


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Put back the test process's ``__main__`` after every test.

    Streamlit's AppTest runs a page script as ``__main__`` and leaves it installed. A later
    test in the same process that starts worker processes by spawning (Dask's local cluster in
    ``hiap batch``) would then re-run that script in every child, which fails
    ("NameError: __args", "Nanny failed to start") depending on which tests ran before.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
