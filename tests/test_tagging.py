"""Tagging: lexicon terms, the tagger's signals, staff decisions kept on re-tag, evaluation."""
from __future__ import annotations

import json
import textwrap

import pytest
from sqlalchemy import select

from repository.models import ArticleTag, Document, TagOrigin, TagStatus
from repository.tagging.evaluate import GoldRow, evaluate, read_gold
from repository.tagging.lexicon import compile_term, concepts_in_query, normalize_text
from repository.tagging.tagger import ProvisionView, Tagger, is_non_implementing
from tests.test_library import write


@pytest.mark.parametrize(
    "term, language, text, expected",
    [
        ("foreign public official*", "en", "Bribing a Foreign Public Officials", True),
        ("bribe* ... foreign official*", "en", "who bribes any person who is a foreign official", True),
        ("bribe* ... foreign official*", "en", "foreign officials may bribe", False),
        ("official* of a public international organi?ation", "en", "officials of a public international organization", True),
        ("brib*", "en", "the tribunal shall", False),
        ("Geldwäsche*", "de", "§ 261 Geldwasche und Verschleierung", True),
        ("взятк*", "ru", "Получение взятки должностным лицом", True),
        ("受贿罪", "zh", "是受贿罪。", True),
        ("国家工作人员 ... 财物", "zh", "国家工作人员利用职务上的便利，索取他人财物的", True),
        ("رشوه", "ar", "يعاقب على جريمة الرشوة", True),
        ("رشوه", "ar", "يعاقببالرشوةبالسجن", True),  # words run together in the UAE source
        ("lanceur* d'alerte", "fr", "la protection des lanceurs d'alerte", True),
        ("enriquecimiento ilicito", "es", "Enriquecimiento ilícito de servidores públicos", True),
    ],
)
def test_lexicon_terms_match_as_documented(term, language, text, expected):
    assert compile_term(term, language).search(normalize_text(text)) is expected


@pytest.mark.parametrize(
    "heading, text, expected",
    [
        ("Definitions", "In this Act, “official” means a person who holds office.", True),
        ("Begriffsbestimmungen", "Im Sinne dieses Gesetzes ist Amtsträger ...", True),
        ("Short title", "This Act may be cited as the Prevention of Corruption Act.", True),
        ("", "This Act shall come into force on the day of its publication.", True),
        ("Bribing a foreign public official", "Every person commits an offence who gives a loan, reward or advantage to a foreign public official.", False),
    ],
)
def test_definitions_and_commencement_are_not_implementations(heading, text, expected):
    view = ProvisionView("section", "1", heading, text, "en" if heading[:1] != "B" or heading.startswith("Bribing") else "de")
    assert is_non_implementing(view) is expected


def test_tagger_explains_and_ranks_and_spares_definitions():
    tagger = Tagger()
    laundering = ProvisionView(
        "section", "261", "Geldwäsche", "Wer einen Gegenstand, der aus einer rechtswidrigen Tat herrührt, verbirgt, "
        "dessen Herkunft verschleiert oder die Ermittlung der Herkunft vereitelt, wird bestraft.", "de",
    )
    [best, *_] = tagger.suggest(laundering)
    assert best.article == 23 and 0 < best.confidence <= 1
    assert best.explanation.startswith("lexicon: ") and "in text" in best.explanation
    definitions = ProvisionView("section", "2", "Definitions", "In this Act, “bribe” means any gratification; "
                                "“foreign public official” means ...; “money laundering” means ...", "en")
    assert tagger.suggest(definitions) == []
    chapter = ProvisionView("chapter", "VIII", "Bribery", "", "en")
    assert tagger.suggest(chapter) == []


def test_cross_lingual_concepts_in_a_query():
    articles, terms = concepts_in_query("money laundering")
    assert 23 in articles
    assert any(term.lower().startswith("geldw") for term in terms)
    assert concepts_in_query("the of and") == ((), ())


