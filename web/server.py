"""Serving the app with several worker processes (gunicorn), for a server deployment.

Each worker builds its own app after the fork, so that no database connection or index
reader is shared between processes.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"lexrepo serve exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/static/lexrepo.css")  # cheap: the app is up, whatever the load
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"lexrepo serve did not answer within {timeout:.0f} s")


def serve_in_background(data_dir: Path, *serve_options: str, global_options: tuple[str, ...] = (),
                        timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """Start `lexrepo serve` on a free loopback port (for tests, benchmarks and screenshots);
    return the process and its base URL once it answers."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", *global_options, "--data-dir", str(data_dir), "serve",
         "--host", "127.0.0.1", "--port", str(port), *serve_options],
        cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_until_up(port, server, timeout)
    except RuntimeError:
        stop_server(server)
        raise
    return server, f"http://127.0.0.1:{port}"


def stop_server(server: subprocess.Popen) -> None:
    """Stop a server started by :func:`serve_in_background`, with its worker processes."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
