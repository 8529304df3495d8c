"""Settings: one frozen, validated object, built from the environment on request.

There are no mutable module-level settings: the Streamlit server runs every user's session in
one process, so a setting changed by one session must never leak into another. Code that needs
settings takes a :class:`Settings` argument; entry points (the CLI, the app) call
:func:`get_settings` once.

The data directory is chosen in this order:

1. ``HIAP_DATA_DIR`` when set;
2. ``../shared/data`` relative to the project root, when that folder exists (a developer
   checkout next to the team's shared data);
3. a per-user data directory (``platformdirs``), where ``hiap data download`` puts files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hiap.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The folder holding ``pyproject.toml`` in a source checkout."""

SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
APP_NAME = "hiap"


class Settings(BaseModel):
    """Validated, immutable settings for one run of hiap.

    Parameters
    ----------
    data_dir
        Folder holding the datasets (see ``hiap data status``).
    cache_dir
        Folder for derived, rebuildable files (network graphs, routing caches).
    database_url
        Where assessments are saved (``sqlite:///path``).
    max_upload_mb
        Largest scheme upload accepted, in megabytes.
    max_unzipped_mb
        Largest total uncompressed size accepted inside an uploaded zip.
    max_zip_ratio
        Largest compression ratio accepted for any member of an uploaded zip.
    download_timeout_s
        Seconds to wait for a server before a download fails.
    allow_local_paths
        Let the app's users type paths on the server (OSM extract, GTFS feed). Off by default:
        on a shared server a free-text path lets anyone probe the server's files, so data files
        are chosen from the data directory or uploaded. Turn it on (``HIAP_ALLOW_LOCAL_PATHS=1``)
        only for a single-user desktop install. See SECURITY.md.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path
    cache_dir: Path
    database_url: str
    max_upload_mb: float = Field(default=50.0, gt=0, le=2048)
    max_unzipped_mb: float = Field(default=200.0, gt=0, le=8192)
    max_zip_ratio: float = Field(default=100.0, gt=1)
    download_timeout_s: float = Field(default=10.0, gt=0, le=600)
    allow_local_paths: bool = False

    @property
    def max_upload_bytes(self) -> int:
        """The upload size limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_unzipped_bytes(self) -> int:
        """The uncompressed zip size limit in bytes."""
        return int(self.max_unzipped_mb * 1024 * 1024)

    @property
    def database_path(self) -> Path | None:
        """The SQLite file behind ``database_url``, or ``None`` for other databases."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix) :])
        return None


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the data directory the environment points to.

    Parameters
    ----------
    environ
        Environment to read (defaults to ``os.environ``).

    Returns
    -------
    Path
        ``HIAP_DATA_DIR`` if set, else ``../shared/data`` if it exists, else a per-user folder.
    """
    env = os.environ if environ is None else environ
    if env.get("HIAP_DATA_DIR"):
        return Path(env["HIAP_DATA_DIR"]).expanduser().resolve()
    if SHARED_DATA_DIR.is_dir():
        return SHARED_DATA_DIR
    return Path(platformdirs.user_data_dir(APP_NAME)) / "data"


_ENV_FIELDS = {
    "HIAP_MAX_UPLOAD_MB": "max_upload_mb",
    "HIAP_MAX_UNZIPPED_MB": "max_unzipped_mb",
    "HIAP_DOWNLOAD_TIMEOUT_S": "download_timeout_s",
    "HIAP_ALLOW_LOCAL_PATHS": "allow_local_paths",
}


def get_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build the settings from the environment, with optional overrides.

    Parameters
    ----------
    environ
        Environment to read (defaults to ``os.environ``).
    **overrides
        Field values that win over the environment (unknown names are rejected).

    Returns
    -------
    Settings
        A new frozen settings object.

    Raises
    ------
    SettingsError
        When a value is out of range or a name is unknown; the message names the variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    values["data_dir"] = default_data_dir(env)
    values["cache_dir"] = Path(
        env.get("HIAP_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME)
    ).expanduser()
    default_db = Path(platformdirs.user_data_dir(APP_NAME)) / "assessments.sqlite"
    values["database_url"] = env.get("HIAP_DATABASE_URL") or f"sqlite:///{default_db}"
    for var, field in _ENV_FIELDS.items():
        if env.get(var):
            values[field] = env[var]
    values.update(overrides)
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        reverse = {field: var for var, field in _ENV_FIELDS.items()}
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = reverse.get(field, field)
            problems.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError(
            "Invalid hiap settings: " + "; ".join(problems) + ". Fix or unset these values."
        ) from None


def configure_numba_cache(settings: Settings) -> Path:
    """Keep numba's compiled routing code in the cache folder, not the installed package.

    ``isochrones.raptor`` compiles with ``cache=True``; numba would otherwise write ``.nbi`` /
    ``.nbc`` files into ``isochrones/__pycache__``. Call this once at an entry point (the CLI,
    the app, the test session) *before* ``isochrones.raptor`` is imported: numba picks the cache
    folder of a function when its decorator runs. An explicit ``NUMBA_CACHE_DIR`` wins.

    Parameters
    ----------
    settings
        Its ``cache_dir`` gets a ``numba`` subfolder.

    Returns
    -------
    Path
        The folder numba will use.
    """
    folder = os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(settings.cache_dir) / "numba"))
    numba = sys.modules.get("numba")
    if numba is not None:
        # numba read the environment when it was imported; make it read it again.
        numba.core.config.reload_config()
    return Path(folder)
