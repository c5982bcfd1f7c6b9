"""From a user's query string and filters to Whoosh queries.

Syntax: words (all required), "exact phrases", AND / OR / NOT (uppercase), -word,
parentheses, ``field:value`` (country:DEU, article:16, language:de, type:code,
year:2013, year:2000-2010, number:261, chapter:III), ``prefix*``.

Whoosh's parser never fails: it turns mistakes into literal words or silently
empty queries, which for a researcher means wrong results without a hint. So the
string is checked first and mistakes become :class:`QuerySyntaxError`.
"""
from __future__ import annotations

import re
from typing import Iterable

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import AndGroup, MultifieldParser, PlusMinusPlugin

from indexer.analysis import normalize
from indexer.backend import QuerySyntaxError
from indexer.schema import ARABIC_NGRAM_FIELD, KEYWORD_FIELDS, MULTI_FIELDS, STEMMED_FIELDS

TEXT_FIELDS = ("label", "heading", "body")
# A word in a provision's heading (marginal note) says more about what the provision is
# than the same word in its text, which may only cross-refer to another provision.
FIELD_BOOSTS = {"heading": 3.0, "label": 2.0}
POSITIONAL_FIELDS = frozenset(TEXT_FIELDS)
# Names a user may put before a colon.
USER_FIELDS = frozenset(TEXT_FIELDS + KEYWORD_FIELDS + MULTI_FIELDS + ("year", "document_id", "provision_id"))
_FILTER_TO_FIELD = {"type": "type"}  # filter names equal field names; kept for clarity

_YEAR_RANGE = re.compile(r"\byear:(\d{4})\s*-\s*(\d{4})\b")
_FIELD_PREFIX = re.compile(r"(?<![\w.])(\w+):")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def search_fields(languages: Iterable[str]) -> list[str]:
    """Fields a free-text query runs against for documents in ``languages``."""
    langs = sorted(set(languages))
    fields = list(TEXT_FIELDS) + [STEMMED_FIELDS[lang] for lang in langs if lang in STEMMED_FIELDS]
    if "ar" in langs:
        fields.append(ARABIC_NGRAM_FIELD)
    return fields


