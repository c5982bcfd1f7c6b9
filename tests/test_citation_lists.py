"""Citation lists: "Add to citation list" on the article and comparison pages (real corpus),
and lists saved by name for staff (domain on SQLite and PostgreSQL; web pages, ownership,
CSRF, exports read back by independent readers, audit events)."""
from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest
import rispy
from bs4 import BeautifulSoup
from sqlalchemy import select

from repository import citation_lists as lists
from repository.accounts import create_user
from repository.audit import audit_log
from repository.editing import delete_document
from repository.models import Document
from tests.test_library import BRIBERY_ACT, GELDWAESCHE, write
from web import create_app

PASSWORD = "correct horse battery"


def make_app(settings, **config):
    return create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "test",
                       "WTF_CSRF_ENABLED": False, **config})


def cite_forms(html: str) -> list[list[int]]:
    """The provision ids of each form posting to /citations/add, in page order."""
    soup = BeautifulSoup(html, "html.parser")
    return [[int(field["value"]) for field in form.find_all("input", attrs={"name": "provision_id"})]
            for form in soup.find_all("form", action="/citations/add")]


def form_fields(form) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for field in form.find_all("input"):
        fields.setdefault(field["name"], []).append(field.get("value", ""))
    return fields


def session_ids(client) -> list[int]:
    page = client.get("/citations/export.json")
    return [c["provision_id"] for c in json.loads(page.data)["citations"]] if page.status_code == 200 else []


# -- "Add to citation list" on article and comparison pages (real corpus) -----------------------

@pytest.fixture(scope="module")
def article_15(corpus_ingested):
    """UNCAC article 15 and the first two countries with provisions tagged with it."""
    library, _report, _ = corpus_ingested
    groups = [g for g in library.article_implementations(15) if g.code and g.implementations]
    assert len(groups) >= 2, "the real corpus implements art. 15 in several countries"
    return groups


@pytest.fixture
def posting_client(corpus_ingested):
    """A client of an app of its own over the real corpus, with CSRF off, for POSTs."""
    library, _report, _ = corpus_ingested
    app = make_app(library.settings)
    yield app.test_client()
    app.extensions["lexrepo"].close()


@pytest.mark.corpus
def test_article_page_has_a_cite_form_per_implementing_provision(corpus_client, corpus_ingested, posting_client):
    library, _report, _ = corpus_ingested
    expected = [[item.provision_id] for group in library.article_implementations(15) for item in group.implementations]
    html = corpus_client.get("/articles/15").get_data(as_text=True)
    assert expected and cite_forms(html) == expected
    form = BeautifulSoup(html, "html.parser").find("form", action="/citations/add")
    fields = form_fields(form)
    assert fields["next"] == ["/articles/15"] and fields["csrf_token"][0]
    answer = posting_client.post("/citations/add", data=fields)
    assert answer.status_code == 302 and answer.headers["Location"] == "/articles/15"
    assert session_ids(posting_client) == expected[0]


@pytest.mark.corpus
def test_comparison_has_forms_per_provision_and_per_column(corpus_client, article_15, posting_client):
    first, second = article_15[:2]
    url = f"/articles/15/compare?country={first.code}&country={second.code}"
    html = corpus_client.get(url).get_data(as_text=True)
    columns = [[i.provision_id for i in group.implementations] for group in (first, second)]
    # Each column: one form with all its provisions, then one form per provision.
    assert cite_forms(html) == [columns[0], *([i] for i in columns[0]), columns[1], *([i] for i in columns[1])]
    soup = BeautifulSoup(html, "html.parser")
    column = soup.find("section", id=f"column-{second.code}")
    button = column.find("form", action="/citations/add").find("button")
    assert button.get_text(strip=True) == "Add all of this column to the citation list"
    assert button["aria-describedby"] == f"column-{second.code}-heading"

    one = form_fields(soup.find("section", id=f"column-{first.code}").find_all("form", action="/citations/add")[1])
    assert one["provision_id"] == [str(columns[0][0])]
    answer = posting_client.post("/citations/add", data=one)
    assert answer.status_code == 302 and answer.headers["Location"] == url
    answer = posting_client.post("/citations/add", data=form_fields(column.find("form", action="/citations/add")))
    assert answer.status_code == 302 and answer.headers["Location"] == url
    assert session_ids(posting_client) == [columns[0][0], *columns[1]]


