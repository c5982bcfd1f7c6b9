"""The Whoosh implementation of :class:`~indexer.backend.SearchBackend`."""
from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as windex
from whoosh import query as wq
from whoosh.sorting import FieldFacet, MultiFacet
from whoosh.writing import CLEAR

from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START, ProvisionRecord, SearchHit, SearchRequest, SearchResult
from indexer.query import QueryBuilder, expansion_query, filter_queries
from indexer.schema import ARABIC_NGRAM_FIELD, STEMMED_FIELDS, build_schema
from indexer.analysis import index_terms, raw_tokens

INDEX_NAME = "provisions"
DOCS_CACHE_SIZE = 512  # document sets (filters, unfiltered query matches) kept per searcher


def _patch_length_reader() -> None:
    """Cache "no length column" answers in whoosh's per-document reader.

    At commit whoosh asks, for every posting, for the field length; for unscored
    fields (keywords, numbers) the column does not exist and whoosh checks the
    file system *per posting* (about half of all commit time). Segments are
    immutable once written, so caching the negative answer is safe.
    """
    from whoosh.codec.whoosh3 import W3PerDocReader

    if getattr(W3PerDocReader, "_lexrepo_patched", False):
        return

    def _cached_reader(self, fieldname, column):
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            self._readers[fieldname] = reader
            return reader

    W3PerDocReader._cached_reader = _cached_reader
    W3PerDocReader._lexrepo_patched = True


_patch_length_reader()

# One writer per index directory in this process; whoosh's file lock covers other processes.
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class IndexLockedError(RuntimeError):
    """Another writer (thread or process) holds the index."""


