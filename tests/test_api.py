"""The JSON API (/api/v1): its OpenAPI description is valid, complete and true of real
responses; the read endpoints answer from the real corpus; errors are JSON (400, 401, 403,
404, 405, 413, 429); exports parse with independent readers; staff endpoints check tokens
and roles on a small library of their own."""
from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import replace
from urllib.parse import urlsplit

import bibtexparser
import docx
import jsonschema
import pytest
import rispy
from openapi_spec_validator import validate

from repository.accounts import create_user, issue_token, revoke_token
from repository.jobs import Worker
from repository.models import JobState
from tests.conftest import CORPUS_MANIFEST, CORPUS_REAL
from web import create_app
from web.api_spec import openapi_document

pytestmark = pytest.mark.corpus

API = "/api/v1"


# -- the description ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec(corpus_app) -> dict:
    with corpus_app.test_client() as client:
        document = client.get(f"{API}/openapi.json").get_json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    return document


def _spec_path(rule: str) -> str:
    """werkzeug's /api/v1/documents/<int:document_id> -> OpenAPI's /documents/{document_id}."""
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_0-9]+)>", r"{\1}", rule[len(API):])


def test_every_route_is_described_and_every_description_is_a_route(corpus_app, spec):
    routes = {
        (_spec_path(rule.rule), method.lower())
        for rule in corpus_app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert routes == described
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (path, method)


def _response_schema(spec: dict, path: str, method: str, status: int, media_type="application/json") -> dict:
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"][media_type]["schema"]


def conforms(spec: dict, path: str, method: str, response) -> dict:
    """The response's JSON, after checking it against the description of (path, method, status)."""
    assert response.content_type.startswith("application/json"), (response.content_type, response.data[:300])
    body = response.get_json()
    schema = {**_response_schema(spec, path, method, response.status_code), "components": spec["components"]}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)
    return body


# -- read endpoints on the real corpus ----------------------------------------------------


@pytest.fixture(scope="module")
def money_laundering(corpus_app, spec):
    """Search for Geldwäsche in Germany: StGB § 261 is among the results."""
    with corpus_app.test_client() as client:
        body = conforms(spec, "/search", "get", client.get(f"{API}/search", query_string={
            "q": "Geldwäsche", "country": "DEU", "per_page": 50}))
    return body


def test_search_finds_stgb_261_and_its_provision_resolves(corpus_client, spec, money_laundering):
    body = money_laundering
    assert body["total"] >= 1 and body["page"] == 1 and body["per_page"] == 50
    assert all(r["country"] == "DEU" for r in body["results"])
    hit = next(r for r in body["results"] if r["source"] == "laws/deu/stgb.md" and r["number"] == "261")
    assert hit["label"] == "§ 261" and hit["citation"].endswith("laws/deu/stgb.md#" + hit["anchor"])
    provision = conforms(spec, "/provisions/{provision_id}", "get", corpus_client.get(urlsplit(hit["url"]).path))
    assert provision["id"] == hit["provision_id"] and provision["document_id"] == hit["document_id"]
    assert provision["version_id"] == hit["version_id"] and provision["current"] is True
    assert "Geldwäsche" in provision["heading"] + provision["text"]
    assert ", § 261 (version of " in provision["citation"]["pinpoint"]
    assert provision["citation"]["permalink"].endswith(f"/versions/{provision['version_seq']}#{hit['anchor']}")
    assert {t["article"] for t in provision["tags"] if t["status"] != "rejected"} >= set(hit["articles"]) - {0}
    assert all({"status", "confidence", "origin", "explanation"} <= set(t) for t in provision["tags"])


def test_snippets_are_plain_text_with_highlight_offsets(money_laundering):
    highlighted = 0
    for result in money_laundering["results"]:
        snippet = result["snippet"]
        assert "\x02" not in snippet and "\x03" not in snippet and "<mark>" not in snippet
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(snippet)
            assert snippet[start:end].strip() == snippet[start:end]  # whole words, no markers
            highlighted += snippet[start:end].lower() == "geldwäsche"
    assert highlighted, "some snippet shows where Geldwäsche matched"