# -- the domain, on SQLite and PostgreSQL --------------------------------------------------------

@pytest.fixture
def staffed(library, tmp_path):
    """Two laws ingested and three accounts: (library, {name: user}, act ids, gesetz ids)."""
    write(tmp_path / "laws", "usa/act.md", BRIBERY_ACT)
    write(tmp_path / "laws", "deu/gesetz.md", GELDWAESCHE)
    library.ingest(tmp_path / "laws", workers=1)
    users = {name: create_user(library, name, PASSWORD, role)
             for name, role in (("editor1", "editor"), ("editor2", "editor"), ("admin1", "admin"))}
    return library, users, ids_of(library, "usa/act.md"), ids_of(library, "deu/gesetz.md")


def ids_of(library, source) -> list[int]:
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.source == source))
        return [p.id for p in document.versions[-1].provisions if p.number and p.kind in ("section", "article")]


def listed(library, user, list_id) -> list[tuple[int, str]]:
    return [(e.citation.provision_id, e.note) for e in lists.load_list(library, user, list_id).entries]


def test_save_load_edit_and_delete_a_list(staffed):
    library, users, act, gesetz = staffed
    me = users["editor1"]
    saved = lists.save_list(library, me, "  Bribery   memo ", [act[1], gesetz[0], act[0]], {gesetz[0]: "see § 1"})
    assert (saved.name, saved.size, saved.owner_name) == ("Bribery memo", 3, "editor1")
    assert listed(library, me, saved.id) == [(act[1], ""), (gesetz[0], "see § 1"), (act[0], "")]
    loaded = lists.load_list(library, me, saved.id)
    assert "Section 2" in loaded.entries[0].citation.pinpoint() and "§ 1" in loaded.entries[1].citation.pinpoint()

    again = lists.save_list(library, me, "Bribery memo", [act[0]])  # same name: replaced, same list
    assert again.id == saved.id and listed(library, me, saved.id) == [(act[0], "")]
    other = lists.save_list(library, me, "another", [gesetz[0]])
    assert [s.name for s in lists.user_lists(library, me)] == ["another", "Bribery memo"]

    assert lists.add_entries(library, me, saved.id, [act[0], act[1], gesetz[0]]) == 2  # act[0] already there
    assert lists.move_entry(library, me, saved.id, gesetz[0], "up") is True
    assert lists.move_entry(library, me, saved.id, act[0], "up") is False  # already first
    assert lists.annotate_entry(library, me, saved.id, act[1], " <b>quote</b> ") == "<b>quote</b>"
    assert listed(library, me, saved.id) == [(act[0], ""), (gesetz[0], ""), (act[1], "<b>quote</b>")]
    lists.remove_entry(library, me, saved.id, gesetz[0])
    assert listed(library, me, saved.id) == [(act[0], ""), (act[1], "<b>quote</b>")]
    with pytest.raises(lists.ListNotFound):
        lists.remove_entry(library, me, saved.id, gesetz[0])

    with pytest.raises(lists.CitationListError, match="already have a list named"):
        lists.rename_list(library, me, saved.id, "another")
    assert lists.rename_list(library, me, saved.id, "Memo v2").name == "Memo v2"
    lists.delete_list(library, me, other.id)
    assert [s.name for s in lists.user_lists(library, me)] == ["Memo v2"]

    # A provision deleted with its document leaves the list.
    delete_document(library, library.citations([act[0]])[0].document_id)
    assert listed(library, me, saved.id) == []


