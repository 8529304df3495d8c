import os
from pathlib import Path

import pytest

from hiap.errors import HiapError, SettingsError
from hiap.settings import SHARED_DATA_DIR, Settings, default_data_dir, get_settings


def test_hiap_data_dir_wins(tmp_path: Path) -> None:
    settings = get_settings({"HIAP_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path.resolve()


def test_shared_data_dir_is_the_default_in_a_checkout() -> None:
    # CI and developers have ../shared/data next to the project.
    assert SHARED_DATA_DIR.is_dir()
    assert default_data_dir({}) == SHARED_DATA_DIR


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = get_settings({"HIAP_DATA_DIR": str(tmp_path)})
    with pytest.raises(ValueError, match="frozen"):
        settings.max_upload_mb = 1  # type: ignore[misc]


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(SettingsError, match="max_uplod_mb"):
        get_settings({}, max_uplod_mb=3)


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="HIAP_MAX_UPLOAD_MB") as info:
        get_settings({"HIAP_MAX_UPLOAD_MB": "-5"})
    assert isinstance(info.value, HiapError)


def test_limits_in_bytes_and_database_path(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    settings = get_settings(
        {"HIAP_DATABASE_URL": f"sqlite:///{db}", "HIAP_MAX_UPLOAD_MB": "2"}
    )
    assert settings.max_upload_bytes == 2 * 1024 * 1024
    assert settings.database_path == db
    assert isinstance(settings, Settings)


def test_numba_cache_goes_to_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numba

    from hiap.settings import configure_numba_cache

    settings = get_settings(environ={}, cache_dir=tmp_path / "cache")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    try:
        folder = configure_numba_cache(settings)
        assert folder == tmp_path / "cache" / "numba"
        assert os.environ["NUMBA_CACHE_DIR"] == str(folder)
        # numba was imported already: its config was made to read the variable again.
        assert str(folder) == vars(numba.core.config)["CACHE_DIR"]
        # An explicit NUMBA_CACHE_DIR wins.
        monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
        assert configure_numba_cache(settings) == tmp_path / "mine"
    finally:
        monkeypatch.undo()
        numba.core.config.reload_config()
