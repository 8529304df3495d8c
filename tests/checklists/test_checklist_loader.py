"""The real criteria files load and are complete; malformed copies fail with clear messages."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hiap.checklists import ChecklistError, load_catalogue, load_checklist, load_indicators
from hiap.checklists.loader import default_checklist_dir, read_yaml
from hiap.errors import HiapError
from hiap.settings import PROJECT_ROOT

HNT_NAMES = {
    1: "Plan ahead collectively",
    2: "Assess local health and care needs and assets",
    3: "Connect, involve and empower people and communities",
    4: "Create compact neighbourhoods",
    5: "Maximise active travel",
    6: "Inspire and enable healthy eating",
    7: "Foster health in homes and buildings",
    8: "Enable healthy play and leisure",
    9: "Develop health services that help people to stay well",
    10: "Create integrated health and wellbeing centres",
}
HNT_GROUPS = {
    "Plan, assess and involve": [1, 2, 3],
    "Design, deliver and manage": [4, 5, 6, 7, 8],
    "Develop and provide healthcare services": [9, 10],
}
INDICATOR_IDS = {
    "gp_walk_min", "hospital_walk_min", "gp_pt_min", "hospital_pt_min", "gp_count_15min_walk",
    "gp_count_30min_walk", "angst_2ha_300m_share", "angst_20ha_2km_share",
    "gi_doorstep_05ha_200m_share", "gi_local_2ha_300m_share",
    "gi_neighbourhood_10ha_1km_share", "net_dwellings_per_ha", "dwellings_per_ha",
    "everyday_destinations_800m",
    "intersection_density_per_km2", "footway_share", "bus_stop_400m_share",
    "bus_frequency_per_hour", "takeaways_400m_schools", "fast_food_to_healthy_ratio",
    "playground_400m_share", "sports_800m_share", "gp_capacity_2sfca",
}  # fmt: skip
HUDU_NAMES = [
    "Housing design and affordability",
    "Access to health and social care services and other social infrastructure",
    "Access to open space and nature",
    "Air quality, noise and neighbourhood amenity",
    "Accessibility and active travel",
    "Crime reduction and community safety",
    "Access to healthy food",
    "Access to work and training",
    "Social cohesion and inclusive design",
    "Minimising the use of resources",
    "Climate change",
]


# --- the real files ------------------------------------------------------------------------


def test_default_dir_is_project_checklists() -> None:
    assert default_checklist_dir() == PROJECT_ROOT / "checklists"


def test_hnt_has_the_ten_principles_with_exact_names_and_groups() -> None:
    catalogue = load_catalogue()
    hnt = catalogue.checklist("hnt")
    assert {p.number: p.name for p in hnt.principles} == HNT_NAMES
    group_names = {g.id: g.name for g in hnt.groups}
    grouped: dict[str, list[int]] = {}
    for p in hnt.principles:
        grouped.setdefault(group_names[p.group], []).append(p.number)
    assert grouped == HNT_GROUPS
    for p in hnt.principles:
        assert 3 <= len(p.criteria) <= 6, p.id
        assert [c.id for c in p.criteria] == [f"{p.id}.{i}" for i in range(1, len(p.criteria) + 1)]


def test_blue_zones_themes_and_honest_wording() -> None:
    bz = load_catalogue().checklist("blue_zones")
    names = [p.name for p in bz.principles]
    assert names == [
        "Move naturally",
        "Belong and the right tribe",
        "Plant slant",
        "Down shift",
        "Purpose, with loved ones first",
    ]
    groups = {p.name: p.group for p in bz.principles}
    # Purpose is a Right Outlook principle of the Power 9 (with Down shift), not Belong.
    assert groups["Purpose, with loved ones first"] == groups["Down shift"] == "right_outlook"
    assert "own operationalisation" in bz.wording_note
    assert "not endorsed" in bz.wording_note
    for criterion in bz.criteria():
        assert criterion.sources, criterion.id


def test_indicator_catalogue_has_exactly_the_agreed_ids() -> None:
    indicators = load_indicators()
    assert {i.id for i in indicators.indicators} == INDICATOR_IDS
    for ind in indicators.indicators:
        if ind.id.endswith("_share"):
            assert (ind.unit, ind.minimum, ind.maximum) == ("share", 0, 1), ind.id


def test_every_indicator_is_used_by_some_criterion() -> None:
    catalogue = load_catalogue()
    used: set[str] = set()
    for checklist in catalogue.checklists:
        for c in checklist.criteria():
            used.update(c.related_indicators)
            used.update(r.id for r in c.indicator_rules)  # a rule and its fallbacks
    assert used == INDICATOR_IDS


def test_hudu_topics_and_crosswalk_cover_every_criterion() -> None:
    catalogue = load_catalogue()
    assert [t.name for t in catalogue.hudu.topics] == HUDU_NAMES
    walked = {cid for t in catalogue.hudu.topics for cid in t.crosswalk}
    every = {c.id for cl in catalogue.checklists for c in cl.criteria()}
    cross_cutting = set(catalogue.hudu.cross_cutting)
    assert every - walked == cross_cutting, "criteria missing from the HUDU cross-walk"
    assert walked & cross_cutting == set()


def test_catalogue_lookups() -> None:
    catalogue = load_catalogue()
    rule = catalogue.criterion("HNT.5.2").indicator
    assert rule is not None and rule.id == "bus_stop_400m_share"
    assert catalogue.principle("BZ.3").name == "Plant slant"
    assert catalogue.scale_of(catalogue.criterion("HNT.2.1")).max_score == 2
    with pytest.raises(KeyError, match=r"HNT\.11\.1"):
        catalogue.criterion("HNT.11.1")


def test_load_catalogue_from_a_copied_folder(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert load_catalogue(folder) == load_catalogue()


# --- malformed copies ----------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in default_checklist_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


def _mutate(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    folder = _copy(tmp_path)
    data = read_yaml(folder / name)
    change(data)
    (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _criterion(data: dict[str, Any], cid: str) -> dict[str, Any]:
    for p in data["principles"]:
        for c in p["criteria"]:
            if c["id"] == cid:
                return c
    raise KeyError(cid)


def _fails(folder: Path) -> ChecklistError:
    with pytest.raises(ChecklistError) as info:
        load_catalogue(folder)
    assert isinstance(info.value, HiapError)
    assert isinstance(info.value, ValueError)
    return info.value


def test_duplicate_criterion_id(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.5.3")["id"] = "HNT.5.2"

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.5.2: criterion id is used more than once" in str(err)


def test_unknown_indicator(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.8.4")["indicator"]["id"] = "swings_per_child"

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.8.4: indicator 'swings_per_child' is not in indicators.yaml" in str(err)


def test_extra_field(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "BZ.2.1")["weighting"] = 2

    err = _fails(_mutate(tmp_path, "blue_zones.yaml", change))
    message = str(err)
    assert "blue_zones.yaml: BZ.2.1: Extra inputs are not permitted" in message
    assert "weighting" in message


def test_bad_threshold_order(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        thresholds = _criterion(d, "HNT.5.2")["indicator"]["thresholds"]
        thresholds[0]["at_least"], thresholds[1]["at_least"] = 0.8, 0.95

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.5.2: at_least bounds must fall strictly" in str(err)


def test_threshold_scores_must_fall(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.9.1")["indicator"]["otherwise"] = 2

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.9.1: threshold scores must fall strictly" in str(err)


def test_threshold_kind_must_match_indicator_direction(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        rule = _criterion(d, "HNT.9.1")["indicator"]  # gp_walk_min: lower is better
        rule["thresholds"] = [{"score": 3, "at_least": 20}, {"score": 2, "at_least": 10}]

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.9.1: indicator gp_walk_min is lower_is_better" in str(err)
    assert "at_most" in str(err)


def test_share_threshold_outside_range(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.8.1")["indicator"]["thresholds"][0]["at_least"] = 95

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert "hnt.yaml: HNT.8.1: threshold 95" in str(err)
    assert "outside the range" in str(err)


def test_unknown_scale_and_principle_prefix(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.1.1")["scale"] = "stars_0_5"
        d["principles"][2]["criteria"][0]["id"] = "HNT.4.9"  # inside HNT.3

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    message = str(err)
    assert "hnt.yaml: HNT.1.1: scale 'stars_0_5' is unknown" in message
    assert "hnt.yaml: HNT.4.9: criterion id must start with its principle id HNT.3." in message


def test_malformed_id(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "BZ.1.1")["id"] = "bz-1-1"

    err = _fails(_mutate(tmp_path, "blue_zones.yaml", change))
    assert "blue_zones.yaml: bz-1-1: String should match pattern" in str(err)


def test_crosswalk_to_unknown_criterion(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["topics"][6]["crosswalk"].append("HNT.6.9")

    err = _fails(_mutate(tmp_path, "hudu.yaml", change))
    assert "hudu.yaml: HUDU.7: cross-walk id 'HNT.6.9' is not a criterion" in str(err)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "scales.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: met_0_2\n", "  - id: met_0_2\n    id: again\n"))
    err = _fails(folder)
    assert "scales.yaml: not valid YAML" in str(err)
    assert "duplicate key 'id'" in str(err)


def test_every_problem_in_every_file_is_reported_together(tmp_path: Path) -> None:
    folder = _mutate(
        tmp_path,
        "hnt.yaml",
        lambda d: _criterion(d, "HNT.5.2")["indicator"].update(id="nope"),
    )
    bz = read_yaml(folder / "blue_zones.yaml")
    _criterion(bz, "BZ.3.1")["scale"] = "nope_0_1"
    (folder / "blue_zones.yaml").write_text(yaml.safe_dump(bz, sort_keys=False))
    err = _fails(folder)
    assert len(err.problems) == 2
    assert str(folder) in str(err)
    assert "hnt.yaml: HNT.5.2: indicator 'nope'" in str(err)
    assert "blue_zones.yaml: BZ.3.1: scale 'nope_0_1'" in str(err)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "hudu.yaml").unlink()
    err = _fails(folder)
    assert "hudu.yaml: cannot read the file" in str(err)
    with pytest.raises(ChecklistError, match="checklist folder not found"):
        load_catalogue(tmp_path / "nowhere")


def test_single_file_loader(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    hnt = load_checklist(
        default_checklist_dir() / "hnt.yaml",
        indicators=catalogue.indicators,
        scales=catalogue.scales,
    )
    assert hnt == catalogue.checklist("hnt")


def test_duplicates_reported_alongside_structure_errors(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _criterion(d, "HNT.5.3")["id"] = "HNT.5.2"
        _criterion(d, "HNT.5.4")["weighting"] = 2

    err = _fails(_mutate(tmp_path, "hnt.yaml", change))
    assert len(err.problems) == 2
    assert "hnt.yaml: HNT.5.4: Extra inputs are not permitted" in str(err)
    assert "hnt.yaml: HNT.5.2: id is used more than once" in str(err)
