"""The review queue: staff confirm, reject or add the UNCAC tags of provisions.

Each decision is one transaction that changes the tags and writes its audit event;
then the index entries of the affected documents are refreshed through the library's
single writer, so a search by article reflects the decision at once. Rejected tags
are kept (status ``rejected``) and never suggested again by re-tagging.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from sqlalchemy import func, select

from repository import audit
from repository.db import transaction
from repository.library import LibraryError
from repository.indexing import current_version_ids
from repository.models import (
    ArticleTag, ConventionArticle, Document, Provision, TagOrigin, TagStatus, User, Version,
)

if TYPE_CHECKING:
    from repository.library import Library


class ReviewError(LibraryError):
    """A tag decision cannot be made; the message says why."""


@dataclass(frozen=True)
class ReviewItem:
    """One suggested tag of one provision, with what a reviewer needs to decide."""

    tag_id: int
    article: int
    paragraph: str
    confidence: float
    origin: str
    explanation: str
    provision_id: int
    provision_label: str
    provision_number: str
    provision_heading: str
    provision_text: str
    anchor: str
    document_id: int
    document_title: str
    country: str
    language: str


@dataclass(frozen=True)
class ReviewPage:
    total: int
    items: list[ReviewItem]


def review_queue(
    library: "Library", *, country: str | None = None, article: int | None = None,
    limit: int = 50, offset: int = 0, text_chars: int = 600, document: int | None = None,
) -> ReviewPage:
    """Suggested tags of current versions' provisions, most confident first.

    ``country`` is an ISO alpha-3 code ("" for international instruments), ``article``
    an UNCAC article number, ``document`` a document id; ``text_chars`` shortens each
    provision's text.
    """
    conditions = [ArticleTag.status == TagStatus.SUGGESTED, Version.id.in_(current_version_ids())]
    if country:
        conditions.append(Document.country_code == country.upper())
    elif country is not None:
        conditions.append(Document.country_code.is_(None))
    if article is not None:
        conditions.append(ArticleTag.article == int(article))
    if document is not None:
        conditions.append(Document.id == int(document))

    def joined(query):
        return (query.join(Provision, Provision.id == ArticleTag.provision_id)
                .join(Version, Version.id == Provision.version_id)
                .join(Document, Document.id == Version.document_id)
                .where(*conditions))

    with library.sessions() as session:
        total = session.scalar(joined(select(func.count(ArticleTag.id)))) or 0
        rows = session.execute(
            joined(select(ArticleTag, Provision, Document))
            .order_by(ArticleTag.confidence.desc(), ArticleTag.id)
            .limit(limit).offset(offset)
        ).all()
        items = [
            ReviewItem(
                tag_id=tag.id, article=tag.article, paragraph=tag.paragraph, confidence=tag.confidence,
                origin=tag.origin.value, explanation=tag.explanation, provision_id=provision.id,
                provision_label=provision.label, provision_number=provision.number or "",
                provision_heading=provision.heading or "", provision_text=provision.text[:text_chars],
                anchor=provision.anchor, document_id=document.id, document_title=document.title,
                country=document.country_code or "", language=document.language,
            )
            for tag, provision, document in rows
        ]
    return ReviewPage(total, items)


def _decide(library: "Library", tag_ids: Sequence[int], status: TagStatus, user: User | None) -> int:
    """Set the status of these tags; audit each; refresh the index. Returns how many changed."""
    ids = list(dict.fromkeys(int(i) for i in tag_ids))
    if not ids:
        raise ReviewError("no tags chosen")
    action = "tag-confirm" if status == TagStatus.CONFIRMED else "tag-reject"
    with transaction(library.sessions) as session:
        rows = session.execute(
            select(ArticleTag, Version.document_id)
            .join(Provision, Provision.id == ArticleTag.provision_id)
            .join(Version, Version.id == Provision.version_id)
            .where(ArticleTag.id.in_(ids))
        ).all()
        found = {tag.id for tag, _ in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ReviewError(f"no tag with id {missing[0]}")
        documents = []
        changed = 0
        for tag, document_id in rows:
            if tag.status == status:
                continue
            audit.record(session, user, action, "tag", tag.id, {
                "provision_id": tag.provision_id, "document_id": document_id, "article": tag.article,
                "paragraph": tag.paragraph, "before": tag.status.value, "after": status.value,
                "confidence": tag.confidence,
            })
            tag.status = status
            documents.append(document_id)
            changed += 1
    if documents:
        library.refresh_indexes(documents)
    return changed


def confirm_tags(library: "Library", tag_ids: Sequence[int], user: User | None = None) -> int:
    """Confirm one or many suggested tags (bulk-confirm); return how many changed."""
    return _decide(library, tag_ids, TagStatus.CONFIRMED, user)


def reject_tags(library: "Library", tag_ids: Sequence[int], user: User | None = None) -> int:
    """Reject one or many tags: they leave the index and are never suggested again."""
    return _decide(library, tag_ids, TagStatus.REJECTED, user)


def bulk_confirm(library: "Library", user: User | None = None, *, country: str | None = None,
                 article: int | None = None, min_confidence: float = 0.0, limit: int = 500,
                 document: int | None = None) -> int:
    """Confirm the queue's suggestions matching the filters with at least ``min_confidence``."""
    page = review_queue(library, country=country, article=article, document=document, limit=limit, text_chars=0)
    ids = [item.tag_id for item in page.items if item.confidence >= min_confidence]
    return confirm_tags(library, ids, user) if ids else 0


def add_tag(library: "Library", provision_id: int, article: int, paragraph: str = "",
            user: User | None = None) -> int:
    """Tag a provision with an article (optionally one paragraph), confirmed by staff; return the tag id.

    An existing tag for the same article and paragraph (suggested or rejected) is confirmed instead.
    """
    paragraph = (paragraph or "").strip()[:16]
    with transaction(library.sessions) as session:
        provision = session.get(Provision, provision_id)
        if provision is None:
            raise ReviewError(f"no provision with id {provision_id}")
        if session.get(ConventionArticle, int(article)) is None:
            raise ReviewError(f"UNCAC has no article {article}")
        document_id = session.scalar(select(Version.document_id).where(Version.id == provision.version_id))
        tag = session.scalar(select(ArticleTag).where(
            ArticleTag.provision_id == provision_id, ArticleTag.article == int(article),
            ArticleTag.paragraph == paragraph))
        before = tag.status.value if tag is not None else None
        if tag is None:
            tag = ArticleTag(provision_id=provision_id, article=int(article), paragraph=paragraph,
                             origin=TagOrigin.STAFF, confidence=1.0, status=TagStatus.CONFIRMED,
                             explanation="added by staff")
            session.add(tag)
        else:
            tag.status = TagStatus.CONFIRMED
        session.flush()
        audit.record(session, user, "tag-add", "tag", tag.id, {
            "provision_id": provision_id, "document_id": document_id, "article": int(article),
            "paragraph": paragraph, "before": before, "after": TagStatus.CONFIRMED.value,
        })
        tag_id = tag.id
    library.refresh_indexes([document_id])
    return tag_id