def test_facets_count_what_the_filters_would_find(corpus_client, spec):
    body = conforms(spec, "/search", "get", corpus_client.get(f"{API}/search?q=Geldwäsche&per_page=1"))
    countries = {f["value"]: f["count"] for f in body["facets"]["country"]}
    assert set(body["facets"]) == {"country", "region", "article", "chapter", "type", "language", "year", "status"}
    assert countries.get("DEU", 0) >= 1
    for code in list(countries)[:3]:
        filtered = corpus_client.get(f"{API}/search?q=Geldwäsche&country={code}&per_page=1").get_json()
        assert filtered["total"] == countries[code], code
    # a facet of a filtered field still offers the other values (OR within a field)
    filtered = corpus_client.get(f"{API}/search?q=Geldwäsche&country=DEU&per_page=1").get_json()
    assert {f["value"] for f in filtered["facets"]["country"]} == set(countries)


def test_pagination_links_and_limit_offset(corpus_client, spec):
    first = conforms(spec, "/search", "get", corpus_client.get(f"{API}/search?article=23&per_page=5"))
    assert first["total"] > 10 and first["prev"] is None and len(first["results"]) == 5
    second = conforms(spec, "/search", "get", corpus_client.get(urlsplit(first["next"]).path + "?" + urlsplit(first["next"]).query))
    assert second["page"] == 2 and "article=23" in first["next"] and second["prev"]
    ids = lambda page: [r["provision_id"] for r in page["results"]]  # noqa: E731
    assert not set(ids(first)) & set(ids(second))
    by_offset = corpus_client.get(f"{API}/search?article=23&limit=5&offset=5").get_json()
    assert ids(by_offset) == ids(second) and by_offset["page"] == 2
    last_page = -(-first["total"] // 5)
    last = corpus_client.get(f"{API}/search?article=23&per_page=5&page={last_page}").get_json()
    assert last["next"] is None and len(last["results"]) == first["total"] - 5 * (last_page - 1)


@pytest.mark.parametrize("query, message", [
    ({"q": '"unbalanced'}, "Unbalanced quote"),
    ({"q": "bribery AND"}, "needs a term after it"),
    ({"q": "country:"}, "needs a value"),
    ({"year": "nineteen"}, "Invalid year filter"),
    ({"article": "99"}, "article must be an UNCAC article number"),
    ({"sort": "random"}, "sort must be one of relevance, date"),
    ({"q": "x", "per_page": "100000"}, "per_page must be between 1 and"),
    ({"q": "x", "page": "0"}, "page must be between 1 and 100000"),
    ({"q": "x", "page": "two"}, "page must be a whole number"),
    ({"q": "x", "limit": "5", "offset": "3"}, "offset must be a multiple of limit"),
])
def test_a_bad_search_is_400_with_what_is_wrong(corpus_client, spec, query, message):
    body = conforms(spec, "/search", "get", corpus_client.get(f"{API}/search", query_string=query))
    assert body["error"]["status"] == 400 and message in body["error"]["message"]


@pytest.mark.parametrize("url, path", [
    ("/documents/999999", "/documents/{document_id}"),
    ("/documents/1/versions/999", "/documents/{document_id}/versions/{seq}"),
    ("/provisions/99999999", "/provisions/{provision_id}"),
    ("/articles/72", "/articles/{number}"),
    ("/articles/0", "/articles/{number}"),
    ("/countries/XXX", "/countries/{iso3}"),
    ("/countries/toolong", "/countries/{iso3}"),
])
def test_unknown_ids_are_404_json(corpus_client, spec, url, path):
    body = conforms(spec, path, "get", corpus_client.get(API + url))
    assert body["error"]["status"] == 404 and body["error"]["message"]


def test_unknown_paths_and_methods_are_json_too(corpus_client):
    missing = corpus_client.get(f"{API}/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    wrong = corpus_client.delete(f"{API}/search")
    assert wrong.status_code == 405 and wrong.get_json()["error"]["status"] == 405 and "GET" in wrong.headers["Allow"]
    page = corpus_client.get("/no-such-page")  # the web pages keep their own 404
    assert page.status_code == 404 and not page.is_json


def test_documents_filter_page_and_link_to_versions_and_provisions(corpus_client, spec):
    body = conforms(spec, "/documents", "get", corpus_client.get(f"{API}/documents?country=CAN&per_page=100"))
    countries = corpus_client.get(f"{API}/countries").get_json()["results"]
    assert body["total"] == next(c["documents"] for c in countries if c["code"] == "CAN") == len(body["results"])
    assert all(d["country"] == "CAN" for d in body["results"])
    cfpoa = next(d for d in body["results"] if d["source"].startswith("laws/can/C-45.2_corruption"))
    document = conforms(spec, "/documents/{document_id}", "get", corpus_client.get(urlsplit(cfpoa["url"]).path))
    assert [v["seq"] for v in document["versions"]] == list(range(1, len(document["versions"]) + 1))
    assert document["versions"][-1]["current"] and document["current_version"] == document["versions"][-1]["seq"]
    version = conforms(spec, "/documents/{document_id}/versions/{seq}", "get",
                       corpus_client.get(urlsplit(document["versions"][-1]["url"]).path))
    ids = {p["id"] for p in version["provisions"]}
    assert version["provision_count"] == len(ids) == document["versions"][-1]["provisions"] > 0
    assert all(p["parent_id"] is None or p["parent_id"] in ids for p in version["provisions"])
    section3 = next(p for p in version["provisions"] if p["number"] == "3")
    assert corpus_client.get(urlsplit(section3["url"]).path).get_json()["heading"] == section3["heading"]
    assert corpus_client.get(urlsplit(section3["html_url"]).path).status_code == 200  # the web page exists
    everything = corpus_client.get(f"{API}/documents?per_page=1").get_json()
    assert everything["total"] == sum(c["documents"] for c in countries) + len(
        [1 for d in corpus_client.get(f"{API}/documents?per_page=200").get_json()["results"] if not d["country"]])


@pytest.mark.parametrize("query, message", [
    ("year=soon", "invalid year"), ("type=novel", "invalid type"), ("status=alive", "invalid status"),
])
def test_bad_document_filters_are_400(corpus_client, spec, query, message):
    body = conforms(spec, "/documents", "get", corpus_client.get(f"{API}/documents?{query}"))
    assert message in body["error"]["message"]


def test_articles_and_article_implementations_agree_with_tags(corpus_client, spec):
    body = conforms(spec, "/articles", "get", corpus_client.get(f"{API}/articles"))
    assert [a["number"] for a in body["results"]] == list(range(1, 72)) and len(body["chapters"]) == 8
    assert sorted(n for c in body["chapters"] for n in c["articles"]) == list(range(1, 72))
    article = conforms(spec, "/articles/{number}", "get", corpus_client.get(f"{API}/articles/23?country=DEU"))
    assert article["title"] == "Laundering of proceeds of crime" and article["chapter"] == "III"
    assert [g["code"] for g in article["countries"]] == ["DEU"]
    implementing = {i["provision_id"] for i in article["countries"][0]["implementations"]}
    tags = corpus_client.get(f"{API}/tags?article=23&country=DEU&status=suggested,confirmed&per_page=200").get_json()
    assert implementing == {t["provision_id"] for t in tags["results"]} and implementing
    everywhere = corpus_client.get(f"{API}/articles/23").get_json()
    assert everywhere["provisions"] == next(a["provisions"] for a in body["results"] if a["number"] == 23)


def test_country_coverage_per_article(corpus_client, spec):
    body = conforms(spec, "/countries/{iso3}", "get", corpus_client.get(f"{API}/countries/deu"))
    assert body["code"] == "DEU" and body["name"] == "Germany" and len(body["coverage"]) == 71
    row = body["coverage"][22]
    assert row["article"] == 23 and row["status"] in ("suggested", "confirmed")
    assert len(row["provisions"]) == row["confirmed"] + row["suggested"]
    assert body["covered_articles"] == sum(1 for r in body["coverage"] if r["provisions"])
    assert {d["id"] for d in body["documents"]} == {
        d["id"] for d in corpus_client.get(f"{API}/documents?country=DEU&per_page=200").get_json()["results"]}
    listing = conforms(spec, "/countries", "get", corpus_client.get(f"{API}/countries"))
    assert listing["total"] == len(listing["results"]) >= 20


def test_tags_listing_filters(corpus_client, spec):
    body = conforms(spec, "/tags", "get", corpus_client.get(f"{API}/tags?article=16&article=15&country=CAN&per_page=200"))
    assert body["total"] == len(body["results"]) > 0
    assert all(t["article"] in (15, 16) and t["country"] == "CAN" for t in body["results"])
    assert conforms(spec, "/tags", "get", corpus_client.get(f"{API}/tags?status=maybe"))["error"]["status"] == 400


# -- exports ------------------------------------------------------------------------------


def test_export_a_search_as_ris_and_bibtex(corpus_client):
    search = corpus_client.get(f"{API}/search?q=Geldwäsche&country=DEU&per_page=200").get_json()
    response = corpus_client.get(f"{API}/export?format=ris&q=Geldwäsche&country=DEU")
    assert response.status_code == 200 and response.mimetype == "application/x-research-info-systems"
    assert response.headers["Content-Disposition"] == 'attachment; filename="lexrepo-citations.ris"'
    records = rispy.loads(response.get_data(as_text=True))
    assert len(records) == search["total"] == int(response.headers["X-Total-Count"])
    assert [r["urls"][0].rsplit("#", 1)[1] for r in records] == [r["anchor"] for r in search["results"]]
    assert all(r["urls"][0].startswith("http://localhost/documents/") for r in records)
    bib = corpus_client.get(f"{API}/export?format=bibtex&q=Geldwäsche&country=DEU&limit=3")
    assert bib.mimetype == "application/x-bibtex"
    assert len(bibtexparser.parse_string(bib.get_data(as_text=True)).entries) == 3


def test_export_a_comparative_annex_as_docx(corpus_client):
    response = corpus_client.get(f"{API}/export?format=docx&article=32&countries=DEU,FRA,CAN")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    paragraphs = [(p.style.name, p.text) for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert paragraphs[0][1].startswith("Article 32 — Protection of witnesses, experts and victims")
    annex = paragraphs.index(("Heading 1", "Annex: provision texts"))
    assert [t for s, t in paragraphs[:annex] if s == "Heading 1"] == ["Germany", "France", "Canada"]


def test_post_export_of_provision_ids_with_notes(corpus_client, money_laundering):
    ids = [r["provision_id"] for r in money_laundering["results"][:3]][::-1]
    # corpus_app enforces CSRF on the web forms: the API is exempt (it takes no cookies)
    response = corpus_client.post(f"{API}/export", json={
        "format": "json", "provision_ids": ids, "notes": {str(ids[0]): "compare with art. 23"}})
    assert response.status_code == 200, response.data
    document = json.loads(response.data)
    assert [c["provision_id"] for c in document["citations"]] == ids
    assert document["citations"][0]["note"] == "compare with art. 23" and not document["citations"][1]["note"]
    csl = corpus_client.post(f"{API}/export", json={"format": "csl-json", "provision_ids": ids})
    assert csl.mimetype == "application/vnd.citationstyles.csl+json" and len(json.loads(csl.data)) == 3


@pytest.mark.parametrize("method, url, body, status, message", [
    ("get", "/export?format=pdf&q=bribery", None, 400, "format must be one of"),
    ("get", "/export?format=ris", None, 400, "give q, a filter"),
    ("get", "/export?format=ris&countries=DEU", None, 400, "exactly one article"),
    ("get", "/export?format=ris&article=16&countries=DEU&q=x", None, 400, "does not combine"),
    ("get", "/export?format=ris&article=16&countries=XXY", None, 400, "unknown country code"),
    ("post", "/export", {"format": "ris"}, 400, "provision_ids must be"),
    ("post", "/export", {"format": "ris", "provision_ids": ["1"]}, 400, "provision_ids must be"),
    ("post", "/export", {"format": "ris", "provision_ids": [1], "notes": []}, 400, "notes must be"),
    ("post", "/export", {"format": "ris", "provision_ids": [99999999]}, 404, "no provision with id 99999999"),
])
def test_export_errors(corpus_client, spec, method, url, body, status, message):
    response = getattr(corpus_client, method)(API + url, json=body)
    error = conforms(spec, "/export", method, response)["error"]
    assert error["status"] == status == response.status_code and message in error["message"]


# -- 413 and 429 ---------------------------------------------------------------------------


@pytest.mark.parametrize("config", [{"MAX_CONTENT_LENGTH": 1000}, {}], ids=["configured", "default"])
def test_a_body_over_the_limit_is_413(corpus_ingested, config):
    library, _report, _ = corpus_ingested
    settings = replace(library.settings, max_file_bytes=100)  # the default limit follows MAX_FILE_BYTES
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "t", **config})
    assert 0 < app.config["MAX_CONTENT_LENGTH"] < 2 * 1024 * 1024  # the app always has a limit
    client = app.test_client()
    body = {"format": "ris", "provision_ids": [1], "notes": {"1": "x" * app.config["MAX_CONTENT_LENGTH"]}}
    response = client.post(f"{API}/export", json=body)
    assert response.status_code == 413 and response.get_json()["error"]["status"] == 413
    body["notes"]["1"] = "x" * 100
    assert client.post(f"{API}/export", json=body).status_code == 200
    app.extensions["lexrepo"].close()


def test_too_many_requests_is_429(corpus_ingested):
    library, _report, _ = corpus_ingested
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library.settings, "SECRET_KEY": "t",
                      "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    assert [client.get(f"{API}/countries").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"{API}/articles")
    assert refused.status_code == 429 and refused.get_json()["error"]["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 200  # the web pages are not limited
    other = client.get(f"{API}/countries", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200  # per client
    app.extensions["lexrepo"].close()


# -- staff endpoints on a library of their own --------------------------------------------

STAFF_FILES = ["laws/deu/intbestg.md", "laws/can/C-45.2_corruption_of_foreign_public_officials_act_en.xml"]


@pytest.fixture
def staff(library, tmp_path):
    """A small library (two real laws copied at test time), an app over it, and tokens."""
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS_REAL}")
    folder = tmp_path / "corpus"
    for source in STAFF_FILES:
        (folder / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS_REAL / source, folder / source)
    library.ingest(folder, manifest=CORPUS_MANIFEST, workers=1)
    tokens = {}
    for name, role in (("editor1", "editor"), ("editor2", "editor"), ("admin1", "admin"), ("gone", "editor")):
        create_user(library, name, "correct horse battery", role)
        tokens[name] = issue_token(library, name)
    revoke_token(library, "gone")
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library.settings, "SECRET_KEY": "t"})
    return app.test_client(), tokens, library


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _a_tag(client) -> dict:
    return client.get(f"{API}/tags?country=CAN&status=suggested&per_page=1").get_json()["results"][0]


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Basic ZWRpdG9yMTp4"}, {"Authorization": "Bearer nope"},
    "revoked",
])
def test_staff_endpoints_need_a_valid_token(staff, spec, headers):
    client, tokens, _library = staff
    headers = bearer(tokens["gone"]) if headers == "revoked" else headers
    tag = _a_tag(client)
    calls = [
        ("post", "/uploads", "/uploads", {"data": {"file": (io.BytesIO(b"# Act\n\n## 1 x\n\ntext"), "a.md")}}),
        ("get", "/jobs/1", "/jobs/{job_id}", {}),
        ("post", f"/tags/{tag['id']}/confirm", "/tags/{tag_id}/confirm", {}),
        ("post", f"/tags/{tag['id']}/reject", "/tags/{tag_id}/reject", {}),
        ("post", f"/provisions/{tag['provision_id']}/tags", "/provisions/{provision_id}/tags", {"json": {"article": 15}}),
    ]
    for method, url, path, kwargs in calls:
        response = getattr(client, method)(API + url, headers=headers, **kwargs)
        assert response.status_code == 401, (url, response.data)
        assert conforms(spec, path, method, response)["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _a_tag(client) == tag  # nothing changed


def test_upload_then_job_visible_to_its_editor_and_admins_only(staff, spec):
    client, tokens, library = staff
    text = "# Beispielgesetz gegen Bestechung\n\n## § 1 Bestechung\n\nWer einem Amtsträger einen Vorteil anbietet, wird bestraft.\n"
    response = client.post(f"{API}/uploads", headers=bearer(tokens["editor1"]), data={
        "file": (io.BytesIO(text.encode()), "beispiel.md"), "country": "DEU", "language": "de", "year": "2024"})
    job = conforms(spec, "/uploads", "post", response)
    assert response.status_code == 202 and job["state"] == "queued" and job["metadata"]["country"] == "DEU"
    assert response.headers["Location"] == job["url"]
    path = urlsplit(job["url"]).path
    assert client.get(path, headers=bearer(tokens["editor1"])).status_code == 200
    forbidden = client.get(path, headers=bearer(tokens["editor2"]))
    assert forbidden.status_code == 403 and "admin" in conforms(spec, "/jobs/{job_id}", "get", forbidden)["error"]["message"]
    assert Worker(library).run_once() is not None
    done = conforms(spec, "/jobs/{job_id}", "get", client.get(path, headers=bearer(tokens["admin1"])))
    assert done["state"] == JobState.INDEXED.value and done["document_url"]
    document = client.get(urlsplit(done["document_url"]).path).get_json()
    assert document["country"] == "DEU" and document["year"] == 2024
    assert client.get(f"{API}/jobs/999999", headers=bearer(tokens["admin1"])).status_code == 404
    refused = client.post(f"{API}/uploads", headers=bearer(tokens["editor1"]),
                          data={"file": (io.BytesIO(b"   "), "empty.md")})
    assert refused.status_code == 400 and "empty" in refused.get_json()["error"]["message"]
    unknown = client.post(f"{API}/uploads", headers=bearer(tokens["editor1"]),
                          data={"file": (io.BytesIO(text.encode()), "b.md"), "colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.get_json()["error"]["message"]


def test_tag_decisions_by_an_editor_reach_the_provision_and_the_index(staff, spec):
    client, tokens, _library = staff
    tag = _a_tag(client)
    confirmed = conforms(spec, "/tags/{tag_id}/confirm", "post", client.post(
        f"{API}/tags/{tag['id']}/confirm", headers=bearer(tokens["editor1"])))
    assert confirmed["changed"] and confirmed["tag"]["status"] == "confirmed"
    again = client.post(f"{API}/tags/{tag['id']}/confirm", headers=bearer(tokens["editor1"])).get_json()
    assert again["changed"] is False
    provision = client.get(f"{API}/provisions/{tag['provision_id']}").get_json()
    assert next(t for t in provision["tags"] if t["id"] == tag["id"])["status"] == "confirmed"
    rejected = client.post(f"{API}/tags/{tag['id']}/reject", headers=bearer(tokens["admin1"])).get_json()
    assert rejected["tag"]["status"] == "rejected"
    search = client.get(f"{API}/search?article={tag['article']}&country=CAN&per_page=200").get_json()
    assert tag["provision_id"] not in {r["provision_id"] for r in search["results"]}  # rejected tags leave the index
    missing = client.post(f"{API}/tags/99999999/confirm", headers=bearer(tokens["editor1"]))
    assert conforms(spec, "/tags/{tag_id}/confirm", "post", missing)["error"]["status"] == 404


def test_an_editor_adds_a_tag(staff, spec):
    client, tokens, _library = staff
    provision_id = _a_tag(client)["provision_id"]
    response = client.post(f"{API}/provisions/{provision_id}/tags", headers=bearer(tokens["editor2"]),
                           json={"article": 36, "paragraph": ""})
    added = conforms(spec, "/provisions/{provision_id}/tags", "post", response)
    assert response.status_code == 201 and added["tag"]["origin"] == "staff" and added["tag"]["status"] == "confirmed"
    listed = client.get(f"{API}/tags?article=36&country=CAN").get_json()["results"]
    assert added["tag"]["id"] in {t["id"] for t in listed}
    for body, status in (({"article": 72}, 400), ({"article": "36"}, 400), ({}, 400)):
        assert client.post(f"{API}/provisions/{provision_id}/tags", headers=bearer(tokens["editor2"]),
                           json=body).status_code == status
    assert client.post(f"{API}/provisions/99999999/tags", headers=bearer(tokens["editor2"]),
                       json={"article": 36}).status_code == 404


def test_the_description_follows_the_settings(corpus_ingested):
    library, _report, _ = corpus_ingested
    document = openapi_document(library.settings)
    per_page = next(p for p in document["paths"]["/search"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == library.settings.search_limit_max
