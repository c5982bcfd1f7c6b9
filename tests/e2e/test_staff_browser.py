"""End-to-end in headless Chromium: a staff member signs in, uploads a real law, waits for its
job, confirms a suggested tag with the keyboard, and the public article page shows it confirmed."""
from __future__ import annotations

import re

import pytest

from repository.accounts import create_user
from repository.config import load_settings
from repository.library import Library
from tests.conftest import CORPUS_REAL
from tests.e2e.conftest import serve, stop

pytestmark = pytest.mark.corpus

PASSWORD = "correct horse battery"
LAW = CORPUS_REAL / "laws" / "usa" / "18usc_201_bribery_of_public_officials.md"


@pytest.fixture
def staff_server(tmp_path, corpus_real):
    """A fresh library with one admin, served by `lexrepo serve --with-worker`."""
    data_dir = tmp_path / "data"
    with Library(load_settings(environ={}, data_dir=str(data_dir))) as library:
        library.init()
        create_user(library, "secretariat", PASSWORD, "admin")
    server, url = serve(data_dir, "--with-worker")
    yield url
    stop(server)


def test_upload_job_review_and_the_confirmed_tag_on_the_article_page(page, staff_server):
    from playwright.sync_api import expect

    page.goto(staff_server + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Name").fill("secretariat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.get_by_text("Signed in as secretariat (admin).")).to_be_visible()

    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Upload").click()
    page.get_by_label("Files (one or many)").set_input_files(str(LAW))
    page.get_by_label("Country").select_option("USA")
    page.get_by_label("Type").select_option("code")
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/jobs\?batch="))
    page.locator("table.jobs tbody a").first.click()
    page.wait_for_url(re.compile(r"/staff/jobs/\d+$"))
    # web/static/staff.js reloads the page until the worker beside the server has indexed the file.
    expect(page.locator("h1 .job-state")).to_have_text("indexed", timeout=120_000)
    document_href = page.locator(".job-details a[href^='/documents/']").first.get_attribute("href")
    document_id = re.match(r"/documents/(\d+)", document_href).group(1)

    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Review queue").click()
    first = page.locator("li.review-item").first
    expect(first).to_be_visible()
    article = re.search(r"Article (\d+)", first.locator(".suggestion").inner_text()).group(1)
    provision_href = first.locator("h2 a").get_attribute("href")
    assert provision_href.startswith(f"/documents/{document_id}#")
    page.keyboard.press("j")  # web/static/review.js: focus the first suggestion
    expect(first).to_be_focused()
    page.keyboard.press("c")  # ... and confirm it
    expect(page.get_by_text("Confirmed 1 tag(s).")).to_be_visible()

    page.goto(f"{staff_server}/articles/{article}")
    listed = page.locator("ul.implementations > li", has=page.locator(f"a[href='{provision_href}']"))
    expect(listed.locator(".tag-status")).to_have_text("confirmed")
    assert page.console_errors == []
