"""The public pages on a small library: search, document page, escaping and security headers."""
from __future__ import annotations

import pytest

from web import create_app
from tests.test_library import BRIBERY_ACT, write


@pytest.fixture
def app(settings, tmp_path):
    write(tmp_path / "laws", "usa/act.md", BRIBERY_ACT)
    write(tmp_path / "laws", "usa/rules.txt", "Section 1. Gifts\n\nA gift worth < 50 dollars & no more may be kept.\n\n"
          "Section 2. Records\n\nThe <register> lists every gift.\n")
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings})
    app.extensions["lexrepo"].init()
    app.extensions["lexrepo"].ingest(tmp_path / "laws", workers=1)
    yield app
    app.extensions["lexrepo"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_search_page_links_to_the_provision_anchor(client):
    page = client.get("/search?q=foreign+public+official&country=USA")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "#p-2" in html
    assert "<mark>" in html
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in page.headers
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_document_page_escapes_text_and_has_anchors(client):
    reflected = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in reflected
    html = client.get("/documents/1").get_data(as_text=True)
    assert 'id="p-3"' in html
    rules = client.get("/documents/2").get_data(as_text=True)
    assert "&lt; 50 dollars &amp; no more" in rules and "<register>" not in rules
    hits = client.get("/search?q=register").get_data(as_text=True)
    assert "&lt;<mark>register</mark>&gt;" in hits
    assert client.get("/documents/999").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_query_is_explained(client):
    page = client.get('/search?q="unclosed')
    assert page.status_code == 200
