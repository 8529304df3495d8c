"""The Data sources page: one row per file, what it covers, samples marked as samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hiap.settings import SHARED_DATA_DIR

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")


@pytest.mark.skipif(not SHARED_DATA_DIR.is_dir(), reason="needs the shared data")
def test_data_page_describes_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    for relative in (
        "boundaries/lad2017_sgc_cambs_peterborough.geojson",
        "osm/peterborough_hampton_2012.osm",
        "transit/porto_alegre/poa_trensurb.zip",
    ):
        (data / relative).parent.mkdir(parents=True, exist_ok=True)
        (data / relative).symlink_to(SHARED_DATA_DIR / relative)
    monkeypatch.setenv("HIAP_DATA_DIR", str(data))
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    import streamlit as st

    st.cache_resource.clear()  # the cached settings may belong to another test's data directory
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    files = list(table["file"])
    assert "osm/peterborough_hampton_2012.osm" in files
    gtfs = table[table["dataset"] == "gtfs"].iloc[0]
    assert gtfs["present"] == "sample only" and "SAMPLE" in gtfs["covers"]
    osm = table[table["dataset"] == "osm"].iloc[0]
    assert "Peterborough" in osm["covers"]
    text = " ".join(m.value for m in at.markdown)
    assert "Sample only" in text and "gtfs" in text
