"""Store the tagger's suggestions as ArticleTag rows, never touching staff decisions."""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from repository.models import ArticleTag, Provision, TagOrigin, TagStatus
from repository.tagging.tagger import ProvisionView, Tagger


def _context(index: int, parents: Sequence[int | None], titles: Sequence[str]) -> list[str]:
    chain = []
    parent = parents[index]
    while parent is not None and len(chain) < 8:
        if titles[parent]:
            chain.append(titles[parent])
        parent = parents[parent]
    return list(reversed(chain))


def views_for_provisions(provisions: Sequence[Provision], language: str) -> list[ProvisionView]:
    """Views of a version's provisions (all of them, in order, so parents can be found)."""
    position = {p.id: i for i, p in enumerate(provisions)}
    titles = [" ".join(filter(None, (p.label, p.heading))) for p in provisions]
    parents = [position.get(p.parent_id) for p in provisions]
    return [
        ProvisionView(p.kind, p.number, p.heading or "", p.text, language, _context(i, parents, titles))
        for i, p in enumerate(provisions)
    ]


def store_suggestions(session: Session, tagger: Tagger, provision_ids: Sequence[int], views: Sequence[ProvisionView]) -> int:
    """Replace machine suggestions of these provisions; staff-decided tags stay as they are.

    An article that staff confirmed or rejected for a provision is never suggested
    again for it. Returns the number of suggestions stored.
    """
    ids = list(provision_ids)
    if not ids:
        return 0
    decided: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        session.execute(
            delete(ArticleTag).where(
                ArticleTag.provision_id.in_(chunk),
                ArticleTag.status == TagStatus.SUGGESTED,
                ArticleTag.origin != TagOrigin.STAFF,
            )
        )
        for provision_id, article in session.execute(
            select(ArticleTag.provision_id, ArticleTag.article).where(ArticleTag.provision_id.in_(chunk))
        ):
            decided.setdefault(provision_id, set()).add(article)
    rows = []
    for provision_id, view in zip(ids, views):
        for suggestion in tagger.suggest(view):
            if suggestion.article in decided.get(provision_id, ()):
                continue
            rows.append({
                "provision_id": provision_id, "article": suggestion.article, "paragraph": suggestion.paragraph,
                "origin": TagOrigin(suggestion.origin), "confidence": suggestion.confidence,
                "status": TagStatus.SUGGESTED, "explanation": suggestion.explanation[:2000],
            })
    if rows:
        session.execute(insert(ArticleTag), rows)
    return len(rows)


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
