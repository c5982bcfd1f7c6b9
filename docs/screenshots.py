"""Screenshots of the main pages, served from a library of the real corpus, into docs/screenshots/.

    python docs/screenshots.py [--data-dir DIR]

Uses Debian's Chromium through Playwright, like the browser tests; the library is
ingested from ../shared/corpus-real into DIR when DIR holds none yet.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import prepare  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web.server import serve_in_background, stop_server  # noqa: E402

PAGES = [
    ("home", "/"),
    ("search", "/search?q=money+laundering&country=DEU&country=FRA&region=Western+European+and+other"),
    ("search-no-results", "/search?q=zzzyx+bribery&country=JPN"),
    ("document", "/documents/{stgb}#p-261"),
    ("article", "/articles/32"),
    ("article-compare", "/articles/23/compare?country=DEU&country=FRA&country=CAN"),
    ("country", "/countries/DEU"),
    ("matrix", "/matrix?chapter=III"),
    ("citations", "/citations"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lexrepo-screenshots-"))
    prepare(data_dir)
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    server, base = serve_in_background(data_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/search?q=Strafgesetzbuch&country=DEU")
            stgb = page.locator("ol.results a[href*='/documents/']").first.get_attribute("href").split("/")[2].split("#")[0]
            # Something in the citation list, so that its page shows entries.
            page.goto(base + "/search?q=Geldw%C3%A4sche&country=DEU")
            page.locator("form.cite-form button").first.click()
            for name, path in PAGES:
                page.goto(base + path.format(stgb=stgb))
                page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            for name, path in (("phone-search", PAGES[1][1]), ("phone-article-compare", PAGES[5][1])):
                phone.goto(base + path)
                phone.screenshot(path=str(out / f"{name}.png"))
            browser.close()
    finally:
        stop_server(server)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
