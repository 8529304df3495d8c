"""The datasets hiap uses: catalogue, status, download, and loaders of the tables routing needs.

- :mod:`hiap.data.registry`: the catalogue (:data:`DATASETS`), :func:`get_dataset`.
- :mod:`hiap.data.status`: :func:`dataset_status` (present or missing, dates, sizes).
- :mod:`hiap.data.download`: :func:`download_dataset`, atomic and checksummed.
- :mod:`hiap.data.postcodes`: :func:`load_postcodes` (OS Code-Point Open).
- :mod:`hiap.data.health`: :func:`load_gp_practices`, :func:`load_hospitals`.
- :mod:`hiap.data.population`: :func:`load_area_origins`, :func:`load_districts`.

The loaders need geopandas, so they are imported on first use: ``hiap data status`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hiap.data.download import download_dataset, verify_checksums
from hiap.data.registry import DATASETS, Dataset, Download, attribution_lines, get_dataset
from hiap.data.status import DatasetStatus, dataset_status

if TYPE_CHECKING:
    from hiap.data.health import load_gp_practices, load_hospitals
    from hiap.data.population import load_area_origins, load_districts
    from hiap.data.postcodes import load_postcodes
    from hiap.data.registry import CAMBS_PETERBOROUGH_LADS

__all__ = [
    "CAMBS_PETERBOROUGH_LADS",
    "DATASETS",
    "Dataset",
    "DatasetStatus",
    "Download",
    "attribution_lines",
    "dataset_status",
    "download_dataset",
    "get_dataset",
    "load_area_origins",
    "load_districts",
    "load_gp_practices",
    "load_hospitals",
    "load_postcodes",
    "verify_checksums",
]

_LAZY = {
    "load_gp_practices": "hiap.data.health",
    "load_hospitals": "hiap.data.health",
    "load_area_origins": "hiap.data.population",
    "load_districts": "hiap.data.population",
    "CAMBS_PETERBOROUGH_LADS": "hiap.data.registry",
    "load_postcodes": "hiap.data.postcodes",
}


def __getattr__(name: str) -> Any:
    """Import a loader on first use (they pull in geopandas)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hiap.data' has no attribute {name!r}")
