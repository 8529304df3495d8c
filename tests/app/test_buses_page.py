"""The Buses and health page with AppTest on the real Cambridgeshire TransXChange files."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from hiap.ui.state import SCHEME_KEY
from tests.app.apptest import open_page

APP = "../../streamlit_app.py"
PAGE = "pages/buses.py"
TIMEOUT_S = 600


pytestmark = pytest.mark.usefixtures("module_app_state")


def _app() -> AppTest:
    return open_page(PAGE, timeout_s=TIMEOUT_S)


def test_feed_summary_and_trips_on_the_chosen_day() -> None:
    at = _app()
    assert at.date_input(key="buses.date").value == dt.date(2020, 3, 31)
    assert at.metric[0].value == "273"
    assert any("first COVID-19 week" in i.value for i in at.info)
    at.date_input(key="buses.date").set_value(dt.date(2020, 3, 24)).run()
    assert at.metric[0].value == "207"


@pytest.mark.slow
def test_corridor_run_shows_map_tables_and_fallback_share() -> None:
    at = _app()
    at.select_slider(key="buses.step").set_value(10).run()
    at.button(key="buses.run_corridor").click().run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "100% of walking legs used this fallback" in captions
    scripts = [el.proto.json_args for el in at.get("component_instance")]
    assert scripts and "Bus stops" in scripts[0] and "OpenStreetMap" in scripts[0]
    decile = at.dataframe[-3].value
    assert "interpeak_hospital_median_min" in decile.columns


def test_a_transport_scheme_route_is_offered_for_testing() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.session_state[SCHEME_KEY] = load_sample_scheme("fenland-bus-link", get_settings())
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="buses.route_headway").value == 60
    assert at.button(key="buses.run_route") is not None
