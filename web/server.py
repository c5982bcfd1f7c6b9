"""Serving the app with several worker processes (gunicorn), for a server deployment.

Each worker builds its own app after the fork, so that no database connection or index
reader is shared between processes.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from repository.config import Settings


class LexrepoServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from web import create_app

        return create_app({"LEXREPO_SETTINGS": self.settings})


def serve_with_workers(settings: Settings, host: str, port: int, workers: int, threads: int = 1) -> None:
    """Run gunicorn in the foreground until interrupted."""
    LexrepoServer(settings, {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None, "errorlog": "-", "loglevel": "warning", "timeout": 60,
    }).run()