def _dir_lock(path: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def record_to_fields(r: ProvisionRecord) -> dict:
    """The Whoosh document for one provision."""
    doc = dict(
        provision_id=r.provision_id,
        document_id=r.document_id,
        version_id=r.version_id,
        position=r.position,
        title=r.title,
        label=r.label,
        kind=r.kind,
        anchor=r.anchor,
        pages=(r.page_start, r.page_end),
        articles=list(r.articles),
        chapters=list(r.chapters),
        heading=r.heading or "",
        body=r.text or "",
        country=r.country or None,
        region=r.region or None,
        type=r.doc_type or None,
        language=r.language or None,
        status=r.status or None,
        source=r.source or None,
        number=r.number or None,
    )
    if r.year is not None:
        doc["year"] = int(r.year)
    if r.articles:
        doc["article"] = ",".join(str(a) for a in r.articles)
    if r.chapters:
        doc["chapter"] = ",".join(r.chapters)
    stemmed = STEMMED_FIELDS.get((r.language or "").lower())
    if stemmed and r.text:
        doc[stemmed] = r.text
    if r.language == "ar" and r.text:
        doc[ARABIC_NGRAM_FIELD] = r.text
    # Whoosh rejects None values; empty keyword fields are simply absent.
    return {k: v for k, v in doc.items() if v is not None}


class _Session:
    """Buffers records; small sessions use a cheap writer, big ones a bulk writer."""

    def __init__(self, backend: "WhooshBackend"):
        self.backend = backend
        self.pending: list[ProvisionRecord] = []
        self.writer = None
        self.clear_pending = False
        self.uncommitted_docs: set[int] = set()

    # -- interface -------------------------------------------------------
    def add(self, records: Iterable[ProvisionRecord]) -> None:
        for r in records:
            self.pending.append(r)
            self.uncommitted_docs.add(r.document_id)
            if len(self.pending) >= self.backend.batch_size:
                self._flush(bulk=True)

    def delete_document(self, document_id: int) -> None:
        if document_id in self.uncommitted_docs:
            # Whoosh deletes only in committed segments: commit what we wrote first.
            self._commit()
        self._ensure_writer(bulk=False)
        self.writer.delete_by_term("document_id", int(document_id))

    def replace_document(self, document_id: int, records: Iterable[ProvisionRecord]) -> None:
        self.delete_document(document_id)
        self.add(records)

    def clear(self) -> None:
        self.pending.clear()
        self.uncommitted_docs.clear()
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.clear_pending = True

    # -- internals -------------------------------------------------------
    def _ensure_writer(self, bulk: bool) -> None:
        if self.writer is None:
            self.writer = self.backend._open_writer(bulk=bulk)

    def _flush(self, bulk: bool) -> None:
        if not self.pending:
            return
        self._ensure_writer(bulk=bulk)
        add = self.writer.add_document
        for r in self.pending:
            add(**record_to_fields(r))
        self.pending.clear()

    def _commit(self) -> None:
        self._flush(bulk=False)
        if self.writer is None and self.clear_pending:
            self._ensure_writer(bulk=False)
        if self.writer is not None:
            if self.clear_pending:
                self.writer.commit(mergetype=CLEAR)
            else:
                self.writer.commit()
            self.writer = None
        self.clear_pending = False
        self.uncommitted_docs.clear()

    def finish(self) -> None:
        self._commit()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.pending.clear()


class WhooshBackend:
    """Whoosh index of provisions in ``index_dir`` (created if missing)."""

    def __init__(self, index_dir: str | os.PathLike, batch_size: int = 2000, *,
                 lock_timeout: float = 30.0, procs: int | None = None, limitmb: int = 256,
                 result_cache_size: int = 256):
        self.path = str(Path(index_dir).resolve())
        self.result_cache_size = result_cache_size
        self._results_lock = threading.Lock()
        Path(self.path).mkdir(parents=True, exist_ok=True)
        self.batch_size = max(1, int(batch_size))
        self.lock_timeout = lock_timeout
        # Bulk loads (sessions over batch_size records) fan out to worker processes:
        # analysis is pure Python, so this is the only way to use a second core.
        self.procs = procs if procs is not None else max(1, min(4, os.cpu_count() or 1))
        self.limitmb = limitmb
        if windex.exists_in(self.path, indexname=INDEX_NAME):
            self.ix = windex.open_dir(self.path, indexname=INDEX_NAME)
            if sorted(self.ix.schema.names()) != sorted(build_schema().names()):
                raise RuntimeError(f"The search index at {self.path} was built with another schema; "
                                   "delete the directory and re-index.")
        else:
            self.ix = windex.create_in(self.path, build_schema(), indexname=INDEX_NAME)
        self.schema = self.ix.schema
        self.builder = QueryBuilder(self.schema)
        self._lock = _dir_lock(self.path)
        self._searcher = None
        self._searcher_lock = threading.Lock()
        self._cache: dict = {}

    # -- writing ---------------------------------------------------------
    def _open_writer(self, bulk: bool):
        kwargs: dict = {"timeout": self.lock_timeout, "delay": 0.1}
        if bulk:
            kwargs.update(limitmb=self.limitmb, procs=self.procs, multisegment=self.procs > 1)
        else:
            # A low limit makes Whoosh spill every posting to temporary files (pickled
            # one by one), which doubled commit time on the real corpus.
            kwargs.update(limitmb=self.limitmb)
        try:
            return self.ix.writer(**kwargs)
        except windex.LockError as exc:
            raise IndexLockedError(
                f"The search index at {self.path} is locked by another process; "
                f"waited {self.lock_timeout:.0f}s. If no indexer is running, remove "
                f"{self.path}/{INDEX_NAME}_WRITELOCK."
            ) from exc

    @contextmanager
    def writer(self) -> Iterator[_Session]:
        """The single writer; changes are committed at exit and dropped on error.

        (A delete of a document added earlier in the same session commits the
        session so far first, because Whoosh deletes only in committed segments.)
        """
        if not self._lock.acquire(timeout=self.lock_timeout):
            raise IndexLockedError(f"Another thread is writing the search index at {self.path}.")
        session = _Session(self)
        try:
            yield session
        except BaseException:
            session.abort()
            raise
        else:
            session.finish()
        finally:
            self._lock.release()

    def optimize(self) -> None:
        """Merge all segments into one (after many small incremental commits)."""
        with self._lock:
            self.ix.optimize()

    # -- reading ---------------------------------------------------------
    def _get_searcher(self):
        with self._searcher_lock:
            if self._searcher is None:
                self._searcher = self.ix.searcher()
                self._cache = {}
            elif self.ix.latest_generation() != self._searcher.reader().generation():
                # Not Searcher.refresh(): whoosh 2.7.5 reuses segment readers with
                # their stale deletion sets, so deleted provisions would still match.
                # The old searcher is left to the GC: another thread may be using it.
                self._searcher = self.ix.searcher()
                self._cache = {}
            return self._searcher, self._cache

    def count(self) -> int:
        searcher, _ = self._get_searcher()
        return searcher.doc_count()

    def provision_ids(self) -> set[int]:
        searcher, _ = self._get_searcher()
        if searcher.doc_count() == 0:
            return set()  # an empty index has no columns to read
        # From the column, not the stored fields: those would decode every text.
        column = searcher.reader().column_reader("provision_id", translate=True)
        return {int(column[docnum]) for docnum in searcher.docs_for_query(wq.Every())}

    def close(self) -> None:
        with self._searcher_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        self.ix.close()

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer from the results cache of the current index generation, or search.

        Popular searches repeat (a country's page, an article's provisions); the cache is
        dropped with the searcher whenever a writer commits, so it is never stale.
        """
        searcher, cache = self._get_searcher()
        if self.result_cache_size <= 0:
            return self._search(searcher, cache, request)
        key = (
            request.query, tuple(sorted((name, tuple(values)) for name, values in request.filters.items())),
            request.limit, request.offset, request.sort, tuple(request.facets), request.highlight,
            tuple(request.expand_articles), tuple(request.expand_terms),
        )
        results: OrderedDict = cache.setdefault("results", OrderedDict())
        with self._results_lock:
            if key in results:
                results.move_to_end(key)
                return results[key]
        result = self._search(searcher, cache, request)
        with self._results_lock:
            results[key] = result
            while len(results) > self.result_cache_size:
                results.popitem(last=False)
        return result

    def _search(self, searcher, cache: dict, request: SearchRequest) -> SearchResult:
        fqs = filter_queries(request.filters)
        languages = request.filters.get("language") or self._languages(searcher, cache)
        q = self.builder.parse(request.query or "", [str(x).lower() for x in languages])
        empty = SearchResult(total=0, hits=[], facets={f: [] for f in request.facets})
        if q is None and request.query.strip() not in ("", "*"):
            return empty  # only unsearchable words (e.g. a phrase on a stemmed field)
        expansion = None
        if q is not None and (request.expand_articles or request.expand_terms):
            expansion = self._expansion(searcher, cache, tuple(request.expand_articles), tuple(request.expand_terms))
        field_docs = {name: self._docs(searcher, fq, cache, key=("filter", repr(fq))) for name, fq in fqs.items()}
        allowed = None
        for docs in field_docs.values():
            allowed = docs if allowed is None else allowed & docs
        sort = request.sort if q is not None else (request.sort if request.sort != "relevance" else "document")
        if allowed is not None and not allowed:
            # (whoosh treats an empty filter set as "no filter")
            matched: frozenset[int] = frozenset()
            top: list = []
        elif expansion is None:
            # One pass collects and orders every match: total and facets come from it,
            # a second pass over the index would cost as much as the search itself.
            results = searcher.search(q or wq.Every(), filter=set(allowed) if allowed is not None else None,
                                      limit=None, sortedby=_SORTS.get(sort), terms=False)
            top = results.top_n
            matched = frozenset(docnum for _, docnum in top)
        else:
            top = self._expanded_matches(searcher, q, expansion.scores, allowed, sort)
            matched = frozenset(docnum for _, docnum in top)
        facets = {}
        if request.facets:
            if not fqs:
                base_docs = matched
            else:  # facets need the query's matches before the filters
                # Refining one query facet by facet asks for its unfiltered matches
                # again and again: keep the last few per searcher.
                base_docs = self._docs(searcher, q or wq.Every(), cache, key=("unfiltered", repr(q)))
                if expansion is not None:
                    base_docs = base_docs | expansion.scores.keys()
            facets = count_facets(searcher, cache, request.facets, base_docs, field_docs)
        offset = max(0, request.offset)
        page = top[offset:offset + max(0, request.limit)]
        scored = q is not None and _SORTS.get(sort) is None
        terms = {}
        if q is not None and request.highlight and page:
            terms = _query_terms(searcher, q)
            for fieldname, words in (expansion.terms if expansion is not None else {}).items():
                terms[fieldname] = terms.get(fieldname, set()) | words
        phrases = expansion.phrases if expansion is not None else ()
        hits = [self._hit(searcher, docnum, float(key) if scored else 0.0, terms, phrases) for key, docnum in page]
        return SearchResult(total=len(matched), hits=hits, facets=facets)

    @staticmethod
    def _expansion(searcher, cache: dict, articles: tuple, terms: tuple) -> "_Expansion | None":
        """The matches of a concept's cross-lingual expansion, scored alone and cached per searcher.

        A concept's expansion is dozens of phrases in ten languages; run as part of every
        query it cost a quarter of a second. Scored alone once, it is added to each
        query's own scores below, which is what Or([query, expansion]) computes anyway
        (a union scores the sum of its matching parts).
        """
        key = ("expansion", articles, terms)
        if key not in cache:
            query = expansion_query(articles, terms)
            if query is None:
                cache[key] = None
            else:
                results = searcher.search(query, limit=None, terms=False)
                cache[key] = _Expansion(
                    scores={docnum: score for score, docnum in results.top_n},
                    # A phrase's words are marked only where the whole phrase occurs:
                    # "blanchiment de capitaux" must not mark every "de".
                    terms=_query_terms(searcher, query, phrases=False),
                    phrases=_phrases(query),
                )
        return cache[key]

    @staticmethod
    def _expanded_matches(searcher, q, expansion_scores: dict[int, float], allowed, sort: str) -> list:
        """(score or sort key, docnum) of every match of the query or its expansion, ordered."""
        results = searcher.search(q, filter=set(allowed) if allowed is not None else None, limit=None, terms=False)
        scores = {docnum: score for score, docnum in results.top_n}
        for docnum, score in expansion_scores.items():
            if allowed is None or docnum in allowed:
                scores[docnum] = scores.get(docnum, 0.0) + score
        if _SORTS.get(sort) is None:
            return sorted(((score, docnum) for docnum, score in scores.items()), key=lambda sd: (-sd[0], sd[1]))
        if not scores:
            return []
        return searcher.search(wq.Every(), filter=set(scores), limit=None, sortedby=_SORTS[sort], terms=False).top_n

    def _languages(self, searcher, cache) -> list[str]:
        if "languages" not in cache:
            reader = searcher.reader()
            cache["languages"] = [t.decode("utf-8") for t in reader.lexicon("language")
                                  if reader.doc_frequency("language", t)]
        return cache["languages"]

    def _docs(self, searcher, q: wq.Query, cache: dict | None = None, key=None) -> frozenset[int]:
        """The documents matching ``q``, kept in the searcher's cache under ``key`` (the last
        DOCS_CACHE_SIZE sets: keys can come from user queries, so the cache is bounded)."""
        if cache is None:
            return frozenset(searcher.docs_for_query(q))
        sets: OrderedDict = cache.setdefault("docs", OrderedDict())
        with self._results_lock:
            if key in sets:
                sets.move_to_end(key)
                return sets[key]
        docs = frozenset(searcher.docs_for_query(q))
        with self._results_lock:
            sets[key] = docs
            while len(sets) > DOCS_CACHE_SIZE:
                sets.popitem(last=False)
        return docs

    @staticmethod
    def _hit(searcher, docnum: int, score: float, terms: dict[str, set[str]],
             phrases: tuple[tuple[str, ...], ...] = ()) -> SearchHit:
        f = searcher.stored_fields(docnum)
        pages = f.get("pages") or (None, None)
        return SearchHit(
            provision_id=f["provision_id"], document_id=f["document_id"],
            version_id=f.get("version_id", 0), source=f.get("source", ""),
            title=f.get("title", ""), number=f.get("number", ""), label=f.get("label", ""),
            heading=f.get("heading", ""), country=f.get("country", ""),
            language=f.get("language", ""), year=f.get("year"), anchor=f.get("anchor", ""),
            articles=list(f.get("articles") or []), score=score,
            snippet=make_snippet(f.get("body", ""), terms, f.get("language", ""), phrases),
            page_start=pages[0],
        )


@dataclass(frozen=True)
class _Expansion:
    scores: dict[int, float]        # docnum -> score of the expansion alone
    terms: dict[str, set[str]]      # matched index terms by field, for highlighting
    phrases: tuple[tuple[str, ...], ...] = ()   # phrases to highlight (neutral terms)


_DOC_ORDER = [FieldFacet("document_id"), FieldFacet("position")]
_SORTS = {
    "relevance": None,
    "document": MultiFacet(_DOC_ORDER),
    "date": MultiFacet([FieldFacet("year", reverse=True)] + _DOC_ORDER),
}


def _phrases(q: wq.Query) -> tuple[tuple[str, ...], ...]:
    """The word sequences of the query's phrases on the language-neutral fields."""
    return tuple(dict.fromkeys(
        tuple(leaf.words) for leaf in q.leaves()
        if isinstance(leaf, wq.Phrase) and leaf.fieldname in ("body", "heading")
    ))


