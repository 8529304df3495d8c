"""Settings: one frozen, validated object, built from the environment on request.

There are no mutable module-level settings: the Streamlit server runs every user's session in
one process, so a setting changed by one session must never leak into another. Code that needs
settings takes a :class:`Settings` argument; entry points (the CLI, the app) call
:func:`get_settings` once.

Each setting is read (through pydantic-settings) from, first match wins:

1. keyword overrides given to :func:`get_settings`;
2. the environment: ``HIAP_`` and the setting's name in capitals (``HIAP_MAX_UPLOAD_MB=20``);
3. a ``.env`` file (``HIAP_ENV_FILE``, default ``.env`` in the working folder), same names;
4. a TOML file (``HIAP_CONFIG_FILE``, default ``config.toml`` in the per-user config folder,
   e.g. ``~/.config/hiap/config.toml``), with the names in lower case (``max_upload_mb = 20``);
5. the default.

``hiap config show`` prints every setting with the place it came from. When
:func:`get_settings` is given an explicit ``environ`` (tests, embedding), the files are read
only if that mapping names them, so nothing on the machine leaks in.

The data directory's default is chosen in this order:

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
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.sources.utils import parse_env_vars

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
    download_mirror
        A base URL serving the data directory's files (``https://intranet/hiap-data``):
        ``hiap data download`` fetches ``MIRROR/PATH`` instead of each publisher's URL.
    allow_local_paths
        Let the app's users type paths on the server (OSM extract, GTFS feed). Off by default:
        on a shared server a free-text path lets anyone probe the server's files, so data files
        are chosen from the data directory or uploaded. Turn it on (``HIAP_ALLOW_LOCAL_PATHS=1``)
        only for a single-user desktop install. See SECURITY.md.
    fallback_walk
        Where no OSM walk network covers a place, walk a straight line x 1.3 at 4.8 km/h
        (:class:`isochrones.transit.FallbackWalk`), labelled as such in every result. Off by
        default; ``HIAP_FALLBACK_WALK=1`` or the CLI's ``--fallback-walk`` turns it on.
    origin_max_snap_m
        Origins (homes, population points) farther than this from any walkable street or path
        are excluded from walking access and listed with the reason (default 500 m).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path
    cache_dir: Path
    database_url: str
    max_upload_mb: float = Field(default=50.0, gt=0, le=2048)
    max_unzipped_mb: float = Field(default=200.0, gt=0, le=8192)
    max_zip_ratio: float = Field(default=100.0, gt=1)
    download_timeout_s: float = Field(default=10.0, gt=0, le=600)
    download_mirror: str | None = Field(default=None, pattern=r"^(https?|file)://")
    allow_local_paths: bool = False
    fallback_walk: bool = False
    origin_max_snap_m: float = Field(default=500.0, gt=0, le=5000)

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


ENV_PREFIX = "HIAP_"
ENV_FILE_VAR = "HIAP_ENV_FILE"
CONFIG_FILE_VAR = "HIAP_CONFIG_FILE"


def default_config_file() -> Path:
    """Return the per-user TOML settings file (it need not exist)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class _RawSources(BaseSettings):
    """Every setting as an unvalidated value, so each source can be read on its own.

    Validation happens once, in :class:`Settings`, whatever the source; reading the sources
    separately is what lets ``hiap config show`` say where each value came from.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: str | None = None
    cache_dir: str | None = None
    database_url: str | None = None
    max_upload_mb: str | None = None
    max_unzipped_mb: str | None = None
    max_zip_ratio: str | None = None
    download_timeout_s: str | None = None
    download_mirror: str | None = None
    allow_local_paths: str | None = None
    fallback_walk: str | None = None
    origin_max_snap_m: str | None = None


class _MappingEnvSource(EnvSettingsSource):
    """The environment source, reading a given mapping instead of ``os.environ``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        super().__init__(_RawSources, env_prefix=ENV_PREFIX)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def env_var(field: str) -> str:
    """Return the environment variable of a setting (``max_upload_mb`` -> ``HIAP_MAX_UPLOAD_MB``)."""
    return ENV_PREFIX + field.upper()


