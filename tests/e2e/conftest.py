"""End-to-end fixtures: the real-corpus library served by `lexrepo serve` in a subprocess, and
Debian's Chromium driven by Playwright (no browser is downloaded: `.ci/run` installs Debian's
`chromium` package, and Playwright only drives it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from web.server import serve_in_background, stop_server

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def serve(data_dir: Path, *extra: str):
    """Start `lexrepo serve` on a free loopback port; return (process, base URL)."""
    return serve_in_background(data_dir, *extra)


def stop(server) -> None:
    stop_server(server)


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
