"""hiap: health-in-all-policies impact assessment for planning and transport.

The library behind the app and the ``hiap`` command. Its parts, one concern each:

- :mod:`hiap.settings`: the frozen, validated settings (data directory, limits).
- :mod:`hiap.data`: the datasets hiap uses, their status and download.
- :mod:`hiap.schemes`: reading and validating scheme boundaries safely.
- :mod:`hiap.errors`: the error classes, each message saying how to fix the problem.
- :mod:`hiap.gdal_safety`: GDAL's network access, switched off at import (see SECURITY.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hiap.gdal_safety import switch_off_gdal_network

# why: first, before anything imports pyogrio (GDAL reads GDAL_SKIP when it registers drivers)
switch_off_gdal_network()

from hiap.errors import DataError, HiapError, SchemeError  # noqa: E402

if TYPE_CHECKING:
    from hiap.settings import Settings, get_settings

__all__ = ["DataError", "HiapError", "SchemeError", "Settings", "get_settings"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import the settings on first use: ``hiap --help`` need not load pydantic."""
    if name in {"Settings", "get_settings"}:
        from hiap import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'hiap' has no attribute {name!r}")
