"""`hiap scheme assess` on a real sample scheme and the real Hampton OSM extract."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hiap.cli.main import app


@pytest.mark.slow
def test_assess_hampton_prints_and_writes_indicators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIAP_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "hampton.csv"
    result = CliRunner().invoke(app, ["scheme", "assess", "hampton", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "Health indicators: Hampton" in result.output
    assert "OpenStreetMap" in result.output
    table = pd.read_csv(out)
    gp_walk = table.set_index("id").loc["gp_walk_min", "value"]
    assert 5 < gp_walk < 60  # Hampton's homes are a 5 to 60 minute walk from a GP
    # without a GTFS feed for Peterborough, PT indicators are listed, not invented
    assert pd.isna(table.set_index("id").loc["gp_pt_min", "value"])


def test_assess_unknown_scheme_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["scheme", "assess", "atlantis"])
    assert result.exit_code == 1
    assert "atlantis" in result.output
    assert "Traceback" not in result.output
