"""What the public pages read from the database: the library at a glance (recent documents,
countries and regional groups) and one version of a document with its provisions, tags,
table of contents and citations, each loaded in a fixed number of queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from repository.citations import Citation, citations_for_version
from repository.convention import load_convention
from repository.models import ArticleTag, Country, Document, Provision, TagStatus, Version


@dataclass(frozen=True)
class RecentDocument:
    id: int
    title: str
    short_title: str
    country_code: str        # "" for international instruments
    country_name: str
    doc_type: str
    year: int | None
    received_at: dt.datetime  # when its latest version arrived


@dataclass(frozen=True)
class CountryCount:
    code: str
    name: str
    region: str              # UN regional group, "" when none
    documents: int


def recent_documents(session: Session, limit: int = 10) -> list[RecentDocument]:
    """The ``limit`` documents whose latest version arrived last, newest first."""
    latest = func.max(Version.received_at).label("latest")
    rows = session.execute(
        select(Document, latest)
        .join(Version, Version.document_id == Document.id)
        .options(joinedload(Document.country))
        .group_by(Document.id)
        .order_by(latest.desc(), Document.id.desc())
        .limit(limit)
    ).all()
    return [
        RecentDocument(
            id=document.id, title=document.title, short_title=document.short_title or "",
            country_code=document.country_code or "",
            country_name=document.country.name if document.country is not None else "",
            doc_type=document.doc_type.value, year=document.year, received_at=received_at,
        )
        for document, received_at in rows
    ]


def countries_with_documents(session: Session) -> list[CountryCount]:
    """Countries that have at least one document, by name."""
    rows = session.execute(
        select(Country, func.count(Document.id))
        .join(Document, Document.country_code == Country.code)
        .group_by(Country.code)
        .order_by(Country.name)
    ).all()
    return [
        CountryCount(country.code, country.name, country.region.value if country.region else "", documents)
        for country, documents in rows
    ]


def country_names(session: Session, codes) -> dict[str, str]:
    """ISO alpha-3 -> name for the given codes (one query)."""
    codes = {str(code).upper() for code in codes if code}
    if not codes:
        return {}
    return dict(session.execute(select(Country.code, Country.name).where(Country.code.in_(codes))).all())


@dataclass(frozen=True)
class TagView:
    """A visible UNCAC tag of a provision (rejected tags are not shown)."""

    article: int
    title: str
    paragraph: str
    status: str              # "suggested" or "confirmed"


@dataclass
class TocEntry:
    provision: Provision
    children: list["TocEntry"] = field(default_factory=list)


@dataclass
class DocumentView:
    document: Document
    version: Version
    versions: list[Version]
    provisions: list[Provision]
    tags: dict[int, list[TagView]]
    citations: dict[int, Citation]
    toc: list[TocEntry]

    @property
    def is_current(self) -> bool:
        return self.version.id == self.versions[-1].id

    @property
    def current(self) -> Version:
        return self.versions[-1]


def visible_tags(provision: Provision) -> list[TagView]:
    """Confirmed first, then by confidence; the Convention's own articles are their article."""
    convention = load_convention()
    tags = sorted(
        (tag for tag in provision.tags if tag.status != TagStatus.REJECTED),
        key=lambda tag: (tag.status != TagStatus.CONFIRMED, -tag.confidence, tag.article),
    )
    views = [TagView(tag.article, convention.article(tag.article).title, tag.paragraph or "", tag.status.value)
             for tag in tags]
    if provision.convention_article and provision.convention_article not in {v.article for v in views}:
        number = provision.convention_article
        views.insert(0, TagView(number, convention.article(number).title, "", TagStatus.CONFIRMED.value))
    return views


def table_of_contents(provisions: list[Provision]) -> list[TocEntry]:
    """The provisions as a tree following ``parent_id`` (document order kept)."""
    entries = {provision.id: TocEntry(provision) for provision in provisions}
    roots: list[TocEntry] = []
    for provision in provisions:
        parent = entries.get(provision.parent_id) if provision.parent_id else None
        (parent.children if parent is not None else roots).append(entries[provision.id])
    return roots


def document_view(session: Session, document_id: int, seq: int | None = None) -> DocumentView | None:
    """Version ``seq`` (the current one when None) of a document, with everything its page shows.

    Four queries whatever the size: document with country, its versions, the provisions,
    their tags. Objects stay readable after the session closes.
    """
    document = session.scalar(
        select(Document).where(Document.id == document_id)
        .options(joinedload(Document.country), selectinload(Document.versions))
    )
    if document is None or not document.versions:
        return None
    versions = list(document.versions)
    version = versions[-1] if seq is None else next((v for v in versions if v.seq == seq), None)
    if version is None:
        return None
    provisions = list(session.scalars(
        select(Provision).where(Provision.version_id == version.id).order_by(Provision.position)
    ))
    # All tags of the version in one query (selectinload would send one per 500 provisions).
    tags: dict[int, list[ArticleTag]] = {provision.id: [] for provision in provisions}
    for tag in session.scalars(
        select(ArticleTag).join(Provision, Provision.id == ArticleTag.provision_id)
        .where(Provision.version_id == version.id)
    ):
        tags[tag.provision_id].append(tag)
    for provision in provisions:
        set_committed_value(provision, "tags", tags[provision.id])
    return DocumentView(
        document=document, version=version, versions=versions, provisions=provisions,
        tags={provision.id: visible_tags(provision) for provision in provisions},
        citations=citations_for_version(version, provisions),
        toc=table_of_contents(provisions),
    )
