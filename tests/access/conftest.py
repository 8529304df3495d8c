"""Fixtures for the access tests: the real shared data with a private cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.settings import SHARED_DATA_DIR, Settings, get_settings


@pytest.fixture(scope="session")
def access_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"the shared data directory {SHARED_DATA_DIR} is not here")
    cache = tmp_path_factory.mktemp("access_cache")
    return get_settings(environ={}, data_dir=SHARED_DATA_DIR, cache_dir=cache)


@pytest.fixture(scope="session")
def hampton_extract(access_settings: Settings) -> Path:
    found = sorted((access_settings.data_dir / "osm").glob("*hampton*.osm"))
    if not found:
        pytest.skip("no Hampton OSM extract in the data directory")
    return found[0]
