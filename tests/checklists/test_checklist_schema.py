"""The committed JSON Schemas equal the ones generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hiap.checklists.loader import default_checklist_dir, read_yaml
from hiap.checklists.schema import SCHEMA_MODELS, generate_schemas, main, stale_schemas


def test_committed_schemas_are_current() -> None:
    folder = default_checklist_dir() / "schema"
    generated = generate_schemas()
    assert set(generated) == set(SCHEMA_MODELS)
    for name, text in generated.items():
        committed = (folder / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is stale: run python -m hiap.checklists.schema"
    assert stale_schemas() == []


def test_schemas_forbid_unknown_keys_and_carry_id_patterns() -> None:
    schema = json.loads(generate_schemas()["checklist.schema.json"])
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    criterion = schema["$defs"]["Criterion"]
    assert criterion["additionalProperties"] is False
    assert criterion["properties"]["id"]["pattern"].startswith("^[A-Z]")


def test_write_and_check_round_trip(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "--check"]) == 1  # nothing there yet
    assert main(["--dir", str(tmp_path)]) == 0
    assert main(["--dir", str(tmp_path), "--check"]) == 0
    (tmp_path / "scales.schema.json").write_text("{}\n", encoding="utf-8")
    assert stale_schemas(tmp_path) == ["scales.schema.json"]


def test_real_files_validate_against_their_schemas() -> None:
    # jsonschema (the test extra) checks the schemas from outside pydantic, as an editor would.
    schemas = {name: json.loads(text) for name, text in generate_schemas().items()}
    folder = default_checklist_dir()
    pairs = {
        "hnt.yaml": "checklist.schema.json",
        "blue_zones.yaml": "checklist.schema.json",
        "hudu.yaml": "hudu.schema.json",
        "indicators.yaml": "indicators.schema.json",
        "scales.yaml": "scales.schema.json",
    }
    for data_file, schema_file in pairs.items():
        data = read_yaml(folder / data_file)
        jsonschema.validate(data, schemas[schema_file])
    bad = read_yaml(folder / "scales.yaml") | {"colour": "red"}
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(bad, schemas["scales.schema.json"])
