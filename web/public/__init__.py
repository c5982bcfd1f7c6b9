"""The public area: one blueprint, its views split by page family.

``search`` (home, search results, OpenSearch), ``documents`` (document and version pages)
and ``browse`` (articles, countries, the coverage matrix) each add routes to ``bp``.
"""
from __future__ import annotations

from flask import Blueprint, current_app
from markupsafe import Markup, escape

from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START

bp = Blueprint("public", __name__)


def library():
    """The app's Library (the domain API); views reach the database and index only through it."""
    return current_app.extensions["lexrepo"]


def highlighted(snippet: str) -> Markup:
    """Escape the snippet, then turn the indexer's markers (and only them) into <mark>."""
    safe = str(escape(snippet))
    return Markup(safe.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


@bp.app_template_filter("highlight")
def highlight_filter(snippet: str) -> Markup:
    return highlighted(snippet)


from web.public import search, documents, browse, citations  # noqa: E402,F401  (routes register on bp)
