"""`hiap report`: from a saved assessment or an exported JSON file to HTML or PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hiap.assessment import Assessment
from hiap.checklists.loader import load_catalogue
from hiap.cli.main import app
from hiap.storage import AssessmentStore
from tests.reports.builders import EVIL, build_report_assessment

runner = CliRunner()


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    boundary = {
        "type": "Polygon",
        "coordinates": [
            [[-0.27, 52.53], [-0.25, 52.53], [-0.25, 52.545], [-0.27, 52.545], [-0.27, 52.53]]
        ],
    }
    return build_report_assessment(load_catalogue(), boundary=boundary)


@pytest.fixture
def db(tmp_path: Path, assessment: Assessment) -> str:
    store = AssessmentStore(tmp_path / "team.sqlite")
    store.save(assessment, author="R. Patel")
    return f"sqlite:///{store.path}"


def test_html_from_the_store(tmp_path: Path, db: str, assessment: Assessment) -> None:
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(
        app, ["report", assessment.id, "--format", "html", "--out", str(out), "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote HTML report" in result.output
    html = out.read_text(encoding="utf-8")
    assert assessment.scheme_name in html
    assert EVIL not in html and "&lt;script&gt;" in html


def test_id_prefix_and_version(tmp_path: Path, db: str, assessment: Assessment) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(
        app, ["report", assessment.id[:8], "-o", str(out), "--db", db, "--version", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "version 1" in out.read_text(encoding="utf-8")


def test_html_from_an_exported_file(
    tmp_path: Path, assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = tmp_path / "exported.json"
    exported.write_text(assessment.to_json(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", str(exported)])
    assert result.exit_code == 0, result.output
    default = tmp_path / "great-kneighton-clay-farm-phase-2.html"
    assert assessment.scheme_name in default.read_text(encoding="utf-8")


@pytest.mark.slow
def test_pdf_from_the_store(tmp_path: Path, db: str, assessment: Assessment) -> None:
    out = tmp_path / "report.pdf"
    result = runner.invoke(
        app, ["report", assessment.id, "--format", "pdf", "--out", str(out), "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert out.stat().st_size > 50_000


def test_unknown_id_names_what_the_store_holds(tmp_path: Path, db: str) -> None:
    result = runner.invoke(app, ["report", "nope-not-an-id", "--db", db])
    assert result.exit_code == 1
    assert "no assessment 'nope-not-an-id'" in result.output
    assert "Great Kneighton" in result.output


def test_missing_database_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "abc", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert result.exit_code == 1
    assert "there is no assessment database" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_only_sqlite_is_supported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "abc", "--db", "postgresql://host/hiap"])
    assert result.exit_code == 1
    assert "only SQLite is supported" in result.output


def test_invalid_json_names_the_file_and_field(tmp_path: Path, assessment: Assessment) -> None:
    data = assessment.model_dump(mode="json")
    data["hudu"]["HUDU.1"]["direction"] = "sideways"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["report", str(broken)])
    assert result.exit_code == 1
    assert "broken.json" in result.output and "hudu.HUDU.1.direction" in result.output


def test_bad_format_is_refused(db: str, assessment: Assessment) -> None:
    result = runner.invoke(app, ["report", assessment.id, "--format", "odt", "--db", db])
    assert result.exit_code == 2


def test_scenario_result_becomes_a_chapter(tmp_path: Path, db: str, assessment: Assessment) -> None:
    from hiap.reports.scenario_file import scenario_result_csv
    from tests.reports.test_scenario_file import by_decile

    csv = tmp_path / "scenario_result.csv"
    csv.write_bytes(scenario_result_csv(by_decile()))
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", assessment.id, "-o", str(out), "--db", db,
                                 "--no-evidence", "--scenario-result", str(csv)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Transport scenario" in html and "Hampton orbital, every 10 min" in html
    assert "2,700 residents newly within 30 minutes of a GP surgery" in html
    bad = runner.invoke(app, ["report", assessment.id, "-o", str(out), "--db", db,
                              "--no-evidence", "--scenario-result", str(tmp_path / "none.csv")])
    assert bad.exit_code == 1 and "does not exist" in bad.output


def test_docx_from_the_store(tmp_path: Path, db: str, assessment: Assessment) -> None:
    import docx

    out = tmp_path / "report.docx"
    result = runner.invoke(
        app,
        ["report", assessment.id, "--format", "docx", "--out", str(out), "--db", db,
         "--no-baseline"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote DOCX report" in result.output
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "1. Non-technical summary" in headings and "5. Recommendations" in headings
