"""Turn what the database holds into the plain records the indexer stores.

The database is the truth; these functions are the only way its content reaches the
index, so that ingest, re-tagging and ``reindex`` all produce identical entries.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from indexer.backend import ProvisionRecord
from repository.convention import load_convention
from repository.models import Document, Provision, Version


def is_indexable(provision: Provision) -> bool:
    """Containers without text of their own (a chapter heading) are browsed, not searched."""
    return bool(provision.text.strip())


def records_for_version(document: Document, version: Version, provisions: Iterable[Provision]) -> list[ProvisionRecord]:
    """Index records for the given provisions of ``version`` of ``document``."""
    convention = load_convention()
    country = document.country
    records = []
    for provision in provisions:
        if not is_indexable(provision):
            continue
        articles = provision.article_numbers
        records.append(ProvisionRecord(
            provision_id=provision.id,
            document_id=document.id,
            version_id=version.id,
            source=document.source,
            title=document.title,
            number=provision.number or "",
            label=provision.label or "",
            kind=provision.kind,
            heading=provision.heading or "",
            text=provision.text,
            anchor=provision.anchor,
            language=document.language,
            country=document.country_code or "",
            region=(country.region.value if country is not None and country.region else ""),
            doc_type=document.doc_type.value,
            status=document.status.value,
            year=document.year,
            position=provision.position,
            articles=articles,
            chapters=sorted({convention.chapter_of(n) for n in articles}),
            page_start=provision.page_start,
            page_end=provision.page_end,
        ))
    return records


def records_for_document(session: Session, document_id: int) -> list[ProvisionRecord]:
    """Index records for the current version of one document ([] if it has none)."""
    document = session.get(Document, document_id)
    if document is None or not document.versions:
        return []
    version = document.current_version
    provisions = session.scalars(
        select(Provision)
        .where(Provision.version_id == version.id)
        .options(selectinload(Provision.tags))
        .order_by(Provision.position)
    ).all()
    return records_for_version(document, version, provisions)


def current_document_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Document.id).where(Document.versions.any()).order_by(Document.id)))


def iter_all_records(session: Session) -> Iterator[list[ProvisionRecord]]:
    """Records of every document's current version, one list per document."""
    for document_id in current_document_ids(session):
        yield records_for_document(session, document_id)
        session.expunge_all()  # keep memory flat over a large library


def current_version_ids():
    """A SELECT of the id of each document's latest version."""
    latest = (
        select(Version.document_id, func.max(Version.seq).label("seq"))
        .group_by(Version.document_id).subquery()
    )
    return select(Version.id).join(
        latest, (Version.document_id == latest.c.document_id) & (Version.seq == latest.c.seq)
    )


def indexable_provision_ids(session: Session) -> set[int]:
    """Ids the index should hold: provisions of current versions that have text."""
    rows = session.execute(
        select(Provision.id, Provision.text).where(Provision.version_id.in_(current_version_ids()))
    )
    return {provision_id for provision_id, text in rows if text.strip()}
