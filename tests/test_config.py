"""Settings precedence: defaults < config file < environment < --data-dir."""
from __future__ import annotations

from pathlib import Path

import pytest

from repository.config import ConfigError, Settings, load_settings


def test_defaults_come_from_the_project_config_file():
    settings = load_settings(environ={})
    assert settings.data_dir == Path("lexrepo-data")
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("lexrepo-data/lexrepo.sqlite3")
    assert settings.resolved_index_dir == (Path("lexrepo-data") / "index").resolve()
    assert settings.max_file_bytes == 50 * 1024 * 1024


def test_lexrepo_config_points_at_another_file(tmp_path):
    config = tmp_path / "other.toml"
    config.write_text('DATA_DIR = "/srv/lexrepo"\nINDEX_DIR = "/fast/index"\nSEARCH_LIMIT = 25\n')
    settings = load_settings(environ={"LEXREPO_CONFIG": str(config)})
    assert settings.data_dir == Path("/srv/lexrepo")
    assert settings.resolved_index_dir == Path("/fast/index")
    assert settings.resolved_blob_dir == Path("/srv/lexrepo/blobs")
    assert settings.search_limit == 25


def test_environment_overrides_the_file_and_data_dir_overrides_everything(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('DATA_DIR = "/from/file"\nINDEX_DIR = "/from/file/index"\n')
    environ = {
        "LEXREPO_CONFIG": str(config),
        "LEXREPO_DATA_DIR": "/from/env",
        "LEXREPO_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:5432/lexrepo",
    }
    from_env = load_settings(environ=environ)
    assert from_env.data_dir == Path("/from/env")
    assert from_env.resolved_database_url == "postgresql+psycopg://u@127.0.0.1:5432/lexrepo"
    everything = load_settings(environ=environ, data_dir=str(tmp_path / "cli"))
    assert everything.resolved_database_url == f"sqlite:///{(tmp_path / 'cli' / 'lexrepo.sqlite3').resolve()}"
    assert everything.resolved_index_dir == (tmp_path / "cli" / "index").resolve()


@pytest.mark.parametrize(
    "content, message",
    [
        ("SEARCH_LIMIT = 'many'", "SEARCH_LIMIT must be an integer"),
        ("DATA_DIR = ", "c.toml"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path, content, message):
    config = tmp_path / "c.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={"LEXREPO_CONFIG": str(config)})


def test_missing_config_file_named_in_environment_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(environ={"LEXREPO_CONFIG": str(tmp_path / "absent.toml")})


def test_every_setting_has_help():
    assert all(text for text in Settings.help().values())
    assert set(Settings.help()) >= {"data_dir", "database_url", "index_dir", "blob_dir", "max_file_bytes"}
