"""Every attack in the corpus is refused with its exact message, leaks nothing, fetches nothing.

Each attack is read three ways: the library (:func:`hiap.schemes.read_scheme`), the CLI
(``hiap scheme check``) and the app's upload page (AppTest). After each, the loopback listener
must have received no request, the scratch temp folder must be empty, and no output may hold
the canary, ``/etc/passwd`` content or a server path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import read_scheme
from hiap.schemes.safety import display_name
from hiap.settings import Settings, get_settings
from tests.app.apptest import shown
from tests.security.conftest import Listener
from tests.security.corpus import CANARY, Attack, Targets, vrt

ATTACKS = [
    "vrt-passwd", "vrt-canary", "vrt-vsicurl", "vrt-database", "vrt-environ", "vrt-as-kml",
    "vrt-as-gpkg", "vrt-as-zip", "vrt-in-zip", "vrt-in-kmz", "vrt-as-shp", "crs-link-http",
    "crs-link-file", "crs-name-url", "vsicurl-in-property", "kml-network-link",
    "kml-external-entity", "kml-remote-entity", "kml-overlay-href", "kml-xlink-href",
    "kml-xinclude", "kmz-network-link", "prj-url", "prj-vsicurl", "prj-local-path",
    "zip-symlink", "zip-nested", "zip-10000-members", "zip-dotdot", "zip-absolute",
    "gpkg-vrt-in-column", "gpkg-vsicurl-in-column", "gpkg-view", "geojson-deep",
    "name-with-path",
    # hiap's own GeoPackage reader (sqlite3)
    "gpkg-blob-not-gp", "gpkg-extended-binary", "gpkg-bad-envelope-kind",
    "gpkg-envelope-past-the-end", "gpkg-wkb-count-lie", "gpkg-deep-collections",
    "gpkg-missing-table", "gpkg-generated-column",
    # hiap's own Shapefile reader
    "shx-count-lie", "shx-index-past-the-shp", "shp-point-count-lie", "shp-multipatch",
    "dbf-row-count-lie", "dbf-row-length-lie", "dbf-shp-count-disagree", "shx-repeated-record",
    "dbf-zero-width-field",
]  # fmt: skip
PASSWD_LINE = "root:x:0:0"


def _settings(tmp_path: Path) -> Settings:
    return get_settings(environ={}, data_dir=tmp_path, cache_dir=tmp_path / "cache")


def _assert_nothing_leaked(text: str, *, targets: Targets, scratch: Path | None = None) -> None:
    assert CANARY not in text
    assert PASSWD_LINE not in text
    for path in (targets.canary_csv.parent, targets.database, "/tmp/", "hiap-upload-"):
        assert str(path) not in text, f"a server path in the output: {path}"
    if scratch is not None:
        assert list(scratch.iterdir()) == [], "a temporary file was left behind"


def test_the_corpus_is_complete(corpus: dict[str, Attack]) -> None:
    assert sorted(corpus) == sorted(ATTACKS)


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_is_refused_with_its_message(
    name: str,
    corpus: dict[str, Attack],
    targets: Targets,
    listener: Listener,
    scratch_tmp: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIAP_SECURITY_CANARY", CANARY)  # what /proc/self/environ would leak
    attack = corpus[name]
    with pytest.raises(attack.error) as info:
        read_scheme(attack.data, filename=attack.filename, settings=_settings(tmp_path))
    error = info.value
    assert type(error) is attack.error
    assert error.problems == [attack.message]
    assert error.source == display_name(attack.filename)
    _assert_nothing_leaked(str(error), targets=targets, scratch=scratch_tmp)
    assert listener.requests == []


def test_cli_scheme_check_refuses_the_corpus(
    corpus: dict[str, Attack], targets: Targets, listener: Listener, tmp_path: Path
) -> None:
    runner = CliRunner()
    for attack in corpus.values():
        folder = tmp_path / attack.name
        folder.mkdir()
        path = folder / display_name(attack.filename)
        path.write_bytes(attack.data)
        result = runner.invoke(app, ["scheme", "check", str(path)])
        assert result.exit_code == 1, (attack.name, result.output)
        assert f"  - {attack.message}" in result.output, (attack.name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        _assert_nothing_leaked(result.output.replace(str(path), ""), targets=targets)
        assert str(folder) not in result.output
    assert listener.requests == []


@pytest.mark.slow
def test_upload_page_refuses_the_corpus(
    corpus: dict[str, Attack], targets: Targets, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Upload:
        name = ""
        data = b""

        def getvalue(self) -> bytes:
            return self.data

    upload = Upload()
    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: upload)
    page = AppTest.from_file("../../streamlit_app.py", default_timeout=60)
    page.run()
    for attack in corpus.values():
        upload.name, upload.data = attack.filename, attack.data
        page.run()
        next(b for b in page.button if "Check and use" in b.label).click().run()
        assert not page.exception, (attack.name, [e.value for e in page.exception])
        # what a reader sees: the page escapes the messages' Markdown marks
        errors = "\n".join(shown(e.value) for e in page.error)
        assert attack.message in errors, (attack.name, errors)
        everything = "\n".join(
            shown(element.value) for element in page.main if hasattr(element, "value")
        )
        _assert_nothing_leaked(errors + everything, targets=targets)
    assert listener.requests == []


def test_gdal_itself_cannot_reach_the_network_or_a_vrt(
    targets: Targets, listener: Listener, tmp_path: Path
) -> None:
    """The process-wide switches hold even when GDAL is called directly, bypassing hiap."""
    import pyogrio
    import pyogrio.errors

    assert "OGR_VRT" not in pyogrio.list_drivers()
    path = tmp_path / "canary.vrt"
    path.write_bytes(vrt(f"CSV:{targets.canary_csv}", "SELECT * FROM secret"))
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_dataframe(path)
    link = tmp_path / "link.geojson"
    link.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "link", "properties": {"href": '
        f'"{listener.base_url}/crs.wkt", "type": "ogcwkt"}}}}, "features": []}}'
    )
    pyogrio.read_info(link)
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_info(f"/vsicurl/{listener.base_url}/x.geojson")
    assert listener.requests == []


@pytest.mark.slow
def test_the_corpus_is_really_hostile_without_hiap(
    targets: Targets, listener: Listener, tmp_path: Path
) -> None:
    """Control: plain pyogrio (no hiap imported) leaks the canary and calls the listener, so
    the assertions above can fail."""
    vrt_path = tmp_path / "site.geojson"
    vrt_path.write_bytes(vrt(f"CSV:{targets.canary_csv}", "SELECT secret AS name, 'POINT (0 52)' AS wkt FROM secret"))
    link = tmp_path / "link.geojson"
    link.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "link", "properties": {"href": '
        f'"{listener.base_url}/control.wkt", "type": "ogcwkt"}}}}, "features": []}}'
    )
    script = (
        "import sys, pyogrio\n"
        "print(pyogrio.read_dataframe(sys.argv[1]).to_csv())\n"
        "pyogrio.read_info(sys.argv[2])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GDAL_", "CPL_", "PROJ_NET"))}
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(vrt_path), str(link)],
            capture_output=True, text=True, env=env, timeout=120, check=True,
        )  # fmt: skip
        assert CANARY in done.stdout
        assert listener.requests == ["GET /control.wkt"]
    finally:
        listener.requests.clear()
