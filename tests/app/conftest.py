"""Fixtures of the page tests (see :mod:`tests.app.apptest`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.apptest import fresh_app_state


@pytest.fixture(scope="module")
def module_app_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database and empty caches shared by one module's tests (networks built once)."""
    with fresh_app_state(tmp_path_factory.mktemp("app")) as database:
        yield database


@pytest.fixture
def app_state(tmp_path: Path) -> Iterator[Path]:
    """A database, a cache folder and empty caches of one test's own."""
    with fresh_app_state(tmp_path, HIAP_CACHE_DIR=str(tmp_path / "cache")) as database:
        yield database
