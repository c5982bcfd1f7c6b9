"""segment(): small multi-block documents in several languages, plus the real corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from repository.ingest.document import Block, ExtractedDocument, ProvisionDraft
from repository.ingest.segment import segment

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-real"


def md(text: str) -> ExtractedDocument:
    """Markdown-ish blocks for tests: blank lines split blocks, '#' lines are headings."""
    blocks = []
    for chunk in text.strip().split("\n\n"):
        chunk = chunk.strip()
        if chunk.startswith("#"):
            level = len(chunk) - len(chunk.lstrip("#"))
            blocks.append(Block(chunk[level:].strip(), heading_level=level))
        else:
            blocks.append(Block(chunk))
    return ExtractedDocument(blocks, "text/markdown")


def pages(*items: tuple[int, str]) -> ExtractedDocument:
    """PDF-like blocks: (page, text)."""
    return ExtractedDocument([Block(text, page=page) for page, text in items], "application/pdf",
                             page_count=max(page for page, _ in items))


def by_number(drafts: list[ProvisionDraft], number: str) -> ProvisionDraft:
    found = [d for d in drafts if d.number == number and d.kind not in ("chapter", "part", "title", "book")]
    assert found, f"no provision {number}: {[d.number for d in drafts]}"
    return found[0]


def provisions(drafts: list[ProvisionDraft]) -> list[str | None]:
    return [d.number for d in drafts if d.kind in ("article", "section")]


STGB = """
# Strafgesetzbuch (StGB)

## Allgemeiner Teil -

### Erster Abschnitt - Das Strafgesetz

#### Erster Titel - Geltungsbereich

##### § 1 Keine Strafe ohne Gesetz

Eine Tat kann nur bestraft werden, wenn die Strafbarkeit gesetzlich bestimmt war, bevor die Tat begangen wurde.

##### § 2 Zeitliche Geltung

(1) Die Strafe und ihre Nebenfolgen bestimmen sich nach dem Gesetz, das zur Zeit der Tat gilt.

§ 1 gilt entsprechend.

##### § 2a (weggefallen)

##### § 2b (weggefallen)

##### § 2c (weggefallen)

#### Zweiter Titel - Sprachgebrauch

##### § 11 Personen- und Sachbegriffe

(1) Im Sinne dieses Gesetzes ist nach 5. Mai 2020 nichts geschehen.
"""


def test_german_markdown_tree() -> None:
    drafts = segment(md(STGB), "de")
    kinds = [(d.kind, d.number) for d in drafts if d.kind != "preamble"]
    assert kinds[:4] == [("part", None), ("chapter", "1"), ("title", "1"), ("section", "1")]
    s1, s2, s11 = by_number(drafts, "1"), by_number(drafts, "2"), by_number(drafts, "11")
    assert s1.heading == "Keine Strafe ohne Gesetz" and s1.label == "§ 1"
    assert drafts[s1.parent].kind == "title"  # type: ignore[index]
    assert drafts[drafts[s1.parent].parent].kind == "chapter"  # type: ignore[index]
    # the cross-reference "§ 1 gilt entsprechend." stays in § 2
    assert s2.text.endswith("§ 1 gilt entsprechend.")
    # repealed sections are provisions, not a table of contents
    assert by_number(drafts, "2a").heading == "(weggefallen)"
    assert {"2b", "2c"} <= set(provisions(drafts) + [d.number for d in drafts])
    # § 11 belongs to the second Titel
    assert drafts[s11.parent].heading == "Sprachgebrauch"  # type: ignore[index]
    assert s11.anchor == "p-11" and drafts[s11.parent].anchor == "title-2"  # type: ignore[index]


UNCAC_EN_NL = """
### CHAPTER I

#### General provisions

### Article 1

#### Statement of purpose

The purposes of this Convention are:

### Article 2

#### Use of terms

1. For the purposes of this Convention:
2. "Public official" shall mean any person.

### HOOFDSTUK I

