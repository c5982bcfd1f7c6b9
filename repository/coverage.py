"""How the library covers the Convention: which provisions implement which UNCAC article,
per article, per country and for the whole library (the coverage matrix).

A provision implements an article when it has a tag for that article with status
``suggested`` or ``confirmed`` (``rejected`` tags never count) and belongs to the current
version of its document. A provision with several tags for one article (different
paragraphs) counts once, as confirmed if any of those tags is confirmed.

Every function takes a Session and returns plain dataclasses, so that the web layer
renders them after the session is closed. The matrix and the per-article counts are one
grouped query each, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from repository.indexing import current_version_ids
from repository.models import (
    ArticleTag, ConventionArticle, ConventionChapter, Country, Document, Provision, TagStatus, Version,
)

CONFIRMED = "confirmed"
SUGGESTED = "suggested"
NONE = "none"


# -- value objects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Provisions of one country implementing one article: how many confirmed, how many only suggested."""

    confirmed: int = 0
    suggested: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.suggested

    @property
    def status(self) -> str:
        """``confirmed`` if staff confirmed at least one provision, ``suggested`` if there are
        only machine suggestions, ``none`` if no provision implements the article."""
        return CONFIRMED if self.confirmed else SUGGESTED if self.suggested else NONE


@dataclass(frozen=True)
class Implementation:
    """One provision (current version) tagged with an article."""

    provision_id: int
    document_id: int
    anchor: str
    label: str
    number: str
    heading: str
    text: str
    document_title: str
    short_title: str
    year: int | None
    country_code: str  # "" for international instruments
    status: str        # confirmed | suggested
    confidence: float

    @property
    def reference(self) -> str:
        """A short human reference: "StGB § 261"."""
        where = self.label or self.number or self.heading or "unnumbered provision"
        return f"{self.short_title or self.document_title} {where}"

    @property
    def path(self) -> str:
        return f"/documents/{self.document_id}#{self.anchor}"


@dataclass
class CountryGroup:
    """The implementations of one article in one country (code "" = international instruments)."""

    code: str
    name: str
    region: str
    implementations: list[Implementation] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(1 for i in self.implementations if i.status == CONFIRMED)


@dataclass(frozen=True)
class ArticleSummary:
    number: int
    title: str
    chapter: str
    obligation: str | None
    provisions: int  # implementing provisions (current versions, all countries and international)
    countries: int   # countries with at least one implementing provision


@dataclass(frozen=True)
class ChapterInfo:
    number: str
    title: str


@dataclass(frozen=True)
class ArticleCoverage:
    """One row of a country's coverage: an article and the provisions implementing it there."""

    number: int
    title: str
    chapter: str
    obligation: str | None
    cell: Cell
    implementations: tuple[Implementation, ...]

    @property
    def status(self) -> str:
        return self.cell.status


@dataclass(frozen=True)
class CountryInfo:
    code: str
    name: str
    region: str  # "" when the country belongs to no UN regional group


@dataclass(frozen=True)
class CountrySummary(CountryInfo):
    documents: int
    provisions: int  # provisions of the current versions


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    title: str
    short_title: str
    doc_type: str
    year: int | None
    status: str
    language: str
    provisions: int


@dataclass(frozen=True)
class ConventionText:
    """The Convention's own text of one article in one language."""

    article: int
    language: str
    document_id: int
    document_title: str
    anchor: str
    label: str
    heading: str
    text: str

    @property
    def path(self) -> str:
        return f"/documents/{self.document_id}#{self.anchor}"


@dataclass
class Matrix:
    """Countries x articles: ``cells[(country, article)]``; absent pairs are empty cells."""

    countries: list[CountryInfo]
    articles: list[ArticleSummary]
    cells: dict[tuple[str, int], Cell]

    def cell(self, country: str, article: int) -> Cell:
        return self.cells.get((country, article), Cell())

    def country_total(self, country: str) -> Cell:
        """The country's provisions summed over the matrix's articles (a provision tagged with
        two articles counts twice, once in each column)."""
        cells = [self.cell(country, a.number) for a in self.articles]
        return Cell(sum(c.confirmed for c in cells), sum(c.suggested for c in cells))


# -- queries ------------------------------------------------------------------------------


def _tagged_provisions(articles: Iterable[int] | None = None):
    """A subquery: one row per (provision of a current version, article) with a non-rejected
    tag, and whether any of those tags is confirmed."""
    is_confirmed = func.max(case((ArticleTag.status == TagStatus.CONFIRMED, 1), else_=0))
    query = (
        select(ArticleTag.provision_id, Provision.version_id, ArticleTag.article, is_confirmed.label("confirmed"),
               func.max(ArticleTag.confidence).label("confidence"))
        .join(Provision, Provision.id == ArticleTag.provision_id)
        .where(ArticleTag.status != TagStatus.REJECTED, Provision.version_id.in_(current_version_ids()))
        .group_by(ArticleTag.provision_id, Provision.version_id, ArticleTag.article)
    )
    if articles is not None:
        query = query.where(ArticleTag.article.in_(list(articles)))
    return query.subquery()


