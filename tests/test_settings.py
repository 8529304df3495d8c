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
