"""Fixtures for the report tests: the real checklists and an assessment of a real site."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.assessment import Assessment
from hiap.checklists.loader import load_catalogue
from hiap.checklists.models import Catalogue
from tests.reports.builders import build_report_assessment, great_kneighton_boundary


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def report_assessment(catalogue: Catalogue) -> Assessment:
    return build_report_assessment(catalogue, boundary=great_kneighton_boundary())


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
