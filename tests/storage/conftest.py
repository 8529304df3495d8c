"""Fixtures for the storage tests: a store in a temp folder, an assessment built in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.assessment import Assessment
from hiap.storage import AssessmentStore
from tests.storage.builders import build_assessment


@pytest.fixture
def store(tmp_path: Path) -> AssessmentStore:
    return AssessmentStore(tmp_path / "assessments.sqlite")


@pytest.fixture
def assessment() -> Assessment:
    return build_assessment()
