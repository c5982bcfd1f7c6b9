"""The staff web area through the Flask test client: role boundaries, CSRF, sign-in, upload
validation, the job -> review -> public article page workflow, versions, repeal and the audit log.

Uploads are real laws from ../shared/corpus-real, read at test time."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pytest
from bs4 import BeautifulSoup

from repository.accounts import create_user
from repository.config import load_settings
from repository.editing import document_fields
from repository.jobs import Worker
from repository.library import Library
from repository.review import review_queue
from repository.uploads import get_job, submit_upload
from tests.conftest import CORPUS_REAL
from web import create_app

PASSWORD = "correct horse battery"
US_BRIBERY = CORPUS_REAL / "laws" / "usa" / "18usc_201_bribery_of_public_officials.md"
DE_BRIBERY = CORPUS_REAL / "laws" / "deu" / "intbestg.md"
US_MONEY_LAUNDERING = CORPUS_REAL / "laws" / "usa" / "18usc_1956_1957_money_laundering.md"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.corpus


def make_app(settings, **config):
    return create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "test",
                       "WTF_CSRF_ENABLED": False, **config})


@pytest.fixture
def app(library, corpus_real):
    """The app over the `library` fixture's database (SQLite and PostgreSQL), with an admin and an editor."""
    app = make_app(library.settings)
    create_user(library, "admin1", PASSWORD, "admin")
    create_user(library, "editor1", PASSWORD, "editor")
    yield app
    app.extensions["lexrepo"].close()


@pytest.fixture
def sqlite_settings(tmp_path, corpus_real):
    settings = load_settings(environ={}, data_dir=str(tmp_path / "data"))
    with Library(settings) as library:
        library.init()
        create_user(library, "admin1", PASSWORD, "admin")
        create_user(library, "editor1", PASSWORD, "editor")
    return settings


@pytest.fixture
def sqlite_app(sqlite_settings):
    app = make_app(sqlite_settings)
    yield app
    app.extensions["lexrepo"].close()


def lib(app) -> Library:
    return app.extensions["lexrepo"]


