"""normalize_number and parse_heading, table-driven."""
from __future__ import annotations

import pytest

from repository.ingest.numbering import cjk_to_int, normalize_number, parse_heading, roman_to_int

NUMBERS = [
    ("Section 6", "6"),
    ("§ 78dd-1.", "78dd-1"),
    ("Article 432-11", "432-11"),
    ("Art. 5º", "5"),
    ("Artículo primero", "1"),
    ("§ 335a", "335a"),
    ("Artikel 420bis", "420bis"),
    ("Статья 290", "290"),
    ("المادة 5", "5"),
    ("第三百八十五条", "385"),
    ("第三百八十八条之一", "388-1"),
    ("第百九十七条の四", "197-4"),
    ("258 bis", "258bis"),
    ("المادة الأولى", "1"),
    ("Статья 291¹", "291.1"),
    # further conventions (see the module docstring)
    ("Art. 1.º", "1"),
    ("ARTÍCULO 1o.", "1"),
    ("Art. 1 o", "1"),                 # Brazilian Markdown with the º split off
    ("Artigo 5º-A", "5-A"),            # letter suffix kept as printed
    ("Article IX", "IX"),              # Roman numbers are kept as printed
    ("CHAPTER IV A", "IVA"),
    ("Capítulo iv", "IV"),
    ("Sec. 12(1)", "12(1)"),
    ("ARTICULO 268 (1)", "268(1)"),
    ("Artikel 177a", "177a"),
    ("Artikel 38o", "38o"),            # a Dutch letter suffix, not a typed ordinal
    ("Artikel 77cca", "77cca"),
    ("§§ 331", "331"),
    ("ARTICULO 258 BIS", "258bis"),
    ("Art. 41 ter", "41ter"),
    ("ARTICULO 144 quinto", "144quinquies"),  # Spanish spelling of the Latin suffix
    ("Artículo 39 quáter", "39quater"),
    ("*13", "13"),
    ("Artículo único", "1"),
    ("Article premier", "1"),
    ("المادة ١٢", "12"),
    ("مادة ۱۵", "15"),
    ("المادة العاشرة", "10"),
    ("المادة الحادية عشرة", "11"),
    ("المادة الثانية والعشرون", "22"),
    ("المادة التاسعة مكرر (١)", "9bis(1)"),
    ("第２５条", "25"),
    ("第二十五章", "25"),
    ("第一千零一条", "1001"),
    ("Статья 2.1", "2.1"),
    ("Раздел X", "X"),
    ("Sección Primera", "1"),          # the "Sec." abbreviation must not eat "Sección"
    ("SECCIÓN III", "III"),
    ("Sección Décimo Primera", "11"),
    ("", ""),
    ("Preamble", ""),
]


@pytest.mark.parametrize("raw,expected", NUMBERS)
def test_normalize_number(raw: str, expected: str) -> None:
    assert normalize_number(raw) == expected


@pytest.mark.parametrize("text,expected", [
    ("三百八十五", 385), ("百九十七", 197), ("十", 10), ("二十五", 25), ("一千零一", 1001),
    ("二〇二〇", 2020), ("１２", 12),
])
def test_cjk_to_int(text: str, expected: int) -> None:
    assert cjk_to_int(text) == expected


@pytest.mark.parametrize("text,expected", [("IX", 9), ("iv", 4), ("XL", 40), ("MCM", 1900), ("IIII", None), ("A", None)])
def test_roman_to_int(text: str, expected: int | None) -> None:
    assert roman_to_int(text) == expected


