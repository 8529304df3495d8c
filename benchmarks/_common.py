"""Shared by the benchmark scripts: the machine's load, and benchmark-only peers.

The peers (ferrobus, pyrosm) are imported, or installed into this environment first.

They are compared against, never used by hiap: not in pyproject.toml, never a runtime
dependency. The install uses uv when the environment has it (``scripts/_venv.sh`` puts it
there), else pip.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from types import ModuleType


def import_or_install(name: str) -> ModuleType:
    """Import ``name``, installing the PyPI package of that name into this environment first."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"installing {name} into this environment (benchmark only) ...", flush=True)
        cmd = [sys.executable, "-m", "uv", "pip", "install", "--python", sys.executable]
        if subprocess.run([*cmd, "--version"], capture_output=True).returncode != 0:
            cmd = [sys.executable, "-m", "pip", "install", "--quiet"]
        subprocess.run([*cmd, name], check=True)
        importlib.invalidate_caches()
        return importlib.import_module(name)


def load_note() -> str:
    """The load average and core count, printed beside timings taken on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1/5/15 min) on {os.cpu_count()} cores"
