"""lexrepo's web layer: the Flask app factory and the command line."""
from __future__ import annotations

import tomllib

from flask import Flask

from repository.config import DEFAULT_CONFIG_FILE, load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask app; ``test_config`` replaces values read from config.toml."""
    app = Flask(__name__, instance_relative_config=False)
    if DEFAULT_CONFIG_FILE.exists():
        app.config.from_file(str(DEFAULT_CONFIG_FILE), load=tomllib.load, text=False)
    if test_config:
        app.config.update(test_config)
    app.extensions["lexrepo.settings"] = load_settings(
        data_dir=app.config.get("LEXREPO_DATA_DIR") or None,
    )
    return app