def _strip_quoted(text: str) -> str:
    """The query with quoted passages blanked out (same length)."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), text)


def check_syntax(text: str) -> None:
    """Raise QuerySyntaxError for mistakes Whoosh would silently swallow."""
    if text.count('"') % 2:
        raise QuerySyntaxError('Unbalanced quote: close the phrase with a second ".')
    bare = _strip_quoted(text)
    depth = 0
    for ch in bare:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            raise QuerySyntaxError("Unbalanced parenthesis: ')' without a matching '('.")
    if depth:
        raise QuerySyntaxError("Unbalanced parenthesis: '(' is never closed.")
    for m in _FIELD_PREFIX.finditer(bare):
        name = m.group(1)
        if name not in USER_FIELDS:
            continue  # "Art.5:" etc. are words, not fields
        rest = text[m.end():]
        if not rest or rest[0].isspace() or rest[0] == ")":
            raise QuerySyntaxError(f"'{name}:' needs a value, e.g. {_example(name)}.")
    words = bare.replace("(", " ").replace(")", " ").split()
    if words and words[0] in _OPERATORS - {"NOT"}:
        raise QuerySyntaxError(f"'{words[0]}' needs a term on each side.")
    if words and words[-1] in _OPERATORS:
        raise QuerySyntaxError(f"'{words[-1]}' at the end of the query needs a term after it.")
    for a, b in zip(words, words[1:]):
        if a in _OPERATORS and b in _OPERATORS - {"NOT"}:
            raise QuerySyntaxError(f"'{a} {b}': two operators in a row.")


def _example(name: str) -> str:
    return {
        "country": "country:DEU", "language": "language:de", "year": "year:2013 or year:2000-2010",
        "article": "article:16", "type": "type:code", "number": "number:261", "chapter": "chapter:III",
    }.get(name, f"{name}:value")


def _errors(q: wq.Query) -> list[str]:
    found = []
    err = getattr(q, "error", None)
    if err is not None:
        found.append(str(err))
    for child in q.children():
        found.extend(_errors(child))
    return found


def _fix(q: wq.Query) -> wq.Query:
    """Phrases only where positions exist; wildcards only on unstemmed fields."""
    if isinstance(q, wq.Phrase) and q.fieldname not in POSITIONAL_FIELDS and q.fieldname in STEMMED_FIELDS.values():
        return wq.NullQuery
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        if q.fieldname in STEMMED_FIELDS.values() or q.fieldname == ARABIC_NGRAM_FIELD:
            return wq.NullQuery
        q.text = normalize(q.text)
        return q
    return q.apply(_fix)


class QueryBuilder:
    """Parses user queries for one schema; cheap to create."""

    def __init__(self, schema: Schema):
        self.schema = schema

    def parse(self, text: str, languages: Iterable[str]) -> wq.Query | None:
        """The query for ``text`` (None when it has no terms)."""
        text = text.strip()
        if not text or text == "*":
            return None
        check_syntax(text)
        text = _YEAR_RANGE.sub(r"year:[\1 TO \2]", text)
        fields = search_fields(languages)
        parser = MultifieldParser(
            fields, self.schema, group=AndGroup, fieldboosts={f: FIELD_BOOSTS.get(f, 1.0) for f in fields},
        )
        # "-gift" excludes, as in web search engines; only at the start of a word
        # so that "78dd-1" stays one term.
        parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)"))
        try:
            q = parser.parse(text)
        except Exception as exc:  # whoosh raises bare Exception for e.g. stored-only fields
            raise QuerySyntaxError(f"Cannot parse query {text!r}: {exc}") from exc
        errors = _errors(q)
        if errors:
            raise QuerySyntaxError(f"Invalid value in query: {errors[0]}")
        q = _fix(q).normalize()
        if q is wq.NullQuery:
            return None
        return q


def year_query(value: str) -> wq.Query:
    """An exact year "2013" or a range "2000-2010" (either end may be empty)."""
    m = re.fullmatch(r"\s*(\d{4})?\s*(?:(-)\s*(\d{4})?)?\s*", value)
    if not m or not (m.group(1) or m.group(3)):
        raise QuerySyntaxError(f"Invalid year filter {value!r}: use 2013 or 2000-2010.")
    start = int(m.group(1)) if m.group(1) else None
    if not m.group(2):
        return wq.Term("year", start)
    end = int(m.group(3)) if m.group(3) else None
    return wq.NumericRange("year", start, end)


def filter_queries(filters: dict[str, list[str]]) -> dict[str, wq.Query]:
    """One query per filtered field: OR within the field (AND across is the caller's)."""
    out: dict[str, wq.Query] = {}
    for name, values in filters.items():
        values = [str(v).strip() for v in (values or []) if str(v).strip()]
        if not values:
            continue
        field = _FILTER_TO_FIELD.get(name, name)
        if name == "year":
            parts = [year_query(v) for v in values]
        elif name == "document_id":
            try:
                parts = [wq.Term("document_id", int(v)) for v in values]
            except ValueError as exc:
                raise QuerySyntaxError(f"document_id filter must be numeric: {values!r}") from exc
        elif field in KEYWORD_FIELDS or field in MULTI_FIELDS:
            parts = [wq.Term(field, v.lower()) for v in values]
        else:
            raise QuerySyntaxError(f"Unknown filter {name!r}.")
        out[name] = parts[0] if len(parts) == 1 else wq.Or(parts)
    return out


def combine(queries: Iterable[wq.Query | None]) -> wq.Query:
    """AND of the given queries; Every() when there are none."""
    qs = [q for q in queries if q is not None]
    if not qs:
        return wq.Every()
    return qs[0] if len(qs) == 1 else wq.And(qs)


EXPANSION_BOOST = 0.25    # a provision found through a concept ranks below one holding the words
ARTICLE_TAG_BOOST = 0.3   # being tagged with the concept's article, next to holding its terms


def expansion_query(articles: Iterable[int], terms: Iterable[str]) -> wq.Query | None:
    """Alternatives for a query: provisions holding a concept's ``terms`` or tagged with its ``articles``.

    Terms are matched in headings (weighted as headings are) and in the text; a
    trailing ``*`` makes a prefix; several words make a phrase. The whole expansion
    weighs little (``EXPANSION_BOOST``): a provision using many of a concept's terms in
    other languages must not outrank one that holds the words asked for.
    (``DisjunctionMax`` would express "the best term counts", but in Whoosh 2.7 it
    gives every matching document the same score.)
    """
    from indexer.analysis import analyze, neutral_analyzer

    analyzer = neutral_analyzer()
    alternatives: list[wq.Query] = []
    for term in terms:
        prefix = term.endswith("*")
        words = analyze(analyzer, term.rstrip("*"))
        if not words:
            continue
        for fieldname in ("heading", "body"):
            boost = FIELD_BOOSTS.get(fieldname, 1.0)
            if len(words) == 1:
                if prefix:  # scored like the words it expands to, not as a constant
                    alternatives.append(wq.Prefix(fieldname, words[0], boost=boost, constantscore=False))
                else:
                    alternatives.append(wq.Term(fieldname, words[0], boost=boost))
            elif not prefix:
                alternatives.append(wq.Phrase(fieldname, words, boost=boost))
    parts: list[wq.Query] = []
    if alternatives:
        parts.append(wq.Or(alternatives))
    tags = [wq.Term("article", str(int(a))) for a in articles]
    if tags:
        parts.append(wq.Or(tags, boost=ARTICLE_TAG_BOOST))
    if not parts:
        return None
    return wq.Or(parts, boost=EXPANSION_BOOST)
