"""Home page, search results and the OpenSearch description.

A search is a link: the query, every filter, the sort order and the page live in the
URL (``/search?q=...&country=DEU&article=16&sort=date&page=2``); a filter may repeat to
combine values (OR within a filter, AND across filters).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import pycountry
from flask import make_response, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer import SearchRequest
from indexer.backend import FACET_FIELDS, QuerySyntaxError
from repository.convention import load_convention
from repository.models import Region
from repository.tagging.lexicon import concepts_in_query
from web.public import bp, library

SORTS = {"relevance": "Relevance", "date": "Newest first", "document": "Document order"}
FACET_LABELS = {
    "country": "Country", "region": "UN regional group", "article": "UNCAC article", "chapter": "UNCAC chapter",
    "type": "Document type", "language": "Language", "year": "Year", "status": "Status",
}
FACETS_SHOWN = 8      # values listed before "more"
PAGE_WINDOW = 3       # page links on each side of the current page
MAX_QUERY_CHARS = 1000


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code.lower()) if len(code) == 2 else None
    return language.name if language is not None else code


def display_name(name: str, value: str, countries: dict[str, str]) -> str:
    """A facet value as people read it; the URL keeps the code."""
    convention = load_convention()
    if name == "country":
        return countries.get(value.upper(), value)
    if name == "article" and value.isdigit() and 1 <= int(value) <= len(convention.articles):
        return f"Art. {value} — {convention.article(int(value)).title}"
    if name == "chapter":
        chapter = next((c for c in convention.chapters if c.number == value.upper()), None)
        return f"Chapter {chapter.number} — {chapter.title}" if chapter else value
    if name == "language":
        return language_name(value)
    if name == "year" and "-" in value:
        return value.replace("-", "–")
    if name in ("type", "status"):
        return value[:1].upper() + value[1:]
    return value


def _normal(name: str, value: str) -> str:
    value = value.strip()
    return value.upper() if name in ("country", "chapter") else value


@dataclass
class SearchState:
    """The search the URL describes, and links to its neighbours (other pages, sorts, filters)."""

    query: str
    filters: dict[str, list[str]]
    sort: str
    page: int

    @classmethod
    def from_args(cls, args: MultiDict) -> "SearchState":
        filters: dict[str, list[str]] = {}
        for name in FACET_FIELDS:
            values = [_normal(name, v) for v in args.getlist(name) if v.strip()]
            if values:
                filters[name] = list(dict.fromkeys(values))
        sort = args.get("sort", "relevance")
        page = args.get("page", 1, type=int) or 1
        return cls(args.get("q", "").strip()[:MAX_QUERY_CHARS], filters,
                   sort if sort in SORTS else "relevance", max(1, page))

    def _url(self, query: str, filters: dict[str, list[str]], sort: str, page: int) -> str:
        params: list[tuple[str, str]] = [("q", query)] if query else []
        for name in FACET_FIELDS:
            params.extend((name, value) for value in filters.get(name, ()))
        if sort != "relevance":
            params.append(("sort", sort))
        if page > 1:
            params.append(("page", str(page)))
        base = url_for("public.search")
        return f"{base}?{urlencode(params)}" if params else base

    def url(self, page: int | None = None, sort: str | None = None) -> str:
        """This search, on another page or in another order (a new order starts at page 1)."""
        return self._url(self.query, self.filters, sort or self.sort, page or (1 if sort else self.page))

    def selected(self, name: str, value: str) -> bool:
        return _normal(name, value).casefold() in {v.casefold() for v in self.filters.get(name, ())}

    def toggle(self, name: str, value: str) -> str:
        """This search with ``value`` added to (or removed from) the ``name`` filter, from page 1."""
        value = _normal(name, value)
        current = self.filters.get(name, [])
        if self.selected(name, value):
            values = [v for v in current if v.casefold() != value.casefold()]
        else:
            values = [*current, value]
        return self._url(self.query, {**self.filters, name: values}, self.sort, 1)

    def without_filters(self) -> str:
        return self._url(self.query, {}, self.sort, 1)

    def without_query(self) -> str:
        return self._url("", self.filters, self.sort, 1)

    def chips(self) -> list[tuple[str, str]]:
        """(name, value) of every selected filter value."""
        return [(name, value) for name, values in self.filters.items() for value in values]

    def hidden_fields(self) -> list[tuple[str, str]]:
        """Filters and sort to carry through the query form, so a new query keeps them."""
        fields = [(name, value) for name, value in self.chips()]
        if self.sort != "relevance":
            fields.append(("sort", self.sort))
        return fields


def facet_values(state: SearchState, facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Counted values per facet, plus selected values that no longer match (count 0), so that
    every selection can be undone from its facet."""
    shown = {}
    for name in FACET_FIELDS:
        values = list(facets.get(name, ()))
        counted = {value.casefold() for value, _count in values}
        values += [(value, 0) for value in state.filters.get(name, ()) if value.casefold() not in counted]
        if values:
            shown[name] = values
    return shown


def page_numbers(page: int, last: int) -> list[int | None]:
    """Page links around the current page, with the first and last; None marks a gap."""
    shown = sorted({1, last, *range(max(1, page - PAGE_WINDOW), min(last, page + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:  # type: ignore[operator]
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.route("/")
def home():
    lib = library()
    countries = lib.countries_with_documents()
    regions = {region.value: 0 for region in Region}
    for country in countries:
        if country.region:
            regions[country.region] += country.documents
    return render_template(
        "public/home.html", stats=lib.stats(), convention=load_convention(), countries=countries,
        regions=regions, recent=lib.recent_documents(10),
    )


@bp.route("/search")
def search():
    state = SearchState.from_args(request.args)
    per_page = library().settings.search_limit
    result, error = None, None
    if state.query or state.filters:
        try:
            result = library().search(SearchRequest(
                query=state.query, filters=state.filters, sort=state.sort, facets=FACET_FIELDS,
                limit=per_page, offset=(state.page - 1) * per_page,
            ))
        except QuerySyntaxError as exc:
            error = str(exc)
    codes = set(state.filters.get("country", ()))
    if result is not None:
        codes |= {value for value, _count in result.facets.get("country", ())}
        codes |= {hit.country for hit in result.hits if hit.country}
    countries = library().country_names(codes)
    last_page = max(1, -(-result.total // per_page)) if result is not None else 1
    concepts = ()
    if result is not None and result.total == 0 and state.query:
        concepts = concepts_in_query(state.query)[0]
    current = request.full_path.rstrip("?")
    return render_template(
        "public/search.html", state=state, query=state.query, result=result, error=error, per_page=per_page,
        last_page=last_page, pages=page_numbers(state.page, last_page), countries=countries,
        facets=facet_values(state, result.facets) if result is not None else {},
        name_of=lambda name, value: display_name(name, value, countries), facet_labels=FACET_LABELS,
        facets_shown=FACETS_SHOWN, sorts=SORTS, convention=load_convention(), concepts=concepts, current=current,
    )


@bp.route("/opensearch.xml")
def opensearch():
    """Lets a browser add the library as a search engine (OpenSearch 1.1)."""
    search_url = url_for("public.search", _external=True)
    response = make_response(render_template("public/opensearch.xml", search_url=search_url,
                                              home_url=url_for("public.home", _external=True)))
    response.headers["Content-Type"] = "application/opensearchdescription+xml; charset=utf-8"
    return response
