"""Home page and search results."""
from __future__ import annotations

from flask import render_template, request

from indexer import SearchRequest
from indexer.backend import QuerySyntaxError
from web.public import bp, library


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
