"""Transport scenario page: a route's current service is shown, and a one-trip route gets hours.

Porto Alegre's route 1112 runs one trip a day (12:45) in r5r's sample feed: a new headway over
its own span adds nothing, which the page now says, and asks for the hours to run it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from hiap.ui.state import SCHEME_KEY

APP = "../../streamlit_app.py"
SCENARIO = "pages/scenario.py"
ACCESS = "pages/access.py"
BUSES = "pages/buses.py"
DATA = get_settings().data_dir
needs_poa = pytest.mark.skipif(
    not (DATA / "transit" / "porto_alegre" / "poa_eptc.zip").is_file(),
    reason="Porto Alegre sample missing",
)


pytestmark = pytest.mark.usefixtures("module_app_state")


@needs_poa
@pytest.mark.slow
def test_route_1112_shows_its_one_trip_and_runs_at_the_given_hours() -> None:
    at = AppTest.from_file(APP, default_timeout=600)
    at.switch_page(SCENARIO).run()
    at.radio(key="scenario.how").set_value("Change a route's frequency").run()
    at.selectbox(key="scenario.route").set_value("1112").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "1 trip(s), first 12:45, last 12:45, no regular headway" in captions
    assert any("adds no trip" in i.value for i in at.info)
    at.number_input(key="scenario.new_headway").set_value(4.0)
    at.time_input(key="scenario.freq_start").set_value(dt.time(13, 0))
    at.time_input(key="scenario.freq_end").set_value(dt.time(14, 0))
    at.select_slider(key="scenario.step").set_value(15)
    at.button(key="scenario.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert not metrics["Largest saving (min)"].startswith("-")
    assert int(metrics["Areas with a faster trip"].replace(",", "")) > 0


def _route_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state[SCHEME_KEY] = load_sample_scheme("fenland-bus-link", get_settings())
    at.switch_page(page).run()
    if page == ACCESS:
        at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_transport_scheme_line_is_offered_as_the_route_to_test() -> None:
    for page, key in ((SCENARIO, "scenario.route"), (ACCESS, "access.route")):
        at = _route_page(page)
        assert any("Test the route: Chatteris" in h.value for h in at.subheader), page
        assert at.number_input(key=f"{key}.headway").value == 60, page
        assert at.date_input(key=f"{key}.date").value == dt.date(2020, 3, 31), page
        assert not any("no boundary polygon" in w.value for w in at.warning), page


@pytest.mark.slow
def test_both_pages_run_the_route_through_the_engine_before_and_after() -> None:
    shown = {}
    for page, key in ((SCENARIO, "scenario.route"), (ACCESS, "access.route")):
        at = _route_page(page)
        at.button(key=f"{key}.run").click().run()
        assert not at.exception, [e.value for e in at.exception]
        metrics = {m.label: m.value for m in at.metric}
        table = at.dataframe[0].value.set_index("Measure")
        # the hourly link brings residents of the villages within an hour of a GP practice
        assert table.loc["Residents within 60 min", "Change"] > 0, page
        assert table.loc["Residents whose trip gets quicker", "With the route"] > 0, page
        captions = " ".join(c.value for c in at.caption)
        assert "100% of walking legs used the straight-line fallback" in captions, page
        assert "Open Government Licence" in captions, page
        shown[page] = metrics
        assert any("person-minutes saved" in c.value for c in at.caption), page  # the other question
    # one engine, one cached answer: the same figures on both pages
    assert shown[SCENARIO] == shown[ACCESS]
    # and on the Buses page's route tab, beside its person-minutes ranking (a different question)
    at = _route_page(BUSES)
    at.button(key="buses.run_route_access").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric if m.label in shown[ACCESS]} == shown[ACCESS]
    text = " ".join(m.value for m in at.markdown)
    assert "**Before and after**" in text and "hiap buses route-access" in text
    assert "**Person-minutes saved**" not in text  # the ranking runs only when asked
    assert any("Two questions about the route" in c.value for c in at.caption)
