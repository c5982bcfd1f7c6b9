"""The provision-level Whoosh schema.

One index document per provision. Why the fields look like this:

* ``body`` (language-neutral: case and Latin-accent folding, CJK bigrams, Arabic
  normalization, no stemming, no stop list) is filled for *every* provision and
  is the only text field with positions besides ``heading``: phrase queries are
  exact-wording queries and run there. It is also the only stored copy of the
  text (snippets are cut from it), so the text is stored once.
* ``label`` and ``heading`` are searched with ``body`` (boosted) and keep positions.
* ``body_<lang>`` (stemmed, no positions: smaller and faster to write) is filled
  only for provisions in that language. A query searches ``heading`` + ``body`` +
  the stemmed fields of the languages present (or of the ``language`` filter).
  BM25F sums per-field scores, so an exact form scores in ``body`` *and*
  ``body_<lang>`` and outranks a merely inflected form. Because every stemmed
  field is tried, a user need not say which language the query is in.
  CJK needs no extra field: the neutral analyzer already bigrams CJK runs.
* ``body_ar_ngram``: Arabic words as positional 3-grams, so a word is still found
  inside words run together by a lost space (the UAE source has many); filled
  and searched only for Arabic.
* Keyword fields are lowercased single tokens (exact, case-insensitive
  filters and ``field:value`` queries); ``article`` and ``chapter`` are
  multi-valued (comma separated). Facet counts are read from their lexicons.
* ``year``, ``document_id`` and ``position`` are numeric and sortable for the
  "date" and "document" sort orders and for year ranges.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import (
    STEMMED_LANGUAGES, arabic_ngram_analyzer, keyword_analyzer, neutral_analyzer, stemming_analyzer,
)

# Keyword fields that filters and facets use, mapped to the record attribute.
KEYWORD_FIELDS = ("country", "region", "type", "language", "status", "source", "number")
MULTI_FIELDS = ("article", "chapter")
STEMMED_FIELDS = {lang: f"body_{lang}" for lang in STEMMED_LANGUAGES}
ARABIC_NGRAM_FIELD = "body_ar_ngram"
SCHEMA_VERSION = 1


def _keyword(**kw) -> ID:
    f = ID(stored=True, **kw)
    f.analyzer = keyword_analyzer()
    return f


def build_schema() -> Schema:
    """A fresh schema instance (fields hold analyzer objects; don't share across indexes)."""
    fields = dict(
        # shift_step=0: one term per value instead of a trie of 4-16. Nobody asks for
        # ranges of ids, and years are few, so ranges over them stay cheap.
        provision_id=NUMERIC(int, bits=64, stored=True, unique=True, signed=False, shift_step=0, sortable=True),
        document_id=NUMERIC(int, bits=64, stored=True, sortable=True, signed=False, shift_step=0),
        version_id=STORED(),
        position=NUMERIC(int, stored=True, sortable=True, shift_step=0),
        year=NUMERIC(int, stored=True, sortable=True, shift_step=0),
        title=STORED(),
        kind=STORED(),
        anchor=STORED(),
        pages=STORED(),
        articles=STORED(),   # original ints, for hits
        chapters=STORED(),
        article=KEYWORD(commas=True, lowercase=True, scorable=False),
        chapter=KEYWORD(commas=True, lowercase=True, scorable=False),
        # The printed label ("§ 261", "Article 5") is searchable, so that a query
        # "Article 5" or "§ 261" finds that provision and not only its citations.
        label=TEXT(analyzer=neutral_analyzer(), stored=True, phrase=True, field_boost=2.0),
        heading=TEXT(analyzer=neutral_analyzer(), stored=True, phrase=True, field_boost=1.5),
        body=TEXT(analyzer=neutral_analyzer(), stored=True, phrase=True),
    )
    for name in KEYWORD_FIELDS:
        fields[name] = _keyword()
    for lang, name in STEMMED_FIELDS.items():
        fields[name] = TEXT(analyzer=stemming_analyzer(lang), phrase=False)
    # Low boost: a 3-gram match inside a run-together word is a fallback.
    fields[ARABIC_NGRAM_FIELD] = TEXT(analyzer=arabic_ngram_analyzer(), phrase=True, field_boost=0.3)
    fields[ARABIC_NGRAM_FIELD].multitoken_query = "phrase"
    # A query word that the analyzer splits (CJK bigrams, "l'article") must match
    # as a sequence in positional fields, as all-of in the others.
    for name in ("label", "heading", "body"):
        fields[name].multitoken_query = "phrase"
    for name in STEMMED_FIELDS.values():
        fields[name].multitoken_query = "and"
    return Schema(**fields)
