"""End-to-end in headless Chromium on the real corpus: what a practitioner does with the library.

Each test also fails on any console error, which is how a Content-Security-Policy
violation (an inline script or style) shows up in a real browser.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.corpus


def facet_link(page, facet: str, value: str | None = None):
    selector = f"a.facet-value[data-facet='{facet}']" + (f"[data-value='{value}']" if value else ":not(.selected)")
    return page.locator(selector).first


def test_search_apply_two_facets_and_open_a_result_at_its_anchor(page, corpus_server):
    page.goto(corpus_server + "/")
    box = page.get_by_label("Search the provisions of every law in the library")
    box.fill("money laundering")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    unfiltered = int(page.locator(".result-count").inner_text().split()[0])
    assert unfiltered > 0

    country = facet_link(page, "country", "DEU")
    expected = int(country.get_attribute("data-count"))
    country.click()
    page.wait_for_url(re.compile(r"country=DEU"))
    assert int(page.locator(".result-count").inner_text().split()[0]) == expected < unfiltered

    language = facet_link(page, "language", "de")
    expected = int(language.get_attribute("data-count"))
    language.click()
    page.wait_for_url(re.compile(r"language=de"))
    params = parse_qs(urlparse(page.url).query)
    assert params["country"] == ["DEU"] and params["language"] == ["de"] and params["q"] == ["money laundering"]
    assert int(page.locator(".result-count").inner_text().split()[0]) == expected
    assert page.locator(".chips a.chip").count() == 2

    first = page.locator("ol.results > li h2 a").first
    anchor = first.get_attribute("href").split("#", 1)[1]
    heading = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/documents/\d+"))
    assert page.url.endswith("#" + anchor)
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1
    assert target.is_visible()
    assert target.bounding_box()["y"] < 900, "the browser scrolled to the provision"
    assert heading.split()[0] in target.inner_text()
    assert page.console_errors == []


def test_open_an_article_comparison(page, corpus_server):
    page.goto(corpus_server + "/articles/23")
    assert "Laundering" in page.locator("h1").inner_text()
    for code in ("DEU", "FRA", "CAN"):
        page.locator(f"#compare-{code}").check()
    page.locator("form.compare-form button[type=submit], form.compare-form input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/articles/23/compare\?"))
    assert sorted(parse_qs(urlparse(page.url).query)["country"]) == ["CAN", "DEU", "FRA"]
    columns = page.locator("section.compare-column")
    assert columns.count() == 3
    assert "261" in page.locator("#column-DEU").inner_text()
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"], "side by side on a wide screen"
    page.set_viewport_size({"width": 390, "height": 844})
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], "stacked on a phone"
    assert page.console_errors == []


def test_keyboard_reaches_the_search_box_and_the_skip_link(page, corpus_server):
    page.goto(corpus_server + "/search?q=bribery")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.console_errors == []
