"""The scenario page's last result reaches the assessment report only for its own scheme."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import pandas as pd
    import streamlit as st

    from hiap.equity import newly_within
    from hiap.reports.evidence import ScenarioResult
    from hiap.schemes import load_sample_scheme
    from hiap.settings import get_settings
    from hiap.ui.saved_work import report_evidence
    from hiap.ui.scenario import keep_scenario_result
    from hiap.ui.state import set_current_scheme
    from hiap.ui.store import assessment_for_scheme

    scheme = load_sample_scheme("hampton", get_settings())
    assessment = assessment_for_scheme(scheme)
    set_current_scheme(scheme)

    def titles() -> str:
        return ", ".join(s.title for s in report_evidence(assessment))

    st.text("none: " + titles())
    table = newly_within(pd.Series([40.0, 20.0]), pd.Series([25.0, 20.0]), pd.Series([900.0, 400.0]),
                         groups=pd.Series([2, 7]))
    result = ScenarioResult(name="Orbital every 10 min", table=table)
    keep_scenario_result(result, scheme_name=None)  # the Porto Alegre demo
    st.text("demo: " + titles())
    keep_scenario_result(result, scheme_name="Somewhere else")
    st.text("other scheme: " + titles())
    keep_scenario_result(result, scheme_name=scheme.name)
    st.text("this scheme: " + titles())
    st.text(report_evidence(assessment)[0].paragraphs[0])


def test_report_gains_the_scenario_run_around_the_scheme() -> None:
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception, at.exception
    texts = [t.value for t in at.text]
    assert texts[:4] == ["none:", "demo:", "other scheme:", "this scheme: Transport scenario"]
    assert "Orbital every 10 min" in texts[4] and "900 residents newly within 30 minutes" in texts[4]