def test_evaluation_counts_pairs_and_negatives(tmp_path):
    gold_file = tmp_path / "gold.csv"
    gold_file.write_text("source,number,articles\na.md,1,15;16\na.md,2,\nb.md,7,23\nb.md,9,33\n", encoding="utf-8")
    gold = read_gold(gold_file)
    assert gold[0] == GoldRow("a.md", "1", frozenset({15, 16}))
    predicted = {("a.md", "1"): {15}, ("a.md", "2"): {15}, ("b.md", "7"): {23, 14}, ("b.md", "9"): None}
    result = evaluate(gold, predicted)
    assert (result.micro.true_positives, result.micro.false_positives, result.micro.false_negatives) == (2, 2, 2)
    assert result.micro.precision == pytest.approx(0.5) and result.micro.recall == pytest.approx(0.5)
    assert result.per_article[15].false_positives == 1 and result.per_article[16].false_negatives == 1
    assert result.confusions[(None, 15)] == 1 and result.confusions[(23, 14)] == 0
    assert [row.number for row in result.missing] == ["9"]


MODEL_LAW = textwrap.dedent("""\
    # Integrity Act

    ### Section 1. Short title

    This Act may be cited as the Integrity Act.

    ### Section 2. Bribery of foreign public officials

    A person who gives an undue advantage to a foreign public official in order to obtain business commits an offence.

    ### Section 3. Protection of whistleblowers

    A whistleblower who reports in good faith shall not be dismissed.
    """)


def test_stored_tags_and_staff_decisions_survive_retagging(library, tmp_path):
    write(tmp_path / "laws", "act.md", MODEL_LAW)
    library.ingest(tmp_path / "laws", workers=1)
    exported = {entry["number"]: entry for entry in library.article_tags()}
    assert "1" not in exported
    assert 16 in {tag["article"] for tag in exported["2"]["articles"]}
    assert 33 in {tag["article"] for tag in exported["3"]["articles"]}
    with library.sessions() as session:
        tags = {t.provision.number: t for t in session.scalars(select(ArticleTag))}
        confirmed_id, rejected_id = tags["2"].id, tags["3"].id
    with library.sessions() as session, session.begin():
        session.get(ArticleTag, confirmed_id).status = TagStatus.CONFIRMED
        session.get(ArticleTag, rejected_id).status = TagStatus.REJECTED
    library.tag()
    with library.sessions() as session:
        assert session.get(ArticleTag, confirmed_id).status == TagStatus.CONFIRMED
        rejected = session.get(ArticleTag, rejected_id)
        assert rejected.status == TagStatus.REJECTED
        again = session.scalars(select(ArticleTag).where(
            ArticleTag.provision_id == rejected.provision_id, ArticleTag.article == rejected.article)).all()
        assert len(again) == 1  # a rejected article is not suggested again
        assert all(t.origin in (TagOrigin.RULE, TagOrigin.MODEL) for t in session.scalars(select(ArticleTag)))
    from indexer import SearchRequest

    hits = library.search(SearchRequest(filters={"article": ["16"]})).hits
    assert [h.number for h in hits] == ["2"]
    assert library.search(SearchRequest(filters={"article": ["33"]})).total == 0  # rejected


def test_tags_json_and_eval_tags_commands(runner, tmp_path):
    write(tmp_path / "laws", "act.md", MODEL_LAW)
    runner.invoke(["ingest", str(tmp_path / "laws"), "--workers", "1"])
    payload = json.loads(runner.invoke(["tags", "--json"]).output)
    entry = next(e for e in payload if e["number"] == "2")
    assert entry["source"] == "act.md"
    assert {"article", "paragraph", "status", "confidence", "origin"} <= set(entry["articles"][0])
    gold = tmp_path / "gold.csv"
    gold.write_text("source,number,articles\nact.md,1,\nact.md,2,16\nact.md,3,33\n", encoding="utf-8")
    result = runner.invoke(["eval-tags", str(gold), "--json"])
    figures = json.loads(result.output)
    assert figures["micro"]["precision"] == 1.0 and figures["micro"]["recall"] == 1.0
    ablation = json.loads(runner.invoke(["eval-tags", str(gold), "--json", "--signals", "similarity"]).output)
    assert ablation["micro"]["recall"] < 1.0
    assert runner.invoke(["tag", "--all"]).exit_code == 0
    assert runner.invoke(["tag"]).exit_code == 1
