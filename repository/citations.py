"""Pinpoint citations of provisions, in the "lexrepo pinpoint" style.

A citation names one provision of one version of a document, so that it keeps pointing
at the text that was cited after the document is amended:

    Strafgesetzbuch (Germany, 1998), § 261, p. 12 (version of 2024-05-01)

followed, where a link is wanted, by the permanent path
``/documents/<document id>/versions/<version seq>#<anchor>``.

Export formats (text, Markdown, DOCX, CSV, RIS, BibTeX, CSL-JSON, JSON) build on
:class:`Citation`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from repository.models import Document, Provision, TagStatus, Version

STYLE_NAME = "lexrepo pinpoint"

# How a bare-number label is introduced, by the provision's kind (common legal abbreviations).
KIND_ABBREVIATIONS = {
    "section": "s.", "article": "art.", "paragraph": "para.", "rule": "r.", "regulation": "reg.",
    "schedule": "Schedule", "part": "Part", "chapter": "Chapter", "title": "Title",
}


@dataclass(frozen=True)
class Citation:
    provision_id: int
    document_id: int
    version_id: int
    version_seq: int
    version_date: dt.date           # when this version was received into the library
    title: str
    short_title: str
    country_code: str               # ISO 3166 alpha-3, "" for international instruments
    country_name: str               # "" for international instruments
    year: int | None
    date_adopted: dt.date | None
    doc_type: str
    language: str
    status: str
    label: str                      # the provision's number as printed ("§ 261")
    number: str                     # normalized ("261")
    heading: str
    anchor: str
    page: int | None                # first page, for PDFs
    text: str
    source: str
    official_url: str
    articles: tuple[int, ...] = ()  # UNCAC articles tagged (suggested or confirmed)
    kind: str = ""                  # section, article, paragraph... (names a bare-number label)

    @property
    def permalink(self) -> str:
        """Path of this provision in this version (relative to the library's address)."""
        return f"/documents/{self.document_id}/versions/{self.version_seq}#{self.anchor}"

    @property
    def where(self) -> str:
        """The pinpoint inside the document: label, else number, plus the page.

        A label printed as a bare number ("3" in a Canadian act) gets the abbreviation
        of its kind ("s. 3"), so that the pinpoint reads on its own.
        """
        if self.label:
            where = self.label
            if self.label[0].isdigit():
                where = f"{KIND_ABBREVIATIONS.get(self.kind, 'provision')} {self.label}"
        else:
            where = f"provision {self.number}" if self.number else self.heading or "unnumbered provision"
        return f"{where}, p. {self.page}" if self.page else where

    @property
    def jurisdiction(self) -> str:
        parts = [self.country_name or "international"]
        if self.year:
            parts.append(str(self.year))
        return ", ".join(parts)

    def pinpoint(self) -> str:
        """The citation in the lexrepo pinpoint style, without the link."""
        return f"{self.title} ({self.jurisdiction}), {self.where} (version of {self.version_date.isoformat()})"


def citation_for(provision: Provision) -> Citation:
    return citations_for_version(provision.version, [provision])[provision.id]


def citations_for(session: Session, provision_ids: list[int]) -> list[Citation]:
    """Citations of these provisions, in the order given; unknown ids are left out."""
    if not provision_ids:
        return []
    provisions = session.scalars(
        select(Provision).where(Provision.id.in_(set(provision_ids))).options(
            joinedload(Provision.version).joinedload(Version.document).joinedload(Document.country),
            joinedload(Provision.tags),
        )
    ).unique().all()
    by_id = {provision.id: citation_for(provision) for provision in provisions}
    return [by_id[i] for i in dict.fromkeys(provision_ids) if i in by_id]


@dataclass(frozen=True)
class CountryImplementation:
    """The provisions of one country tagged with one UNCAC article (a group of a comparison)."""

    country_code: str
    country_name: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Comparison:
    """How several countries implemented one article of the Convention."""

    article: int
    article_title: str
    countries: tuple[CountryImplementation, ...]

    @property
    def heading(self) -> str:
        names = [group.country_name or group.country_code for group in self.countries]
        joined = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
        return f"Article {self.article} — {self.article_title}: how {joined} implemented it"

    def citations(self) -> list[Citation]:
        return [citation for group in self.countries for citation in group.citations]


def compare_article(library, article: int, country_codes: list[str], per_country: int = 50) -> Comparison:
    """The current provisions of each country (in the order given) tagged with ``article``.

    The index finds them (suggested and confirmed tags; rejected ones are not indexed);
    within a country, staff-confirmed tags come first, then by the tag's confidence, then
    by the index's relevance order.
    """
    from indexer import SearchRequest
    from repository.convention import load_convention
    from repository.models import ArticleTag, Country

    article_title = load_convention().article(article).title
    groups = []
    with library.sessions() as session:
        for code in country_codes:
            country = session.get(Country, code)
            if country is None:
                raise ValueError(f"unknown country code {code!r} (use ISO 3166 alpha-3, e.g. DEU)")
            result = library.search(SearchRequest(
                filters={"article": [str(article)], "country": [code]}, limit=per_country,
                sort="relevance", highlight=False,
            ))
            ranked = [hit.provision_id for hit in result.hits]
            standing: dict[int, tuple[bool, float]] = {}
            if ranked:
                for tag in session.scalars(
                    select(ArticleTag).where(ArticleTag.provision_id.in_(ranked), ArticleTag.article == article)
                ):
                    confirmed, confidence = standing.get(tag.provision_id, (False, 0.0))
                    standing[tag.provision_id] = (confirmed or tag.status == TagStatus.CONFIRMED, max(confidence, tag.confidence))
            rank = {provision_id: position for position, provision_id in enumerate(ranked)}
            order = sorted(ranked, key=lambda pid: (not standing.get(pid, (False, 0.0))[0],
                                                   -standing.get(pid, (False, 0.0))[1], rank[pid]))
            groups.append(CountryImplementation(code, country.name, tuple(citations_for(session, order))))
    return Comparison(article, article_title, tuple(groups))

def citations_for_version(version: Version, provisions: list[Provision]) -> dict[int, Citation]:
    """Citations of provisions already loaded for one version, by provision id, without a query.

    The caller loads ``version.document.country`` and each provision's ``tags`` (e.g. with
    ``selectinload``); a page of a thousand provisions then costs no query per provision.
    """
    document: Document = version.document
    country = document.country
    shared = dict(
        document_id=document.id,
        version_id=version.id,
        version_seq=version.seq,
        version_date=version.received_at.date(),
        title=document.title,
        short_title=document.short_title or "",
        country_code=document.country_code or "",
        country_name=country.name if country is not None else "",
        year=document.year,
        date_adopted=document.date_adopted,
        doc_type=document.doc_type.value,
        language=document.language,
        status=document.status.value,
        source=document.source,
        official_url=document.official_url or "",
    )
    return {
        provision.id: Citation(
            provision_id=provision.id,
            label=provision.label or "",
            number=provision.number or "",
            kind=provision.kind or "",
            heading=provision.heading or "",
            anchor=provision.anchor,
            page=provision.page_start,
            text=provision.text,
            articles=tuple(provision.article_numbers),
            **shared,
        )
        for provision in provisions
    }
