"""Public pages: search and reading documents at provision level."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup, escape

from indexer import SearchRequest
from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START, QuerySyntaxError
from repository.models import Document, Version

bp = Blueprint("public", __name__)


def library():
    return current_app.extensions["lexrepo"]


def highlighted(snippet: str) -> Markup:
    """Escape the snippet, then turn the indexer's markers (and only them) into <mark>."""
    safe = str(escape(snippet))
    return Markup(safe.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


@bp.app_template_filter("highlight")
def highlight_filter(snippet: str) -> Markup:
    return highlighted(snippet)


@bp.route("/")
def home():
    stats = library().stats()
    return render_template("public/home.html", stats=stats)


@bp.route("/search")
def search():
    query = request.args.get("q", "").strip()
    filters = {
        name: [value for value in request.args.getlist(name) if value]
        for name in ("country", "article", "language", "type")
    }
    filters = {name: values for name, values in filters.items() if values}
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = library().settings.search_limit
    result, error = None, None
    if query or filters:
        try:
            result = library().search(SearchRequest(query=query, filters=filters, limit=per_page, offset=(page - 1) * per_page))
        except QuerySyntaxError as exc:
            error = str(exc)
    return render_template("public/search.html", query=query, filters=filters, result=result, error=error,
                           page=page, per_page=per_page)


@bp.route("/documents/<int:document_id>")
@bp.route("/documents/<int:document_id>/versions/<int:seq>")
def document(document_id: int, seq: int | None = None):
    with library().sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            abort(404)
        versions = list(document.versions)
        if not versions:
            abort(404)
        version: Version = versions[-1] if seq is None else next((v for v in versions if v.seq == seq), None)
        if version is None:
            abort(404)
        provisions = list(version.provisions)
        return render_template("public/document.html", document=document, version=version,
                               versions=versions, provisions=provisions)
