"""The Access to healthcare and Transport scenario pages, driven with AppTest on real data.

Walk access runs on the Hampton (Peterborough) OSM extract around the Hampton sample scheme;
public transport on r5r's Porto Alegre sample (no Cambridgeshire feed is available offline).
The folium maps are custom components: their script travels in ``json_args``, so the tests
read the layer names from it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from hiap.ui.scenario import SCENARIO_RESULT_KEY
from tests.app.apptest import open_page

APP = "../../streamlit_app.py"  # AppTest resolves this against this file's folder
ACCESS = "pages/access.py"
SCENARIO = "pages/scenario.py"
DEMO = "Porto Alegre demo (public-transport sample)"
TIMEOUT_S = 240

DATA = get_settings().data_dir
needs_hampton = pytest.mark.skipif(
    not (DATA / "osm" / "peterborough_hampton_2012.osm").is_file(), reason="Hampton OSM missing"
)
needs_poa = pytest.mark.skipif(
    not (DATA / "transit" / "porto_alegre" / "poa_eptc.zip").is_file(), reason="Porto Alegre sample missing"
)


# The read-only network and feed are shared by this module's tests, as by the app's sessions.
pytestmark = pytest.mark.usefixtures("module_app_state")


def _app(page: str, *, hampton: bool = False) -> AppTest:
    scheme = load_sample_scheme("hampton", get_settings()) if hampton else None
    return open_page(page, scheme=scheme, timeout_s=TIMEOUT_S)


def _map_scripts(at: AppTest) -> list[str]:
    return [el.proto.json_args for el in at.get("component_instance")]


def test_access_without_scheme_points_to_the_scheme_page() -> None:
    at = _app(ACCESS)
    at.button(key="access.run").click().run()
    assert not at.exception
    assert any("Scheme" in i.value for i in at.info)


@needs_hampton
@pytest.mark.slow
def test_walk_access_around_hampton_shows_map_indicators_and_equity() -> None:
    at = _app(ACCESS, hampton=True)
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    scripts = _map_scripts(at)
    assert scripts, "no folium map was drawn"
    for layer in ("Walking time to a GP surgery (min)", "GP surgeries", "Areas by walking time",
                  "Scheme: Hampton, Peterborough"):
        assert layer in scripts[0], layer
    assert "OpenStreetMap" in scripts[0]
    table = at.dataframe[0].value
    assert table.index[0] == "Scheme (20,060 new residents)"
    assert table.index[1].startswith("Surrounding area (")
    assert table.index[2] == "Surrounding area with the scheme's residents"
    times = table["Mean time (min, pop-weighted)"]
    assert ((times > 1) & (times < 60)).all()
    # the scheme's residents are counted in the combined population
    pops = table["Population"]
    assert pops.iloc[2] == pytest.approx(pops.iloc[0] + pops.iloc[1])
    assert at.get("plotly_chart"), "equity chart missing"
    assert any("IMD deciles" in c.value for c in at.caption)
    # text alternatives: the equity chart as a table (10 deciles), the map's layers listed
    tables = [t.value for t in at.table]
    assert any(len(t) == 10 and "IMD 2019 decile" in str(t.index.name) for t in tables), tables
    assert any("GP surgeries" in t.index for t in tables)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the run (GeoPackage)" in labels
    assert "Download per-origin times (CSV)" in labels


@needs_hampton
def test_public_transport_around_hampton_says_what_is_missing() -> None:
    at = _app(ACCESS, hampton=True)
    at.radio(key="access.mode").set_value("Public transport").run()
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(w.value for w in at.warning)
    assert "No GTFS feed" in text and "hiap data download gtfs" in text


@needs_poa
@pytest.mark.slow
def test_public_transport_on_the_porto_alegre_demo() -> None:
    at = _app(ACCESS)
    at.radio(key="access.area").set_value(DEMO).run()
    at.radio(key="access.mode").set_value("Public transport").run()
    assert at.time_input(key="access.start").value == dt.time(13, 0)  # the sample's busiest hour
    at.time_input(key="access.end").set_value(dt.time(13, 30))
    at.select_slider(key="access.step").set_value(15)
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table.index[0].startswith("Surrounding area (")
    assert any("Public transport to the nearest" in m.value for m in at.markdown)
    assert 0.5 < table["Share within 30 min"].iloc[0] <= 1.0
    script = _map_scripts(at)[-1]
    for layer in ("Bus stops", "Healthcare facilities", "Areas by public transport time"):
        assert layer in script


@needs_poa
@pytest.mark.slow
def test_scenario_more_buses_on_a_route_makes_some_trips_faster() -> None:
    at = _app(SCENARIO)
    assert at.radio(key="scenario.area").value == DEMO
    at.radio(key="scenario.how").set_value("Change a route's frequency").run()
    at.selectbox(key="scenario.route").set_value("T12").run()
    at.number_input(key="scenario.new_headway").set_value(4.0)
    at.time_input(key="scenario.end").set_value(dt.time(13, 30))
    at.select_slider(key="scenario.step").set_value(15)
    at.button(key="scenario.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Areas with a faster trip"].replace(",", "")) > 0
    table = at.dataframe[0].value
    assert (table["Newly within"] >= 0).all()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Save scenario (JSON)" in labels and "Save scenario (YAML)" in labels
    assert "Download what changed (CSV)" in labels
    kept = at.session_state[SCENARIO_RESULT_KEY]  # kept for the report, tied to no scheme (demo)
    assert kept.scheme_name is None and kept.result.name.endswith("every 4 min")
    assert kept.result.table["newly_within"].sum() == table["Newly within"].sum()
    assert any("Faster" in s for s in _map_scripts(at))
    at.radio(key="scenario.view").set_value("Side by side").run()
    assert not at.exception
    assert sum("Baseline: time" in s or "Scenario: time" in s for s in _map_scripts(at)) == 2


@needs_hampton
def test_scenario_around_hampton_without_a_feed_explains() -> None:
    at = _app(SCENARIO, hampton=True)
    assert at.radio(key="scenario.area").value == "Around the current scheme"
    assert any("hiap data download gtfs" in w.value for w in at.warning)


@needs_hampton
@pytest.mark.slow
def test_gp_capacity_section_around_hampton() -> None:
    at = _app(ACCESS, hampton=True)
    at.button(key="access.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "GP capacity (2SFCA)" for s in at.subheader)
    captions = " ".join(c.value for c in at.caption)
    assert "registered list size" in captions and "20,060 new residents are added" in captions
    markdown = " ".join(m.value for m in at.markdown)
    assert "About 1 GP practice per" in markdown and "List pressure" in markdown
    script = next(s for s in _map_scripts(at) if "People per GP practice within a 30-minute walk" in s)
    for text in ("(2SFCA, plain)", "Scheme homes (new residents)", "no practice within 30 min",
                 "OpenStreetMap", "Open Government Licence", "list pressure"):
        assert text in script, text
    assert "per 1,000" not in script
    table = at.dataframe[-1].value
    assert list(table.index[:2]) == ["Scheme (20,060 new residents)", "Surrounding area"]
    assert "District: Peterborough" in table.index
    assert list(table.columns) == ["Residents", "About 1 GP practice per N people", "List pressure"]
    at.radio(key="access.capacity_method").set_value("enhanced (Gaussian decay)").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("(2SFCA, enhanced (Gaussian decay))" in s for s in _map_scripts(at))
    assert any("sensitivity check" in c.value for c in at.caption)
