"""In a real browser: scheme A then scheme B in one session, and both at once in two sessions.

Each page must show its own scheme's walking numbers, equal to the CLI's for that scheme
(``hiap access walk --area <the scheme's boundary>``). The indicator row is also written as a
sentence under its table (a text alternative), which is what the browser reads here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from hiap.cli.main import app
from hiap.schemes import load_sample_scheme
from hiap.settings import get_settings
from tests.app.browser import CHROMIUM, SCREENSHOTS, indicator_sentence
from tests.app.browser_sessions import read_surrounding_row, two_sessions, upload_scheme, use_sample

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not (get_settings().data_dir / "osm" / "peterborough_hampton_2012.osm").is_file(),
        reason="Hampton OSM missing",
    ),
]
WAIT_MS = 240_000
SAMPLE_TITLE = "Hampton, Peterborough"
UPLOAD_NAME = "Hampton north (test)"


def _sentence(boundary: Path, out: Path) -> str:
    """The CLI's overall walking row, written as the Access page writes it."""
    result = CliRunner().invoke(app, ["access", "walk", "--to", "gp", "--area", str(boundary),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return indicator_sentence(out, "walk")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("browser_ab")
    hampton = tmp / "hampton.geojson"
    load_sample_scheme("hampton", get_settings()).boundary.to_crs(4326).to_file(hampton)
    north = tmp / "hampton_north.geojson"
    gpd.GeoDataFrame(geometry=[box(-0.275, 52.535, -0.266, 52.541)], crs=4326).to_file(north)
    return {"A": hampton, "B": north}


@pytest.fixture(scope="module")
def cli(files: dict[str, Path]) -> dict[str, str]:
    return {k: _sentence(path, path.with_suffix(".gpkg")) for k, path in files.items()}


def _start_access(page: Any) -> None:
    page.get_by_role("link", name="Access to healthcare").click()
    page.get_by_role("button", name="Run access").click(timeout=WAIT_MS)


def _run_access(page: Any) -> str:
    _start_access(page)
    return read_surrounding_row(page, timeout_ms=WAIT_MS)


def test_each_session_sees_its_own_scheme(files: dict[str, Path], cli: dict[str, str], tmp_path: Path) -> None:
    assert cli["A"] != cli["B"]
    with two_sessions(tmp_path / "db.sqlite", timeout_ms=WAIT_MS) as (one, two):
        # One session: scheme A, then scheme B.
        use_sample(one, SAMPLE_TITLE, timeout_ms=WAIT_MS)
        assert cli["A"] in _run_access(one)
        upload_scheme(one, files["B"], UPLOAD_NAME, timeout_ms=WAIT_MS)
        assert cli["B"] in _run_access(one)
        one.screenshot(path=str(SCREENSHOTS / "access_scheme_b.png"))

        # Two sessions at once: B in the first, A in the second, both run before either is read.
        use_sample(two, SAMPLE_TITLE, timeout_ms=WAIT_MS)
        _start_access(two)
        upload_scheme(one, files["B"], UPLOAD_NAME, timeout_ms=WAIT_MS)
        _start_access(one)
        assert cli["A"] in read_surrounding_row(two, timeout_ms=WAIT_MS)
        assert cli["B"] in read_surrounding_row(one, timeout_ms=WAIT_MS)
