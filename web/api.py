"""The JSON API at ``/api/v1``: search, documents, versions, provisions, UNCAC articles,
countries, tags and citation export, described by the OpenAPI document at
``/api/v1/openapi.json`` (web/api_spec.py).

Everything answers JSON, errors included: ``{"error": {"status": N, "message": "..."}}``.
Listings are paged with ``page``/``per_page`` (or ``limit``/``offset``) and carry ``total``
and ``next``/``prev`` links. Identifiers are the library's integer ids, which never change;
every resource links to itself (``url``) and to its web page (``html_url``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, NotFound

from indexer import FACET_FIELDS, SearchRequest
from indexer.backend import QuerySyntaxError
from repository.catalogue import CatalogueError
from repository.citations import compare_article
from repository.convention import ARTICLE_COUNT, load_convention
from repository.export import FORMATS, Entry, ExportError, export
from web.results import hit_record, split_highlights

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PREFIX = "/api/v1"
DEFAULT_RATE_LIMIT = "300 per minute"
SEARCH_FILTERS = ("country", "region", "article", "chapter", "type", "language", "year", "status")
DOCUMENT_FILTERS = ("country", "type", "language", "status", "year")
SORTS = ("relevance", "date")
MAX_EXPORT_IDS = 1000
MAX_ID = 2**63 - 1     # the largest id a database column holds; larger ones are simply not found
MAX_PAGE = 100_000
ID = f"int(max={MAX_ID})"  # URL converter: a bigger number is a 404 from routing, not a database error


def library():
    return current_app.extensions["lexrepo"]


# -- errors -------------------------------------------------------------------------------


def error_response(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


def _message(error: HTTPException) -> str:
    # werkzeug's default descriptions are written for HTML pages; abort(400, "...") gives ours.
    return error.description or error.name


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    response = error_response(error.code or 500, _message(error))
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lexrepo"'
    return response


@bp.errorhandler(Exception)
def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("API error on %s", request.path)
    return error_response(500, InternalServerError.description)


def api_routing_error(error: HTTPException):
    """404/405 raised before a route of the blueprint matched: JSON under /api/, as usual elsewhere."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return http_error(error)
    return error


def bad_request(message: str):
    raise BadRequest(message)


# -- parameters and pages -----------------------------------------------------------------