def _implementations(session: Session, articles: Iterable[int] | None, countries: Iterable[str] | None,
                     with_text: bool) -> list[tuple[int, Implementation]]:
    """(article, implementation) rows, confirmed first, then by confidence."""
    tagged = _tagged_provisions(articles)
    text = Provision.text if with_text else literal("")
    query = (
        select(tagged.c.article, tagged.c.confirmed, tagged.c.confidence,
               Provision.id, Provision.anchor, Provision.label, Provision.number, Provision.heading, text,
               Document.id, Document.title, Document.short_title, Document.year, Document.country_code)
        .join(Provision, Provision.id == tagged.c.provision_id)
        .join(Version, Version.id == tagged.c.version_id)
        .join(Document, Document.id == Version.document_id)
        .order_by(tagged.c.article, tagged.c.confirmed.desc(), tagged.c.confidence.desc(),
                  Document.id, Provision.position)
    )
    if countries is not None:
        query = query.where(Document.country_code.in_(list(countries)))
    return [
        (article, Implementation(
            provision_id=provision_id, document_id=document_id, anchor=anchor, label=label or "",
            number=number or "", heading=heading or "", text=text or "", document_title=title,
            short_title=short_title or "", year=year, country_code=country or "",
            status=CONFIRMED if confirmed else SUGGESTED, confidence=float(confidence or 0.0),
        ))
        for (article, confirmed, confidence, provision_id, anchor, label, number, heading, text,
             document_id, title, short_title, year, country) in session.execute(query)
    ]


def article_implementations(session: Session, article: int, countries: Iterable[str] | None = None,
                            with_text: bool = False) -> list[CountryGroup]:
    """The provisions implementing ``article``, grouped by country (sorted by name), the
    international instruments as a last group; within a group, confirmed first, then
    suggested by confidence. ``countries`` restricts the groups (ISO alpha-3 codes)."""
    groups: dict[str, CountryGroup] = {}
    names = _country_info(session)
    for _article, implementation in _implementations(session, [article], countries, with_text):
        code = implementation.country_code
        if code not in groups:
            info = names.get(code)
            groups[code] = CountryGroup(code, info.name if info else "International instruments",
                                        info.region if info else "")
        groups[code].implementations.append(implementation)
    return sorted(groups.values(), key=lambda g: (g.code == "", g.name))


def _country_info(session: Session, codes: Iterable[str] | None = None) -> dict[str, CountryInfo]:
    query = select(Country.code, Country.name, Country.region)
    if codes is None:
        query = query.where(Country.code.in_(select(Document.country_code).distinct()))
    else:
        query = query.where(Country.code.in_(list(codes)))
    return {code: CountryInfo(code, name, region.value if region else "") for code, name, region in session.execute(query)}


def coverage_cells(session: Session, countries: Iterable[str] | None = None) -> dict[tuple[str, int], Cell]:
    """(country, article) -> Cell for every country (international instruments left out),
    in one grouped query."""
    tagged = _tagged_provisions()
    query = (
        select(Document.country_code, tagged.c.article,
               func.sum(tagged.c.confirmed), func.count())
        .join(Version, Version.id == tagged.c.version_id)
        .join(Document, Document.id == Version.document_id)
        .where(Document.country_code.is_not(None))
        .group_by(Document.country_code, tagged.c.article)
    )
    if countries is not None:
        query = query.where(Document.country_code.in_(list(countries)))
    return {
        (code, article): Cell(int(confirmed or 0), int(total) - int(confirmed or 0))
        for code, article, confirmed, total in session.execute(query)
    }


def articles(session: Session) -> list[ArticleSummary]:
    """Every article of the Convention, in order, with its number of implementing provisions
    and of countries (one grouped query)."""
    tagged = _tagged_provisions()
    counts = {
        article: (provisions, countries)
        for article, provisions, countries in session.execute(
            select(tagged.c.article, func.count(), func.count(func.distinct(Document.country_code)))
            .join(Version, Version.id == tagged.c.version_id)
            .join(Document, Document.id == Version.document_id)
            .group_by(tagged.c.article)
        )
    }
    rows = session.execute(select(ConventionArticle).order_by(ConventionArticle.number)).scalars()
    return [
        ArticleSummary(a.number, a.title, a.chapter, a.obligation, *counts.get(a.number, (0, 0)))
        for a in rows
    ]