def _query_terms(searcher, q: wq.Query, phrases: bool = True) -> dict[str, set[str]]:
    """Matched index terms (prefixes expanded) by field, for highlighting; with ``phrases``
    False, the words of phrases are left out.

    Not Query.existing_terms(): in whoosh 2.7.5 its loop variable shadows the
    ``fieldname`` argument, so it drops every leaf after the first field.
    """
    reader = searcher.reader()
    out: dict[str, set[str]] = {}
    wanted = {"body", "heading", "label", *STEMMED_FIELDS.values()}
    for leaf in q.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=phrases):
            if fieldname not in wanted:
                continue
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            if (fieldname, text) not in reader:
                continue
            # label and heading share the body's analyzer: highlight their words in the body too
            out.setdefault("body" if fieldname in ("label", "heading") else fieldname, set()).add(text)
    return out


# -- facets ---------------------------------------------------------------

def _facet_postings(searcher, cache: dict, field: str) -> list[tuple[str, frozenset[int]]]:
    """(display value, live docnums) per term of a facet field, cached per searcher."""
    key = ("facet", field)
    if key in cache:
        return cache[key]
    reader = searcher.reader()
    out = []
    if field == "year":
        fobj = searcher.schema["year"]
        terms = [(str(fobj.from_bytes(t)), t) for t in fobj.sortable_terms(reader, "year")]
    elif field in searcher.schema.names():
        terms = [(t.decode("utf-8"), t) for t in reader.lexicon(field)]
    else:
        terms = []
    for text, raw in terms:
        docs = frozenset(searcher.docs_for_query(wq.Term(field, raw if field != "year" else int(text))))
        if docs:
            out.append((_display(searcher, field, text, min(docs)), docs))
    cache[key] = out
    return out


