"""Criteria as data: load and validate the YAML files in ``checklists/``.

- :func:`load_catalogue` loads every file (indicators, scales, the Healthy New Towns and Blue
  Zones checklists, the HUDU matrix) and checks them together; use it in the app and CLI.
- :mod:`hiap.checklists.models` holds the pydantic models the files validate against.
- :mod:`hiap.checklists.schema` regenerates the JSON Schemas in ``checklists/schema/``.

A malformed file raises :class:`ChecklistError` listing every problem, each naming the file
and the id.
"""

from hiap.checklists.errors import ChecklistError
from hiap.checklists.loader import (
    default_checklist_dir,
    load_catalogue,
    load_checklist,
    load_hudu,
    load_indicators,
    load_scales,
)
from hiap.checklists.models import (
    Catalogue,
    Checklist,
    Criterion,
    HuduMatrix,
    HuduTopic,
    Indicator,
    IndicatorCatalogue,
    IndicatorRule,
    Principle,
    Scale,
    ScaleSet,
    Threshold,
)

__all__ = [
    "Catalogue",
    "Checklist",
    "ChecklistError",
    "Criterion",
    "HuduMatrix",
    "HuduTopic",
    "Indicator",
    "IndicatorCatalogue",
    "IndicatorRule",
    "Principle",
    "Scale",
    "ScaleSet",
    "Threshold",
    "default_checklist_dir",
    "load_catalogue",
    "load_checklist",
    "load_hudu",
    "load_indicators",
    "load_scales",
]