def _source_values(
    environ: Mapping[str, str], *, read_default_files: bool
) -> list[tuple[str, dict[str, object]]]:
    """Return ``(label, values)`` for each source, highest priority first."""
    sources: list[tuple[str, dict[str, object]]] = []
    env_values = {k: v for k, v in _MappingEnvSource(environ)().items() if v not in (None, "")}
    sources.append(("environment", env_values))

    env_file = environ.get(ENV_FILE_VAR) or (".env" if read_default_files else None)
    if env_file and Path(env_file).expanduser().is_file():
        path = Path(env_file).expanduser()
        dotenv = DotEnvSettingsSource(_RawSources, env_file=path, env_prefix=ENV_PREFIX)
        values = {k: v for k, v in dotenv().items() if v not in (None, "")}
        sources.append((f".env file {path}", values))
    elif environ.get(ENV_FILE_VAR):
        raise SettingsError(
            f"{ENV_FILE_VAR} names {env_file}, which is not a file. Fix the path or unset it."
        )

    config = environ.get(CONFIG_FILE_VAR) or (
        str(default_config_file()) if read_default_files else None
    )
    if config and Path(config).expanduser().is_file():
        path = Path(config).expanduser()
        try:
            table = TomlConfigSettingsSource(_RawSources, toml_file=path).toml_data
        except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
            raise SettingsError(
                f"The settings file {path} is not valid TOML ({exc}). Fix it or remove it."
            ) from None
        unknown = sorted(set(table) - set(Settings.model_fields))
        if unknown:
            raise SettingsError(
                f"The settings file {path} has unknown settings: {', '.join(unknown)}. "
                f"Known settings: {', '.join(Settings.model_fields)}."
            )
        sources.append((f"config file {path}", dict(table)))
    elif environ.get(CONFIG_FILE_VAR):
        raise SettingsError(
            f"{CONFIG_FILE_VAR} names {config}, which is not a file. Fix the path or unset it."
        )
    return sources


def _defaults() -> dict[str, object]:
    """Defaults that depend on the machine (its per-user folders)."""
    default_db = Path(platformdirs.user_data_dir(APP_NAME)) / "assessments.sqlite"
    return {
        "data_dir": default_data_dir({}),
        "cache_dir": Path(platformdirs.user_cache_dir(APP_NAME)),
        "database_url": f"sqlite:///{default_db}",
    }


def _resolve(
    environ: Mapping[str, str] | None, overrides: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, str]]:
    """Merge the sources; return the values and, per setting, where its value came from."""
    env = os.environ if environ is None else environ
    sources = [("override", dict(overrides))]
    sources += _source_values(env, read_default_files=environ is None)
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for label, found in reversed(sources):  # lowest priority first, so higher ones overwrite
        for name, value in found.items():
            values[name] = value
            origin[name] = f"environment ({env_var(name)})" if label == "environment" else label
    for name, value in _defaults().items():
        if name not in values:
            values[name], origin[name] = value, "default"
    for name in Settings.model_fields:
        origin.setdefault(name, "default")
    # Folders given as text: expand "~" once, here, whatever the source.
    for name in ("data_dir", "cache_dir"):
        if isinstance(values[name], str):
            folder = Path(str(values[name])).expanduser()
            values[name] = folder.resolve() if name == "data_dir" else folder
    return values, origin


def get_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build the settings from overrides, the environment, ``.env`` and the TOML file.

    Parameters
    ----------
    environ
        Environment to read (defaults to ``os.environ``). When given, ``.env`` and the TOML
        file are read only if it names them (``HIAP_ENV_FILE``, ``HIAP_CONFIG_FILE``).
    **overrides
        Field values that win over every other source (unknown names are rejected).

    Returns
    -------
    Settings
        A new frozen settings object.

    Raises
    ------
    SettingsError
        When a value is out of range or a name is unknown; the message names the variable.
    """
    values, origin = _resolve(environ, overrides)
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            where = origin.get(field, "override")
            # Name the setting the way its source spells it.
            name = env_var(field) if where.startswith(("environment", ".env")) else field
            problems.append(f"{name}: {err['msg']} (got {err.get('input')!r}, from {where})")
        raise SettingsError(
            "Invalid hiap settings: " + "; ".join(problems) + ". Fix or unset these values."
        ) from None


def settings_origins(environ: Mapping[str, str] | None = None) -> list[tuple[str, object, str]]:
    """Return every setting as ``(name, value, where it came from)``, for ``hiap config show``.

    Parameters
    ----------
    environ
        Environment to read (defaults to ``os.environ``).

    Returns
    -------
    list of tuple
        One row per setting, in the order of :class:`Settings`' fields.

    Raises
    ------
    SettingsError
        When the settings are invalid (as :func:`get_settings`).
    """
    settings = get_settings(environ)
    _, origin = _resolve(environ, {})
    return [(name, getattr(settings, name), origin[name]) for name in Settings.model_fields]


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
