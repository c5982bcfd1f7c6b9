"""The interface between lexrepo and a full-text engine.

One index entry per provision of the current version of each document, with the
document's fields denormalized so that filters and facets need no database.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Iterable, Protocol

# Fields a search may be filtered on; each takes a list of values (OR within a field,
# AND across fields). "year" values are exact years or "YYYY-YYYY" ranges.
FILTER_FIELDS = (
    "country", "region", "type", "language", "year", "status", "article", "chapter",
    "document_id",
)
FACET_FIELDS = ("country", "region", "article", "chapter", "type", "language", "year", "status")


@dataclass
class ProvisionRecord:
    """Everything the index stores about one provision."""

    provision_id: int
    document_id: int
    version_id: int
    source: str                 # the document's source path, as ingested
    title: str                  # the document's title
    number: str                 # normalized provision number ("" when unnumbered)
    label: str                  # number as printed ("§ 261")
    kind: str
    heading: str
    text: str
    anchor: str
    language: str               # ISO 639-1 of the document
    country: str = ""           # ISO 3166 alpha-3, "" for international instruments
    region: str = ""            # UN regional group
    doc_type: str = ""
    status: str = ""
    year: int | None = None
    position: int = 0           # order within the version
    articles: list[int] = field(default_factory=list)   # UNCAC articles tagged (suggested or confirmed)
    chapters: list[str] = field(default_factory=list)   # UNCAC chapters of those articles ("III")
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class SearchRequest:
    """A question to the index. An empty ``query`` with filters lists matching provisions."""

    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"          # "relevance", "date" (newest first) or "document" (document order)
    facets: tuple[str, ...] = ()     # names from FACET_FIELDS to count
    highlight: bool = True
    # Cross-lingual expansion, filled by the caller from its concept lexicon: provisions
    # tagged with these UNCAC articles, or holding these terms (words or phrases in any
    # language; a trailing * is a prefix), match the query too, ranked by those matches.
    expand_articles: tuple[int, ...] = ()
    expand_terms: tuple[str, ...] = ()


@dataclass
class SearchHit:
    provision_id: int
    document_id: int
    version_id: int
    source: str
    title: str
    number: str
    label: str
    heading: str
    country: str
    language: str
    year: int | None
    anchor: str
    articles: list[int]
    score: float
    # Plain-text snippet; matched terms are wrapped in the markers below so that a
    # renderer can escape everything and only then turn markers into markup.
    snippet: str
    page_start: int | None = None


HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class QuerySyntaxError(ValueError):
    """The query could not be parsed; the message says what is wrong."""


class IndexWriterSession(Protocol):
    """Writes within one session are committed together (batched)."""

    def add(self, records: Iterable[ProvisionRecord]) -> None: ...
    def delete_document(self, document_id: int) -> None: ...
    def replace_document(self, document_id: int, records: Iterable[ProvisionRecord]) -> None: ...
    def clear(self) -> None: ...


class SearchBackend(Protocol):
    """What lexrepo needs from a full-text engine."""

    def writer(self) -> AbstractContextManager[IndexWriterSession]:
        """The single writer: every change to the index goes through it."""
        ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def count(self) -> int:
        """Number of provisions in the index."""
        ...

    def provision_ids(self) -> set[int]:
        """Every provision id in the index (to compare with the database)."""
        ...

    def close(self) -> None: ...
