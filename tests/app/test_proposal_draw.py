"""Drawing a proposal on the "What the scheme changes" page, checking it and saving it.

The map's draw tool runs in the browser (tests/app/test_browser_proposal_draw.py draws with
it); here the shapes it hands back are put where the page keeps them, and everything after
the drawing is exercised: attributes, the upload's checks, the draft, saving and reopening.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from hiap.storage import AssessmentStore
from hiap.ui.proposal_draw import DRAFT_KEY, DRAWN_KEY
from hiap.ui.state import ASSESSOR_KEY
from tests.app.apptest import open_page

PAGE = "pages/proposal.py"
SITE = [[0.100, 52.200], [0.106, 52.200], [0.106, 52.204], [0.100, 52.204], [0.100, 52.200]]


def shape(kind: str, coordinates: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": kind, "coordinates": coordinates}}


def _button(app: AppTest, starts: str) -> Any:
    return next(b for b in app.button if b.label.startswith(starts))


def test_draw_check_save_and_reopen_a_proposal(app_state: Path) -> None:
    app = open_page(PAGE, state={ASSESSOR_KEY: "Ann Planner"}, timeout_s=120)
    app.radio(key="proposal-source").set_value("Draw on the map").run()
    assert not app.exception
    assert _button(app, "Add the drawn shapes").disabled  # nothing drawn yet

    # The boundary, as the draw tool returns a polygon.
    app.session_state[DRAWN_KEY] = {"boundary": [shape("Polygon", [SITE])]}
    app.run()
    app.text_input(key="proposal-draw-boundary-name").input("Drawn test site")
    _button(app, "Add the drawn shapes to site boundary").click().run()
    assert not app.exception
    assert app.subheader[0].value == "Drawn test site"

    # A GP drawn in the sea off Norway is refused with the upload's message; nothing is kept.
    app.radio(key="proposal-draw-layer").set_value("facilities").run()
    app.session_state[DRAWN_KEY] = {"facilities": [shape("Point", [5.0, 60.0])]}
    app.run()
    _button(app, "Add the drawn shapes to facilities").click().run()
    assert any("Layer 'facilities'" in e.value for e in app.error)
    assert "facilities" not in app.session_state[DRAFT_KEY]

    # A GP on the site, opening in 2029, is added.
    app.session_state[DRAWN_KEY] = {"facilities": [shape("Point", [0.103, 52.202])]}
    app.run()
    app.selectbox(key="proposal-draw-facilities-type").set_value("gp")
    app.text_input(key="proposal-draw-facilities-name").input("New surgery")
    app.number_input(key="proposal-draw-facilities-opening").set_value(2029)
    _button(app, "Add the drawn shapes to facilities").click().run()
    assert not app.exception
    assert not app.error
    assert any("1 facilities" in m.value for m in app.markdown)

    _button(app, "Save this proposal with the assessment").click().run()
    assert not app.exception
    assert any("Saved with the assessment as version" in s.value for s in app.success)
    store = AssessmentStore(app_state)
    (summary,) = store.list()
    saved = store.load(summary.id).proposal
    assert saved is not None and set(saved) == {"boundary", "facilities"}
    assert saved["facilities"]["features"][0]["properties"] == {
        "type": "gp", "name": "New surgery", "opening_year": 2029,
    }

    # Reopened from the assessment it reads back the same, through the same checks.
    app.session_state[DRAFT_KEY] = {}
    app.radio(key="proposal-source").set_value("Saved with the assessment").run()
    assert not app.exception
    assert app.subheader[0].value == "Drawn test site"
    assert any("1 facilities" in m.value for m in app.markdown)
