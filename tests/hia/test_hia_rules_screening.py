"""The HIA rules files load, and screening applies the thresholds in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiap.checklists import ChecklistError
from hiap.checklists.loader import default_checklist_dir
from hiap.hia.record import HiaType
from hiap.hia.rules import load_bfhl, load_hia_rules
from hiap.hia.screening import screen, screen_assessment

CAMBRIDGE, SOUTH_CAMBS, FENLAND = "E07000008", "E07000012", "E07000010"


def test_rules_files_load_with_sources() -> None:
    rules = load_hia_rules()
    assert [r.id for r in rules.screening][:2] == ["SCR.1", "SCR.2"]
    for rule in rules.screening:
        assert rules.reference(rule.source) is not None
    assert {"children", "older_people", "disabled", "low_income", "carers", "no_car"} <= {
        g.id for g in rules.population_groups
    }
    assert rules.reference(rules.population_groups_source).publisher.startswith("Wales")
    bfhl = load_bfhl()
    assert [c.number for c in bfhl.considerations] == list(range(1, 13))
    assert {c.section for c in bfhl.considerations} == {
        "Integrated neighbourhoods",
        "Distinctive places",
        "Streets for all",
    }


@pytest.mark.parametrize(
    ("homes", "district", "outcome", "rule"),
    [
        (100, SOUTH_CAMBS, HiaType.FULL, "SCR.1"),  # the SPD threshold itself
        (99, SOUTH_CAMBS, HiaType.RAPID, "SCR.2"),  # one home below it
        (3500, CAMBRIDGE, HiaType.FULL, "SCR.1"),
        (100, FENLAND, HiaType.RAPID, "SCR.3"),  # the SPD is Greater Cambridge's only
        (10, FENLAND, HiaType.RAPID, "SCR.3"),
        (9, FENLAND, HiaType.NONE, None),
        (None, SOUTH_CAMBS, HiaType.NONE, None),
    ],
)
def test_screening_thresholds(
    homes: int | None, district: str, outcome: HiaType, rule: str | None
) -> None:
    result = screen(load_hia_rules(), dwellings=homes, area_ha=0.5, district_code=district)
    assert (result.outcome, result.rule_id) == (outcome, rule)
    assert result.reason and result.source


def test_screening_by_area_and_kind() -> None:
    rules = load_hia_rules()
    assert screen(rules, dwellings=None, area_ha=1.0).rule_id == "SCR.4"
    assert screen(rules, dwellings=None, area_ha=0.99).outcome is HiaType.NONE
    assert screen(rules, dwellings=None, kind="transport").rule_id == "SCR.5"
    meta = {"dwellings": 150, "kind": "housing", "area_ha": 8.2, "district_code": SOUTH_CAMBS}
    assert screen_assessment(meta, rules).outcome is HiaType.FULL


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("cap: red", "cap: purple", ["GW.1", "cap"]),
        ("source: gc_hia_spd", "source: nowhere", ["SCR.1", "nowhere"]),
    ],
)
def test_a_broken_rules_file_names_the_item(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    text = (default_checklist_dir() / "hia.yaml").read_text(encoding="utf-8")
    (tmp_path / "hia.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        load_hia_rules(tmp_path)
    assert all(word in str(caught.value) for word in expected)
