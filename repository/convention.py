"""The United Nations Convention against Corruption as reference data (corpus/uncac/articles.toml)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from repository.config import CORPUS_DIR

ARTICLES_FILE = CORPUS_DIR / "uncac" / "articles.toml"
ARTICLE_COUNT = 71

# Titles under which the Convention's own text is recognised when it is ingested.
_CONVENTION_TITLE = re.compile(
    r"United Nations Convention against Corruption"
    r"|Convenci[oó]n de las Naciones Unidas contra la Corrupci[oó]n"
    r"|Convention des Nations Unies contre la corruption"
    r"|Verdrag van de Verenigde Naties tegen corruptie",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Chapter:
    number: str  # Roman numeral
    title: str
    first_article: int
    last_article: int


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    chapter: str
    obligation: str | None = None


@dataclass(frozen=True)
class Convention:
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]

    def article(self, number: int) -> Article:
        for article in self.articles:
            if article.number == number:
                return article
        raise KeyError(f"UNCAC has no article {number}")

    def chapter_of(self, article_number: int) -> str:
        return self.article(article_number).chapter


@lru_cache(maxsize=4)
def load_convention(path: Path = ARTICLES_FILE) -> Convention:
    """Read the Convention's structure; raise ValueError if it is not 8 chapters and 71 articles."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    chapters = tuple(
        Chapter(c["number"], c["title"], int(c["articles"][0]), int(c["articles"][-1])) for c in data["chapter"]
    )
    articles = tuple(
        Article(int(a["number"]), a["title"], a["chapter"], a.get("obligation")) for a in data["article"]
    )
    if [a.number for a in articles] != list(range(1, ARTICLE_COUNT + 1)):
        raise ValueError(f"{path}: expected articles 1..{ARTICLE_COUNT} in order")
    if len(chapters) != 8:
        raise ValueError(f"{path}: expected 8 chapters, found {len(chapters)}")
    return Convention(chapters, articles)


def looks_like_convention(title: str, text_start: str) -> bool:
    """Whether a document is (or contains) the text of UNCAC itself."""
    return bool(_CONVENTION_TITLE.search(title) or _CONVENTION_TITLE.search(text_start))


def convention_article_run(numbers: Sequence[str | None]) -> list[int]:
    """Positions of the longest run of consecutive article numbers 1, 2, 3, ... in ``numbers``.

    A convention published inside an approving law, or followed by its translation,
    repeats article numbers; the Convention itself is the longest run starting at 1.
    """
    best: list[int] = []
    run: list[int] = []
    expected = 1
    for position, number in enumerate(numbers):
        if number == "1":
            if len(run) > len(best):
                best = run
            run, expected = [position], 2
        elif run and number == str(expected):
            run.append(position)
            expected += 1
    if len(run) > len(best):
        best = run
    return best


def convention_texts(session) -> dict[str, dict[int, str]]:
    """The Convention's article texts stored in the library, by document language: {lang: {article: text}}."""
    from sqlalchemy import select

    from repository.indexing import current_version_ids
    from repository.models import ConventionArticle, Document, Provision, Version

    rows = session.execute(
        select(Document.language, Provision.convention_article, ConventionArticle.title, Provision.heading, Provision.text)
        .join(Version, Version.document_id == Document.id)
        .join(Provision, Provision.version_id == Version.id)
        .join(ConventionArticle, ConventionArticle.number == Provision.convention_article)
        .where(Version.id.in_(current_version_ids()))
    )
    texts: dict[str, dict[int, str]] = {}
    for language, article, title, heading, text in rows:
        # The article's own heading in that language, else the English title.
        texts.setdefault(language, {})[article] = "\n".join(filter(None, (heading or title, text)))
    return texts