@pytest.mark.parametrize("change, args", [
    (lists.rename_list, lambda act: ("mine now",)),
    (lists.delete_list, lambda act: ()),
    (lists.add_entries, lambda act: ([act[0]],)),
    (lists.annotate_entry, lambda act: (act[0], "note")),
    (lists.move_entry, lambda act: (act[0], "down")),
    (lists.remove_entry, lambda act: (act[0],)),
])
def test_only_the_owner_changes_a_list_and_admins_may_read_it(staffed, change, args):
    library, users, act, _gesetz = staffed
    saved = lists.save_list(library, users["editor1"], "private", act)
    args = args(act)
    with pytest.raises(lists.ListNotFound):
        lists.load_list(library, users["editor2"], saved.id)
    with pytest.raises(lists.ListNotFound):
        change(library, users["editor2"], saved.id, *args)
    assert [e.citation.provision_id for e in lists.load_list(library, users["admin1"], saved.id).entries] == act
    with pytest.raises(lists.NotYourList):
        change(library, users["admin1"], saved.id, *args)
    with pytest.raises(lists.NotYourList):
        lists.all_lists(library, users["editor2"])
    assert [s.owner_name for s in lists.all_lists(library, users["admin1"])] == ["editor1"]
    assert lists.user_lists(library, users["editor2"]) == []
    assert [e.citation.provision_id for e in lists.load_list(library, users["editor1"], saved.id).entries] == act


@pytest.mark.parametrize("name, provisions, message", [
    ("", None, "needs a name"),
    ("x" * 201, None, "at most 200 characters"),
    ("ok", [999999], "no provision 999999"),
])
def test_bad_names_and_unknown_provisions_are_refused(staffed, name, provisions, message):
    library, users, act, _gesetz = staffed
    with pytest.raises(lists.CitationListError, match=message):
        lists.save_list(library, users["editor1"], name, provisions or act)
    assert lists.user_lists(library, users["editor1"]) == []


def test_every_change_is_audited(staffed):
    library, users, act, gesetz = staffed
    me = users["editor1"]
    saved = lists.save_list(library, me, "audited", act)
    lists.save_list(library, me, "audited", act[:1])
    lists.add_entries(library, me, saved.id, gesetz)
    lists.annotate_entry(library, me, saved.id, gesetz[0], "n")
    lists.move_entry(library, me, saved.id, gesetz[0], "up")
    lists.remove_entry(library, me, saved.id, gesetz[0])
    lists.rename_list(library, me, saved.id, "renamed")
    lists.delete_list(library, me, saved.id)
    events = [e for e in reversed(audit_log(library, user="editor1").events) if e.target_type == "citation_list"]
    assert [e.action for e in events] == ["citation-list-save", "citation-list-save", "citation-list-edit",
                                          "citation-list-edit", "citation-list-edit", "citation-list-edit",
                                          "citation-list-rename", "citation-list-delete"]
    assert {e.target_id for e in events} == {str(saved.id)}
    assert events[1].details == {"name": "audited", "entries": 1, "replaced": True}
    assert events[2].details["added"] == gesetz and events[5].details["removed"] == gesetz[0]
    assert events[6].details["name"] == ["audited", "renamed"]


# -- the staff pages ---------------------------------------------------------------------------

@pytest.fixture
def web(staffed):
    library, users, act, gesetz = staffed
    app = make_app(library.settings)
    yield app, act, gesetz
    app.extensions["lexrepo"].close()


