"""Language-aware analyzers for legal text.

Design rules (why, not what):

* No stop list at all. In law "may", "not", "shall", "and", "or", "no" carry the
  meaning of a provision; BM25 already discounts frequent words.
* Every token is kept, whatever its length: "5" in "Article 5", "78dd-1",
  "420bis", "291.1" must be findable. Dotted, hyphenated and slashed tokens are
  indexed whole *and* by their parts (parts at the same position so phrases still
  line up); at query time only the whole token is produced, so "78dd-1" is one term.
* CJK runs (Han, Hiragana, Katakana) become overlapping character bigrams (a run of
  one character stays a unigram). Latin words and numbers inside CJK text are
  ordinary word tokens.
* Arabic is normalized everywhere (tashkeel, tatweel, alef forms, ى→ي, ة→ه,
  Arabic-Indic digits); the Arabic-specific field adds a Light10-style stemmer
  (definite article, و prefix, common suffixes), more conservative than ISRI.
* Latin accents are folded ("Geldwäsche" = "Geldwasche"; ß→ss) but only for Latin
  letters: Cyrillic й/и and Japanese dakuten must stay distinct (only ё→е).
* Stemmed analyzers stem *before* folding, since the Snowball stemmers expect
  the language's own letters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from whoosh.analysis import Filter, IDTokenizer, LowercaseFilter, Token, Tokenizer
from whoosh.lang import has_stemmer, stemmer_for_language

# Han (incl. ext. A and compatibility), Hiragana, Katakana (incl. the long-vowel mark).
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Combining marks are not \w in Python's re; without them Arabic words with
# tashkeel (and Hebrew/Indic/Thai words) would be cut at every vowel sign.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff\u0e31-\u0e4e"
_W = rf"(?:[^\W{_CJK}]|[{_MARKS}])"
_TOKEN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<word>{_W}+(?:[.\-/\u2010\u2011]{_W}+)*)"
)
_SPLIT_RE = re.compile(r"[.\-/\u2010\u2011]")
_MAX_TOKEN = 80  # longer "words" are OCR junk or base64; truncate rather than bloat the lexicon

# Languages with a Snowball stemmer we use. Arabic gets our own light stemmer.
SNOWBALL_LANGUAGES: tuple[str, ...] = tuple(
    lang for lang in ("da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv")
    if has_stemmer(lang)
)
STEMMED_LANGUAGES: tuple[str, ...] = SNOWBALL_LANGUAGES + ("ar",)


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    """(common, latin_fold) translate tables; built once at import."""
    common: dict[int, str] = {}
    # Arabic: drop tashkeel (harakat, tanwin, shadda, sukun, dagger alef) and tatweel.
    for cp in list(range(0x064B, 0x0660)) + [0x0670, 0x0640]:
        common[cp] = ""
    for ch in "أإآٱ":
        common[ord(ch)] = "ا"
    common[ord("ى")] = "ي"
    common[ord("ة")] = "ه"
    for i in range(10):  # Arabic-Indic and Extended Arabic-Indic digits
        common[0x0660 + i] = str(i)
        common[0x06F0 + i] = str(i)
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII, common in CJK legal text
        common[cp] = chr(cp - 0xFEE0).lower()
    common[ord("ё")] = "е"
    latin: dict[int, str] = {}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and base != ch:
            latin[cp] = base.lower()
    latin.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o",
                  ord("đ"): "d", ord("ł"): "l", ord("þ"): "th", ord("ı"): "i"})
    return common, latin


_COMMON, _LATIN = _build_tables()
_FOLD = {**_COMMON, **_LATIN}


def normalize(text: str, *, fold_latin: bool = True) -> str:
    """Lowercase and normalize one token (or a query term) like the analyzers do."""
    text = text.lower()
    if text.isascii():
        return text
    return text.translate(_FOLD if fold_latin else _COMMON)


class LexTokenizer(Tokenizer):
    """Words, numbers with internal punctuation, and CJK bigrams."""

    def __eq__(self, other):  # analyzers are compared when schemas are merged
        return type(other) is type(self)

    def __call__(self, value: str, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        index_mode = mode == "index"
        pos = start_pos
        for m in _TOKEN_RE.finditer(value):
            start = m.start()
            word = m.group("word")
            if word is not None:
                parts = _SPLIT_RE.split(word) if index_mode and len(word) > 1 else None
                t.text = word[:_MAX_TOKEN]
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = t.text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + start, start_char + m.end()
                yield t
                if parts is not None and len(parts) > 1:
                    # Parts share the compound's position so phrases still line up.
                    offset = start
                    for part in parts:
                        t.text = part[:_MAX_TOKEN]
                        if keeporiginal:
                            t.original = t.text
                        if positions:
                            t.pos = pos
                        if chars:
                            t.startchar = start_char + offset
                            t.endchar = start_char + offset + len(part)
                        offset += len(part) + 1
                        yield t
                pos += 1
            else:
                run = m.group("cjk")
                n = len(run)
                grams = 1 if n == 1 else n - 1
                for i in range(grams):
                    t.text = run[i:i + 2]
                    t.boost = 1.0
                    t.stopped = False
                    if keeporiginal:
                        t.original = t.text
                    if positions:
                        t.pos = pos
                    if chars:
                        t.startchar = start_char + start + i
                        t.endchar = t.startchar + len(t.text)
                    pos += 1
                    yield t


class NormalizeFilter(Filter):
    """Lowercase, Arabic/digit normalization and (optionally) Latin accent folding."""

    def __init__(self, fold_latin: bool = True):
        self.fold_latin = fold_latin

    def __eq__(self, other):
        return type(other) is type(self) and other.fold_latin == self.fold_latin

    def __call__(self, tokens):
        table = _FOLD if self.fold_latin else _COMMON
        for t in tokens:
            text = t.text.lower()
            if not text.isascii():
                text = text.translate(table)
            if text:
                t.text = text
                yield t


class FoldFilter(Filter):
    """Latin accent folding only (after stemming)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            if not t.text.isascii():
                t.text = t.text.translate(_LATIN)
            yield t


