"""lexrepo's web layer: the Flask app factory, one blueprint per area, and the command line."""
from __future__ import annotations

import tomllib

from flask import Flask

from repository.config import DEFAULT_CONFIG_FILE, load_settings
from repository.library import Library

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. Settings come from config.toml (upper-case keys), then ``test_config``."""
    app = Flask(__name__)
    if DEFAULT_CONFIG_FILE.exists():
        app.config.from_file(str(DEFAULT_CONFIG_FILE), load=tomllib.load, text=False)
    if test_config:
        app.config.update(test_config)
    # The schema is created by `lexrepo init` (also run by `lexrepo serve`), not here:
    # several web workers starting at once must not race to migrate the database.
    app.extensions["lexrepo"] = Library(app.config.get("LEXREPO_SETTINGS") or load_settings())

    from web import public

    app.register_blueprint(public.bp)

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