def signed_in(app, name: str):
    client = app.test_client()
    answer = client.post("/login", data={"name": name, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def pinpoints(html: str) -> list[str]:
    return re.findall(r'<p class="pinpoint">(.*?)</p>', html)


def save_working_list(client, ids, name) -> int:
    client.post("/citations/add", data={"provision_id": ids})
    answer = client.post("/staff/citations", data={"name": name})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(re.fullmatch(r"/staff/citations/(\d+)", urlsplit(answer.headers["Location"]).path).group(1))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_save_open_edit_export_and_load_a_list(web):
    app, act, gesetz = web
    client = signed_in(app, "editor1")
    assert 'action="/staff/citations"' not in client.get("/citations").get_data(as_text=True)  # nothing to save
    list_id = save_working_list(client, [act[0], act[1], gesetz[0]], "Memo <1>")
    page = client.get("/citations").get_data(as_text=True)
    assert "Memo &lt;1&gt;" in page and f'href="/staff/citations/{list_id}"' in page
    assert 'name="csrf_token"' in page and "Save this list as…" in page

    html = client.get(f"/staff/citations/{list_id}").get_data(as_text=True)
    assert "<title>Memo &lt;1&gt; — saved citation list (3)" in html
    assert len(pinpoints(html)) == 3 and "Section 1" in pinpoints(html)[0]
    base = f"/staff/citations/{list_id}/entries"
    assert client.post(f"{base}/{gesetz[0]}/move", data={"direction": "up"}).status_code == 302
    client.post(f"{base}/{act[0]}/note", data={"note": "<script>alert(1)</script> & s. 2"})
    client.post(f"{base}/{act[1]}/remove")
    html = client.get(f"/staff/citations/{list_id}").get_data(as_text=True)
    assert ["Section 1" in p for p in pinpoints(html)] == [True, False]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; s. 2" in html and "<script>alert(1)" not in html

    exported = json.loads(client.get(f"/staff/citations/{list_id}/export.json").data)
    assert [c["provision_id"] for c in exported["citations"]] == [act[0], gesetz[0]]
    assert exported["citations"][0]["note"] == "<script>alert(1)</script> & s. 2"
    rows = list(csv.DictReader(io.StringIO(client.get(f"/staff/citations/{list_id}/export.csv").get_data(as_text=True))))
    assert [r["note"] for r in rows] == ["<script>alert(1)</script> & s. 2", ""] and "§ 1" in rows[1]["citation"]
    ris = client.get(f"/staff/citations/{list_id}/export.ris")
    assert ris.headers["Content-Disposition"] == 'attachment; filename="Memo_1.ris"'
    assert [r["section"] for r in rispy.loads(ris.get_data(as_text=True))] == ["Section 1", "§ 1"]
    assert client.get(f"/staff/citations/{list_id}/export.pdf").status_code == 404

    client.post("/citations/clear")
    assert client.post(f"/staff/citations/{list_id}/load").headers["Location"] == "/citations"
    assert session_ids(client) == [act[0], gesetz[0]]
    working = client.get("/citations").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in working

    client.post(f"/staff/citations/{list_id}/rename", data={"name": "Final"})
    assert "Final" in client.get("/staff/citations").get_data(as_text=True)
    client.post(f"/staff/citations/{list_id}/delete")
    assert client.get(f"/staff/citations/{list_id}").status_code == 404
    assert "You have no saved lists yet." in client.get("/citations").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_other_editors_cannot_open_or_change_my_list_and_admins_only_read(web):
    app, act, _gesetz = web
    mine = save_working_list(signed_in(app, "editor1"), act, "mine")
    other = signed_in(app, "editor2")
    for url in (f"/staff/citations/{mine}", f"/staff/citations/{mine}/export.json"):
        assert other.get(url).status_code == 404
    for url, data in ((f"/staff/citations/{mine}/rename", {"name": "taken"}), (f"/staff/citations/{mine}/delete", {}),
                      (f"/staff/citations/{mine}/load", {}),
                      (f"/staff/citations/{mine}/entries/{act[0]}/note", {"note": "x"}),
                      (f"/staff/citations/{mine}/entries/{act[0]}/remove", {})):
        assert other.post(url, data=data).status_code == 404
    assert "mine" not in other.get("/citations").get_data(as_text=True)

    admin = signed_in(app, "admin1")
    page = admin.get(f"/staff/citations/{mine}")
    assert page.status_code == 200 and len(pinpoints(page.get_data(as_text=True))) == len(act)
    assert "/entries/" not in page.get_data(as_text=True)  # read-only: no forms to change it
    assert admin.post(f"/staff/citations/{mine}/delete").status_code == 403
    assert f'href="/staff/citations/{mine}"' in admin.get("/staff/citations").get_data(as_text=True)
    assert len(pinpoints(signed_in(app, "editor1").get(f"/staff/citations/{mine}").get_data(as_text=True))) == len(act)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_anonymous_visitors_are_sent_to_sign_in(web):
    app, act, _gesetz = web
    client = app.test_client()
    for url in ("/staff/citations", "/staff/citations/1", "/staff/citations/1/export.csv"):
        answer = client.get(url)
        assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/login"
    assert client.post("/staff/citations", data={"name": "x"}).status_code == 401
    client.post("/citations/add", data={"provision_id": act[0]})
    assert "Save this list as" not in client.get("/citations").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_saving_needs_the_csrf_token(staffed):
    library, _users, act, _gesetz = staffed
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library.settings, "SECRET_KEY": "test"})
    try:
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"name": "editor1", "password": PASSWORD, "csrf_token": token})
        page = client.get("/staff/citations").get_data(as_text=True)  # the sign-out form has a token
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/citations/add", data={"provision_id": act[0], "csrf_token": token})
        assert client.post("/staff/citations", data={"name": "forged"}).status_code == 400
        assert lists.user_lists(library, _users["editor1"]) == []
        assert client.post("/staff/citations", data={"name": "real", "csrf_token": token}).status_code == 302
        assert [s.name for s in lists.user_lists(library, _users["editor1"])] == ["real"]
    finally:
        app.extensions["lexrepo"].close()


