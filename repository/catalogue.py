"""The library's catalogue read by id and listed page by page: documents, their versions,
provisions and article tags, as plain dataclasses (for the JSON API and other readers).

Identifiers are the database's integer ids, which never change or get reused for another
record; a version is also named by its document and ``seq`` (1, 2, ... in order received).
Every function takes a Session and returns values that outlive it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from repository.citations import Citation, citation_for
from repository.indexing import current_version_ids
from repository.models import ArticleTag, Document, DocumentStatus, DocumentType, Provision, TagStatus, Version

# Filters of a document listing: name -> the column it compares (OR within a name, AND across).
DOCUMENT_FILTERS = {
    "country": Document.country_code,
    "type": Document.doc_type,
    "language": Document.language,
    "status": Document.status,
    "year": Document.year,
}


class CatalogueError(ValueError):
    """A filter value the catalogue cannot use; the message says which."""


@dataclass(frozen=True)
class VersionInfo:
    id: int
    document_id: int
    seq: int
    sha256: str
    media_type: str
    original_filename: str
    size: int
    page_count: int
    received_at: dt.datetime
    provisions: int  # how many provisions this version has
    current: bool


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    title: str
    short_title: str
    country: str  # ISO 3166 alpha-3, "" for international instruments
    type: str
    language: str
    year: int | None
    date_adopted: dt.date | None
    status: str
    source: str
    official_url: str
    provenance: str
    current_version: int | None  # seq of the newest version
    versions: tuple[VersionInfo, ...] = ()


@dataclass(frozen=True)
class ProvisionSummary:
    id: int
    number: str
    label: str
    heading: str
    kind: str
    anchor: str
    parent_id: int | None
    page_start: int | None


@dataclass(frozen=True)
class TagInfo:
    id: int
    provision_id: int
    article: int
    paragraph: str
    status: str
    confidence: float
    origin: str
    explanation: str
    document_id: int = 0
    version_seq: int = 0
    country: str = ""
    anchor: str = ""


@dataclass(frozen=True)
class ProvisionDetail(ProvisionSummary):
    text: str = ""
    page_end: int | None = None
    position: int = 0
    convention_article: int | None = None
    document_id: int = 0
    version_id: int = 0
    version_seq: int = 0
    current: bool = True  # whether it belongs to the document's newest version
    tags: tuple[TagInfo, ...] = ()
    citation: Citation | None = None


@dataclass(frozen=True)
class Page:
    """One page of a listing and the number of items in the whole listing."""

    total: int
    items: list = field(default_factory=list)


def _version_info(version: Version, provisions: int, current: bool) -> VersionInfo:
    return VersionInfo(version.id, version.document_id, version.seq, version.sha256, version.media_type,
                       version.original_filename, version.size, version.page_count, version.received_at,
                       provisions, current)


def _document_info(document: Document, versions: tuple[VersionInfo, ...] = ()) -> DocumentInfo:
    current = document.versions[-1].seq if document.versions else None
    return DocumentInfo(
        document.id, document.title, document.short_title or "", document.country_code or "",
        document.doc_type.value, document.language, document.year, document.date_adopted,
        document.status.value, document.source, document.official_url or "", document.provenance or "",
        current, versions,
    )


def _tag_info(tag: ArticleTag, document_id: int = 0, version_seq: int = 0, country: str = "",
              anchor: str = "") -> TagInfo:
    return TagInfo(tag.id, tag.provision_id, tag.article, tag.paragraph or "", tag.status.value,
                   float(tag.confidence), tag.origin.value, tag.explanation or "", document_id, version_seq,
                   country, anchor)


def _document_conditions(filters: dict[str, list[str]]) -> list:
    conditions = []
    for name, values in filters.items():
        if name not in DOCUMENT_FILTERS:
            raise CatalogueError(f"unknown filter {name!r}; use one of {', '.join(DOCUMENT_FILTERS)}")
        if not values:
            continue
        column = DOCUMENT_FILTERS[name]
        try:
            if name == "year":
                wanted = [int(v) for v in values]
                if not all(0 <= year <= 9999 for year in wanted):
                    raise ValueError(name)
            elif name == "type":
                wanted = [DocumentType(v) for v in values]
            elif name == "status":
                wanted = [DocumentStatus(v) for v in values]
            elif name == "country":
                wanted = [v.upper() for v in values]
            else:
                wanted = [v.lower() for v in values]
        except ValueError:
            raise CatalogueError(f"invalid {name} value in {values!r}") from None
        conditions.append(column.in_(wanted))
    return conditions


def documents(session: Session, filters: dict[str, list[str]], limit: int, offset: int) -> Page:
    """Documents matching ``filters`` (see DOCUMENT_FILTERS), by id; versions not listed."""
    conditions = _document_conditions(filters)
    total = session.scalar(select(func.count(Document.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(Document).where(*conditions).order_by(Document.id).limit(limit).offset(offset)
        .options(joinedload(Document.versions))
    ).unique().all()
    return Page(total, [_document_info(d) for d in rows])


def _provision_counts(session: Session, version_ids: list[int]) -> dict[int, int]:
    return dict(session.execute(
        select(Provision.version_id, func.count(Provision.id))
        .where(Provision.version_id.in_(version_ids)).group_by(Provision.version_id)
    ).all())


def document(session: Session, document_id: int) -> DocumentInfo | None:
    """A document with all its versions (oldest first)."""
    found = session.get(Document, document_id)
    if found is None:
        return None
    counts = _provision_counts(session, [v.id for v in found.versions])
    last = found.versions[-1].seq if found.versions else None
    versions = tuple(_version_info(v, counts.get(v.id, 0), v.seq == last) for v in found.versions)
    return _document_info(found, versions)


def version(session: Session, document_id: int, seq: int) -> tuple[VersionInfo, list[ProvisionSummary]] | None:
    """A version of a document and its provisions in document order."""
    found = session.scalar(select(Version).where(Version.document_id == document_id, Version.seq == seq))
    if found is None:
        return None
    last = session.scalar(select(func.max(Version.seq)).where(Version.document_id == document_id))
    provisions = [
        ProvisionSummary(p.id, p.number or "", p.label or "", p.heading or "", p.kind, p.anchor, p.parent_id,
                         p.page_start)
        for p in found.provisions
    ]
    return _version_info(found, len(provisions), found.seq == last), provisions


def provision(session: Session, provision_id: int) -> ProvisionDetail | None:
    """A provision's full text, its tags (every status) and its pinpoint citation."""
    found = session.scalar(
        select(Provision).where(Provision.id == provision_id).options(
            joinedload(Provision.version).joinedload(Version.document).joinedload(Document.country),
            joinedload(Provision.tags),
        )
    )
    if found is None:
        return None
    version_ = found.version
    last = session.scalar(select(func.max(Version.seq)).where(Version.document_id == version_.document_id))
    tags = tuple(_tag_info(t) for t in sorted(found.tags, key=lambda t: (-t.confidence, t.article, t.paragraph)))
    return ProvisionDetail(
        found.id, found.number or "", found.label or "", found.heading or "", found.kind, found.anchor,
        found.parent_id, found.page_start, text=found.text, page_end=found.page_end, position=found.position,
        convention_article=found.convention_article, document_id=version_.document_id, version_id=version_.id,
        version_seq=version_.seq, current=version_.seq == last, tags=tags, citation=citation_for(found),
    )


