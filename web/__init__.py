"""lexrepo's web layer: the Flask app factory, one blueprint per area, and the command line."""
from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from repository.config import DEFAULT_CONFIG_FILE, load_settings
from repository.library import Library

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

csrf = CSRFProtect()


def persistent_secret_key(data_dir: Path) -> str:
    """The key that signs sessions, kept in the data directory so that every web worker and
    every restart shares it (created once, readable by the owner only)."""
    path = data_dir / "secret_key"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. Settings come from config.toml (upper-case keys), then ``test_config``."""
    app = Flask(__name__)
    if DEFAULT_CONFIG_FILE.exists():
        app.config.from_file(str(DEFAULT_CONFIG_FILE), load=tomllib.load, text=False)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if test_config:
        app.config.update(test_config)
    settings = app.config.get("LEXREPO_SETTINGS") or load_settings()
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = persistent_secret_key(settings.data_dir)
    # The schema is created by `lexrepo init` (also run by `lexrepo serve`), not here:
    # several web workers starting at once must not race to migrate the database.
    app.extensions["lexrepo"] = Library(settings)
    csrf.init_app(app)

    from web import public

    app.register_blueprint(public.bp)

    from web import staff

    staff.init_app(app)

    from web import api

    api.init_app(app, csrf)

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