# -- the JSON API ------------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_api_saves_reads_and_deletes_lists_by_token(staffed):
    from openapi_spec_validator import validate

    from repository.accounts import issue_token
    from tests.test_api import conforms

    library, users, act, gesetz = staffed
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library.settings, "SECRET_KEY": "t"})
    try:
        client = app.test_client()
        spec = client.get("/api/v1/openapi.json").get_json()
        validate(spec)
        token = {name: {"Authorization": f"Bearer {issue_token(library, name)}"} for name in users}
        body = {"name": "API memo", "provision_ids": [gesetz[0], act[0]], "notes": {str(act[0]): "<i>why</i>"}}
        assert client.post("/api/v1/citation-lists", json=body).status_code == 401
        created = client.post("/api/v1/citation-lists", json=body, headers=token["editor1"])
        assert created.status_code == 201
        saved = conforms(spec, "/citation-lists", "post", created)
        assert created.headers["Location"] == saved["url"]
        assert [(e["provision_id"], e["note"]) for e in saved["entries"]] == [(gesetz[0], ""), (act[0], "<i>why</i>")]
        assert "§ 1" in saved["entries"][0]["pinpoint"] and saved["owner"] == "editor1"
        # The same list as the web pages and the domain see it.
        assert [s.name for s in lists.user_lists(library, users["editor1"])] == ["API memo"]

        mine = conforms(spec, "/citation-lists", "get", client.get("/api/v1/citation-lists", headers=token["editor1"]))
        assert [(s["id"], s["size"]) for s in mine["results"]] == [(saved["id"], 2)]
        url = f"/api/v1/citation-lists/{saved['id']}"
        assert conforms(spec, "/citation-lists/{list_id}", "get", client.get(url, headers=token["editor1"])) == saved
        assert conforms(spec, "/citation-lists/{list_id}", "get", client.get(url, headers=token["editor2"]))["error"]["status"] == 404
        assert client.get(url, headers=token["admin1"]).get_json()["entries"] == saved["entries"]
        assert client.delete(url, headers=token["admin1"]).status_code == 403
        assert client.delete(url, headers=token["editor2"]).status_code == 404
        bad = client.post("/api/v1/citation-lists", json={"name": " ", "provision_ids": []}, headers=token["editor1"])
        assert conforms(spec, "/citation-lists", "post", bad)["error"]["message"] == "a list needs a name"
        unknown = client.post("/api/v1/citation-lists", json={"name": "x", "provision_ids": [999999]},
                              headers=token["editor1"])
        assert unknown.status_code == 400 and "999999" in unknown.get_json()["error"]["message"]
        assert client.delete(url, headers=token["editor1"]).status_code == 204
        assert client.get(url, headers=token["editor1"]).status_code == 404
        assert [e.action for e in audit_log(library, user="editor1").events][:2] == ["citation-list-delete",
                                                                                       "citation-list-save"]
    finally:
        app.extensions["lexrepo"].close()
