"""`hiap hia`: screening, the appraisal check and the baseline from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hiap.assessment import Assessment
from hiap.cli.main import app
from hiap.hia.record import GatewayAnswer, GatewayStatus, HiaRecord
from hiap.settings import SHARED_DATA_DIR

runner = CliRunner()


def test_screen_names_the_rule_and_source() -> None:
    result = runner.invoke(app, ["hia", "screen", "--dwellings", "120", "--district", "E07000012"])
    assert result.exit_code == 0, result.output
    assert "FULL HIA (rule SCR.1)" in result.output and "Greater Cambridge" in result.output
    small = runner.invoke(app, ["hia", "screen", "--dwellings", "4", "--area-ha", "0.2"])
    assert small.exit_code == 0 and small.output.startswith("NONE HIA")


def test_check_an_exported_assessment(tmp_path: Path) -> None:
    a = Assessment.new(scheme_name="Test Fields", scheme_metadata={"dwellings": 300})
    a = a.with_hia(HiaRecord(gateways={"GW.1": GatewayAnswer(status=GatewayStatus.NOT_MET)}))
    path = tmp_path / "a.json"
    path.write_text(a.to_json(), encoding="utf-8")
    result = runner.invoke(app, ["hia", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "overall rating RED" in result.output
    assert "Gateway GW.1 (Primary care capacity agreed with the integrated care board)" in (
        result.output
    )
    assert "Matrix items to finish: 11" in result.output


def test_check_a_broken_file_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "nope"}', encoding="utf-8")
    result = runner.invoke(app, ["hia", "check", str(path)])
    assert result.exit_code == 1 and "Error:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not SHARED_DATA_DIR.is_dir(), reason="needs the shared data")
def test_baseline_of_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIAP_DATA_DIR", str(SHARED_DATA_DIR))
    result = runner.invoke(app, ["hia", "baseline"])
    assert result.exit_code == 0, result.output
    assert "Fenland: 81.0 /" in result.output and "South Cambridgeshire: 85.0 /" in result.output
    assert "Add the file to measure: Households without a car" in result.output
