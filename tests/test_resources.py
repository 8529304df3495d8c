"""Shipped resources: the checklists and sample schemes are found wherever hiap runs from.

The non-editable install is checked by scripts/test (a fresh venv, `hiap scheme list` and a
checklist load away from the checkout); here the resolver itself.
"""

from __future__ import annotations

import pytest

from hiap.checklists.loader import default_checklist_dir
from hiap.resources import resource_dir
from hiap.schemes import SAMPLE_SCHEMES_DIR


def test_resources_resolve_to_real_folders() -> None:
    checklists = resource_dir("checklists")
    assert (checklists / "hnt.yaml").is_file() and (checklists / "schema").is_dir()
    samples = resource_dir("sample_schemes")
    assert any(samples.glob("*.geojson")) and (samples / "proposals").is_dir()
    assert default_checklist_dir() == checklists
    assert samples == SAMPLE_SCHEMES_DIR


def test_unknown_resource() -> None:
    with pytest.raises(ValueError, match="unknown resource"):
        resource_dir("secrets")  # type: ignore[arg-type]


def test_setup_maps_the_top_level_folders() -> None:
    # the one source of truth: setup.py maps these folders, nothing is copied into hiap/
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    setup_py = (root / "setup.py").read_text()
    assert '"hiap.resources.checklists": "checklists"' in setup_py
    assert '"hiap.resources.sample_schemes": "sample_schemes"' in setup_py
    assert not (root / "hiap" / "resources" / "checklists").exists()
