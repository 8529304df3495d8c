"""The "What the scheme changes" page: template, a bad upload, and a sample proposal on Hampton."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.storage import AssessmentStore
from hiap.ui.state import ASSESSOR_KEY
from tests.app.apptest import open_page

PAGE = "pages/proposal.py"


def test_the_page_offers_the_template_and_the_samples(app_state: Path) -> None:
    app = open_page(PAGE, timeout_s=60)
    assert app.title[0].value == "What the scheme changes"
    samples = app.selectbox[0].options
    assert {"northstowe-phase-2", "waterbeach", "hampton-illustrative"} <= set(samples)
    # A sample is read and summarised before anything is measured.
    app.selectbox[0].select("northstowe-phase-2").run()
    assert not app.exception
    assert app.subheader[0].value == "Northstowe phase 2"
    assert any("3,500 dwellings" in m.value for m in app.markdown)


@pytest.mark.slow
def test_compare_the_hampton_sample_and_fill_the_assessment(app_state: Path) -> None:
    app = open_page(PAGE, state={ASSESSOR_KEY: "Ann Planner"}, timeout_s=300)
    app.selectbox[0].select("hampton-illustrative").run()
    next(b for b in app.button if b.label.startswith("Compare")).click().run()
    assert not app.exception
    table = app.dataframe[0].value
    row = table.set_index("Indicator").loc["Walk time to the nearest GP surgery"]
    assert row["For health"] == "better"
    next(b for b in app.button if b.label.startswith("Fill the assessment")).click().run()
    assert not app.exception
    assert "Saved as version 1" in app.success[0].value
    store = AssessmentStore(app_state)
    (summary,) = store.list()
    saved = store.load(summary.id)
    assert any("today's map -> with the scheme" in (e.evidence or "") for e in saved.hudu.values())


@pytest.mark.slow
def test_northstowe_by_the_labelled_walking_fallback(app_state: Path) -> None:
    """No OSM extract covers Northstowe: the page compares by the straight-line fallback when
    asked, and says so above the table."""
    app = open_page(PAGE, timeout_s=300)
    app.selectbox[0].select("northstowe-phase-2").run()
    app.checkbox(key="proposal-fallback-walk").check().run()
    next(b for b in app.button if b.label.startswith("Compare")).click().run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "labelled walking fallback" in warnings
    assert "The proposal's paths are not used" in warnings
    row = app.dataframe[0].value.set_index("Indicator").loc["Walk time to the nearest GP surgery"]
    assert row["For health"] == "better"
