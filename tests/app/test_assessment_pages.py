"""The assessment pages (HNT, Blue Zones, Impact matrix) and Saved work, driven with AppTest.

Pages run through the real router (``streamlit_app.py``) with a temporary SQLite database
(``HIAP_DATABASE_URL``); every check on saving reads the database back through the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import streamlit as st
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from hiap.assessment import Answer, Assessment, Direction, HuduEntry
from hiap.hia.record import Likelihood, Magnitude
from hiap.schemes.models import Scheme, SchemeMetadata
from hiap.storage import AssessmentStore
from hiap.ui.saved_work import export_text
from hiap.ui.state import ASSESSMENT_ID_KEY, ASSESSOR_KEY, SCHEME_KEY
from tests.app.apptest import shown

APP = "../../streamlit_app.py"  # AppTest resolves this against this file's folder
HNT = "pages/healthy_new_towns.py"
BZ = "pages/blue_zones.py"
MATRIX = "pages/impact_matrix.py"
SAVED = "pages/assessments.py"
TIMEOUT_S = 60


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AssessmentStore]:
    path = tmp_path / "assessments.sqlite"
    monkeypatch.setenv("HIAP_DATABASE_URL", f"sqlite:///{path}")
    st.cache_resource.clear()  # the cached settings and store belong to the previous test
    yield AssessmentStore(path)
    st.cache_resource.clear()


def _scheme(name: str = "Test Fields") -> Scheme:
    # A 50 ha rectangle east of Cambridge, in British National Grid metres.
    boundary = gpd.GeoDataFrame(geometry=[box(548000, 258000, 549000, 258500)], crs=27700)
    return Scheme(metadata=SchemeMetadata(name=name, dwellings=1200), boundary=boundary)


def _app(
    page: str, *, scheme: Scheme | None = None, assessor: str | None = "Jo Planner"
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if scheme is not None:
        at.session_state[SCHEME_KEY] = scheme
    if assessor is not None:
        at.session_state[ASSESSOR_KEY] = assessor
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _key(at: AppTest, item: str, field: str) -> str:
    return f"hiap.form.{at.session_state[ASSESSMENT_ID_KEY]}.{item}.{field}"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _saved(store: AssessmentStore, label: str = "Old Site") -> Assessment:
    assessment = Assessment.new(scheme_name=label, assessor="Sam")
    assessment = assessment.with_answer("HNT.1.1", Answer(score=1, evidence="Draft SPD"))
    store.save(assessment, author="Sam")
    store.save(assessment.with_answer("HNT.1.1", Answer(score=3)), author="Kim")
    return assessment


# -- every page renders ------------------------------------------------------------------------
@pytest.mark.parametrize("page", [HNT, BZ, MATRIX, SAVED])
def test_page_renders_without_a_scheme(store: AssessmentStore, page: str) -> None:
    at = _app(page)
    if page == SAVED:
        assert any("No assessments saved yet" in i.value for i in at.info)
    else:
        assert any("Choose a sample scheme" in i.value for i in at.info)
        assert not at.radio  # nothing to assess yet
    assert store.list() == []


@pytest.mark.parametrize(("page", "items"), [(HNT, 47), (BZ, 16), (MATRIX, 11)])
def test_assessment_page_renders_every_item_for_a_scheme(
    store: AssessmentStore, page: str, items: int
) -> None:
    at = _app(page, scheme=_scheme())
    assert len(at.radio) == items
    assert not at.error
    assert any("Test Fields" in c.value for c in at.caption)
    # Merely looking saves nothing: the draft is stored on its first change.
    assert store.list() == []


def test_saved_work_renders_with_a_scheme_and_saved_work(store: AssessmentStore) -> None:
    saved = _saved(store)
    at = _app(SAVED, scheme=_scheme())
    assert not at.error
    assert at.selectbox(key="hiap.saved.selected").value == saved.id
    history = at.dataframe[1].value
    assert list(history["Saved by"]) == ["Sam", "Kim"]


# -- scoring and autosave ----------------------------------------------------------------------
def test_answering_updates_the_score_and_autosaves_a_version(store: AssessmentStore) -> None:
    at = _app(HNT, scheme=_scheme())
    assert at.metric[0].value == "—"
    at.radio(key=_key(at, "HNT.1.1", "score")).set_value("2 · fully").run()
    _ok(at)
    assessment_id = at.session_state[ASSESSMENT_ID_KEY]
    assert at.metric[0].value == "67%"  # HNT.1: 2 of 3 points
    # the radar's text alternative, through the one chart helper: a row per principle
    radar = at.table[0].value
    assert radar.index.name == "Principle" and len(radar) == 10
    assert float(radar.iloc[0]["Score"]) == pytest.approx(66.7)
    assert radar.iloc[0]["Label on the chart"] == "67%"
    assert radar.iloc[1]["Label on the chart"] == "not scored yet"
    history = store.history(assessment_id)
    assert [(v.version, v.author) for v in history] == [(1, "Jo Planner")]
    assert store.load(assessment_id).answers["HNT.1.1"].score == 2
    assert any("Saved v1 at" in c.value for c in at.caption)

    at.radio(key=_key(at, "HNT.2.3", "score")).set_value("3 · exemplary").run()
    at.text_area(key=_key(at, "HNT.2.3", "evidence")).input("JSNA 2024, ch. 3").run()
    _ok(at)
    # Mean of the principle percentages: (66.7 + 100) / 2.
    assert at.metric[0].value == "83%"
    saved = store.load(assessment_id)
    assert saved.answers["HNT.2.3"] == Answer(score=3, evidence="JSNA 2024, ch. 3")
    assert store.latest_version(assessment_id) == 3
    assert saved.scheme_name == "Test Fields"
    assert saved.boundary is not None
    assert saved.scheme_metadata["dwellings"] == 1200


def test_blue_zones_answer_scores_and_draws_bars(store: AssessmentStore) -> None:
    at = _app(BZ, scheme=_scheme())
    at.radio(key=_key(at, "BZ.1.3", "score")).set_value("3 · exemplary").run()
    _ok(at)
    assert at.metric[0].value == "100%"
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["data"][0]["type"] == "bar"
    assert chart["data"][0]["text"][0] == "100%"
    table = at.table[0].value  # the chart as a table (hiap.ui.charts.st_chart)
    assert table.index.name == "Theme"
    assert table.iloc[0]["Label on the chart"] == "100%"
    assert any("Score of each theme" in c.value for c in at.caption)
    assert store.load(at.session_state[ASSESSMENT_ID_KEY]).answers["BZ.1.3"].score == 3


def test_not_applicable_needs_a_reason(store: AssessmentStore) -> None:
    at = _app(HNT, scheme=_scheme())
    at.radio(key=_key(at, "HNT.1.1", "score")).set_value("Not applicable").run()
    _ok(at)
    assert any("say why it does not apply" in e.value for e in at.error)
    assert store.list() == []  # nothing saved
    at.text_input(key=_key(at, "HNT.1.1", "na_reason")).input("Outline stage only").run()
    _ok(at)
    assert not at.error
    answer = store.load(at.session_state[ASSESSMENT_ID_KEY]).answers["HNT.1.1"]
    assert answer.not_applicable and answer.na_reason == "Outline stage only"


def test_measured_value_suggests_a_score_and_override_needs_justification(
    store: AssessmentStore,
) -> None:
    at = _app(HNT, scheme=_scheme())
    # HNT.4.1 typed by hand is its preferred indicator, the net density (dwellings per hectare
    # of housing parcels): 40 or more suggests 2 (27 would suggest 3 as a gross figure).
    at.number_input(key=_key(at, "HNT.4.1", "measured")).set_value(42.0).run()
    _ok(at)
    assessment_id = at.session_state[ASSESSMENT_ID_KEY]
    answer = store.load(assessment_id).answers["HNT.4.1"]
    assert (answer.measured_value, answer.suggested_score, answer.score) == (42.0, 2, 2)
    assert answer.indicator_id == "net_dwellings_per_ha"
    assert any("suggests **2 · fully**" in i.value for i in at.info)

    at.radio(key=_key(at, "HNT.4.1", "score")).set_value("1 · partly").run()
    _ok(at)
    assert any("Write why you override" in e.value for e in at.error)
    assert store.load(assessment_id).answers["HNT.4.1"].score == 2  # not saved

    at.text_area(key=_key(at, "HNT.4.1", "justification")).input("Dense only at the edge").run()
    _ok(at)
    assert not at.error
    answer = store.load(assessment_id).answers["HNT.4.1"]
    assert (answer.score, answer.override_justification) == (1, "Dense only at the edge")
    assert answer.is_override

    at.button(key=_key(at, "HNT.4.1", "accept")).click().run()
    _ok(at)
    answer = store.load(assessment_id).answers["HNT.4.1"]
    assert (answer.score, answer.override_justification) == (2, None)
    assert at.radio(key=_key(at, "HNT.4.1", "score")).value == "2 · fully"


def test_editing_waits_for_the_assessors_name(store: AssessmentStore) -> None:
    at = _app(HNT, scheme=_scheme(), assessor=None)
    assert any("Enter your name" in w.value for w in at.warning)
    assert at.radio(key=_key(at, "HNT.1.1", "score")).disabled
    at.sidebar.text_input(key="hiap.assessor_input").input("Ann Other").run()
    _ok(at)
    at.radio(key=_key(at, "HNT.1.1", "score")).set_value("1 · partly").run()
    _ok(at)
    history = store.history(at.session_state[ASSESSMENT_ID_KEY])
    assert history[-1].author == "Ann Other"


def test_two_sessions_never_see_each_others_answers(store: AssessmentStore) -> None:
    first = _app(HNT, scheme=_scheme(), assessor="First")
    second = _app(HNT, scheme=_scheme(), assessor="Second")
    first_id = first.session_state[ASSESSMENT_ID_KEY]
    second_id = second.session_state[ASSESSMENT_ID_KEY]
    assert first_id != second_id

    first.radio(key=_key(first, "HNT.1.1", "score")).set_value("3 · exemplary").run()
    second.radio(key=_key(second, "HNT.5.1", "score")).set_value("0 · not addressed").run()
    second.run()
    _ok(first)
    _ok(second)
    assert second.radio(key=_key(second, "HNT.1.1", "score")).value == "Not scored yet"
    assert first.radio(key=_key(first, "HNT.5.1", "score")).value == "Not scored yet"
    assert set(store.load(first_id).answers) == {"HNT.1.1"}
    assert set(store.load(second_id).answers) == {"HNT.5.1"}
    assert store.history(first_id)[-1].author == "First"
    assert store.history(second_id)[-1].author == "Second"


def test_one_assessment_is_shared_by_the_three_pages(store: AssessmentStore) -> None:
    at = _app(HNT, scheme=_scheme())
    assessment_id = at.session_state[ASSESSMENT_ID_KEY]
    at.radio(key=_key(at, "HNT.5.1", "score")).set_value("3 · exemplary").run()
    at.switch_page(BZ).run()
    at.radio(key=_key(at, "BZ.1.3", "score")).set_value("2 · fully").run()
    at.switch_page(HNT).run()
    _ok(at)
    assert at.session_state[ASSESSMENT_ID_KEY] == assessment_id
    assert at.radio(key=_key(at, "HNT.5.1", "score")).value == "3 · exemplary"
    assert set(store.load(assessment_id).answers) == {"HNT.5.1", "BZ.1.3"}


def test_a_change_saved_by_another_session_is_shown_not_overwritten(
    store: AssessmentStore,
) -> None:
    at = _app(HNT, scheme=_scheme())
    at.radio(key=_key(at, "HNT.1.1", "score")).set_value("1 · partly").run()
    assessment_id = at.session_state[ASSESSMENT_ID_KEY]
    # Someone else (another session or the CLI) saves HNT.1.1 meanwhile.
    other = store.load(assessment_id).with_answer("HNT.1.1", Answer(score=3))
    store.save(other, author="Colleague")
    at.radio(key=_key(at, "HNT.2.1", "score")).set_value("2 · fully").run()
    _ok(at)
    saved = store.load(assessment_id)
    assert saved.answers["HNT.1.1"].score == 3
    assert saved.answers["HNT.2.1"].score == 2
    assert at.radio(key=_key(at, "HNT.1.1", "score")).value == "3 · exemplary"


# -- impact matrix ------------------------------------------------------------------------------
def test_impact_matrix_saves_direction_evidence_and_mitigation(store: AssessmentStore) -> None:
    at = _app(MATRIX, scheme=_scheme())
    topic = "HUDU.1"
    at.text_area(key=_key(at, topic, "evidence")).input("Only 20% affordable").run()
    _ok(at)
    # Evidence typed before a direction is chosen is kept as a draft, not lost.
    assert not at.error
    draft = store.load(at.session_state[ASSESSMENT_ID_KEY]).hudu[topic]
    assert draft.is_draft and draft.evidence == "Only 20% affordable"
    assert "0 of 11 topics assessed" in at.get("progress")[0].proto.text

    at.radio(key=_key(at, topic, "direction")).set_value("negative").run()
    at.text_area(key=_key(at, topic, "mitigation")).input("Raise to 40%").run()
    _ok(at)
    assert not at.error
    entry = store.load(at.session_state[ASSESSMENT_ID_KEY]).hudu[topic]
    assert entry == HuduEntry(
        direction=Direction.NEGATIVE, evidence="Only 20% affordable", mitigation="Raise to 40%"
    )
    assert "1 of 11 topics assessed" in at.get("progress")[0].proto.text

    # Magnitude, likelihood, residual impact and the groups who bear it are saved too.
    at.selectbox(key=_key(at, topic, "magnitude")).select("major").run()
    at.selectbox(key=_key(at, topic, "likelihood")).select("probable").run()
    at.selectbox(key=_key(at, topic, "residual")).select("neutral").run()
    at.multiselect(key=_key(at, topic, "groups")).select("low_income").run()
    _ok(at)
    assert not at.error
    entry = store.load(at.session_state[ASSESSMENT_ID_KEY]).hudu[topic]
    assert (entry.magnitude, entry.likelihood, entry.residual_direction, entry.groups) == (
        Magnitude.MAJOR, Likelihood.PROBABLE, Direction.NEUTRAL, ("low_income",)
    )


def test_impact_matrix_suggests_a_direction_from_crosswalked_scores(
    store: AssessmentStore,
) -> None:
    from hiap.checklists import load_catalogue

    catalogue = load_catalogue()
    topic = next(t for t in catalogue.hudu.topics if t.crosswalk)
    at = _app(HNT, scheme=_scheme())
    assessment_id = at.session_state[ASSESSMENT_ID_KEY]
    # Score every cross-walked criterion of this topic at its maximum, in the store.
    at.radio(key=_key(at, "HNT.1.1", "score")).set_value("1 · partly").run()
    assessment = store.load(assessment_id)
    for cid in topic.crosswalk:
        assessment = assessment.with_answer(
            cid, Answer(score=catalogue.scale_of(catalogue.criterion(cid)).max_score)
        )
    store.save(assessment, author="Jo Planner")
    at.switch_page(MATRIX).run()
    _ok(at)
    assert any("suggest **positive**" in i.value for i in at.info)
    at.button(key=_key(at, topic.id, "accept")).click().run()
    _ok(at)
    entry = store.load(assessment_id).hudu[topic.id]
    assert entry.direction is Direction.POSITIVE
    assert entry.suggested_direction is Direction.POSITIVE
    crosswalk = at.dataframe[1].value
    assert set(crosswalk["Criterion"]) <= set(topic.crosswalk)


# -- saved work --------------------------------------------------------------------------------
def test_open_makes_a_saved_assessment_current(store: AssessmentStore) -> None:
    saved = _saved(store)
    at = _app(SAVED)
    at.button[0].click().run()  # "Open this assessment"
    _ok(at)
    assert at.session_state[ASSESSMENT_ID_KEY] == saved.id
    at.switch_page(HNT).run()  # no scheme chosen: the open assessment is enough
    _ok(at)
    assert at.radio(key=_key(at, "HNT.1.1", "score")).value == "3 · exemplary"


def test_duplicate_copies_under_a_new_name(store: AssessmentStore) -> None:
    saved = _saved(store)
    at = _app(SAVED)
    at.text_input(key=f"hiap.saved.copy_name.{saved.id}").input("Old Site, option B").run()
    next(b for b in at.button if b.label == "Duplicate").click().run()
    _ok(at)
    assert any("Saved a copy" in s.value for s in at.success)
    names = sorted(s.scheme_name for s in store.list())
    assert names == ["Old Site", "Old Site, option B"]
    copy = next(s for s in store.list() if s.scheme_name == "Old Site, option B")
    assert store.load(copy.id).answers == store.load(saved.id).answers
    assert at.selectbox(key="hiap.saved.selected").value == copy.id


def test_compare_lists_the_differences_between_versions(store: AssessmentStore) -> None:
    _saved(store)
    at = _app(SAVED)
    table = at.dataframe[2].value
    assert list(table["Criterion or topic"]) == ["HNT.1.1", "HNT.1.1"]
    sentences = set(table.iloc[:, 1])
    assert any(s.startswith("HNT.1.1: score changed from") for s in sentences)
    assert any(s.startswith("HNT.1.1: evidence changed from") for s in sentences)
    assert not any("{" in s or "answers." in s for s in sentences)  # readable, not raw JSON


def test_delete_needs_the_scheme_name_typed(store: AssessmentStore) -> None:
    saved = _saved(store)
    at = _app(SAVED)
    delete = next(b for b in at.button if b.label == "Delete for ever")
    at.text_input(key=f"hiap.saved.confirm.{saved.id}").input("old").run()
    delete.click().run()
    _ok(at)
    assert any("Not deleted" in e.value for e in at.error)
    assert store.exists(saved.id)

    at.text_input(key=f"hiap.saved.confirm.{saved.id}").input("Old Site").run()
    next(b for b in at.button if b.label == "Delete for ever").click().run()
    _ok(at)
    assert any("Deleted" in s.value for s in at.success)
    assert not store.exists(saved.id)
    assert any("No assessments saved yet" in i.value for i in at.info)


def test_import_validates_the_file_and_saves_it(store: AssessmentStore) -> None:
    at = _app(SAVED)
    uploader = at.file_uploader[0]
    uploader.set_value(("broken.json", b'{"id": "nope", "scheme_name": ""}', "application/json"))
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    message = " ".join(shown(e.value) for e in at.error)
    assert "Not imported" in message and "broken.json" in message
    assert "not a UUID" in message
    assert store.list() == []

    good = Assessment.new(scheme_name="Imported Site").with_answer("HNT.3.1", Answer(score=2))
    at.file_uploader[0].set_value(("good.json", good.to_json().encode(), "application/json"))
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert any("Imported Imported Site" in shown(s.value) for s in at.success)
    assert store.load(good.id).answers["HNT.3.1"].score == 2

    # The same file again adds nothing, and says so instead of "imported as a new version".
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert any("Nothing new in good.json" in shown(i.value) for i in at.info)
    assert not any("new version" in s.value for s in at.success)
    assert store.latest_version(good.id) == 1

    # Again, as a copy: a second assessment with its own id.
    at.checkbox(key="hiap.saved.copy").check().run()
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert len(store.list()) == 2


def test_import_rejects_answers_that_do_not_fit_the_checklists(store: AssessmentStore) -> None:
    bad = Assessment.new(scheme_name="Odd").with_answer("HNT.99.1", Answer(score=2))
    at = _app(SAVED)
    at.file_uploader[0].set_value(("odd.json", bad.to_json().encode(), "application/json"))
    next(b for b in at.button if b.label == "Import").click().run()
    _ok(at)
    assert any("HNT.99.1" in shown(e.value) for e in at.error)
    assert store.list() == []


def test_export_and_html_report_downloads(store: AssessmentStore) -> None:
    saved = _saved(store)
    at = _app(SAVED)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Export version 2 as JSON" in labels
    exported = export_text(store, saved.id)
    assert Assessment.from_json(exported) == store.load(saved.id)
    next(b for b in at.button if b.label.startswith("Prepare the HTML report")).click().run()
    _ok(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the HTML report (version 2)" in labels
    next(b for b in at.button if b.label.startswith("Prepare the Word report")).click().run()
    _ok(at)
    assert not at.error
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the Word report (version 2)" in labels


@pytest.mark.slow
def test_pdf_report_is_prepared_for_download(store: AssessmentStore) -> None:
    _saved(store)
    at = _app(SAVED)
    next(b for b in at.button if b.label.startswith("Prepare the PDF report")).click().run()
    _ok(at)
    assert not at.error
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the PDF report (version 2)" in labels


def test_every_sample_scheme_starts_an_assessment_with_its_boundary_in_wgs84() -> None:
    from shapely.geometry import shape

    from hiap.schemes import list_sample_schemes, load_sample_scheme
    from hiap.settings import get_settings
    from hiap.ui.store import assessment_for_scheme

    settings = get_settings()
    samples = list_sample_schemes(settings)
    assert samples, "no sample schemes found"
    for info in samples:
        scheme = load_sample_scheme(info.id, settings)
        assessment = assessment_for_scheme(scheme, assessor="Jo")
        assert assessment.scheme_name == scheme.metadata.name
        assert assessment.answers == {} and assessment.assessor == "Jo"
        assert assessment.boundary is not None
        west, south, east, north = shape(assessment.boundary).bounds
        # Cambridgeshire and Peterborough, in degrees.
        assert -0.6 < west < east < 0.6 and 52.0 < south < north < 52.8, info.id
        if scheme.area_ha > 0:
            assert assessment.scheme_metadata["area_ha"] == pytest.approx(scheme.area_ha, abs=0.01)
        if scheme.route_length_km > 0:
            assert assessment.scheme_metadata["route_length_km"] > 0