#### Algemene bepalingen

### Artikel 1

#### Doel

Dit Verdrag heeft tot doel:

### Artikel 2

#### Gebruik van termen

1. Voor de toepassing van dit Verdrag:
"""


def test_bilingual_anchors_unique_and_stable() -> None:
    drafts = segment(md(UNCAC_EN_NL))
    anchors = [d.anchor for d in drafts]
    assert len(anchors) == len(set(anchors))
    assert [d.anchor for d in drafts if d.kind == "article"] == ["p-1", "p-2", "p-1-2", "p-2-2"]
    assert [d.anchor for d in drafts if d.kind == "chapter"] == ["chapter-I", "chapter-I-2"]
    assert [d.anchor for d in segment(md(UNCAC_EN_NL))] == anchors
    art2 = drafts[anchors.index("p-2")]
    assert art2.heading == "Use of terms"
    # numbered paragraphs inside an article are not sections
    assert "2. \"Public official\"" in art2.text
    assert drafts[art2.parent].label == "CHAPTER I"  # type: ignore[index]
    assert drafts[anchors.index("p-1-2")].label == "Artikel 1"


BILL = [
    (1, "ARRANGEMENT OF SECTIONS"),
    (1, "PART I\nPRELIMINARY"),
    (1, "1. Short title"),
    (1, "2. Interpretation"),
    (1, "3. Bribery"),
    (1, "4. Repeal"),
    (2, "PART I"),
    (2, "PRELIMINARY"),
    (2, "Short title"),
    (2, "1. This Act may be cited as the Prevention of Corruption Act, 2021."),
    (2, "Interpretation"),
    (2, "2. In this Act\n\"advantage\" includes money;"),
    (3, "(a) any gift; and\n(b) any loan, as provided in section 3"),
    (3, "Bribery"),
    (3, "3. (1) A person who offers an advantage to a person exercising public\nfunctions is guilty of an offence."),
    (4, "(2) A person who is guilty of an offence under section 2\n4. things are listed here"),
    (4, "Repeal"),
    (4, "4. (Repealed)"),
]


def test_bill_with_arrangement_of_sections() -> None:
    drafts = segment(pages(*BILL), "en")
    assert provisions(drafts) == ["1", "2", "3", "4"]
    s1, s2, s3, s4 = (by_number(drafts, n) for n in "1234")
    assert s1.heading == "Short title" and s1.text.startswith("This Act may be cited")
    assert s2.heading == "Interpretation"
    assert (s2.page_start, s2.page_end) == (2, 3)
    assert s3.text.startswith("(1) A person") and "4. things are listed here" in s3.text
    assert (s3.page_start, s3.page_end) == (3, 4)
    assert s4.heading == "Repeal" and s4.text == "(Repealed)"
    part = drafts[s1.parent]  # type: ignore[index]
    assert part.kind == "part" and part.heading == "PRELIMINARY" and part.page_start == 2
    # the arrangement of sections is gone
    assert sum(1 for d in drafts if d.kind == "part") == 1


def test_bare_number_on_its_own_line() -> None:
    doc = pages((6, "PART I"), (6, "PRELIMINARY"), (6, "Short title"), (6, "1."),
                (6, "This Act may be cited as the Prevention of Corruption Act, 2021."),
                (6, "Interpretation"), (6, "2."), (7, "In this Act \"advantage\" includes money."))
    drafts = segment(doc, "en")
    assert [(d.number, d.heading, d.page_start, d.page_end) for d in drafts if d.kind == "section"] == [
        ("1", "Short title", 6, 6), ("2", "Interpretation", 6, 7)]


RUSSIAN = [
    "Оглавление",
    "Раздел X. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ",
    "Глава 30. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ",
    "Статья 290. Получение взятки",
    "Статья 291. Дача взятки",
    "Статья 291¹. Посредничество во взяточничестве",
    "Раздел X. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ",
    "Глава 30. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ",
    "Статья 290. Получение взятки",
    "1. Получение должностным лицом лично взятки -",
    "наказывается штрафом.",
    "Статья 291. Дача взятки",
    "1. Дача взятки должностному лицу лично (в ред. статьи 290) -",
    "Статья 291¹. Посредничество во взяточничестве",
    "(утратила силу)",
]


def test_russian_table_of_contents_dropped() -> None:
    doc = ExtractedDocument([Block(t) for t in RUSSIAN], "text/html", metadata={"language": "ru"})
    drafts = segment(doc)
    assert provisions(drafts) == ["290", "291", "291.1"]
    art = by_number(drafts, "290")
    assert art.heading == "Получение взятки"
    assert art.text == "1. Получение должностным лицом лично взятки -\n\nнаказывается штрафом."
    chapter = drafts[art.parent]  # type: ignore[index]
    assert (chapter.kind, chapter.number, chapter.anchor) == ("chapter", "30", "chapter-30")
    assert drafts[chapter.parent].kind == "part"  # type: ignore[index]
    assert by_number(drafts, "291.1").anchor == "p-291.1"


CHINESE = """
## 第八章 贪污贿赂罪