def chapters(session: Session) -> list[ChapterInfo]:
    return [ChapterInfo(number, title) for number, title in session.execute(
        select(ConventionChapter.number, ConventionChapter.title).order_by(ConventionChapter.position)
    )]


def country_coverage(session: Session, code: str) -> list[ArticleCoverage]:
    """Every article of the Convention with the provisions of ``code``'s documents that
    implement it (confirmed first), and its status: confirmed, suggested or none."""
    by_article: dict[int, list[Implementation]] = {}
    for article, implementation in _implementations(session, None, [code], with_text=False):
        by_article.setdefault(article, []).append(implementation)
    coverage = []
    for summary in session.execute(select(ConventionArticle).order_by(ConventionArticle.number)).scalars():
        found = tuple(by_article.get(summary.number, ()))
        confirmed = sum(1 for i in found if i.status == CONFIRMED)
        coverage.append(ArticleCoverage(summary.number, summary.title, summary.chapter, summary.obligation,
                                        Cell(confirmed, len(found) - confirmed), found))
    return coverage


def matrix(session: Session, chapter: str | None = None, region: str | None = None) -> Matrix:
    """The coverage matrix: countries with documents (optionally of one UN regional group) x
    articles (optionally of one chapter). The articles' counts are those of the matrix's countries."""
    countries = sorted(_country_info(session).values(), key=lambda c: c.name)
    if region:
        countries = [c for c in countries if c.region == region]
    cells = coverage_cells(session, [c.code for c in countries])
    query = select(ConventionArticle).order_by(ConventionArticle.number)
    if chapter is not None:
        query = query.where(ConventionArticle.chapter == chapter)
    columns: dict[int, list[Cell]] = {}
    for (_code, number), cell in cells.items():
        columns.setdefault(number, []).append(cell)
    summaries = []
    for a in session.scalars(query):
        column = columns.get(a.number, [])
        summaries.append(ArticleSummary(a.number, a.title, a.chapter, a.obligation,
                                        sum(c.total for c in column), len(column)))
    return Matrix(countries, summaries, cells)


def country(session: Session, code: str) -> CountryInfo | None:
    """The country with this ISO alpha-3 code, if the library knows it."""
    return _country_info(session, [code]).get(code)


def countries(session: Session) -> list[CountrySummary]:
    """Countries that have documents, with their numbers of documents and provisions, by name."""
    documents = dict(session.execute(
        select(Document.country_code, func.count(Document.id))
        .where(Document.country_code.is_not(None)).group_by(Document.country_code)
    ).all())
    provisions = dict(session.execute(
        select(Document.country_code, func.count(Provision.id))
        .join(Version, Version.document_id == Document.id)
        .join(Provision, Provision.version_id == Version.id)
        .where(Version.id.in_(current_version_ids()), Document.country_code.is_not(None))
        .group_by(Document.country_code)
    ).all())
    return sorted(
        (CountrySummary(info.code, info.name, info.region, documents.get(info.code, 0), provisions.get(info.code, 0))
         for info in _country_info(session, documents).values()),
        key=lambda c: c.name,
    )


def country_documents(session: Session, code: str) -> list[DocumentSummary]:
    """A country's documents with the provision count of their current version, by year then title."""
    counts = dict(session.execute(
        select(Version.document_id, func.count(Provision.id))
        .join(Provision, Provision.version_id == Version.id)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(current_version_ids()), Document.country_code == code)
        .group_by(Version.document_id)
    ).all())
    documents = session.scalars(
        select(Document).where(Document.country_code == code).order_by(Document.year.desc(), Document.title)
    )
    return [
        DocumentSummary(d.id, d.title, d.short_title or "", d.doc_type.value, d.year, d.status.value, d.language,
                        counts.get(d.id, 0))
        for d in documents
    ]


def convention_text(session: Session, article: int) -> dict[str, ConventionText]:
    """The Convention's own text of ``article`` by language, from its ingested texts (current
    versions; the first document of each language wins)."""
    rows = session.execute(
        select(Document.language, Document.id, Document.title, Provision.anchor, Provision.label,
               Provision.heading, Provision.text)
        .join(Version, Version.document_id == Document.id)
        .join(Provision, Provision.version_id == Version.id)
        .where(Provision.convention_article == article, Version.id.in_(current_version_ids()))
        .order_by(Document.id, Provision.position)
    )
    texts: dict[str, ConventionText] = {}
    for language, document_id, title, anchor, label, heading, text in rows:
        texts.setdefault(language, ConventionText(article, language, document_id, title, anchor, label or "",
                                                  heading or "", text or ""))
    return texts

