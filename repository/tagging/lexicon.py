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
class Entry:
    article: int
    paragraph: str
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    requires: tuple[re.Pattern, ...]
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


def compile_term(term: str, language: str) -> re.Pattern:
    """Compile one lexicon term for a language into a regular expression."""
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
            if entry.requires and not any(p.search(text) for p in entry.requires):
                continue
            for term, pattern in zip(entry.terms, entry.patterns):
                if pattern.search(text):
                    found.append(Match(entry.article, entry.paragraph, term, entry.weight, where))
        return found


def load_lexicon_file(path: Path) -> Lexicon:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    language = data.get("language") or path.stem
    entries = []
    for number, raw in enumerate(data.get("entry", []), start=1):
        try:
            terms = tuple(raw["terms"])
            entries.append(Entry(
                article=int(raw["article"]),
                paragraph=str(raw.get("paragraph", "") or ""),
                terms=terms,
                patterns=tuple(compile_term(t, language) for t in terms),
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
