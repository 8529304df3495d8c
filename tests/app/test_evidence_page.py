"""The spatial evidence page: measure Hampton on real data and fill the assessment with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from hiap.storage import AssessmentStore
from hiap.ui.state import ASSESSOR_KEY
from tests.app.apptest import open_page

PAGE = "pages/evidence.py"


def test_without_a_scheme_the_page_points_home(app_state: Path) -> None:
    app = open_page(PAGE, timeout_s=60)
    assert "Scheme" in app.info[0].value


@pytest.mark.slow
def test_measure_hampton_and_fill_the_assessment(app_state: Path) -> None:
    hampton = load_sample_scheme("hampton", get_settings())
    app = open_page(PAGE, scheme=hampton, state={ASSESSOR_KEY: "Ann Planner"}, timeout_s=180)
    next(b for b in app.button if b.label.startswith("Measure")).click().run()
    assert not app.exception
    table = app.dataframe[0].value
    assert "Walk time to the nearest GP surgery" in set(table["indicator"])
    fill = next(b for b in app.button if b.label.startswith("Fill the assessment"))
    fill.click().run()
    assert not app.exception
    assert "Saved as version 1" in app.success[0].value
    store = AssessmentStore(app_state)
    (summary,) = store.list()
    saved = store.load(summary.id)
    measured = [a for a in saved.answers.values() if a.measured_value is not None]
    assert measured, "the measurements should fill criteria"
    assert all(a.suggested_score is not None for a in measured)
