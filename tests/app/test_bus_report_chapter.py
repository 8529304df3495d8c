"""The ranking shown on the Buses page goes into the reports made in the same session (AppTest)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hiap.assessment import Answer, Assessment
from hiap.storage import AssessmentStore
from hiap.ui.buses import RANKING_KEY
from hiap.ui.saved_work import REPORT_KEY
from hiap.ui.state import ASSESSOR_KEY
from tests.reports.test_bus_priorities_report import hand_ranking

APP = "../../streamlit_app.py"
SAVED = "pages/assessments.py"
TITLE = "Which bus service change would help health most"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AssessmentStore]:
    path = tmp_path / "assessments.sqlite"
    monkeypatch.setenv("HIAP_DATABASE_URL", f"sqlite:///{path}")
    st.cache_resource.clear()
    yield AssessmentStore(path)
    st.cache_resource.clear()


def _report(at: AppTest, fmt: str) -> bytes:
    next(b for b in at.button if b.label.startswith(f"Prepare the {fmt} report")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    ready = at.session_state[REPORT_KEY]
    return next(iter(ready.values()))


def _session(ranking: bool) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[ASSESSOR_KEY] = "Jo Planner"
    if ranking:
        at.session_state[RANKING_KEY] = hand_ranking()  # as the Buses page keeps it
    at.switch_page(SAVED).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_reports_carry_the_sessions_bus_ranking(store: AssessmentStore) -> None:
    import docx

    assessment = Assessment.new(scheme_name="Old Site", assessor="Sam")
    store.save(assessment.with_answer("HNT.1.1", Answer(score=1)), author="Sam")
    html = _report(_session(ranking=False), "HTML").decode("utf-8")
    assert TITLE not in html  # no ranking run in this session: no chapter
    at = _session(ranking=True)
    html = _report(at, "HTML").decode("utf-8")
    assert TITLE in html and "As shown on the Buses page in this session." in html
    assert "B every 5 min" in html
    at.session_state[REPORT_KEY] = {}
    document = docx.Document(io.BytesIO(_report(at, "Word")))
    assert TITLE in [p.text for p in document.paragraphs]


def test_a_report_prepared_before_the_ranking_is_dropped_when_it_arrives(
    store: AssessmentStore,
) -> None:
    assessment = Assessment.new(scheme_name="Old Site", assessor="Sam")
    store.save(assessment.with_answer("HNT.1.1", Answer(score=1)), author="Sam")
    at = _session(ranking=False)
    assert TITLE not in _report(at, "HTML").decode("utf-8")
    at.run()  # nothing changed: the prepared report is still offered
    assert any(b.label.startswith("Download the HTML report") for b in at.get("download_button"))
    # Evidence arrives later in the same session (the Buses page ranks the changes).
    at.session_state[RANKING_KEY] = hand_ranking()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any(b.label.startswith("Download the HTML report")
                   for b in at.get("download_button"))
    assert any(b.label.startswith("Prepare the HTML report") for b in at.button)
    assert not at.session_state[REPORT_KEY]  # the stale report is gone, not kept
    assert TITLE in _report(at, "HTML").decode("utf-8")  # prepared again, with the ranking