第三百八十五条　国家工作人员利用职务上的便利，索取他人财物的，是受贿罪。

第三百八十六条　对犯受贿罪的，根据受贿所得数额及情节，依照本法第三百八十三条的规定处罚。

第三百八十八条之一　国家工作人员的近亲属，通过该国家工作人员职务上的行为。

## 第九章 渎职罪

第三百九十七条　国家机关工作人员滥用职权。
"""


def test_chinese_articles_and_chapters() -> None:
    drafts = segment(md(CHINESE))
    assert provisions(drafts) == ["385", "386", "388-1", "397"]
    art = by_number(drafts, "388-1")
    assert art.label == "第三百八十八条之一" and art.heading is None
    assert art.text.startswith("国家工作人员的近亲属")
    assert drafts[art.parent].heading == "贪污贿赂罪"  # type: ignore[index]
    assert drafts[by_number(drafts, "397").parent].number == "9"  # type: ignore[index]
    assert "第三百八十三条" in by_number(drafts, "386").text


SPANISH = """
# LEY 25.188

## Capítulo I

ARTICULO 1o.- La presente ley de ética en el ejercicio de la función pública establece deberes.

ARTICULO 2o.- Los sujetos comprendidos deben cumplir conforme al artículo 1 de esta ley
artículo 5 y siguientes.

ARTICULO 258 bis.- Derogado.

**ARTICULO 268 (1)** — Será reprimido con prisión.
"""


def test_spanish_inline_articles() -> None:
    drafts = segment(md(SPANISH), "es")
    assert provisions(drafts) == ["1", "2", "258bis", "268(1)"]
    art2 = by_number(drafts, "2")
    assert art2.text.endswith("artículo 5 y siguientes.")
    assert by_number(drafts, "258bis").label == "ARTICULO 258 bis"
    assert by_number(drafts, "268(1)").anchor == "p-268_1"
    assert by_number(drafts, "1").text.startswith("La presente ley")
    assert drafts[0].kind == "preamble" and drafts[0].anchor == "u-1"


def test_structured_blocks_are_trusted() -> None:
    doc = ExtractedDocument([
        Block("Corruption of Foreign Public Officials Act", kind="part", label="PART I"),
        Block("A person commits an offence who...", kind="section", label="3", heading="Bribing a foreign public official"),
        Block("(2) Every person who commits an offence...", kind="section", label="3", heading="Bribing a foreign public official"),
        Block("Definitions", kind="section", label="§ 2", heading=None),
    ], "application/xml")
    drafts = segment(doc, "en")
    assert [(d.kind, d.number, d.anchor) for d in drafts] == [
        ("part", "I", "part-I"), ("section", "3", "p-3"), ("section", "3", "p-3-2"), ("section", "2", "p-2")]
    assert drafts[1].heading == "Bribing a foreign public official" and drafts[1].parent == 0
    assert drafts[0].heading == "Corruption of Foreign Public Officials Act"


def test_repeated_running_headers_are_merged() -> None:
    text = """
