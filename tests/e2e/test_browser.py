"""End-to-end in headless Chromium on the real corpus: what a practitioner does with the library."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.corpus


def test_search_from_home_and_open_a_result_at_its_anchor(page, corpus_server):
    page.goto(corpus_server + "/")
    page.get_by_label("Search provisions").first.fill("Geldwäsche")
    page.get_by_label("Search provisions").first.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    first = page.locator("ol.results > li a[href*='/documents/']").first
    href = first.get_attribute("href")
    anchor = href.split("#", 1)[1]
    first.click()
    page.wait_for_url(re.compile(r"/documents/\d+"))
    assert page.url.endswith("#" + anchor)
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1
    assert target.is_visible()
    assert page.console_errors == []
