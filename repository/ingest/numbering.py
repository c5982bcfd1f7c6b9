"""Provision numbers: normalize printed labels and recognise heading lines.

Conventions chosen for :func:`normalize_number` (documented so that anchors and
citations stay stable):

* The word or sign in front ("Article", "§", "Статья", "المادة", 第…条) is dropped.
* Every digit system becomes ASCII: full-width, Arabic-Indic, CJK numerals
  (第三百八十五条 → "385").
* Roman numerals are kept, upper-cased: "Article IX" → "IX", "Chapter iv" → "IV",
  "CHAPTER IV A" → "IVA". Treaties such as the Inter-American Convention are cited by
  their Roman article numbers, so converting them would break citations.
* Ordinal words become numbers: "primero"/"primeiro"/"premier"/"primo" → "1",
  "المادة الأولى" → "1". "único"/"unique" (a sole article) → "1".
* Ordinal signs are dropped: "5º", "1o.", "1.º" → "5", "1", "1".
* Latin suffixes are lower-cased and attached: "258 bis" → "258bis"; Arabic مكرر is "bis".
* Letter suffixes are kept as printed: "178a" → "178a", "5º-A" → "5-A", "IV A" → "4A".
* Sub-numbers: CJK 之/の → "-" ("388-1", "197-4"); superscripts → "." ("291¹" → "291.1");
  a parenthesised sub-number is kept without space ("268 (1)" → "268(1)", "12(1)").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# --- digits ---------------------------------------------------------------

_DIGITS = str.maketrans(
    "０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "012345678901234567890123456789",
)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_RE = re.compile(f"[{_SUPERSCRIPTS}]+")

_CJK_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
               "六": 6, "七": 7, "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
CJK_NUM = "〇零一二两三四五六七八九十百千0-9０-９"


def cjk_to_int(text: str) -> int:
    """三百八十五 → 385, 百九十七 → 197, 二〇二〇 → 2020; ASCII/full-width digits pass."""
    text = text.translate(_DIGITS)
    if text.isdigit():
        return int(text)
    if all(ch in _CJK_DIGITS for ch in text):  # positional: 二〇二〇
        return int("".join(str(_CJK_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            total += (1 if digit is None else digit) * _CJK_UNITS[ch]
            digit = None
        elif ch.isdigit():
            digit = (digit or 0) * 10 + int(ch)
    return total + (digit or 0)


# --- Roman numerals -------------------------------------------------------

_ROMAN_RE = re.compile(r"^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(text: str) -> int | None:
    """Value of an upper- or lower-case Roman numeral, None if not one."""
    up = text.upper()
    if not up or not _ROMAN_RE.match(up):
        return None
    total = 0
    for i, ch in enumerate(up):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(up) and _ROMAN_VALUES[up[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


# --- ordinal words --------------------------------------------------------

def _romance_ordinals() -> dict[str, int]:
    """Spanish, Portuguese, French, Italian and German ordinal words (lower case)."""
    table: dict[str, int] = {}
    groups = [
        # es / pt / fr / it / de
        ("primero primera primer primeiro primeira premier première premiere primo prima "
         "único unico única unica unique erster erste erstes", 1),
        ("segundo segunda second seconde deuxième deuxieme secondo zweiter zweite", 2),
        ("tercero tercera tercer terceiro terceira troisième troisieme terzo dritter dritte", 3),
        ("cuarto cuarta quarto quarta quatrième quatrieme vierter vierte", 4),
        ("quinto quinta cinquième cinquieme fünfter fünfte", 5),
        ("sexto sexta sixième sixieme sesto sechster sechste", 6),
        ("séptimo septimo séptima septima sétimo setimo sétima septième septieme settimo "
         "siebenter siebter siebte", 7),
        ("octavo octava oitavo oitava huitième huitieme ottavo achter achte", 8),
        ("noveno novena nono nona neuvième neuvieme neunter neunte", 9),
        ("décimo decimo décima decima dixième dixieme zehnter zehnte", 10),
        ("eerste", 1), ("tweede", 2), ("derde", 3), ("vierde", 4), ("vijfde", 5), ("zesde", 6),
        ("zevende", 7), ("achtste", 8), ("negende", 9), ("tiende", 10),
        ("undécimo undecimo undécima décimo primero decimoprimero onzième elfter", 11),
        ("duodécimo duodecimo duodécima décimo segundo decimosegundo douzième zwölfter", 12),
        ("decimotercero décimo tercero treizième dreizehnter", 13),
        ("decimocuarto décimo cuarto quatorzième vierzehnter", 14),
        ("decimoquinto décimo quinto quinzième fünfzehnter", 15),
        ("decimosexto décimo sexto seizième sechzehnter", 16),
        ("decimoséptimo décimo séptimo siebzehnter", 17),
        ("decimoctavo décimo octavo achtzehnter", 18),
        ("decimonoveno décimo noveno neunzehnter", 19),
        ("vigésimo vigesimo zwanzigster", 20),
    ]
    units = {"primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3,
             "tercera": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "sexto": 6,
             "sexta": 6, "séptimo": 7, "séptima": 7, "octavo": 8, "octava": 8,
             "noveno": 9, "novena": 9}
    for ten in ("décimo", "decimo", "décima", "decima"):
        for unit, value in units.items():
            table[f"{ten} {unit}"] = 10 + value
    for words, value in groups:
        # multi-word entries ("décimo primero") are kept whole; single words split
        for word in _split_words(words):
            table[word] = value
    return table


def _split_words(words: str) -> list[str]:
    """Split on spaces but keep 'décimo X' pairs together."""
    out: list[str] = []
    parts = words.split()
    i = 0
    while i < len(parts):
        if parts[i] in ("décimo", "decimo") and i + 1 < len(parts) and parts[i + 1] in (
                "primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo",
                "octavo", "noveno"):
            out.append(parts[i] + " " + parts[i + 1])
            i += 2
            continue
        out.append(parts[i])
        i += 1
    return out


def _arabic_ordinals() -> dict[str, int]:
    """Arabic ordinals 1..99 in feminine (المادة) and masculine (الباب, الفصل) forms."""
    units_f = ["", "الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة",
               "السابعة", "الثامنة", "التاسعة"]
    units_m = ["", "الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس",
               "السابع", "الثامن", "التاسع"]
    # in compounds 1 is الحادية/الحادي
    comp_f = ["", "الحادية"] + units_f[2:]
    comp_m = ["", "الحادي"] + units_m[2:]
    tens = ["", "", "العشرون", "الثلاثون", "الأربعون", "الخمسون", "الستون", "السبعون",
            "الثمانون", "التسعون"]
    table: dict[str, int] = {}
    for i in range(1, 10):
        table[units_f[i]] = i
        table[units_m[i]] = i
        table[comp_f[i] + " عشرة"] = 10 + i
        table[comp_m[i] + " عشر"] = 10 + i
    table["العاشرة"] = table["العاشر"] = 10
    table["الأوّل"] = 1
    for t in range(2, 10):
        table[tens[t]] = t * 10
        for i in range(1, 10):
            table[f"{comp_f[i]} و{tens[t]}"] = t * 10 + i
            table[f"{comp_m[i]} و{tens[t]}"] = t * 10 + i
    table["المائة"] = 100
    return table


ORDINALS: dict[str, int] = {**_romance_ordinals(), **_arabic_ordinals()}
# Longest first so that "الحادية عشرة" wins over "الحادية".
_ORDINAL_RE = re.compile(
    r"(?P<ord>" + "|".join(re.escape(w) for w in sorted(ORDINALS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)

# --- the word or sign in front of a number --------------------------------

_PREFIX_RE = re.compile(
    r"^\s*(?:"
    r"§§?|art(?:icle|ículo|iculo|igo|ikel|icolo|\.)?s?|sec(?:tion|tions|\.)?|s\.|ss\.|"
    r"статья|ст\.|глава|раздел|подраздел|"
    r"المادة|مادة|الباب|الفصل|البند|"
    r"chapter|chapitre|cap[ií]tulo|capitolo|part|partie|parte|title|titre|t[ií]tulo|titolo|titel|"
    r"book|livre|libro|livro|boek|buch|hoofdstuk|afdeling|paragraaf|abschnitt|unterabschnitt|"
    r"kapitel|schedule|annex|annexe|anexo|sub-?section|sous-section|secci[oó]n|se[cç][aã]o|"
    r"no\.|n[º°]"
    r")(?![^\W\d_])\s*",  # whole words only: "Sec" must not eat "Sección"
    re.IGNORECASE,
)

_CJK_LABEL_RE = re.compile(
    rf"^\s*第?(?P<n>[{CJK_NUM}]+)(?:[条條章节節编編款项項部篇回])?"
    rf"(?:[之の](?P<sub>[{CJK_NUM}]+))?(?:[之の](?P<sub2>[{CJK_NUM}]+))?"
)
_LATIN_SUFFIXES = ("bis", "ter", "quater", "quáter", "quárter", "quarter", "quinquies", "sexies", "septies", "octies",
                   "novies", "nonies", "decies", "undecies", "duodecies", "terdecies",
                   "quaterdecies", "quindecies", "sexdecies", "septdecies", "octodecies")
# Spanish spellings of the same suffixes ("ARTICULO 144 quinto", "144 tercero").
_SPANISH_SUFFIXES = {"tercero": "ter", "cuater": "quater", "quinto": "quinquies",
                     "sexto": "sexies", "séptimo": "septies", "septimo": "septies"}
_LATIN = "|".join(sorted((*_LATIN_SUFFIXES, *_SPANISH_SUFFIXES), key=len, reverse=True))
# The number proper: digits (or a Roman numeral) followed by the pieces we keep.
_NUMBER_PATTERN = (
    rf"""^(?P<base>\d+|[MDCLXVI]+(?![a-z])|[mdclxvi]+(?=$|[\s.\-–:)]))
    (?P<rest>(?:
        \s?[º°ª](?!\w)                        # ordinal sign 5º
      | o(?=$|[\s.\-–:])                      # 1o. (Spanish/Portuguese typed ordinal)
      | \s?\.\s?º                             # 1.º
      | [-–‑](?:\d+|[A-Za-z](?![a-z]))        # 432-11, 78dd-1, 5-A
      | \.(?=\d)\d+                           # 13.2 (dotted)
      | \s?(?i:{_LATIN})(?![a-z])             # 258 bis, 258 BIS
      | \s?\(\d+[a-z]?\)                      # 268 (1)
      | (?<=\d)[A-Za-z]{{1,3}}(?![a-z])       # 178a, 335a, 78dd, 77cca
      | \s[A-Z](?![\w])                       # IV A
      | \s?مكرر                               # Arabic bis
      | [{_SUPERSCRIPTS}]+
    )*)""")
_NUMBER_RE = re.compile(_NUMBER_PATTERN, re.VERBOSE)
# Dutch and German letter suffixes include "o" ("Artikel 38o"): no typed ordinal there.
_NUMBER_RE_NO_O = re.compile(_NUMBER_PATTERN.replace("| o(?=$|[\\s.\\-–:])", "| (?!)"),
                             re.VERBOSE)
_LETTER_O_PREFIX = re.compile(r"^\s*(?:§|artikel)", re.IGNORECASE)


def _canon_rest(rest: str, letter_o: bool = False) -> str:
    """Canonical spelling of the suffix part of a number."""
    rest = re.sub(r"\s?\.?\s?[º°ª]" if letter_o else r"\s?\.?\s?[º°ª]|^o(?=$|[\s.\-–:])",
                  "", rest)
    rest = _SUPER_RE.sub(lambda m: "." + m.group(0).translate(
        str.maketrans(_SUPERSCRIPTS, "0123456789")), rest)
    rest = rest.replace("مكرر", "bis").replace("–", "-").replace("‑", "-")
    rest = re.sub(rf"\s?({_LATIN})", lambda m: m.group(1).lower(), rest, flags=re.I)
    rest = re.sub(r"qu[aá]r?ter", "quater", rest)  # Chilean "quáter", "QUÁRTER"
    rest = re.sub("|".join(_SPANISH_SUFFIXES), lambda m: _SPANISH_SUFFIXES[m.group(0)], rest)
    return re.sub(r"\s+", "", rest)


def normalize_number(raw: str) -> str:
    """The provision's number from its printed label, in ASCII, without the word in front.

    Returns "" when no number can be found.
    """
    text = raw.strip().lstrip("*†‡ ").translate(_DIGITS)  # "*13": coming-into-force mark
    cjk = _CJK_LABEL_RE.match(text)
    if cjk and (text.lstrip().startswith("第") or not re.match(r"\s*\d", text)):
        number = str(cjk_to_int(cjk.group("n")))
        for sub in (cjk.group("sub"), cjk.group("sub2")):
            if sub:
                number += "-" + str(cjk_to_int(sub))
        return number
    letter_o = bool(_LETTER_O_PREFIX.match(text)) and not re.search(r"[ÁÍÓÚáíóúº]", text)
    text = _PREFIX_RE.sub("", text, count=1).strip()
    text = text.lstrip("(").strip()
    ordinal = _ORDINAL_RE.match(text)
    if ordinal:
        number = str(ORDINALS[ordinal.group("ord").lower()] if ordinal.group("ord").lower()
                     in ORDINALS else ORDINALS[ordinal.group("ord")])
        tail = text[ordinal.end():]
        suffix = re.match(r"\s*(مكرر|bis|ter|quater)?\s*(\(\s*\d+\s*\))?", tail)
        if suffix and suffix.group(1):
            number += "bis" if suffix.group(1) == "مكرر" else suffix.group(1).lower()
        if suffix and suffix.group(2):
            number += re.sub(r"\s+", "", suffix.group(2))
        return number
    match = (_NUMBER_RE_NO_O if letter_o else _NUMBER_RE).match(text)
    if not match:
        return ""
    base = match.group("base")
    if not base.isdigit():
        if roman_to_int(base) is None:
            return ""
        base = base.upper()  # kept as printed: the Inter-American Convention cites "Article IX"
    return base + _canon_rest(match.group("rest"), letter_o)


# --- heading recognition --------------------------------------------------

@dataclass
class HeadingMatch:
    """A provision or container heading found at the start of a line.

    kind: part/book/title/chapter/section/subsection/article/paragraph/schedule/annex.
    container: True for structural divisions that hold provisions (chapters, French
        "Section"), False for provisions that hold text (articles, English sections, §).
    label: the label as printed ("Art. 5º", "第三百八十五条").
    number: the normalized number ("5", "385"), None for unnumbered headings ("ANNEX").
    text: what follows the label on the line (heading or start of the body).
    rank: nesting rank; smaller ranks enclose larger ones.
    """

    kind: str
    container: bool
    label: str
    number: str | None
    text: str
    rank: int = 10


# Number token shared by the Latin-script patterns: digits or Roman, with suffixes.
_NUM = (rf"(?:\d+|[IVXLCDM]+\b)(?:\s?[º°ª]|o\b|\.\s?º|[-–‑](?:\d+|[A-Za-z]\b)|\.\d+|"
        rf"\s?(?i:{_LATIN})\b|\s?\(\d+[a-z]?\)|\s[A-Z](?=$|\s*[.\-–—:])|(?<=\d)[A-Za-z]{{1,3}}\b|[{_SUPERSCRIPTS}]+)*")
_ARNUM = r"(?:\(?\s*[0-9٠-٩۰-۹]+\s*\)?|[\u0600-\u06FF]+(?:\s(?:عشرة|عشر|و[\u0600-\u06FF]+))?)(?:\s?مكرر)?(?:\s?\(\s*[0-9٠-٩]+\s*\))?"
_ORD_WORDS = "|".join(re.escape(w) for w in sorted(
    (w for w in ORDINALS if re.match(r"^[a-zà-ü ]+$", w)), key=len, reverse=True))
_ORD_TITLE = "|".join(w.title() for w in _ORD_WORDS.split("|"))
_SEP = r"(?P<sep>\s*[.:\-–—)]*\s*)"
# CJK numerals 第…条 etc.
_CJKN = rf"[{CJK_NUM}]+"

# Ranks: smaller encloses larger. Provisions are 10.
PART, BOOK, TITLE, CHAPTER, SECTION_C, SUBSECTION_C, PARA_C, PROVISION = 1, 1, 2, 3, 4, 5, 6, 10
_ANY = None

# (languages or None for all, kind, container, rank, label regex).  Each label regex
# must define group "label"; the number inside is normalized separately.
_TABLE: list[tuple[frozenset[str] | None, str, bool, int, str]] = [
    # --- CJK ---------------------------------------------------------------
    (frozenset({"zh", "ja"}), "article", False, PROVISION,
     rf"(?P<label>第{_CJKN}[条條](?:[之の]{_CJKN})*)(?P<sep>[\s　]*)"),
    (frozenset({"zh", "ja"}), "part", True, PART, rf"(?P<label>第{_CJKN}[编編])(?P<sep>[\s　]*)"),
    (frozenset({"zh", "ja"}), "chapter", True, CHAPTER,
     rf"(?P<label>第{_CJKN}章)(?:\s+第{_CJKN}章)?(?P<sep>[\s　]*)"),
    (frozenset({"zh", "ja"}), "section", True, SECTION_C, rf"(?P<label>第{_CJKN}[节節])(?P<sep>[\s　]*)"),
    # --- Russian -----------------------------------------------------------
    (frozenset({"ru"}), "article", False, PROVISION, rf"(?P<label>(?:Статья|СТАТЬЯ)\s+{_NUM}){_SEP}"),
    (frozenset({"ru"}), "part", True, PART, rf"(?P<label>(?:Раздел|РАЗДЕЛ)\s+{_NUM}){_SEP}"),
    (frozenset({"ru"}), "chapter", True, CHAPTER, rf"(?P<label>(?:Глава|ГЛАВА)\s+{_NUM}){_SEP}"),
    # --- Arabic ------------------------------------------------------------
    (frozenset({"ar"}), "article", False, PROVISION, rf"(?P<label>(?:ال)?مادة\s*{_ARNUM}){_SEP}"),
    (frozenset({"ar"}), "part", True, PART, rf"(?P<label>الباب\s+{_ARNUM}){_SEP}"),
    (frozenset({"ar"}), "chapter", True, CHAPTER, rf"(?P<label>الفصل\s+{_ARNUM}){_SEP}"),
    # --- German / Dutch ----------------------------------------------------
    (frozenset({"de"}), "part", True, PART,
     rf"(?P<label>(?:(?:{_ORD_TITLE})\s+(?:Teil|Buch)|(?:Allgemeiner|Besonderer)\s+Teil|"
     rf"(?:Teil|Buch)\s+{_NUM})){_SEP}"),
    (frozenset({"de"}), "chapter", True, CHAPTER,
     rf"(?P<label>(?:(?:{_ORD_TITLE})\s+(?:Abschnitt|Kapitel)|(?:Abschnitt|Kapitel)\s+{_NUM})){_SEP}"),
    (frozenset({"de"}), "title", True, SECTION_C,
     rf"(?P<label>(?:(?:{_ORD_TITLE})\s+(?:Titel|Unterabschnitt)|(?:Titel|Unterabschnitt)\s+{_NUM})){_SEP}"),
    (frozenset({"nl"}), "book", True, BOOK,
     r"(?P<label>(?:Eerste|Tweede|Derde|Vierde|Vijfde|EERSTE|TWEEDE|DERDE|VIERDE|VIJFDE)\s+(?:Boek|BOEK)|(?:Boek|BOEK)\s+\d+)(?P<sep>\s*)"),
    (frozenset({"nl"}), "chapter", True, CHAPTER, rf"(?P<label>(?:HOOFDSTUK|Hoofdstuk)\s+{_NUM}){_SEP}"),
    (frozenset({"nl", "de"}), "title", True, TITLE, rf"(?P<label>(?:TITEL|Titel)\s+{_NUM}){_SEP}"),
    (frozenset({"nl"}), "section", True, SECTION_C, rf"(?P<label>(?:Afdeling|AFDELING)\s+{_NUM}){_SEP}"),
    (frozenset({"nl"}), "paragraph", True, PARA_C, rf"(?P<label>Paragraaf\s+{_NUM}){_SEP}"),
    # Dutch "§ 2 De adviseur integriteit" and Chilean "§ 5. De los delitos…" group
    # articles: containers, only when the language is given
    (frozenset({"nl", "es", "!"}), "paragraph", True, PARA_C, rf"(?P<label>§\s*{_NUM}){_SEP}"),
    # --- French containers (before English "Section") ----------------------
    (frozenset({"fr"}), "section", True, SECTION_C,
     rf"(?P<label>(?:Section|SECTION)\s+{_NUM}){_SEP}"),
    (frozenset({"fr"}), "subsection", True, SUBSECTION_C,
     rf"(?P<label>(?:Sous-section|SOUS-SECTION)\s+{_NUM}){_SEP}"),
    # "Section 3 : De la corruption" (space before colon) is French whatever the language hint
    (_ANY, "section", True, SECTION_C, rf"(?P<label>Section\s+{_NUM})(?P<sep>\s+:\s*)"),
    # --- Chilean "§ I." paragraph containers (Roman numeral after §) --------
    (_ANY, "paragraph", True, PARA_C, r"(?P<label>§\s*[IVXLC]+)(?P<sep>\s*[.:\-–—]+\s*|\s+|$)"),
    # --- provisions, Latin script ------------------------------------------
    (_ANY, "section", False, PROVISION, rf"(?P<label>§§?\s*{_NUM}){_SEP}"),
    (_ANY, "article", False, PROVISION,
     rf"(?P<label>(?:ART[IÍ]CULO|Art[ií]culo|ARTIGO|Artigo|ARTICLE|Article|ARTIKEL|Artikel|"
     rf"ARTICOLO|Articolo|ART\.|Art\.|Art)\s*(?:{_NUM}|(?:{_ORD_WORDS})\b|(?:{_ORD_WORDS.upper()})\b)){_SEP}"),
    (frozenset({"en"}) | frozenset({""}), "section", False, PROVISION,
     rf"(?P<label>(?:SECTION|Section|Sec\.|SEC\.)\s*{_NUM}){_SEP}"),
    # --- containers, Latin script ------------------------------------------
    (_ANY, "part", True, PART,
     rf"(?P<label>(?:PART|Part|PARTIE|Partie|PARTE|Parte)\s+(?:{_NUM}|(?:{_ORD_WORDS.upper()}|{_ORD_WORDS.title()})\b)){_SEP}"),
    (_ANY, "book", True, BOOK,
     rf"(?P<label>(?:BOOK|Book|LIVRE|Livre|LIBRO|Libro|LIVRO|Livro)\s+(?:{_NUM}|(?:{_ORD_WORDS.upper()}|{_ORD_WORDS.title()})\b)){_SEP}"),
    (_ANY, "title", True, TITLE,
     rf"(?P<label>(?:TITLE|Title|TITRE|Titre|T[IÍ]TULO|T[ií]tulo|TITOLO|Titolo)\s+(?:{_NUM}|(?:{_ORD_WORDS.upper()}|{_ORD_WORDS.title()})\b)){_SEP}"),
    (_ANY, "chapter", True, CHAPTER,
     rf"(?P<label>(?:CHAPTER|Chapter|CHAPITRE|Chapitre|CAP[IÍ]TULO|Cap[ií]tulo|CAPITOLO|Capitolo)\s+"
     rf"(?:{_NUM}|(?:{_ORD_WORDS.upper()}|{_ORD_WORDS.title()})\b)){_SEP}"),
    (_ANY, "section", True, SECTION_C,
     rf"(?P<label>(?:SECCI[OÓ]N|Secci[oó]n|SE[CÇ][AÃ]O|Se[cç][aã]o)\s+(?:{_NUM}|(?:{_ORD_WORDS.upper()}|{_ORD_WORDS.title()})\b)){_SEP}"),
    (_ANY, "schedule", True, PART, rf"(?P<label>(?:SCHEDULE|Schedule)(?:\s+{_NUM})?)(?=$|[\s.:\-–—])(?P<sep>\s*[.:\-–—]*\s*)"),
    (_ANY, "annex", True, PART,
     rf"(?P<label>(?:ANNEX|Annex|ANNEXE|Annexe|ANEXO|Anexo|BIJLAGE|Bijlage|ANLAGE|Anlage)(?:\s+{_NUM})?)(?=$|[\s.:\-–—])(?P<sep>\s*[.:\-–—]*\s*)"),
    # --- bare numbered sections "6. (1) A person…" (common-law drafting) ---
    (frozenset({"en", ""}), "section", False, PROVISION,
     # an Indian amendment marker "1 [" may precede the number
     r"(?:\d{1,2}\s?\[\s?)?(?P<label>\d{1,3}[A-Z]{0,2})(?P<sep>\.\s+|\.(?=\()|\.$)"
     r"(?=$|\(\s?1\s?\)|[(\[]?[A-Z\u201c\u2018\"])(?!(?:January|February|March|April|May|June|July|August|"
     r"September|October|November|December|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|"
     r"januari|februari|maart|mei|juni|juli|augustus|oktober|Subs|Ins|Omitted|Added|Rep|Vide|The words|See)\b)"),
]

# Languages where "§ N" subdivides an article rather than heading a provision.
_NO_SIGN_PROVISIONS = {"pt"}
_COMPILED = [(langs, kind, container, rank, re.compile(pattern))
             for langs, kind, container, rank, pattern in _TABLE]
# Markdown emphasis and list/quote markers that may wrap a heading.
_STRIP_RE = re.compile(r"[*_]{1,3}")


def parse_heading(line: str, language: str | None = None) -> HeadingMatch | None:
    """Recognise a provision or container heading at the start of ``line``.

    ``language`` (ISO 639-1) restricts the language-specific patterns; None tries all.
    Cross-references ("as provided in section 5") never match: the label must open the
    line, and word labels must be capitalised (lower-case "artículo 86" is running text).
    """
    text = _STRIP_RE.sub("", line).strip()
    if not text:
        return None
    lang = (language or "").split("-")[0].lower()
    for langs, kind, container, rank, regex in _COMPILED:
        if langs is not None and lang and lang not in langs:
            continue
        if langs is not None and not lang and "" not in langs and not _script_allows(langs, text):
            continue
        match = regex.match(text)
        if not match:
            continue
        label = match.group("label").strip()
        if lang in _NO_SIGN_PROVISIONS and label.startswith("§") and not container:
            continue  # Brazilian "§ 1º" is a paragraph inside an article: body text
        rest = text[match.end():].strip()
        number = normalize_number(label) or None
        if number is None and kind not in ("schedule", "annex", "part") and not container:
            continue
        if kind == "part" and number is None and not re.search(r"Teil", label):
            continue
        if not container and rest[:1].islower() and kind != "article" and lang in ("en", ""):
            # "6. the" is a wrapped sentence, not a section
            continue
        return HeadingMatch(kind, container, label, number, rest, rank)
    return None


def _script_allows(langs: frozenset[str], text: str) -> bool:
    """Without a language hint, script-specific patterns run only on their script."""
    if "!" in langs:
        return False
    if langs & {"zh", "ja"}:
        return text.startswith("第")
    if "ru" in langs:
        return bool(re.match(r"[А-Яа-я]", text))
    if "ar" in langs:
        return bool(re.match(r"[\u0600-\u06FF]", text))
    # French "Section" is a container only when the caller says French.
    return "fr" not in langs
