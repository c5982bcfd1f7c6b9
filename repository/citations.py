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

    @property
    def permalink(self) -> str:
        """Path of this provision in this version (relative to the library's address)."""
        return f"/documents/{self.document_id}/versions/{self.version_seq}#{self.anchor}"

    @property
    def where(self) -> str:
        """The pinpoint inside the document: label, else number, plus the page."""
        where = self.label or (f"provision {self.number}" if self.number else self.heading or "unnumbered provision")
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
    version: Version = provision.version
    document: Document = version.document
    country = document.country
    return Citation(
        provision_id=provision.id,
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
        label=provision.label or "",
        number=provision.number or "",
        heading=provision.heading or "",
        anchor=provision.anchor,
        page=provision.page_start,
        text=provision.text,
        source=document.source,
        official_url=document.official_url or "",
        articles=tuple(sorted(
            {tag.article for tag in provision.tags if tag.status != TagStatus.REJECTED}
            | ({provision.convention_article} if provision.convention_article else set())
        )),
    )


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
            heading=provision.heading or "",
            anchor=provision.anchor,
            page=provision.page_start,
            text=provision.text,
            articles=tuple(sorted(
                {tag.article for tag in provision.tags if tag.status != TagStatus.REJECTED}
                | ({provision.convention_article} if provision.convention_article else set())
            )),
            **shared,
        )
        for provision in provisions
    }
