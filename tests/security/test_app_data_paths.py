"""The app offers no free-text server path unless HIAP_ALLOW_LOCAL_PATHS is on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.apptest import shown

APP = "../../streamlit_app.py"  # AppTest resolves this against this file's folder
ACCESS = "pages/access.py"


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    # why: the app reads its settings once per process (st.cache_resource)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _access(monkeypatch: pytest.MonkeyPatch, *, allow: str | None) -> AppTest:
    if allow is None:
        monkeypatch.delenv("HIAP_ALLOW_LOCAL_PATHS", raising=False)
    else:
        monkeypatch.setenv("HIAP_ALLOW_LOCAL_PATHS", allow)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(ACCESS).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_shared_server_offers_a_list_and_an_upload_only(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    at = _access(monkeypatch, allow=None)
    osm = at.selectbox(key="access.osm.choice")
    assert osm.options[0].startswith("Automatic")
    assert all(not option.startswith("/") for option in osm.options)
    assert any(option.startswith("osm/") for option in osm.options[1:])
    assert at.selectbox(key="access.gtfs.choice")
    assert not [t for t in at.text_input if t.key and t.key.startswith(("access.osm", "access.gtfs"))]


def test_desktop_install_may_type_a_path(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    at = _access(monkeypatch, allow="1")
    assert at.text_input(key="access.osm.path")
    at.text_input(key="access.osm.path").input("/no/such/extract.osm.pbf").run()
    assert not at.exception
    assert any("is not a .osm.pbf or .osm file" in shown(e.value) for e in at.error)