# Title 18— CRIMES AND CRIMINAL PROCEDURE

### CHAPTER 95— RACKETEERING

#### § 1956. Laundering of monetary instruments

(a) Whoever conducts a financial transaction.

# Title 18— CRIMES AND CRIMINAL PROCEDURE

### CHAPTER 95— RACKETEERING

#### § 1956. Laundering of monetary instruments

(b) Penalties.

#### § 1957. Engaging in monetary transactions

(a) Whoever knowingly engages.
"""
    drafts = segment(md(text), "en")
    assert provisions(drafts) == ["1956", "1957"]
    assert by_number(drafts, "1956").text.endswith("(b) Penalties.")
    assert [d.anchor for d in drafts] == ["title-18", "chapter-95", "p-1956", "p-1957"]


def test_us_code_subsection_headings() -> None:
    text = """
#### § 201. Bribery of public officials and witnesses

###### (a) For the purpose of this section

(1) the term “public official” means Member of Congress.

# Title 18— CRIMES AND CRIMINAL PROCEDURE

#### § 201. Bribery of public officials and witnesses

###### (b) Penalties.

Whoever directly or indirectly, corruptly gives anything of value.
"""
    drafts = segment(md(text), "en")
    assert [(d.kind, d.number, d.heading, d.anchor) for d in drafts] == [
        ("section", "201", "Bribery of public officials and witnesses", "p-201"),
        ("subsection", "201(a)", None, "p-201_a"),
        ("title", "18", "CRIMES AND CRIMINAL PROCEDURE", "title-18"),
        ("section", "201", "Bribery of public officials and witnesses", "p-201-2"),
        ("subsection", "201(b)", "Penalties", "p-201_b")]
    assert drafts[1].text.startswith("For the purpose of this section\n\n(1) the term")
    assert drafts[1].parent == 0 and drafts[4].parent == 3


def test_french_sections_are_containers() -> None:
    text = """
## Section 3 : Des manquements au devoir de probité.

### Article 432-10

Le fait, par une personne dépositaire de l'autorité publique, de recevoir.

### Article 432-11

Est puni de dix ans d'emprisonnement, conformément à l'article 432-10.
"""
    drafts = segment(md(text), "fr")
    assert [(d.kind, d.number, d.anchor, d.parent) for d in drafts] == [
        ("section", "3", "section-3", None), ("article", "432-10", "p-432-10", 0),
        ("article", "432-11", "p-432-11", 0)]


def test_markdown_toc_of_links_and_empty_document() -> None:
    text = """
# 第25章 第二十五章　汚職の罪

- [[laws/刑法/本文/第193条.md|第193条 （公務員職権濫用）]]
- [[laws/刑法/本文/第194条.md|第194条 （特別公務員職権濫用）]]

# 第百九十三条 （公務員職権濫用）

公務員がその職権を濫用して、人に義務のないことを行わせたときは、二年以下の拘禁刑に処する。
"""
    drafts = segment(md(text), "ja")
    assert provisions(drafts) == ["193"]
    assert by_number(drafts, "193").heading == "（公務員職権濫用）"
    assert segment(ExtractedDocument([], "text/plain")) == []


def test_arabic_ordinal_articles() -> None:
    text = """
# نظام مكافحة الرشوة

## المادة الأولى

كل موظف عام طلب لنفسه أو لغيره أو قبل أو أخذ وعداً أو عطية.

## المادة التاسعة مكرر (١)

يعاقب بالسجن.

## المادة العاشرة

وفقاً للمادة الأولى من هذا النظام.
"""
    drafts = segment(md(text))
    assert provisions(drafts) == ["1", "9bis(1)", "10"]


def test_toc_leftover_chapters_dropped_but_repealed_title_kept() -> None:
    text = """
### TITULO I

