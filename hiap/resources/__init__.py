"""Data shipped with hiap: the checklists and the sample schemes, as package resources.

The top-level ``checklists/`` and ``sample_schemes/`` folders of the repository are the source
of truth. ``setup.py`` maps them into the built package as ``hiap.resources.checklists`` and
``hiap.resources.sample_schemes`` (no copy in git), so a normal, non-editable ``pip install``
carries them and :func:`resource_dir` finds them with :mod:`importlib.resources`. Run from a
source checkout without installing (``pytest`` adds the checkout to ``sys.path``), the same
function returns the checkout's folders.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

__all__ = ["ResourceName", "resource_dir"]

ResourceName = Literal["checklists", "sample_schemes"]

_CHECKOUT = Path(__file__).resolve().parent.parent.parent


def resource_dir(name: ResourceName) -> Path:
    """Return the folder of a shipped resource as a real directory on disk.

    Parameters
    ----------
    name
        ``"checklists"`` or ``"sample_schemes"``.

    Returns
    -------
    Path
        The installed package's folder (``hiap/resources/<name>`` inside site-packages) when
        hiap is installed, else the source checkout's top-level folder.

    Raises
    ------
    FileNotFoundError
        When neither exists (a broken install).
    """
    if name not in ("checklists", "sample_schemes"):
        raise ValueError(f"unknown resource {name!r}")
    try:
        found: Traversable | None = resources.files(f"hiap.resources.{name}")
    except ModuleNotFoundError:
        found = None
    # Each folder holds a README.md; joining it gives a real file path even for these data-only
    # (namespace) packages, whose Traversable is a MultiplexedPath. Installed wheels unpack to
    # real folders (zip imports are not supported by hiap).
    marker = None if found is None else found.joinpath("README.md")
    if marker is not None and marker.is_file():
        return Path(str(marker)).parent
    checkout = _CHECKOUT / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"hiap's {name} folder is missing from this installation; reinstall hiap "
        "(pip install hiap) or run from a source checkout."
    )
