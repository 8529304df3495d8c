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


def test_sources_in_order_environment_then_dotenv_then_toml(tmp_path: Path) -> None:
    toml = tmp_path / "config.toml"
    toml.write_text("max_upload_mb = 20\ndownload_timeout_s = 30\nmax_zip_ratio = 50\n")
    dotenv = tmp_path / ".env"
    dotenv.write_text("HIAP_DOWNLOAD_TIMEOUT_S=25\nHIAP_MAX_ZIP_RATIO=40\n")
    environ = {
        "HIAP_CONFIG_FILE": str(toml),
        "HIAP_ENV_FILE": str(dotenv),
        "HIAP_MAX_ZIP_RATIO": "30",
    }
    settings = get_settings(environ)
    assert settings.max_upload_mb == 20  # only in the TOML file
    assert settings.download_timeout_s == 25  # .env beats the TOML file
    assert settings.max_zip_ratio == 30  # the environment beats both
    assert get_settings(environ, max_zip_ratio=10).max_zip_ratio == 10  # overrides beat all

    from hiap.settings import settings_origins

    origins = {name: where for name, _, where in settings_origins(environ)}
    assert origins["max_upload_mb"] == f"config file {toml}"
    assert origins["download_timeout_s"] == f".env file {dotenv}"
    assert origins["max_zip_ratio"] == "environment (HIAP_MAX_ZIP_RATIO)"
    assert origins["cache_dir"] == "default"


def test_explicit_environ_reads_no_files_it_does_not_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("HIAP_MAX_UPLOAD_MB=3\n")
    monkeypatch.chdir(tmp_path)
    assert get_settings({}).max_upload_mb == 50  # the default: ./.env is not read
    monkeypatch.delenv("HIAP_MAX_UPLOAD_MB", raising=False)
    monkeypatch.delenv("HIAP_CONFIG_FILE", raising=False)
    assert get_settings().max_upload_mb == 3  # from os.environ: ./.env is read


def test_bad_toml_file_is_named(tmp_path: Path) -> None:
    toml = tmp_path / "config.toml"
    toml.write_text("max_uplod_mb = 20\n")
    with pytest.raises(SettingsError, match="unknown settings: max_uplod_mb"):
        get_settings({"HIAP_CONFIG_FILE": str(toml)})
    toml.write_text("max_upload_mb = -1\n")
    with pytest.raises(SettingsError, match=r"max_upload_mb.*config file"):
        get_settings({"HIAP_CONFIG_FILE": str(toml)})
    toml.write_text("max_upload_mb = = 1\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        get_settings({"HIAP_CONFIG_FILE": str(toml)})
    with pytest.raises(SettingsError, match="HIAP_CONFIG_FILE names"):
        get_settings({"HIAP_CONFIG_FILE": str(tmp_path / "missing.toml")})


def test_config_show_prints_every_setting_and_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hiap.cli.main import app

    toml = tmp_path / "config.toml"
    toml.write_text("max_upload_mb = 20\n")
    monkeypatch.setenv("HIAP_CONFIG_FILE", str(toml))
    monkeypatch.setenv("HIAP_DOWNLOAD_TIMEOUT_S", "7")
    monkeypatch.setenv("COLUMNS", "250")
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert set(Settings.model_fields) <= set(lines)
    assert "20.0" in lines["max_upload_mb"] and str(toml) in lines["max_upload_mb"]
    assert "environment (HIAP_DOWNLOAD_TIMEOUT_S)" in lines["download_timeout_s"]