def _display(searcher, field: str, term: str, docnum: int) -> str:
    """Original spelling of a lowercased keyword term, taken from a stored document."""
    if field in ("year", "article"):
        return term
    stored = searcher.stored_fields(docnum)
    values = stored.get("chapters") if field == "chapter" else [stored.get(field, "")]
    for v in values or ():
        if str(v).lower() == term:
            return str(v)
    return term


def count_facets(searcher, cache: dict, names, base_docs: frozenset[int],
                 field_docs: dict[str, frozenset[int]]) -> dict[str, list[tuple[str, int]]]:
    """Counts per value; each facet respects every filter except its own field's.

    Excluding a field's own filter is what makes OR-within-a-field facets usable:
    after ticking "DEU", the other countries still show how many hits they add.
    """
    facets = {}
    for name in names:
        docs = base_docs
        for other, fdocs in field_docs.items():
            if other != name:
                docs = docs & fdocs
        counts = []
        for value, postings in _facet_postings(searcher, cache, name):
            n = len(postings & docs) if len(postings) < len(docs) else len(docs & postings)
            if n:
                counts.append((value, n))
        counts.sort(key=lambda vc: (-vc[1], _natural(vc[0])))
        facets[name] = counts
    return facets


def _natural(value: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value)]


# -- snippets -------------------------------------------------------------