@lru_cache(maxsize=None)
def _stem_function(lang: str):
    stem = stemmer_for_language(lang)
    return lru_cache(maxsize=100_000)(stem)


def _arabic_light_stem(word: str) -> str:
    """Light10-style stemmer on normalized Arabic (ة already → ه)."""
    if len(word) >= 4 and word[0] == "و":
        word = word[1:]
    for prefix in ("وال", "بال", "كال", "فال", "لل", "ال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    for suffix in ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


class LexStemFilter(Filter):
    """Stem with Snowball (or the Arabic light stemmer); numbers are left alone."""

    def __init__(self, lang: str):
        self.lang = lang

    def __eq__(self, other):
        return type(other) is type(self) and other.lang == self.lang

    def __call__(self, tokens):
        if self.lang == "ar":
            for t in tokens:
                if _ARABIC_LETTER.match(t.text):
                    t.text = _arabic_light_stem(t.text)
                yield t
            return
        stem = _stem_function(self.lang)
        for t in tokens:
            text = t.text
            if not text[0].isdigit():
                t.text = stem(text)
            yield t


class ArabicNgramFilter(Filter):
    """Character 3-grams of Arabic words, at consecutive positions within a word.

    Some Arabic sources (the UAE corpus file) lost spaces between words, so
    "الموظفالعام" is one token; a query word then matches as the phrase of its
    3-grams inside the run-together token. Words shorter than 4 letters are left
    out at query time: as substrings they would match too much.
    """

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        pos = 0
        for t in tokens:
            text = t.text
            if not _ARABIC_LETTER.match(text):
                continue
            if t.mode == "query" and len(text) < 4:
                continue
            if len(text) <= 3:
                if t.positions:
                    t.pos = pos
                pos += 2  # a gap: grams of neighbouring words must not form phrases
                yield t
                continue
            start = t.startchar if t.chars else 0
            for i in range(len(text) - 2):
                t.text = text[i:i + 3]
                if t.positions:
                    t.pos = pos
                if t.chars:
                    t.startchar, t.endchar = start + i, start + i + 3
                pos += 1
                yield t
            pos += 1


def arabic_ngram_analyzer():
    """Analyzer for ``body_ar_ngram`` (see :class:`ArabicNgramFilter`)."""
    return LexTokenizer() | NormalizeFilter(fold_latin=True) | ArabicNgramFilter()


def neutral_analyzer():
    """The language-neutral analyzer used for every document's ``body`` and ``heading``."""
    return LexTokenizer() | NormalizeFilter(fold_latin=True)


def stemming_analyzer(lang: str):
    """Analyzer for ``body_<lang>``: neutral tokens, stemmed, then folded."""
    if lang not in STEMMED_LANGUAGES:
        raise ValueError(f"no stemmer for {lang!r}")
    return LexTokenizer() | NormalizeFilter(fold_latin=False) | LexStemFilter(lang) | FoldFilter()


def keyword_analyzer():
    """Exact, case-insensitive values (country codes, types, article numbers)."""
    return IDTokenizer() | LowercaseFilter()


def raw_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the tokens :class:`LexTokenizer` yields in index mode, without
    the Token machinery (a third of the cost of a search page went into re-analysing hits)."""
    out: list[tuple[int, int, str]] = []
    append = out.append
    split = _SPLIT_RE.split
    for m in _TOKEN_RE.finditer(text):
        start = m.start()
        word = m.group("word")
        if word is not None:
            append((start, m.end(), word[:_MAX_TOKEN]))
            if len(word) > 1:
                parts = split(word)
                if len(parts) > 1:
                    offset = start
                    for part in parts:
                        append((offset, offset + len(part), part[:_MAX_TOKEN]))
                        offset += len(part) + 1
        else:
            run = m.group("cjk")
            for i in range(1 if len(run) == 1 else len(run) - 1):
                gram = run[i:i + 2]
                append((start + i, start + i + len(gram), gram))
    return out


@lru_cache(maxsize=None)
def _term_filters(lang: str | None) -> tuple[Filter, ...]:
    if lang is None:
        return (NormalizeFilter(fold_latin=True),)
    return (NormalizeFilter(fold_latin=False), LexStemFilter(lang), FoldFilter())


def _index_term(lang: str | None, raw: str) -> str:
    """What the analyzer's filters make of one token ("" when they drop it)."""
    token = Token(positions=False, chars=False, mode="index")
    token.text = raw
    tokens: Iterator[Token] = iter([token])
    for token_filter in _term_filters(lang):
        tokens = token_filter(tokens)
    out = next(tokens, None)
    return out.text if out is not None else ""


_TERMS: dict[str | None, dict[str, str]] = {}
_TERMS_MAX = 200_000  # distinct words remembered per analyzer


def index_terms(tokens: list[tuple[int, int, str]], lang: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, term) for the :func:`raw_tokens` of a text, as :func:`neutral_analyzer`
    (``lang`` None) or :func:`stemming_analyzer` (``lang``) indexes them; the filters run once
    per distinct word."""
    known = _TERMS.setdefault(lang, {})
    if len(known) > _TERMS_MAX:
        known.clear()
    out = []
    for start, end, raw in tokens:
        term = known.get(raw)
        if term is None:
            term = known[raw] = _index_term(lang, raw)
        if term:
            out.append((start, end, term))
    return out


def term_spans(text: str, lang: str | None = None) -> list[tuple[int, int, str]]:
    """(startchar, endchar, term) of every token the analyzer of ``lang`` indexes for ``text``."""
    return index_terms(raw_tokens(text), lang)


def analyze(analyzer, text: str, mode: str = "query") -> list[str]:
    """Token texts, for tests and debugging."""
    return [t.text for t in analyzer(text, mode=mode)]
