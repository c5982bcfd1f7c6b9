"""End-to-end fixtures: the real-corpus library served by `lexrepo serve` in a subprocess, and
Debian's Chromium driven by Playwright (no browser is downloaded: `.ci/run` installs Debian's
`chromium` package, and Playwright only drives it)."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 180) -> None:
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
    raise RuntimeError("lexrepo serve did not answer in time")


def serve(data_dir: Path, *extra: str):
    """Start `lexrepo serve` on a free loopback port; return (process, base URL)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1",
         "--port", str(port), *extra],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        _wait_until_up(port, server)
    except RuntimeError:
        stop(server)
        raise
    return server, f"http://127.0.0.1:{port}"


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def corpus_server(corpus_ingested):
    """Base URL of the real-corpus library served by `lexrepo serve` (read-only)."""
    _library, _report, data_dir = corpus_ingested
    server, url = serve(data_dir)
    yield url
    stop(server)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (`.ci/run` installs it: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # A Content-Security-Policy violation or a script error is a failure of the page.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