_SPACES = re.compile(r"\s+")
SNIPPET_CHARS = 240
LEAD_CHARS = 200
SCAN_CHARS = 4000
def _cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to word boundaries."""
    while start > 0 and not text[start - 1].isspace() and start > end - SNIPPET_CHARS - 20:
        start -= 1
    while end < len(text) and not text[end].isspace() and end < start + SNIPPET_CHARS + 20:
        end += 1
    return start, end


def _phrase_spans(tokens: list[tuple[int, int, str]], phrases) -> list[tuple[int, int, str]]:
    """Where each phrase occurs as consecutive words (compound parts, which the tokens list
    right after their whole word, are skipped)."""
    words: list[tuple[int, int, str]] = []
    for token in tokens:
        if words and token[0] >= words[-1][0] and token[1] <= words[-1][1]:
            continue  # a part of the previous compound
        words.append(token)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    spans = []
    for i, (start, _end, term) in enumerate(words):
        for phrase in by_first.get(term, ()):
            if tuple(w[2] for w in words[i:i + len(phrase)]) == phrase:
                spans.append((start, words[i + len(phrase) - 1][1], " ".join(phrase)))
    return spans


def _match_spans(text: str, terms: dict[str, set[str]], language: str, phrases) -> list[tuple[int, int, str]]:
    """(start, end, key) of every match of the terms (and phrases) in ``text``."""
    stem_field = STEMMED_FIELDS.get(language)
    stemmed = terms.get(stem_field) if stem_field else None
    neutral = terms.get("body")
    if not (neutral or phrases or stemmed):
        return []
    tokens = raw_tokens(text)
    spans: list[tuple[int, int, str]] = []
    if neutral or phrases:
        words = index_terms(tokens)
        if neutral:
            spans += [(start, end, term) for start, end, term in words if term in neutral]
        if phrases:
            spans += _phrase_spans(words, phrases)
    if stemmed:
        spans += [(start, end, "~" + term) for start, end, term in index_terms(tokens, language) if term in stemmed]
    return spans


def make_snippet(text: str, terms: dict[str, set[str]], language: str, phrases=()) -> str:
    """A plain-text fragment around the best cluster of matches, matches marked."""
    text = text or ""
    # Most matches of a long provision show in its first pages: look there first, and read
    # the rest only when nothing matched (reading every word was half the cost of a page).
    cut = text.find(" ", SCAN_CHARS) if len(text) > SCAN_CHARS else -1
    spans = _match_spans(text[:cut] if cut > 0 else text, terms, language, phrases)
    if not spans and cut > 0:
        spans = _match_spans(text, terms, language, phrases)
    if not spans:
        if len(text) <= LEAD_CHARS:
            return _SPACES.sub(" ", text).strip()
        _, end = _cut(text, 0, LEAD_CHARS)
        return _SPACES.sub(" ", text[:end]).strip() + " …"
    spans.sort()
    # Best window: most distinct terms, then most matches, starting at a match.
    best, best_key = 0, None
    for i, (s, _, _) in enumerate(spans):
        inside = [sp for sp in spans[i:] if sp[1] <= s + SNIPPET_CHARS - 40]
        key = (len({sp[2] for sp in inside}), len(inside), -i)
        if best_key is None or key > best_key:
            best, best_key = i, key
    first = spans[best][0]
    start = max(0, first - 40)
    end = min(len(text), start + SNIPPET_CHARS)
    if end == len(text):
        start = max(0, end - SNIPPET_CHARS)
    start, end = _cut(text, start, end)
    # Merge overlapping spans (a compound and its parts) and wrap them.
    merged: list[list[int]] = []
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, cursor = [], start
    for s, e in merged:
        out.append(text[cursor:s])
        out.append(HIGHLIGHT_START + text[s:e] + HIGHLIGHT_END)
        cursor = e
    out.append(text[cursor:end])
    snippet = _SPACES.sub(" ", "".join(out)).strip()  # line breaks of the source mean nothing here
    if start > 0:
        snippet = "… " + snippet
    if end < len(text):
        snippet += " …"
    return snippet