def tags(session: Session, articles: list[int], countries: list[str], statuses: list[str],
         limit: int, offset: int) -> Page:
    """Article tags of the provisions of current versions, by article, then confidence
    (highest first), then id. Empty lists do not filter."""
    try:
        wanted_statuses = [TagStatus(s) for s in statuses]
    except ValueError:
        raise CatalogueError(f"invalid status in {statuses!r}; use suggested, confirmed or rejected") from None
    conditions = [Version.id.in_(current_version_ids())]
    if articles:
        conditions.append(ArticleTag.article.in_(articles))
    if countries:
        conditions.append(Document.country_code.in_([c.upper() for c in countries]))
    if wanted_statuses:
        conditions.append(ArticleTag.status.in_(wanted_statuses))

    def joined(query):
        return (query.join(Provision, Provision.id == ArticleTag.provision_id)
                .join(Version, Version.id == Provision.version_id)
                .join(Document, Document.id == Version.document_id).where(*conditions))

    total = session.scalar(joined(select(func.count(ArticleTag.id)))) or 0
    rows = session.execute(
        joined(select(ArticleTag, Document.id, Version.seq, Document.country_code, Provision.anchor))
        .order_by(ArticleTag.article, ArticleTag.confidence.desc(), ArticleTag.id).limit(limit).offset(offset)
    ).all()
    return Page(total, [_tag_info(tag, document_id, seq, country or "", anchor)
                        for tag, document_id, seq, country, anchor in rows])


def tag(session: Session, tag_id: int) -> TagInfo | None:
    """One article tag (any status, any version) with where its provision is."""
    row = session.execute(
        select(ArticleTag, Document.id, Version.seq, Document.country_code, Provision.anchor)
        .join(Provision, Provision.id == ArticleTag.provision_id)
        .join(Version, Version.id == Provision.version_id)
        .join(Document, Document.id == Version.document_id)
        .where(ArticleTag.id == tag_id)
    ).first()
    if row is None:
        return None
    found, document_id, seq, country, anchor = row
    return _tag_info(found, document_id, seq, country or "", anchor)
