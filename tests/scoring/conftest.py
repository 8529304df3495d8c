from __future__ import annotations

from pathlib import Path

import pytest

from hiap.checklists import Catalogue, Checklist, load_catalogue
from hiap.checklists.loader import checklist_problems, read_yaml

DEMO_FILE = Path(__file__).parent / "demo_checklist.yaml"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The real checklists plus the small demo checklist of the scoring cases."""
    real = load_catalogue()
    demo = Checklist.model_validate(read_yaml(DEMO_FILE))
    problems = checklist_problems(
        demo, indicators=real.indicators, scales=real.scales, name=DEMO_FILE.name
    )
    assert problems == []
    return real.model_copy(update={"checklists": (*real.checklists, demo)})
