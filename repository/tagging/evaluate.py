"""Precision, recall and F1 of article tags against a gold file of ``source,number,articles`` rows."""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


class GoldFileError(ValueError):
    """The gold file cannot be read; the message names the line."""


@dataclass(frozen=True)
class GoldRow:
    source: str
    number: str
    articles: frozenset[int]


def read_gold(path: str | Path) -> list[GoldRow]:
    """Rows of ``source,number,articles`` (articles separated by ``;``, empty for none)."""
    rows: list[GoldRow] = []
    seen: set[tuple[str, str]] = set()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or [f.strip() for f in reader.fieldnames[:3]] != ["source", "number", "articles"]:
            raise GoldFileError(f"{path}: the header must be source,number,articles")
        for line, row in enumerate(reader, start=2):
            key = (row["source"].strip(), row["number"].strip())
            if key in seen:
                raise GoldFileError(f"{path} line {line}: {key[0]} {key[1]} is listed twice")
            seen.add(key)
            try:
                articles = frozenset(int(a) for a in (row["articles"] or "").replace(",", ";").split(";") if a.strip())
            except ValueError:
                raise GoldFileError(f"{path} line {line}: articles must be numbers separated by ';'") from None
            rows.append(GoldRow(key[0], key[1], articles))
    return rows


@dataclass
class Scores:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    micro: Scores
    per_article: dict[int, Scores]
    confusions: Counter  # (gold article or None, predicted article) -> count, for wrong predictions
    missing: list[GoldRow] = field(default_factory=list)  # gold rows with no such provision
    provisions: int = 0

    @property
    def macro(self) -> tuple[float, float, float]:
        """Mean precision, recall and F1 over the articles that occur in gold or predictions."""
        articles = list(self.per_article.values())
        if not articles:
            return 0.0, 0.0, 0.0
        count = len(articles)
        return (
            sum(s.precision for s in articles) / count,
            sum(s.recall for s in articles) / count,
            sum(s.f1 for s in articles) / count,
        )

    def weakest(self, count: int = 5) -> list[tuple[int, Scores]]:
        return sorted(self.per_article.items(), key=lambda kv: (kv[1].f1, -(kv[1].true_positives + kv[1].false_negatives)))[:count]


def evaluate(gold: list[GoldRow], predicted: dict[tuple[str, str], set[int] | None]) -> Evaluation:
    """Compare (provision, article) pairs. ``predicted[key]`` is None when the provision does not exist."""
    micro = Scores()
    per_article: dict[int, Scores] = {}
    confusions: Counter = Counter()
    missing = []
    for row in gold:
        predicted_articles = predicted.get((row.source, row.number))
        if predicted_articles is None:
            missing.append(row)
            predicted_articles = set()
        for article in row.articles | predicted_articles:
            scores = per_article.setdefault(article, Scores())
            if article in row.articles and article in predicted_articles:
                scores.true_positives += 1
                micro.true_positives += 1
            elif article in predicted_articles:
                scores.false_positives += 1
                micro.false_positives += 1
                wrong_for = sorted(row.articles - predicted_articles) or [None]
                for gold_article in wrong_for:
                    confusions[(gold_article, article)] += 1
            else:
                scores.false_negatives += 1
                micro.false_negatives += 1
    return Evaluation(micro, dict(sorted(per_article.items())), confusions, missing, provisions=len(gold))


def report(evaluation: Evaluation) -> str:
    """The evaluation as text: micro and macro figures, per-article table, confusions."""
    m = evaluation.micro
    macro_p, macro_r, macro_f = evaluation.macro
    lines = [
        f"provisions: {evaluation.provisions} ({len(evaluation.missing)} not found in the library)",
        f"micro: precision {m.precision:.3f}  recall {m.recall:.3f}  F1 {m.f1:.3f}  "
        f"(tp {m.true_positives}, fp {m.false_positives}, fn {m.false_negatives})",
        f"macro: precision {macro_p:.3f}  recall {macro_r:.3f}  F1 {macro_f:.3f}",
        "",
        "article  precision  recall   F1     tp  fp  fn",
    ]
    for article, s in evaluation.per_article.items():
        lines.append(f"{article:>7}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {s.true_positives:3} {s.false_positives:3} {s.false_negatives:3}")
    if evaluation.confusions:
        lines += ["", "confusions (gold -> predicted: count):"]
        for (gold_article, predicted_article), count in evaluation.confusions.most_common(20):
            lines.append(f"  {gold_article if gold_article is not None else 'none'} -> {predicted_article}: {count}")
    for row in evaluation.missing[:20]:
        lines.append(f"not found: {row.source} {row.number}")
    return "\n".join(lines)
