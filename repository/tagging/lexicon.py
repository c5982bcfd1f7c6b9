"""The concept lexicon (corpus/lexicon/<lang>.toml) compiled into matchers.

A term is a sequence of words that must appear in order; `` ... `` allows a gap,
``*`` ends a word with any ending and ``?`` stands for one character. Matching is
case- and accent-insensitive. Chinese and Japanese terms are substrings; Arabic
words may carry the prefixes و ف ب ل ك and the article ال.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.analysis import normalize
from repository.config import CORPUS_DIR

LEXICON_DIR = CORPUS_DIR / "lexicon"
UNSPACED_LANGUAGES = {"zh", "ja"}
WORD_GAP = 6       # words allowed in a " ... " gap
CHARACTER_GAP = 20  # characters allowed in a " ... " gap in unspaced scripts


@dataclass(frozen=True)
class Term:
    """A compiled term; ``literal`` must occur in a text for the pattern to match (a cheap pre-check)."""

    text: str
    literal: str
    pattern: re.Pattern

    def search(self, normalized_text: str) -> bool:
        return self.literal in normalized_text and self.pattern.search(normalized_text) is not None


@dataclass(frozen=True)
class Entry:
    article: int
    paragraph: str
    terms: tuple[Term, ...]
    requires: tuple[Term, ...]
    weight: float


@dataclass(frozen=True)
class Match:
    article: int
    paragraph: str
    term: str
    weight: float
    where: str  # "heading", "text" or "context"


def normalize_text(text: str) -> str:
    """The form both the lexicon and provisions are compared in."""
    return normalize(text)


def _word_pattern(word: str, language: str) -> str:
    prefix_free = word.endswith("*")
    core = word.rstrip("*")
    pattern = "".join(r"\w" if char == "?" else re.escape(char) for char in core)
    if prefix_free:
        pattern += r"\w*"
    if language == "ar":
        # Words run together in some sources, and carry clitic prefixes: match inside a token.
        return rf"(?:[وفبلك]?(?:ال|لل)?){pattern}\w*"
    return rf"(?<!\w){pattern}" + ("" if prefix_free else r"(?!\w)")


def required_literal(term: str) -> str:
    """The longest run of plain characters that any text matching ``term`` contains."""
    runs = re.split(r"\.\.\.|[*?\s]|[^\w]", normalize_text(term))
    return max(runs, key=len, default="")


def compile_term(term: str, language: str) -> Term:
    """Compile one lexicon term for a language."""
    return Term(term, required_literal(term), _term_pattern(term, language))


def _term_pattern(term: str, language: str) -> re.Pattern:
    text = normalize_text(term.strip())
    if language in UNSPACED_LANGUAGES:
        parts = [re.escape(part.strip()).replace(r"\?", ".") for part in text.split("...")]
        return re.compile(f".{{0,{CHARACTER_GAP}}}?".join(parts))
    groups = []
    for chunk in text.split("..."):
        words = [w for w in re.split(r"[^\w*?]+", chunk) if w]
        if words:
            groups.append(r"\W+".join(_word_pattern(w, language) for w in words))
    gap = rf"(?:\W+\w+){{0,{WORD_GAP}}}?\W+"
    return re.compile(gap.join(groups))


@dataclass(frozen=True)
class Lexicon:
    language: str
    entries: tuple[Entry, ...]

    def matches(self, text: str, where: str) -> list[Match]:
        """Every entry term found in ``text`` (already normalized)."""
        found = []
        for entry in self.entries:
            hits = [term.text for term in entry.terms if term.search(text)]
            if hits and entry.requires and not any(term.search(text) for term in entry.requires):
                continue
            found.extend(Match(entry.article, entry.paragraph, hit, entry.weight, where) for hit in hits)
        return found


def load_lexicon_file(path: Path) -> Lexicon:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    language = data.get("language") or path.stem
    entries = []
    for number, raw in enumerate(data.get("entry", []), start=1):
        try:
            entries.append(Entry(
                article=int(raw["article"]),
                paragraph=str(raw.get("paragraph", "") or ""),
                terms=tuple(compile_term(t, language) for t in raw["terms"]),
                requires=tuple(compile_term(t, language) for t in raw.get("requires", [])),
                weight=float(raw.get("weight", 1.0)),
            ))
        except (KeyError, ValueError, re.error) as error:
            raise ValueError(f"{path.name} entry {number}: {error}") from None
    return Lexicon(language, tuple(entries))


@lru_cache(maxsize=None)
def lexicon_for(language: str, directory: Path = LEXICON_DIR) -> Lexicon | None:
    path = directory / f"{language}.toml"
    return load_lexicon_file(path) if path.exists() else None


def available_languages(directory: Path = LEXICON_DIR) -> list[str]:
    return sorted(path.stem for path in directory.glob("*.toml"))


@lru_cache(maxsize=2048)
def concepts_in_query(query: str, directory: Path = LEXICON_DIR) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The UNCAC articles whose concept a query names (in any language), and those concepts'
    strong terms in every language, for cross-lingual search without translation.

    Cached: searches repeat, and matching a query against ten lexicons is a quarter of
    the time of a search page."""
    text = normalize_text(query)
    lexicons = [lexicon_for(language, directory) for language in available_languages(directory)]
    articles = sorted({m.article for lexicon in lexicons if lexicon for m in lexicon.matches(text, "query")})
    if not articles:
        return (), ()
    terms = sorted({
        term
        for lexicon in lexicons if lexicon
        for entry in lexicon.entries
        if entry.article in articles and entry.weight >= 1.0 and not entry.requires
        for term in (t.text for t in entry.terms)
        if "..." not in term and "?" not in term
    })
    return tuple(articles), tuple(terms)
