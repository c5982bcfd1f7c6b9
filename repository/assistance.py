"""Technical assistance needs per UNCAC article recorded by the Secretariat
(corpus/uncac/assistance_needs.toml): how many States parties identified needs for an
article in the first review cycle, and how many needs, with the document they come from."""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from repository.config import CORPUS_DIR

ASSISTANCE_FILE = CORPUS_DIR / "uncac" / "assistance_needs.toml"


@dataclass(frozen=True)
class AssistanceSource:
    title: str
    kind: str
    body: str
    session: str
    agenda_item: str
    date: dt.date
    symbol: str              # "" when the note's own symbol is not known
    provisional_agenda: str  # the symbol of the session's provisional agenda, which the note cites
    updates: str             # the earlier analysis this note updates

    def citation(self) -> str:
        """The source in one line, as shown next to the figures."""
        parts = [self.body, self.session, f"“{self.title}”", self.kind, self.date.strftime("%-d %B %Y")]
        if self.symbol:
            parts.append(self.symbol)
        return ", ".join(parts)


@dataclass(frozen=True)
class AssistanceNeeds:
    article: int
    table: int
    states_parties: int
    needs: int


@dataclass(frozen=True)
class AssistanceData:
    source: AssistanceSource
    tables: dict[int, dict]   # table number -> {chapter, title, needs_total_stated}
    by_article: dict[int, AssistanceNeeds]


@lru_cache(maxsize=4)
def load_assistance_needs(path: Path = ASSISTANCE_FILE) -> AssistanceData:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    source = data["source"]
    by_article = {}
    for row in data["article"]:
        needs = AssistanceNeeds(int(row["number"]), int(row["table"]), int(row["states_parties"]), int(row["needs"]))
        if needs.article in by_article:
            raise ValueError(f"{path}: article {needs.article} twice")
        by_article[needs.article] = needs
    return AssistanceData(
        source=AssistanceSource(
            title=source["title"], kind=source["kind"], body=source["body"], session=source["session"],
            agenda_item=source["agenda_item"], date=source["date"], symbol=source.get("symbol", ""),
            provisional_agenda=source.get("provisional_agenda", ""), updates=source.get("updates", ""),
        ),
        tables={int(t["number"]): t for t in data["table"]},
        by_article=by_article,
    )
