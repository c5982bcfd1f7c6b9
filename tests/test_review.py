"""The review queue on SQLite and PostgreSQL: order, filters, confirm, reject, add, bulk-confirm,
each audited and visible in the index at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from indexer import SearchRequest
from repository.accounts import create_user
from repository.audit import audit_log
from repository.models import ArticleTag, Provision, TagOrigin, TagStatus
from repository.review import ReviewError, add_tag, bulk_confirm, confirm_tags, reject_tags, review_queue
from tests.test_library import BRIBERY_ACT, GELDWAESCHE, write


@pytest.fixture
def tagged(library, tmp_path):
    write(tmp_path / "laws", "usa/act.md", BRIBERY_ACT)
    write(tmp_path / "laws", "deu/gesetz.md", GELDWAESCHE)
    library.ingest(tmp_path / "laws", workers=1)
    return library


@pytest.fixture
def editor(library):
    return create_user(library, "reviewer", "correct horse battery", "editor")


def article_hits(library, article: int) -> set[int]:
    result = library.search(SearchRequest(query="", filters={"article": [str(article)]}, limit=200))
    return {hit.provision_id for hit in result.hits}


def stored_tag(library, tag_id) -> ArticleTag:
    with library.sessions() as session:
        return session.get(ArticleTag, tag_id)


def test_the_queue_lists_suggestions_most_confident_first_with_filters(tagged):
    with tagged.sessions() as session:
        suggested = session.scalars(select(ArticleTag).where(ArticleTag.status == TagStatus.SUGGESTED)).all()
    page = review_queue(tagged)
    assert page.total == len(suggested) >= 4
    confidences = [item.confidence for item in page.items]
    assert confidences == sorted(confidences, reverse=True)
    assert {item.tag_id for item in page.items} == {tag.id for tag in suggested}
    germany = review_queue(tagged, country="deu")
    assert germany.total >= 1 and {item.country for item in germany.items} == {"DEU"}
    assert germany.total + review_queue(tagged, country="USA").total == page.total
    assert review_queue(tagged, country="").total == 0  # no international instruments here
    first = page.items[0]
    by_article = review_queue(tagged, article=first.article)
    assert by_article.items and {item.article for item in by_article.items} == {first.article}
    second_page = review_queue(tagged, limit=2, offset=2)
    assert [item.tag_id for item in second_page.items] == [item.tag_id for item in page.items[2:4]]
    assert first.provision_text and first.document_title and first.explanation


def test_confirm_and_reject_are_audited_and_reach_the_index(tagged, editor):
    items = review_queue(tagged).items
    confirm, reject = items[0], items[1]
    assert reject.provision_id in article_hits(tagged, reject.article)
    assert confirm_tags(tagged, [confirm.tag_id], editor) == 1
    assert reject_tags(tagged, [reject.tag_id], editor) == 1
    assert stored_tag(tagged, confirm.tag_id).status == TagStatus.CONFIRMED
    assert stored_tag(tagged, reject.tag_id).status == TagStatus.REJECTED
    assert confirm.provision_id in article_hits(tagged, confirm.article)
    assert reject.provision_id not in article_hits(tagged, reject.article)
    assert {item.tag_id for item in review_queue(tagged).items}.isdisjoint({confirm.tag_id, reject.tag_id})
    # Re-tagging keeps both decisions and never suggests the rejected article again.
    tagged.tag()
    assert stored_tag(tagged, confirm.tag_id).status == TagStatus.CONFIRMED
    with tagged.sessions() as session:
        again = session.scalars(select(ArticleTag.status).where(
            ArticleTag.provision_id == reject.provision_id, ArticleTag.article == reject.article)).all()
    assert again == [TagStatus.REJECTED]
    assert reject.provision_id not in article_hits(tagged, reject.article)
    events = audit_log(tagged, user="reviewer").events
    assert [(e.action, e.target_id) for e in events] == [
        ("tag-reject", str(reject.tag_id)), ("tag-confirm", str(confirm.tag_id))]
    assert events[0].details["before"] == "suggested" and events[0].details["after"] == "rejected"
    assert confirm_tags(tagged, [confirm.tag_id], editor) == 0  # already confirmed: no change, no event
    assert audit_log(tagged, user="reviewer").total == 2
    assert tagged.check().clean


def test_staff_can_add_a_tag_with_a_paragraph(tagged, editor):
    with tagged.sessions() as session:
        provision_id = session.scalar(select(Provision.id).where(Provision.number == "3"))
    assert provision_id not in article_hits(tagged, 32)
    tag_id = add_tag(tagged, provision_id, 32, "4", editor)
    tag = stored_tag(tagged, tag_id)
    assert (tag.article, tag.paragraph, tag.origin, tag.status) == (32, "4", TagOrigin.STAFF, TagStatus.CONFIRMED)
    assert provision_id in article_hits(tagged, 32)
    assert add_tag(tagged, provision_id, 32, "4", editor) == tag_id  # the same tag, not a second one
    [event, _] = audit_log(tagged, action="tag-add").events
    assert event.details["article"] == 32 and event.details["paragraph"] == "4"
    with pytest.raises(ReviewError, match="no article 99"):
        add_tag(tagged, provision_id, 99, "", editor)
    with pytest.raises(ReviewError, match="no provision"):
        add_tag(tagged, 10**9, 15, "", editor)
    with pytest.raises(ReviewError, match="no tag with id"):
        confirm_tags(tagged, [10**9], editor)


def test_bulk_confirm_confirms_what_the_filters_show(tagged, editor):
    usa = review_queue(tagged, country="USA")
    confirmed = bulk_confirm(tagged, editor, country="USA")
    assert confirmed == usa.total >= 3
    assert review_queue(tagged, country="USA").total == 0
    assert review_queue(tagged, country="DEU").total >= 1
    assert {stored_tag(tagged, item.tag_id).status for item in usa.items} == {TagStatus.CONFIRMED}
    assert audit_log(tagged, action="tag-confirm").total == confirmed
    for item in usa.items:
        assert item.provision_id in article_hits(tagged, item.article)
