"""The home page as a person uses it: pick a sample, upload a file, see errors as messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hiap.ui.state import SCHEME_KEY
from tests.app.apptest import shown

HOME = str(Path(__file__).resolve().parents[2] / "pages" / "home.py")


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIAP_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")


def _home() -> AppTest:
    app = AppTest.from_file(HOME, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def test_home_explains_the_tool_and_lists_the_samples() -> None:
    app = _home()
    assert "Healthy New Towns" in app.markdown[0].value
    options = app.selectbox[0].options
    assert any("Northstowe" in option for option in options)
    assert any("Hampton" in option for option in options)


def test_picking_a_sample_puts_it_on_the_map_and_in_session_state() -> None:
    app = _home()
    choice = next(o for o in app.selectbox[0].options if o.startswith("Northstowe"))
    app.selectbox[0].select(choice).run()
    app.button[0].click().run()
    assert not app.exception
    scheme = app.session_state[SCHEME_KEY]
    assert scheme.metadata.name.startswith("Northstowe")
    labels = [metric.label for metric in app.metric]
    assert "Area" in labels and "Dwellings" in labels
    area = next(m.value for m in app.metric if m.label == "Area")
    assert area.endswith("ha")
    # the map's text alternative: its layers listed in a table under it
    (layers,) = [t.value for t in app.table if t.value.index.name == "Layer"]
    assert list(layers.index) == ["Base map", f"Scheme: {scheme.metadata.name}"]
    assert layers.loc[f"Scheme: {scheme.metadata.name}", "Shows"] == "areas"


def test_upload_errors_are_messages_not_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upload that is not a scheme shows every problem as an st.error on the page."""
    import streamlit as st

    bad = json.dumps({"type": "FeatureCollection", "features": []}).encode()

    class FakeUpload:
        name = "empty.geojson"

        def getvalue(self) -> bytes:
            return bad

    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: FakeUpload())
    app = _home()
    upload_button = next(b for b in app.button if "Check and use" in b.label)
    upload_button.click().run()
    assert not app.exception
    assert app.error, "expected an error message for an empty GeoJSON"
    assert "empty.geojson" in shown(app.error[0].value)


def _captions(app: AppTest) -> str:
    return " ".join(shown(c.value) for c in app.caption)


def test_the_outline_caption_tells_a_sample_from_an_upload() -> None:
    app = _home()
    choice = next(o for o in app.selectbox[0].options if o.startswith("Northstowe"))
    app.selectbox[0].select(choice).run()
    app.button[0].click().run()
    assert "drawn by the hiap team" in _captions(app)

    # An uploaded boundary is the user's own: it must not carry the samples' caption.
    data = (Path(HOME).parents[1] / "sample_schemes" / "hampton.geojson").read_bytes()
    app.file_uploader[0].set_value(("my_site.geojson", data, "application/geo+json")).run()
    next(b for b in app.button if "Check and use" in b.label).click().run()
    assert not app.exception and not app.error
    captions = _captions(app)
    assert "Your boundary, as read from my_site.geojson" in captions
    assert "drawn by the hiap team" not in captions