# (line, language, kind, container, number, remaining text)
HEADINGS = [
    ("Section 6", "en", "section", False, "6", ""),
    ("Sec. 6. Interpretation", "en", "section", False, "6", "Interpretation"),
    ("6. (1) A person who offers an advantage", "en", "section", False, "6", "(1) A person who offers an advantage"),
    ("7A. Taking undue advantage to influence public servant", None, "section", False, "7A", "Taking undue advantage to influence public servant"),
    ("§ 78dd-1. Prohibited foreign trade practices by domestic concerns", "en", "section", False, "78dd-1", "Prohibited foreign trade practices by domestic concerns"),
    ("Article 432-11", "fr", "article", False, "432-11", ""),
    ("Art. 5º Constituem atos lesivos à administração pública", "pt", "article", False, "5", "Constituem atos lesivos à administração pública"),
    ("ARTÍCULO 1o.- La presente ley", "es", "article", False, "1", "La presente ley"),
    ("Artículo primero.- Objeto", "es", "article", False, "1", "Objeto"),
    ("Artigo 1º", "pt", "article", False, "1", ""),
    ("**ARTICULO 258 bis** — Será reprimido", "es", "article", False, "258bis", "Será reprimido"),
    ("§ 335a Ausländische und internationale Bedienstete", "de", "section", False, "335a", "Ausländische und internationale Bedienstete"),
    ("Artikel 420bis", "nl", "article", False, "420bis", ""),
    ("Статья 290. Получение взятки", "ru", "article", False, "290", "Получение взятки"),
    ("Статья 291¹. Посредничество во взяточничестве", "ru", "article", False, "291.1", "Посредничество во взяточничестве"),
    ("Глава 30. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ", "ru", "chapter", True, "30", "ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ"),
    ("Раздел X. ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ", "ru", "part", True, "X", "ПРЕСТУПЛЕНИЯ ПРОТИВ ГОСУДАРСТВЕННОЙ ВЛАСТИ"),
    ("المادة 5", "ar", "article", False, "5", ""),
    ("المادة (5)", "ar", "article", False, "5", ""),
    ("مادة 5", "ar", "article", False, "5", ""),
    ("المادة الأولى", "ar", "article", False, "1", ""),
    ("第三百八十五条　国家工作人员利用职务上的便利", "zh", "article", False, "385", "国家工作人员利用职务上的便利"),
    ("第三百八十八条之一 国家工作人员的近亲属", "zh", "article", False, "388-1", "国家工作人员的近亲属"),
    ("第百九十七条の四 （あっせん収賄）", "ja", "article", False, "197-4", "（あっせん収賄）"),
    ("第八章 贪污贿赂罪", "zh", "chapter", True, "8", "贪污贿赂罪"),
    ("第一节 犯罪和刑事责任", "zh", "section", True, "1", "犯罪和刑事责任"),
    ("第二十五章　汚職の罪", "ja", "chapter", True, "25", "汚職の罪"),
    ("CHAPTER IV", "en", "chapter", True, "IV", ""),
    ("Article IX", "es", "article", False, "IX", ""),
    ("PART II", "en", "part", True, "II", ""),
    ("Chapitre II : Des atteintes à l'administration publique", "fr", "chapter", True, "II", "Des atteintes à l'administration publique"),
    ("Section 3 : Des manquements au devoir de probité.", "fr", "section", True, "3", "Des manquements au devoir de probité."),
    ("Section 3 : De la corruption", None, "section", True, "3", "De la corruption"),
    ("Capítulo III", "es", "chapter", True, "III", ""),
    ("Título VII", "es", "title", True, "VII", ""),
    ("TITULO XI", "es", "title", True, "XI", ""),
    ("TÍTULO PRIMERO DE LOS DELITOS", "es", "title", True, "1", "DE LOS DELITOS"),
    ("Libro II", "es", "book", True, "II", ""),
    ("§ I. De los delitos.", "es", "paragraph", True, "I", "De los delitos."),
    ("§ 5. De los delitos contra el respeto", "es", "paragraph", True, "5", "De los delitos contra el respeto"),
    ("§ 2 De adviseur integriteit", "nl", "paragraph", True, "2", "De adviseur integriteit"),
    ("§ 2 Zeitliche Geltung", "de", "section", False, "2", "Zeitliche Geltung"),
    ("§ 2 Zeitliche Geltung", None, "section", False, "2", "Zeitliche Geltung"),
    ("Abschnitt 2", "de", "chapter", True, "2", ""),
    ("Erster Abschnitt - Das Strafgesetz", "de", "chapter", True, "1", "Das Strafgesetz"),
    ("Erster Titel - Geltungsbereich", "de", "title", True, "1", "Geltungsbereich"),
    ("Titel I", "nl", "title", True, "I", ""),
    ("Hoofdstuk 2", "nl", "chapter", True, "2", ""),
    ("Afdeling 3", "nl", "section", True, "3", ""),
    ("Eerste Boek", "nl", "book", True, "1", ""),
    ("Schedule 1", "en", "schedule", True, "1", ""),
    ("ANNEX", "en", "annex", True, None, ""),
]


@pytest.mark.parametrize("line,language,kind,container,number,text", HEADINGS)
def test_parse_heading(line: str, language: str | None, kind: str, container: bool,
                       number: str | None, text: str) -> None:
    match = parse_heading(line, language)
    assert match is not None, line
    assert (match.kind, match.container, match.number, match.text) == (kind, container, number, text)


def test_parse_heading_label_is_as_printed() -> None:
    assert parse_heading("Art. 5º Constituem", "pt").label == "Art. 5º"  # type: ignore[union-attr]
    assert parse_heading("第三百八十五条　国家", "zh").label == "第三百八十五条"  # type: ignore[union-attr]


NOT_HEADINGS = [
    ("as provided in section 5 of this Act", "en"),
    ("section 5 of this Act applies", "en"),       # lower case: a wrapped cross-reference
    ("nach § 261 Abs. 1 strafbar ist", "de"),
    ("conforme al artículo 5 de esta ley", "es"),
    ("artículo 86.", "es"),                         # lower case continuation in ARG Markdown
    ("título XI y en el inciso 5 del artículo 174", "es"),
    ("5. Mai 2020", "de"),
    ("5. Mai 2020", None),
    ("(a) the thing", "en"),
    ("1. Subs. by Act 16 of 2018, s. 2", "en"),     # Indian footnote
    ("12. the penalty", "en"),
    ("- [[laws/刑法/本文/第193条.md|第193条 （公務員職権濫用）]]", "ja"),
    ("依照本法第三百八十三条的规定处罚。", "zh"),
    ("Статья", "ru"),
    ("§ 1º A pessoa jurídica será responsabilizada", "pt"),  # a paragraph of an article
    ("", None),
]


@pytest.mark.parametrize("line,language", NOT_HEADINGS)
def test_not_a_heading(line: str, language: str | None) -> None:
    assert parse_heading(line, language) is None


def test_french_section_is_a_provision_in_english() -> None:
    assert parse_heading("Section 3", "en").container is False  # type: ignore[union-attr]
    assert parse_heading("Section 3", "fr").container is True  # type: ignore[union-attr]