def _int_arg(name: str, default: int | None, low: int, high: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        bad_request(f"{name} must be a whole number, got {raw!r}")
    if value < low or (high is not None and value > high):
        bad_request(f"{name} must be between {low} and {high}" if high is not None else f"{name} must be at least {low}")
    return value


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging() -> Paging:
    """``page``/``per_page``, or ``limit``/``offset`` (an offset must be a multiple of the limit)."""
    settings = library().settings
    top = settings.search_limit_max
    if "limit" in request.args or "offset" in request.args:
        if "page" in request.args or "per_page" in request.args:
            bad_request("use either page and per_page, or limit and offset")
        limit = _int_arg("limit", settings.search_limit, 1, top)
        offset = _int_arg("offset", 0, 0, MAX_PAGE * top)
        if offset % limit:
            bad_request("offset must be a multiple of limit")
        return Paging(offset // limit + 1, limit)
    return Paging(_int_arg("page", 1, 1, MAX_PAGE), _int_arg("per_page", settings.search_limit, 1, top))


def _page_link(page: int, per_page: int) -> str:
    """This request's URL on another page (``limit``/``offset`` become ``page``/``per_page``)."""
    args = [(name, value) for name, value in request.args.items(multi=True)
            if name not in ("page", "per_page", "limit", "offset")]
    args += [("page", str(page)), ("per_page", str(per_page))]
    return url_for(request.endpoint, **(request.view_args or {}), _external=True) + "?" + urlencode(args)


def paged(results: list, total: int, pages: Paging, **extra) -> dict:
    last = max(1, -(-total // pages.per_page))
    return {
        "total": total, "page": pages.page, "per_page": pages.per_page,
        "next": _page_link(pages.page + 1, pages.per_page) if pages.page < last else None,
        "prev": _page_link(min(pages.page - 1, last), pages.per_page) if pages.page > 1 else None,
        **extra,
        "results": results,
    }


def _list_arg(name: str) -> list[str]:
    """Every value of a repeatable parameter; commas also separate values."""
    values = []
    for raw in request.args.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def _articles_arg(name: str = "article") -> list[int]:
    numbers = []
    for value in _list_arg(name):
        if not value.isdigit() or not 1 <= int(value) <= ARTICLE_COUNT:
            bad_request(f"{name} must be an UNCAC article number from 1 to {ARTICLE_COUNT}, got {value!r}")
        numbers.append(int(value))
    return numbers


def iso8601(value) -> str | None:
    """ISO 8601; times are stored in UTC (SQLite hands them back without the zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _absolute(path: str) -> str:
    return request.url_root.rstrip("/") + path


# -- representations ----------------------------------------------------------------------


def provision_links(provision_id: int, document_id: int, anchor: str, seq: int | None = None) -> dict:
    page = f"/documents/{document_id}" + (f"/versions/{seq}" if seq else "")
    return {"url": url_for("api.provision", provision_id=provision_id, _external=True),
            "html_url": _absolute(f"{page}#{anchor}")}


def search_result(hit) -> dict:
    record = hit_record(hit)
    record["highlights"] = split_highlights(hit.snippet)[1]
    return {**record, **provision_links(hit.provision_id, hit.document_id, hit.anchor)}


def version_json(version) -> dict:
    return {
        "id": version.id, "document_id": version.document_id, "seq": version.seq, "sha256": version.sha256,
        "media_type": version.media_type, "original_filename": version.original_filename, "size": version.size,
        "page_count": version.page_count, "received_at": iso8601(version.received_at),
        "provisions": version.provisions, "current": version.current,
        "url": url_for("api.version", document_id=version.document_id, seq=version.seq, _external=True),
        "html_url": _absolute(f"/documents/{version.document_id}/versions/{version.seq}"),
    }


def document_json(document, with_versions: bool = False) -> dict:
    body = {
        "id": document.id, "title": document.title, "short_title": document.short_title,
        "country": document.country, "type": document.type, "language": document.language,
        "year": document.year, "date_adopted": iso8601(document.date_adopted), "status": document.status,
        "source": document.source, "official_url": document.official_url, "provenance": document.provenance,
        "current_version": document.current_version,
        "url": url_for("api.document", document_id=document.id, _external=True),
        "html_url": _absolute(f"/documents/{document.id}"),
    }
    if with_versions:
        body["versions"] = [version_json(v) for v in document.versions]
    return body


def tag_json(tag) -> dict:
    return {
        "id": tag.id, "provision_id": tag.provision_id, "article": tag.article, "paragraph": tag.paragraph,
        "status": tag.status, "confidence": round(tag.confidence, 4), "origin": tag.origin,
        "explanation": tag.explanation,
    }


def implementation_json(item) -> dict:
    return {
        "provision_id": item.provision_id, "document_id": item.document_id, "anchor": item.anchor,
        "label": item.label, "number": item.number, "heading": item.heading,
        "document_title": item.document_title, "short_title": item.short_title, "year": item.year,
        "country": item.country_code, "status": item.status, "confidence": round(item.confidence, 4),
        "reference": item.reference, **provision_links(item.provision_id, item.document_id, item.anchor),
    }


# -- search and export --------------------------------------------------------------------


def search_request_from_args(pages: Paging | None, highlight: bool = True) -> SearchRequest:
    filters = {name: _list_arg(name) for name in SEARCH_FILTERS}
    if filters["article"]:
        filters["article"] = [str(n) for n in _articles_arg()]
    filters = {name: values for name, values in filters.items() if values}
    sort = request.args.get("sort") or "relevance"
    if sort not in SORTS:
        bad_request(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    request_ = SearchRequest(query=request.args.get("q", "").strip(), filters=filters, sort=sort,
                             highlight=highlight)
    if pages is not None:
        request_.limit, request_.offset = pages.per_page, pages.offset
        request_.facets = FACET_FIELDS
    return request_


def run_search(search_request: SearchRequest):
    try:
        return library().search(search_request)
    except QuerySyntaxError as error:
        bad_request(str(error))


@bp.get("/search")
def search():
    pages = paging()
    result = run_search(search_request_from_args(pages))
    facets = {name: [{"value": value, "count": count} for value, count in values]
              for name, values in result.facets.items()}
    return jsonify(paged([search_result(hit) for hit in result.hits], result.total, pages, facets=facets))


def _attachment(entries: list[Entry], fmt: str, comparison=None):
    try:
        content = export(entries, fmt, base_url=request.url_root, comparison=comparison)
    except ExportError as error:
        bad_request(str(error))
    spec = FORMATS[fmt]
    response = current_app.response_class(content, content_type=spec.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="lexrepo-citations.{spec.extension}"'
    response.headers["X-Total-Count"] = str(len(entries))
    return response


def _format(value) -> str:
    if not isinstance(value, str) or value not in FORMATS:
        bad_request(f"format must be one of {', '.join(FORMATS)}, got {value!r}")
    return value


@bp.get("/export")
def export_get():
    """The matches of a search, or with ``countries`` the comparative annex of one article."""
    fmt = _format(request.args.get("format"))
    limit = _int_arg("limit", library().settings.search_limit_max, 1, library().settings.search_limit_max)
    countries = _list_arg("countries")
    if countries:
        articles = _articles_arg()
        if len(articles) != 1:
            bad_request("countries needs exactly one article to compare")
        if request.args.get("q", "").strip() or any(_list_arg(n) for n in SEARCH_FILTERS if n != "article"):
            bad_request("countries compares one article; it does not combine with q or other filters")
        try:
            comparison = compare_article(library(), articles[0], [c.upper() for c in countries], per_country=limit)
        except ValueError as error:
            bad_request(str(error))
        return _attachment([Entry(c) for c in comparison.citations()], fmt, comparison)
    search_request = search_request_from_args(None, highlight=False)
    if not search_request.query and not search_request.filters:
        bad_request("give q, a filter (country, article, ...), or article and countries")
    search_request.limit = limit
    result = run_search(search_request)
    citations = library().citations([hit.provision_id for hit in result.hits])
    return _attachment([Entry(c) for c in citations], fmt)


@bp.post("/export")
def export_post():
    """A citation list given by provision ids (any version), with optional notes."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        bad_request('send a JSON object: {"format": "ris", "provision_ids": [1, 2], "notes": {"1": "..."}}')
    fmt = _format(body.get("format"))
    ids = body.get("provision_ids")
    if not isinstance(ids, list) or not ids or not all(type(i) is int and 1 <= i <= MAX_ID for i in ids):
        bad_request("provision_ids must be a non-empty list of provision ids (positive integers)")
    if len(ids) > MAX_EXPORT_IDS:
        bad_request(f"at most {MAX_EXPORT_IDS} provision_ids per export")
    notes = body.get("notes", {})
    notes = {} if notes is None else notes
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        bad_request("notes must be an object mapping provision ids to text")
    citations = library().citations(ids)
    missing = sorted(set(ids) - {c.provision_id for c in citations})
    if missing:
        raise NotFound(f"no provision with id {', '.join(map(str, missing[:10]))}")
    return _attachment([Entry(c, notes.get(str(c.provision_id), "")) for c in citations], fmt)


# -- documents, versions, provisions, tags ------------------------------------------------


@bp.get("/documents")
def documents():
    pages = paging()
    filters = {name: _list_arg(name) for name in DOCUMENT_FILTERS}
    try:
        found = library().catalogue_documents(filters, pages.per_page, pages.offset)
    except CatalogueError as error:
        bad_request(str(error))
    return jsonify(paged([document_json(d) for d in found.items], found.total, pages))


@bp.get(f"/documents/<{ID}:document_id>")
def document(document_id: int):
    found = library().catalogue_document(document_id)
    if found is None:
        raise NotFound(f"no document with id {document_id}")
    return jsonify(document_json(found, with_versions=True))


@bp.get(f"/documents/<{ID}:document_id>/versions/<{ID}:seq>")
def version(document_id: int, seq: int):
    found = library().catalogue_version(document_id, seq)
    if found is None:
        raise NotFound(f"no version {seq} of document {document_id}")
    version_, provisions = found
    body = version_json(version_)
    body["provisions"] = [
        {"id": p.id, "number": p.number, "label": p.label, "heading": p.heading, "kind": p.kind,
         "anchor": p.anchor, "parent_id": p.parent_id, "page_start": p.page_start,
         **provision_links(p.id, document_id, p.anchor, seq)}
        for p in provisions
    ]
    body["provision_count"] = len(provisions)
    return jsonify(body)


@bp.get(f"/provisions/<{ID}:provision_id>")
def provision(provision_id: int):
    found = library().catalogue_provision(provision_id)
    if found is None:
        raise NotFound(f"no provision with id {provision_id}")
    citation = found.citation
    return jsonify({
        "id": found.id, "number": found.number, "label": found.label, "heading": found.heading,
        "kind": found.kind, "anchor": found.anchor, "parent_id": found.parent_id, "position": found.position,
        "page_start": found.page_start, "page_end": found.page_end, "text": found.text,
        "convention_article": found.convention_article, "document_id": found.document_id,
        "version_id": found.version_id, "version_seq": found.version_seq, "current": found.current,
        "tags": [tag_json(t) for t in found.tags],
        "citation": {"pinpoint": citation.pinpoint(), "permalink": _absolute(citation.permalink),
                     "title": citation.title, "country": citation.country_code, "year": citation.year,
                     "version_date": citation.version_date.isoformat()},
        "document_url": url_for("api.document", document_id=found.document_id, _external=True),
        "version_url": url_for("api.version", document_id=found.document_id, seq=found.version_seq, _external=True),
        **provision_links(found.id, found.document_id, found.anchor, found.version_seq),
    })


@bp.get("/tags")
def tags():
    pages = paging()
    try:
        found = library().catalogue_tags(_articles_arg(), _list_arg("country"), _list_arg("status"),
                                         pages.per_page, pages.offset)
    except CatalogueError as error:
        bad_request(str(error))
    return jsonify(paged([tag_listing_json(tag) for tag in found.items], found.total, pages))


def tag_listing_json(tag) -> dict:
    """A tag with where its provision is (document, version, country) and links to it."""
    return {
        **tag_json(tag), "document_id": tag.document_id, "version_seq": tag.version_seq, "country": tag.country,
        "provision_url": url_for("api.provision", provision_id=tag.provision_id, _external=True),
        "html_url": _absolute(f"/documents/{tag.document_id}/versions/{tag.version_seq}#{tag.anchor}"),
    }


# -- articles and countries (repository/coverage.py) --------------------------------------


def _article_summary_json(article) -> dict:
    return {
        "number": article.number, "title": article.title, "chapter": article.chapter,
        "obligation": article.obligation, "provisions": article.provisions, "countries": article.countries,
        "url": url_for("api.article", number=article.number, _external=True),
        "html_url": _absolute(f"/articles/{article.number}"),
    }


@bp.get("/articles")
def articles():
    summaries = library().articles()
    chapters = [{"number": c.number, "title": c.title,
                 "articles": [a.number for a in summaries if a.chapter == c.number]} for c in library().chapters()]
    return jsonify({"total": len(summaries), "chapters": chapters,
                    "results": [_article_summary_json(a) for a in summaries]})


@bp.get("/articles/<int:number>")
def article(number: int):
    if not 1 <= number <= ARTICLE_COUNT:
        raise NotFound(f"UNCAC has no article {number} (articles are 1 to {ARTICLE_COUNT})")
    convention = load_convention()
    info = convention.article(number)
    chapter = next(c for c in convention.chapters if c.number == info.chapter)
    countries = [c.upper() for c in _list_arg("country")] or None
    groups = library().article_implementations(number, countries)
    return jsonify({
        "number": number, "title": info.title, "chapter": info.chapter, "chapter_title": chapter.title,
        "obligation": info.obligation,
        "provisions": sum(len(g.implementations) for g in groups),
        "countries": [
            {"code": g.code, "name": g.name, "region": g.region, "confirmed": g.confirmed,
             "implementations": [implementation_json(i) for i in g.implementations]}
            for g in groups
        ],
        "url": url_for("api.article", number=number, _external=True),
        "html_url": _absolute(f"/articles/{number}"),
    })


def _country_links(code: str) -> dict:
    return {"url": url_for("api.country", iso3=code, _external=True), "html_url": _absolute(f"/countries/{code}")}


@bp.get("/countries")
def countries():
    found = library().countries()
    return jsonify({"total": len(found), "results": [
        {"code": c.code, "name": c.name, "region": c.region, "documents": c.documents, "provisions": c.provisions,
         **_country_links(c.code)}
        for c in found
    ]})


@bp.get("/countries/<iso3>")
def country(iso3: str):
    code = iso3.upper()
    info = library().country(code) if len(code) == 3 and code.isalpha() else None
    if info is None:
        raise NotFound(f"no country with ISO 3166 alpha-3 code {iso3!r}")
    coverage = library().country_coverage(code)
    documents_ = library().country_documents(code)
    return jsonify({
        "code": info.code, "name": info.name, "region": info.region,
        "documents": [
            {"id": d.id, "title": d.title, "short_title": d.short_title, "type": d.doc_type, "year": d.year,
             "status": d.status, "language": d.language, "provisions": d.provisions,
             "url": url_for("api.document", document_id=d.id, _external=True),
             "html_url": _absolute(f"/documents/{d.id}")}
            for d in documents_
        ],
        "coverage": [
            {"article": row.number, "title": row.title, "chapter": row.chapter, "obligation": row.obligation,
             "status": row.status, "confirmed": row.cell.confirmed, "suggested": row.cell.suggested,
             "provisions": [implementation_json(i) for i in row.implementations]}
            for row in coverage
        ],
        "covered_articles": sum(1 for row in coverage if row.cell.total),
        **_country_links(code),
    })


# -- the description ----------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    from web.api_spec import openapi_document

    return jsonify(openapi_document(library().settings, request.url_root.rstrip("/") + PREFIX))


from web import api_staff  # noqa: E402,F401  (the staff routes register on bp)
from web import api_citation_lists  # noqa: E402,F401  (saved citation lists, staff)


# -- set-up -------------------------------------------------------------------------------


def init_app(app: Flask, csrf) -> None:
    """Register the blueprint (CSRF-exempt: clients send tokens, not cookies), JSON errors
    for /api/ paths no route matched, and the per-client rate limit."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_error_handler(404, api_routing_error)
    app.register_error_handler(405, api_routing_error)
    app.config.setdefault("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = Limiter(get_remote_address, app=app)
    # One budget per client for the whole API, not one per route.
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api")(bp)