def sign_in(client, name: str, password: str = PASSWORD):
    response = client.post("/login", data={"name": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def text_of(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)


def upload(client, path, name: str | None = None, **metadata):
    data = {"files": [(io.BytesIO(path.read_bytes()), name or path.name)], "action": "upload", **metadata}
    return client.post("/staff/upload", data=data, content_type="multipart/form-data")


def process_jobs(app) -> int:
    return Worker(lib(app)).run(once=True)


# -- role boundaries ----------------------------------------------------------------------------

@pytest.fixture
def staffed(sqlite_app):
    """An app holding one indexed document (from a real upload) and one queued job."""
    library = lib(sqlite_app)
    indexed = submit_upload(library, DE_BRIBERY.name, DE_BRIBERY.read_bytes(), {"country": "DEU", "type": "act"})
    Worker(library).run(once=True)
    queued = submit_upload(library, US_BRIBERY.name, US_BRIBERY.read_bytes(), {"country": "USA"})
    document_id = get_job(library, indexed.id).document_id
    return sqlite_app, document_id, queued.id


# (method, path, lowest role, status for that role). {doc} and {job} are filled in;
# deleting uses a document that does not exist so that the table leaves the data alone.
ROUTES = [
    ("GET", "/staff/", "editor", 200),
    ("GET", "/staff/upload", "editor", 200),
    ("POST", "/staff/upload", "editor", 400),
    ("GET", "/staff/jobs", "editor", 200),
    ("GET", "/staff/jobs?state=queued", "editor", 200),
    ("GET", "/staff/jobs/{job}", "editor", 200),
    ("POST", "/staff/jobs/{job}/retry", "editor", 302),
    ("GET", "/staff/jobs/{job}/original", "editor", 200),
    ("GET", "/staff/review", "editor", 200),
    ("POST", "/staff/review/confirm", "editor", 302),
    ("POST", "/staff/review/reject", "editor", 302),
    ("POST", "/staff/review/add", "editor", 302),
    ("POST", "/staff/review/confirm-all", "editor", 302),
    ("GET", "/staff/documents/go?id={doc}", "editor", 302),
    ("GET", "/staff/documents/{doc}/edit", "editor", 200),
    ("POST", "/staff/documents/{doc}/edit", "editor", 302),
    ("GET", "/staff/documents/{doc}/amend", "editor", 200),
    ("POST", "/staff/documents/{doc}/amend", "editor", 400),
    ("POST", "/staff/documents/{doc}/repeal", "editor", 302),
    ("GET", "/staff/documents/{doc}/delete", "admin", 200),
    ("POST", "/staff/documents/999999/delete", "admin", 404),
    ("GET", "/staff/users", "admin", 200),
    ("POST", "/staff/users", "admin", 400),
    ("POST", "/staff/users/editor1/active", "admin", 302),
    ("GET", "/staff/audit", "admin", 200),
    ("GET", "/staff/audit.csv", "admin", 200),
    ("GET", "/staff/audit.jsonl", "admin", 200),
    # Saved citation lists ({list} is a list that does not exist; 777777 a provision).
    ("GET", "/staff/citations", "editor", 200),
    ("POST", "/staff/citations", "editor", 302),
    ("GET", "/staff/citations/{list}", "editor", 404),
    ("POST", "/staff/citations/{list}/load", "editor", 404),
    ("POST", "/staff/citations/{list}/rename", "editor", 404),
    ("POST", "/staff/citations/{list}/delete", "editor", 404),
    ("POST", "/staff/citations/{list}/entries/777777/note", "editor", 404),
    ("POST", "/staff/citations/{list}/entries/777777/move", "editor", 400),
    ("POST", "/staff/citations/{list}/entries/777777/remove", "editor", 404),
    ("GET", "/staff/citations/{list}/export.<fmt>", "editor", 404),
]


def test_every_staff_rule_is_in_the_role_table(sqlite_app):
    tested = {re.sub(r"\?.*", "", path).replace("{doc}", "<int:document_id>").replace("{job}", "<int:job_id>")
              .replace("999999", "<int:document_id>").replace("editor1", "<name>")
              .replace("{list}", "<int:list_id>").replace("777777", "<int:provision_id>") for _m, path, _r, _s in ROUTES}
    rules = {str(rule) for rule in sqlite_app.url_map.iter_rules() if rule.endpoint.startswith("staff.")}
    assert rules - tested == {"/login", "/logout"}


@pytest.mark.parametrize("method, path, role, status", ROUTES, ids=[f"{m} {p}" for m, p, _r, _s in ROUTES])
def test_role_boundaries(staffed, method, path, role, status):
    app, document_id, job_id = staffed
    url = path.format(doc=document_id, job=job_id, list=888888).replace("<fmt>", "csv")
    anonymous = app.test_client().open(url, method=method)
    if method == "GET":
        assert anonymous.status_code == 302
        assert anonymous.headers["Location"].startswith("/login?next=")
    else:
        assert anonymous.status_code == 401
    editor = app.test_client()
    sign_in(editor, "editor1")
    admin = app.test_client()
    sign_in(admin, "admin1")
    if role == "admin":
        assert editor.open(url, method=method).status_code == 403
        assert admin.open(url, method=method).status_code == status
    else:
        assert editor.open(url, method=method).status_code == status
        assert admin.open(url, method=method).status_code not in (401, 403)


def test_the_public_reads_without_an_account_and_sees_a_sign_in_link(staffed):
    app, document_id, _job = staffed
    client = app.test_client()
    page = client.get(f"/documents/{document_id}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.find("a", href="/login").get_text() == "Sign in"
    assert soup.find("a", href=f"/staff/documents/{document_id}/edit") is None
    sign_in(client, "editor1")
    soup = BeautifulSoup(client.get(f"/documents/{document_id}").get_data(as_text=True), "html.parser")
    assert soup.find("a", href="/staff/").get_text() == "Staff"
    assert soup.find("a", href=f"/staff/documents/{document_id}/edit") is not None


def test_a_deactivated_account_loses_its_session(sqlite_app):
    editor = sqlite_app.test_client()
    sign_in(editor, "editor1")
    assert editor.get("/staff/").status_code == 200
    admin = sqlite_app.test_client()
    sign_in(admin, "admin1")
    assert admin.post("/staff/users/editor1/active", data={"active": "0"}).status_code == 302
    assert editor.get("/staff/").status_code == 302
    refused = editor.post("/login", data={"name": "editor1", "password": PASSWORD})
    assert refused.status_code == 200 and "Wrong name or password." in text_of(refused)


def test_admins_create_accounts_in_the_web_ui(sqlite_app):
    admin = sqlite_app.test_client()
    sign_in(admin, "admin1")
    weak = admin.post("/staff/users", data={"name": "carol", "password": "short", "role": "editor"})
    assert weak.status_code == 400 and "at least 10 characters" in text_of(weak)
    created = admin.post("/staff/users", data={"name": "carol", "password": PASSWORD, "role": "editor"},
                         follow_redirects=True)
    assert "Created editor carol." in text_of(created)
    carol = sqlite_app.test_client()
    sign_in(carol, "carol")
    assert carol.get("/staff/review").status_code == 200
    assert carol.get("/staff/users").status_code == 403
    assert admin.post("/staff/users/admin1/active", data={"active": "0"}, follow_redirects=True).status_code == 200
    assert admin.get("/staff/users").status_code == 200  # cannot lock oneself out


# -- sign-in, session and CSRF --------------------------------------------------------------------

def csrf_token_of(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").find("input", {"name": "csrf_token"})["value"]


@pytest.fixture
def csrf_app(sqlite_settings):
    app = make_app(sqlite_settings, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["lexrepo"].close()


def test_sign_in_without_or_with_a_forged_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_of(client.get("/login"))
    missing = client.post("/login", data={"name": "admin1", "password": PASSWORD})
    assert missing.status_code == 400 and "security token" in text_of(missing)
    forged = client.post("/login", data={"name": "admin1", "password": PASSWORD, "csrf_token": token[:-4] + "AAAA"})
    assert forged.status_code == 400
    assert client.get("/staff/").status_code == 302  # still signed out
    signed_in = client.post("/login", data={"name": "admin1", "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302 and client.get("/staff/").status_code == 200


def test_state_changing_staff_requests_need_the_session_csrf_token(csrf_app):
    client = csrf_app.test_client()
    client.post("/login", data={"name": "admin1", "password": PASSWORD,
                                "csrf_token": csrf_token_of(client.get("/login"))})
    other = csrf_app.test_client()  # another visitor's valid token is a forgery here
    foreign = csrf_token_of(other.get("/login"))
    own = csrf_token_of(client.get("/staff/users"))
    account = {"name": "mallory", "password": PASSWORD, "role": "admin"}
    for data in (account, {**account, "csrf_token": foreign}, {**account, "csrf_token": "x" * 40}):
        refused = client.post("/staff/users", data=data)
        assert refused.status_code == 400, data
    assert "mallory" not in text_of(client.get("/staff/users"))
    assert client.post("/logout").status_code == 400  # sign-out is a POST with a token too
    assert client.post("/staff/users", data={**account, "csrf_token": own}).status_code == 302
    assert "mallory" in text_of(client.get("/staff/users"))
    assert client.post("/logout", data={"csrf_token": own}).status_code == 302
    assert client.get("/staff/").status_code == 302


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_sign_in_renews_the_session(sqlite_app):
    client = sqlite_app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "before sign-in"
    before = session_cookie(client)
    assert before
    sign_in(client, "editor1")
    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session  # nothing from before sign-in survives it
    stale = sqlite_app.test_client()
    stale.set_cookie("session", before)
    assert stale.get("/staff/").status_code == 302
    fresh = sqlite_app.test_client()
    fresh.set_cookie("session", after)
    assert fresh.get("/staff/").status_code == 200


def test_sign_in_goes_to_next_only_when_it_is_a_local_path(sqlite_app):
    client = sqlite_app.test_client()
    redirect = client.get("/staff/review?country=DEU")
    assert redirect.headers["Location"] == "/login?next=/staff/review?country%3DDEU"
    landed = client.post("/login", data={"name": "editor1", "password": PASSWORD, "next": "/staff/review?country=DEU"})
    assert landed.headers["Location"] == "/staff/review?country=DEU"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        other = sqlite_app.test_client()
        response = other.post("/login", data={"name": "editor1", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/staff/", target


def test_wrong_password_and_lockout(sqlite_settings):
    settings = dataclasses.replace(sqlite_settings, sign_in_max_failures=3, sign_in_lockout_seconds=120)
    app = make_app(settings)
    client = app.test_client()
    for _ in range(3):
        wrong = client.post("/login", data={"name": "editor1", "password": "not the password"})
        assert wrong.status_code == 200 and "Wrong name or password." in text_of(wrong)
    locked = client.post("/login", data={"name": "editor1", "password": PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 120
    assert "Too many failed sign-ins; try again in" in text_of(locked)
    assert client.get("/staff/").status_code == 302
    unknown = client.post("/login", data={"name": "nobody", "password": PASSWORD})
    assert unknown.status_code == 200 and "Wrong name or password." in text_of(unknown)
    app.extensions["lexrepo"].close()


@pytest.mark.parametrize("secure", [False, True])
def test_session_cookie_flags(sqlite_settings, secure):
    app = make_app(sqlite_settings, SESSION_COOKIE_SECURE=secure)
    client = app.test_client()
    response = client.post("/login", data={"name": "editor1", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and flags["samesite"] == "SameSite=Lax"
    assert ("secure" in flags) == secure
    assert app.config["REMEMBER_COOKIE_SECURE"] == secure and app.config["REMEMBER_COOKIE_HTTPONLY"]
    app.extensions["lexrepo"].close()


# -- upload validation through the web form ------------------------------------------------------

def test_upload_refuses_a_wrong_type_with_its_reason(sqlite_app):
    client = sqlite_app.test_client()
    sign_in(client, "editor1")
    refused = client.post("/staff/upload", data={"files": [(io.BytesIO(PNG), "scan.pdf")], "action": "upload"},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "scan.pdf: not a PDF" in text_of(refused)
    mismatch = client.post("/staff/upload", data={"files": [(io.BytesIO(b"%PDF-1.4\n%..."), "law.md")]},
                           content_type="multipart/form-data")
    assert mismatch.status_code == 400 and "the content is a PDF but the name ends .md" in text_of(mismatch)
    bad_meta = upload(client, DE_BRIBERY, country="XXX")
    assert bad_meta.status_code == 400 and "unknown country 'XXX'" in text_of(bad_meta)
    assert "No jobs." in text_of(client.get("/staff/jobs"))


def test_upload_over_the_request_limit_answers_413(sqlite_settings):
    app = make_app(sqlite_settings, MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    sign_in(client, "editor1")
    too_big = upload(client, US_BRIBERY)  # 6.6 kB
    assert too_big.status_code == 413 and "Upload too large" in text_of(too_big)
    assert "No jobs." in text_of(client.get("/staff/jobs"))
    app.extensions["lexrepo"].close()


def test_upload_over_max_file_bytes_is_refused_and_a_batch_keeps_the_good_files(sqlite_settings):
    app = make_app(dataclasses.replace(sqlite_settings, max_file_bytes=5000))
    client = app.test_client()
    sign_in(client, "editor1")
    both = client.post("/staff/upload", data={"files": [
        (io.BytesIO(US_BRIBERY.read_bytes()), US_BRIBERY.name), (io.BytesIO(DE_BRIBERY.read_bytes()), DE_BRIBERY.name),
    ], "country": "", "action": "upload"}, content_type="multipart/form-data", follow_redirects=True)
    page = text_of(both)
    assert f"Refused {US_BRIBERY.name}: too large: {US_BRIBERY.stat().st_size} bytes (limit 5000)" in page
    assert "1 file(s) queued." in page and DE_BRIBERY.name in page
    app.extensions["lexrepo"].close()


def test_path_traversal_names_are_escaped_metadata_and_never_paths(sqlite_app, tmp_path):
    client = sqlite_app.test_client()
    sign_in(client, "editor1")
    evil = "../../../<script>alert(1)</script>.md"
    queued = upload(client, DE_BRIBERY, name=evil, country="DEU")
    assert queued.status_code == 302
    jobs = client.get(queued.headers["Location"])
    html = jobs.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "../../../&lt;script&gt;alert(1)&lt;/script&gt;.md" in html
    job_link = BeautifulSoup(html, "html.parser").select_one("table.jobs a[href^='/staff/jobs/']")["href"]
    detail = client.get(job_link).get_data(as_text=True)
    assert "<script>alert" not in detail
    stored = BeautifulSoup(detail, "html.parser").select_one(".job-details code").get_text()
    assert stored == "script_.md"
    original = client.get(job_link + "/original")
    assert original.headers["Content-Disposition"] == 'attachment; filename="script_.md"'
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in original.headers["Content-Security-Policy"]
    assert original.data == DE_BRIBERY.read_bytes()
    data_dir = lib(sqlite_app).settings.data_dir
    written = [p for p in tmp_path.rglob("*") if "script" in p.name or "alert" in p.name]
    assert written == []
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in (data_dir / "blobs").rglob("*") if p.is_file())


def test_check_metadata_prefills_the_form_from_the_file(sqlite_app):
    client = sqlite_app.test_client()
    sign_in(client, "editor1")
    checked = client.post("/staff/upload", data={
        "files": [(io.BytesIO(US_BRIBERY.read_bytes()), US_BRIBERY.name)], "action": "check", "country": "USA",
    }, content_type="multipart/form-data")
    assert checked.status_code == 200
    soup = BeautifulSoup(checked.get_data(as_text=True), "html.parser")
    assert "Select the file again" in soup.get_text()
    assert soup.find("input", {"name": "language"})["value"] == "en"
    assert soup.find("input", {"name": "title"})["value"]
    assert soup.find("select", {"name": "country"}).find("option", selected=True)["value"] == "USA"
    assert "No jobs." in text_of(client.get("/staff/jobs"))  # nothing was stored


# -- the workflow: upload -> job -> review -> public article page; versions, repeal, audit --------

def article_statuses(client, article: int, document_id: int) -> dict[str, str]:
    """anchor -> tag status of the document's provisions listed on the public article page."""
    soup = BeautifulSoup(client.get(f"/articles/{article}").get_data(as_text=True), "html.parser")
    found = {}
    for item in soup.select("ul.implementations > li"):
        href = item.find("a")["href"]
        if href.startswith(f"/documents/{document_id}#"):
            found[href.split("#", 1)[1]] = item.select_one(".tag-status").get_text(strip=True)
    return found


def test_upload_job_review_and_the_public_article_page(app):
    client = app.test_client()
    sign_in(client, "editor1")
    form = client.get("/staff/upload")
    soup = BeautifulSoup(form.get_data(as_text=True), "html.parser")
    assert soup.find("input", {"type": "file", "name": "files"}).has_attr("multiple")
    assert all(soup.find("label", {"for": control["id"]}) for control in soup.select("form.staff-form [id]")
               if control.name in ("input", "select", "textarea"))
    batch = [US_BRIBERY, US_MONEY_LAUNDERING]
    submitted = client.post("/staff/upload", data={
        "files": [(io.BytesIO(path.read_bytes()), path.name) for path in batch], "country": "USA", "type": "code",
        "action": "upload"}, content_type="multipart/form-data")
    assert submitted.status_code == 302 and "/staff/jobs?batch=" in submitted.headers["Location"]
    batch_url = submitted.headers["Location"]
    batch_page = BeautifulSoup(client.get(batch_url).get_data(as_text=True), "html.parser")
    assert batch_page.find("progress")["value"] == "0" and batch_page.find("progress")["max"] == "2"
    job_urls = {row.select("td")[1].get_text(): row.find("a")["href"] for row in batch_page.select("table.jobs tbody tr")}
    assert set(job_urls) == {path.name for path in batch}
    job_url = job_urls[US_BRIBERY.name]
    assert "queued" in text_of(client.get(job_url))

    assert process_jobs(app) == 2
    assert "2 of 2 finished: 2 indexed, 0 failed" in text_of(client.get(batch_url))
    job_page = BeautifulSoup(client.get(job_url).get_data(as_text=True), "html.parser")
    assert job_page.find("h1").get_text(" ", strip=True).endswith("indexed")
    document_link = job_page.select_one(".job-details a[href^='/documents/']")["href"]
    document_id = int(re.match(r"/documents/(\d+)", document_link).group(1))
    document = client.get(f"/documents/{document_id}")
    assert document.status_code == 200 and "Bribery of public officials" in text_of(document)
    assert document_fields(lib(app), document_id)["country_code"] == "USA"

    queue = review_queue(lib(app), country="USA", limit=200)
    assert queue.total >= 4, "two US statutes on bribery and laundering should get several suggestions"
    review = client.get("/staff/review?country=USA")
    rows = BeautifulSoup(review.get_data(as_text=True), "html.parser").select("li.review-item")
    assert [int(row["id"].split("-")[1]) for row in rows] == [item.tag_id for item in queue.items][:25]
    first, second, third = queue.items[:3]
    here = "/staff/review?country=USA"

    confirmed = client.post("/staff/review/confirm", data={"tag_id": first.tag_id, "back": here})
    assert confirmed.headers["Location"] == here
    assert article_statuses(client, first.article, first.document_id).get(first.anchor) == "confirmed"
    rejected = client.post("/staff/review/reject", data={"tag_id": second.tag_id, "back": "https://evil.example/"})
    assert rejected.headers["Location"] == "/staff/review"
    assert second.tag_id not in {i.tag_id for i in review_queue(lib(app), country="USA", limit=200).items}
    added = client.post("/staff/review/add", data={"provision_id": third.provision_id, "article": "36",
                                                   "paragraph": "", "back": here})
    assert added.status_code == 302
    assert article_statuses(client, 36, third.document_id).get(third.anchor) == "confirmed"
    remaining = review_queue(lib(app), country="USA", limit=200).items
    picked = [item.tag_id for item in remaining[:2]]
    bulk = client.post("/staff/review/confirm", data={"tag_id": picked, "back": here}, follow_redirects=True)
    assert "Confirmed 2 tag(s)." in text_of(bulk)
    assert review_queue(lib(app), country="USA").total == len(remaining) - 2
    for item in remaining[:2]:
        assert article_statuses(client, item.article, item.document_id).get(item.anchor) == "confirmed"
    article = first.article
    by_article = BeautifulSoup(client.get(f"/staff/review?article={article}").get_data(as_text=True), "html.parser")
    assert all(f"Article {article}" in i.get_text() for i in by_article.select("li.review-item .suggestion"))

    # An amendment: version 2, version 1 still at its own URL.
    amended_text = US_BRIBERY.read_text(encoding="utf-8") + "\n\n###### (j) Amendment\n\nThis subsection was added by an amendment.\n"
    amend = client.post(f"/staff/documents/{document_id}/amend", data={
        "file": (io.BytesIO(amended_text.encode()), "18usc_201_amended.md"), "year": "2024",
    }, content_type="multipart/form-data")
    assert amend.status_code == 302
    assert process_jobs(app) == 1
    assert "version 2" in text_of(client.get(amend.headers["Location"]))
    version_1 = client.get(f"/documents/{document_id}/versions/1")
    version_2 = client.get(f"/documents/{document_id}/versions/2")
    assert version_1.status_code == version_2.status_code == 200
    assert "This subsection was added by an amendment." in text_of(version_2)
    assert "This subsection was added by an amendment." not in text_of(version_1)

    # Edit metadata, then repeal through the edit form.
    edited = client.post(f"/staff/documents/{document_id}/edit", data={
        **{k: v or "" for k, v in document_fields(lib(app), document_id).items() if k in (
            "title", "short_title", "country_code", "doc_type", "language", "year", "date_adopted", "status",
            "official_url", "provenance")},
        "short_title": "18 U.S.C. 201",
    }, follow_redirects=True)
    assert "Saved: short_title." in text_of(edited)
    bad = client.post(f"/staff/documents/{document_id}/edit", data={"language": "English"})
    assert bad.status_code == 400 and "language must be ISO 639-1" in text_of(bad)
    repealed = client.post(f"/staff/documents/{document_id}/edit", data={"status": "repealed"}, follow_redirects=True)
    assert "Saved: status." in text_of(repealed)
    assert "repealed" in text_of(client.get(f"/documents/{document_id}"))

    # The audit log: admins only, every action above, exportable.
    assert client.get("/staff/audit").status_code == 403
    admin = app.test_client()
    sign_in(admin, "admin1")
    audit = text_of(admin.get("/staff/audit"))
    for action in ("upload", "amend", "tag-confirm", "tag-reject", "tag-add", "edit-metadata", "repeal"):
        assert f" {action} " in audit, action
    only_confirms = BeautifulSoup(admin.get("/staff/audit?action=tag-confirm&user=editor1").get_data(as_text=True),
                                  "html.parser").select("table.audit tbody tr")
    assert len(only_confirms) == 3
    exported = list(csv.DictReader(io.StringIO(admin.get("/staff/audit.csv").get_data(as_text=True))))
    actions = [row["action"] for row in exported]
    assert actions.count("tag-confirm") == 3 and actions.count("upload") == 3 and "repeal" in actions
    assert all(row["user"] == "editor1" for row in exported if row["action"] != "user-add")
    assert json.loads(next(r for r in exported if r["action"] == "tag-add")["details"])["article"] == 36
    lines = admin.get("/staff/audit.jsonl?action=repeal").get_data(as_text=True).splitlines()
    assert [json.loads(line)["target_id"] for line in lines] == [str(document_id)]

    # Deletion: admins only, after a confirmation page.
    assert client.post(f"/staff/documents/{document_id}/delete").status_code == 403
    confirm_page = admin.get(f"/staff/documents/{document_id}/delete")
    assert "Delete document" in text_of(confirm_page)
    assert admin.post(f"/staff/documents/{document_id}/delete").status_code == 302
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert " delete " in text_of(admin.get("/staff/audit?action=delete"))


def test_failed_job_shows_its_reason_and_can_be_retried(sqlite_app):
    client = sqlite_app.test_client()
    sign_in(client, "editor1")
    # Real law text under a document id that does not exist when the worker runs.
    library = lib(sqlite_app)
    target = submit_upload(library, DE_BRIBERY.name, DE_BRIBERY.read_bytes(), {"country": "DEU"})
    Worker(library).run(once=True)
    document_id = get_job(library, target.id).document_id
    amend = client.post(f"/staff/documents/{document_id}/amend", data={
        "file": (io.BytesIO(US_BRIBERY.read_bytes()), US_BRIBERY.name)}, content_type="multipart/form-data")
    job_url = amend.headers["Location"]
    admin = sqlite_app.test_client()
    sign_in(admin, "admin1")
    admin.post(f"/staff/documents/{document_id}/delete")
    Worker(library).run(once=True)
    page = client.get(job_url)
    assert f"Failed: document {document_id} to amend no longer exists" in text_of(page)
    retried = client.post(job_url + "/retry", follow_redirects=True)
    assert "queued again" in text_of(retried)
    assert BeautifulSoup(retried.get_data(as_text=True), "html.parser").find("h1").get_text(" ", strip=True).endswith("queued")
    again = client.post(job_url + "/retry", follow_redirects=True)
    assert "only failed jobs can be retried" in text_of(again)


def test_dashboard_counts(staffed):
    app, _document_id, _job = staffed
    client = app.test_client()
    sign_in(client, "editor1")
    page = text_of(client.get("/staff/"))
    assert "indexed : 1" in page and "queued : 1" in page
    total = review_queue(lib(app), limit=0).total
    assert f"{total} suggested tags wait for a decision" in page


def test_document_fields_and_the_review_queue_by_document(staffed):
    app, document_id, _job = staffed
    fields = document_fields(lib(app), document_id)
    assert fields["country_code"] == "DEU" and fields["doc_type"] == "act" and fields["versions"][0][0] == 1
    assert document_fields(lib(app), 999999) is None
    mine = review_queue(lib(app), document=document_id)
    assert mine.total == review_queue(lib(app)).total  # the only document
    assert review_queue(lib(app), document=999999).total == 0


def _processes_mentioning(text: str) -> list[int]:
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_serve_with_worker_processes_uploads_and_stops_its_worker(tmp_path, corpus_real):
    """`lexrepo serve` (the development server) runs a job worker beside it; SIGTERM to the
    server alone also ends the worker."""
    import signal
    import time

    from tests.e2e.conftest import serve

    data_dir = tmp_path / "served"
    settings = load_settings(environ={}, data_dir=str(data_dir))
    with Library(settings) as library:
        library.init()
        job = submit_upload(library, DE_BRIBERY.name, DE_BRIBERY.read_bytes(), {"country": "DEU"})
        server, _url = serve(data_dir)
        try:
            deadline = time.monotonic() + 120
            state = None
            while time.monotonic() < deadline:
                state = get_job(library, job.id).state.value
                if state in ("indexed", "failed"):
                    break
                time.sleep(0.5)
            assert state == "indexed"
            assert len(_processes_mentioning(f"{data_dir} worker")) == 1
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    assert _processes_mentioning(f"{data_dir} worker") == []