#### APLICACION DE LA LEY PENAL

Arts. 1 a 4

### TITULO II

#### DE LAS PENAS

Arts. 5 a 25

### TITULO I

#### APLICACION DE LA LEY PENAL

ARTICULO 1.- Este código se aplicará por delitos cometidos en el territorio de la Nación Argentina.

### TITULO II

#### DE LAS PENAS

ARTICULO 5.- Las penas que este código establece son las siguientes: reclusión, prisión, multa e inhabilitación.

### TITULO VI

#### Tweegevecht

Vervallen per 01-02-2006

### TITULO VII

ARTICULO 154.- Será reprimido con prisión el que cometa el hecho.

### TITULO VI

ARTICULO 200.- Será reprimido con reclusión el que cometa el hecho.
"""
    drafts = segment(md(text), "es")
    titles = [(d.number, d.anchor) for d in drafts if d.kind == "title"]
    assert titles == [("I", "title-I"), ("II", "title-II"), ("VI", "title-VI"), ("VII", "title-VII"),
                      ("VI", "title-VI-2")]
    assert drafts[by_number(drafts, "1").parent].anchor == "title-I"  # type: ignore[index]


def test_document_without_numbered_provisions_is_cut_at_headings() -> None:
    text = """
## Aanwijzing opsporing en vervolging ambtelijke corruptie

#### Samenvatting

Deze Aanwijzing schrijft voor met welke factoren rekening moet worden gehouden.

#### Achtergrond

Corruptie is een fenomeen met vele verschijningsvormen, zie art. 177 Sr.
"""
    drafts = segment(md(text), "nl")
    assert [(d.kind, d.number, d.heading, d.anchor) for d in drafts] == [
        ("preamble", None, None, "u-1"), ("section", None, "Samenvatting", "u-2"),
        ("section", None, "Achtergrond", "u-3")]
    assert drafts[2].text.endswith("zie art. 177 Sr.")


# --- real corpus -----------------------------------------------------------------

EXPECTED = {
    "uncac/uncac_en_nl_BWBV0001830.md": [str(n) for n in range(1, 72)],
    "laws/deu/stgb.md": ["261", "331", "335a"],
    "laws/usa/18usc_1956_1957_money_laundering.md": ["1956", "1957"],
    "laws/rus/ugolovnyy_kodeks_rf_102041891.html": ["290", "291.1"],
    "laws/chn/criminal_law_xingfa.md": ["385", "388-1"],
    "laws/jpn/keiho_penal_code_ch25_corruption_arts193-198.md": ["197-4"],
    "laws/nld/wetboek_van_strafrecht_BWBR0001854.md": ["420bis", "177"],
    "laws/fra/code_penal_probite_corruption_blanchiment.md": ["432-11"],
    "laws/arg/codigo_penal_ley_11179.md": ["258bis"],
}


@pytest.mark.corpus
def test_real_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    try:
        from repository.ingest.extract import extract_path
    except ImportError:
        pytest.skip("repository.ingest.extract is not available yet")
    for name, numbers in EXPECTED.items():
        doc = extract_path(CORPUS / name)
        drafts = segment(doc)  # speed is measured by bench/ingest.py, not asserted here
        found = {d.number for d in drafts if d.kind in ("article", "section")}
        missing = [n for n in numbers if n not in found]
        assert not missing, f"{name}: missing {missing}"
        anchors = [d.anchor for d in drafts]
        assert len(anchors) == len(set(anchors)), name
        assert [d.anchor for d in segment(doc)] == anchors, name
    uncac = segment(extract_path(CORPUS / "uncac/uncac_en_nl_BWBV0001830.md"))
    english = [d for d in uncac if d.label.startswith("Article")]
    assert [d.number for d in english] == [str(n) for n in range(1, 72)]
    assert [d.anchor for d in english] == [f"p-{n}" for n in range(1, 72)]
    assert sum(1 for d in uncac if d.label.startswith("Artikel")) == 71
