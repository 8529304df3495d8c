"""The Health impact assessment and Health baseline pages, driven with AppTest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from hiap.hia.record import GatewayStatus, HiaType
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.settings import SHARED_DATA_DIR
from hiap.storage import AssessmentStore
from hiap.ui.state import ASSESSMENT_ID_KEY, ASSESSOR_KEY, SCHEME_KEY

APP = "../../streamlit_app.py"
HIA = "pages/hia.py"
BASELINE = "pages/baseline.py"
TIMEOUT_S = 90


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AssessmentStore]:
    path = tmp_path / "assessments.sqlite"
    monkeypatch.setenv("HIAP_DATABASE_URL", f"sqlite:///{path}")
    if SHARED_DATA_DIR.is_dir():
        monkeypatch.setenv("HIAP_DATA_DIR", str(SHARED_DATA_DIR))
    st.cache_resource.clear()
    yield AssessmentStore(path)
    st.cache_resource.clear()


def _scheme(dwellings: int = 1200) -> Scheme:
    # A 50 ha rectangle near Northstowe (South Cambridgeshire), in British National Grid.
    boundary = gpd.GeoDataFrame(geometry=[box(539500, 266500, 540500, 267000)], crs=27700)
    return Scheme(
        metadata=SchemeMetadata(name="Test Fields", dwellings=dwellings), boundary=boundary
    )


def _app(page: str, *, scheme: Scheme | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if scheme is not None:
        at.session_state[SCHEME_KEY] = scheme
    at.session_state[ASSESSOR_KEY] = "Jo Planner"
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _key(at: AppTest, item: str, field: str) -> str:
    return f"hiap.form.{at.session_state[ASSESSMENT_ID_KEY]}.{item}.{field}"


def test_hia_page_needs_a_scheme(store: AssessmentStore) -> None:
    at = _app(HIA)
    assert any("Choose a sample scheme" in i.value for i in at.info)


@pytest.mark.skipif(not SHARED_DATA_DIR.is_dir(), reason="needs the shared data (districts)")
def test_hia_page_screens_scopes_and_caps(store: AssessmentStore) -> None:
    at = _app(HIA, scheme=_scheme())
    assert not at.exception
    markdown = " ".join(m.value for m in at.markdown)
    # 1,200 homes in South Cambridgeshire: the Greater Cambridge SPD asks for a full HIA.
    assert "**Full HIA** (rule SCR.1)" in markdown
    # Nothing assessed: the matrix is incomplete and every gateway caps the rating.
    assert any("Overall: red" in h.value for h in at.subheader)

    # Departing from the rule without a note is refused, with the reason.
    at.radio(key=_key(at, "screening", "outcome")).set_value(HiaType.RAPID.value).run()
    assert any("needs a note" in e.value for e in at.error)
    at.text_area(key=_key(at, "screening", "note")).input("Agreed with the LPA").run()
    saved = store.load(at.session_state[ASSESSMENT_ID_KEY])
    assert saved.hia.screening_outcome is HiaType.RAPID

    # Scope out a topic with a reason; record a group and a gateway.
    at.text_input(key=_key(at, "HUDU.10", "scope_reason")).input("No demolition").run()
    at.checkbox(key=_key(at, "HUDU.10", "scope_in")).uncheck().run()
    at.text_input(key=_key(at, "group_no_car", "note")).input("Bus from first occupation").run()
    at.text_input(key=_key(at, "GW.1", "evidence")).input("ICB letter 3 May 2026").run()
    at.radio(key=_key(at, "GW.1", "status")).set_value(GatewayStatus.MET.value).run()
    at.radio(key=_key(at, "BFHL.9", "light")).set_value("amber").run()
    at.text_area(key=_key(at, "conclusion", "text")).input("Supportable with R1.").run()
    assert not at.exception and not at.error
    saved = store.load(at.session_state[ASSESSMENT_ID_KEY])
    assert not saved.hia.scope["HUDU.10"].relevant
    assert saved.hia.groups == {"no_car": "Bus from first occupation"}
    assert saved.hia.gateways["GW.1"].status is GatewayStatus.MET
    assert saved.hia.bfhl["BFHL.9"].light == "amber"
    assert saved.hia.conclusion == "Supportable with R1."


def test_recommendations_table_validates_and_keeps_rows(store: AssessmentStore) -> None:
    at = _app(HIA, scheme=_scheme())
    key = _key(at, "recommendations", "table")
    rows = pd.DataFrame(
        [
            {
                "id": "",
                "topic_id": "HUDU.2",
                "action": "Health centre, 1,000 m²",
                "owner": "Developer with the ICB",
                "mechanism": "s106",
                "trigger": "",
            }
        ]
    )
    at.session_state[key] = {"edited_rows": {}, "added_rows": rows.to_dict("records"),
                             "deleted_rows": []}  # fmt: skip
    next(b for b in at.button if b.label == "Save recommendations").click().run()
    assert any("trigger is blank" in e.value for e in at.error)
    assert (
        store.list() == []
        or not store.load(at.session_state[ASSESSMENT_ID_KEY]).hia.recommendations
    )
    rows.loc[0, "trigger"] = "before occupation of the 500th home"
    at.session_state[key] = {"edited_rows": {}, "added_rows": rows.to_dict("records"),
                             "deleted_rows": []}  # fmt: skip
    next(b for b in at.button if b.label == "Save recommendations").click().run()
    assert not at.exception
    (rec,) = store.load(at.session_state[ASSESSMENT_ID_KEY]).hia.recommendations
    assert (rec.id, rec.mechanism.value, rec.trigger) == (
        "R1",
        "s106",
        "before occupation of the 500th home",
    )


@pytest.mark.skipif(not SHARED_DATA_DIR.is_dir(), reason="needs the shared data")
def test_baseline_page_for_a_scheme(store: AssessmentStore) -> None:
    at = _app(HIA, scheme=_scheme())  # opens the assessment with the boundary
    at.switch_page(BASELINE).run()
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.subheader]
    assert "Around the scheme (South Cambridgeshire)" in headers
    assert "Add the file to measure" in headers
    text = json.dumps([d.value.to_dict() for d in at.dataframe], default=str)
    # the life-expectancy chart as a table, through the one chart helper, England as its note
    chart = at.table[0].value
    assert "Fenland" in chart.index and list(chart.columns) == ["Male", "Female"]
    notes = " ".join(c.value for c in at.caption)
    assert "Also marked on the chart: England MSOA median, male" in notes
    assert "Census 2021 car or van availability" in text
    assert "OGL v3" in text and "2016 to 2020" in text


def test_typed_rows_are_kept_as_drafts_when_leaving_the_page(store: AssessmentStore) -> None:
    from hiap.checklists import load_catalogue
    from hiap.reports import render_html
    from hiap.storage import read_assessment_json, write_assessment_json

    at = _app(HIA, scheme=_scheme())
    aid = at.session_state[ASSESSMENT_ID_KEY]
    rec = {"id": "", "topic_id": "HUDU.2", "action": "Health centre, 1,000 m²",
           "owner": "Developer with the ICB", "mechanism": "s106", "trigger": ""}  # fmt: skip
    mon = {"id": "", "indicator": "Patients per GP (FTE)", "baseline": "2,310 (2026-04)",
           "target": "", "data_source": "NHS Digital", "frequency": "", "recommendation_id": ""}  # fmt: skip
    at.session_state[_key(at, "recommendations", "table")] = {
        "edited_rows": {}, "added_rows": [rec], "deleted_rows": []}  # fmt: skip
    at.session_state[_key(at, "monitoring", "table")] = {
        "edited_rows": {}, "added_rows": [mon], "deleted_rows": []}  # fmt: skip
    at.run()  # typed, not saved with the button, and the trigger and target still missing
    assert not at.exception
    saved = store.load(aid)
    assert saved.hia.recommendations == () and saved.hia.monitoring == ()
    assert saved.hia.recommendation_drafts == (rec,)
    assert saved.hia.monitoring_drafts == (mon,)
    assert any("kept as a draft" in c.value for c in at.caption)

    # Leave the page (the editors' state goes) and come back: the rows are still there.
    at.switch_page("pages/home.py").run()
    assert _key(at, "recommendations", "table") not in at.session_state
    at.switch_page(HIA).run()
    assert not at.exception
    shown = [d.value for d in at.dataframe if "action" in d.value.columns or "indicator" in d.value.columns]
    assert shown[0].loc[0, "action"] == "Health centre, 1,000 m²"
    assert shown[1].loc[0, "baseline"] == "2,310 (2026-04)"

    # The saved work is whole: it loads, exports and imports, and reports leave drafts out.
    saved = store.load(aid)
    again = read_assessment_json(write_assessment_json(saved, store.path.parent / "a.json"))
    assert again.hia == saved.hia
    html = render_html(saved, checklists=load_catalogue())
    assert "1 draft row typed but not yet saved is left out." in html
    assert "Health centre, 1,000 m²" not in html

    # Finish the row and save: the draft becomes a recommendation and the draft is cleared.
    done = rec | {"trigger": "before occupation of the 500th home"}
    at.session_state[_key(at, "recommendations", "table")] = {
        "edited_rows": {0: {"trigger": done["trigger"]}}, "added_rows": [], "deleted_rows": []}  # fmt: skip
    next(b for b in at.button if b.label == "Save recommendations").click().run()
    assert not at.exception and not at.error
    saved = store.load(aid)
    assert [r.id for r in saved.hia.recommendations] == ["R1"]
    assert saved.hia.recommendation_drafts == ()
    assert saved.hia.monitoring_drafts == (mon,)  # the other table's draft is untouched
