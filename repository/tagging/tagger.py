"""Suggest the UNCAC articles a provision implements, with a confidence and the reason.

Signals (each can be switched off to measure what it contributes, see ``evaluate``):

* ``reference``: an explicit reference to an article of the Convention;
* ``lexicon``: concept terms of the provision's language (corpus/lexicon), weighted by
  where they occur: the heading says what a provision is, the text may mention a
  concept in passing, and the headings of enclosing parts give weak context;
* ``similarity``: TF-IDF cosine between the provision and the Convention's own article
  texts in the same language (English and Spanish texts are in the corpus);
* ``structure``: definitions, short titles, commencement and purpose clauses are
  not implementations, and containers are not tagged at all.

Scores of the signals add up per article; ``confidence = 1 - exp(-score)``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.analysis import STEMMED_LANGUAGES, analyze, neutral_analyzer, stemming_analyzer
from repository.tagging.lexicon import Lexicon, Match, lexicon_for, normalize_text

ALL_SIGNALS = frozenset({"reference", "lexicon", "similarity", "structure"})
CONTAINER_KINDS = {"part", "book", "title", "chapter", "subchapter", "division", "schedule", "annex"}

# Weights of a lexicon match by where it occurs.
PLACE_WEIGHT = {"heading": 1.6, "text": 1.0, "context": 0.35}
REPEAT_WEIGHT = 0.25        # each further distinct term for the same article in the text
REFERENCE_SCORE = 2.5
SIMILARITY_FLOOR = 0.2     # cosine below this says nothing
SIMILARITY_SCALE = 1.0
SIMILARITY_ALONE = 0.35     # cosine needed to suggest an article no other signal names
STRUCTURE_PENALTY = 0.15    # factor applied to definitions, titles and commencement clauses
THRESHOLD = 0.55            # confidence needed to suggest a tag
RELATIVE_CUTOFF = 0.6       # drop articles scoring below this share of the best one
MAX_TAGS = 3
# A provision on the specific offence is not also an implementation of the general one
# (bribery of foreign officials extends, and does not re-enact, domestic bribery; trading
# in influence shares the words of bribery but is its own offence),
# unless the general article's own evidence is clearly stronger.
SPECIFIC_OVER_GENERAL = {16: 15, 18: 15, 21: 15, 22: 17}
GENERAL_KEEPS_IF_STRONGER = 1.5

_NON_IMPLEMENTING_HEADINGS = re.compile(
    r"^\W*(?:"
    r"definitions?|interpretation|short title|citation|commencement|repeals?|savings?|"
    r"application of (?:this )?act|purposes? of (?:this )?act|object of (?:this )?act|annual reports?|"
    r"begriffsbestimmung\w*|anwendungsbereich|inkrafttreten|"
    r"d[eé]finitions?|entr[ée]e en vigueur|objet|titre abr[ée]g[ée]|rapport annuel|"
    r"definici[oó]n\w*|objeto|[áa]mbito de aplicaci[oó]n|vigencia|entrada en vigor|informe anual|"
    r"defini[çc][õo]es|vig[êe]ncia|"
    r"begripsbepaling\w*|inwerkingtreding|citeertitel|"
    r"основные понятия|вступление в силу|"
    r"تعريفات|التعريفات|"
    r"定义|用语|施行|定義"
    r")\b",
    re.IGNORECASE,
)
_NON_IMPLEMENTING_TEXT = re.compile(
    r"this act (?:may be cited|shall come into (?:force|operation))|comes into force on|"
    r"in this (?:act|part|law)[^.]{0,40}(?:unless the context|means|—)|"
    r"im sinne dieses gesetzes (?:ist|sind)|"
    r"para (?:los )?efectos de (?:esta|la presente) ley se entender|entrar[aá] en vigor|"
    r"pour l'application du pr[ée]sent|"
    r"в настоящем (?:федеральном )?законе используются|"
    r"يقصد بالالفاظ|يقصد بالكلمات|"
    r"本法自.{0,20}起施行",
    re.IGNORECASE,
)
_CONVENTION_NAME = (
    r"(?:united nations )?convention against corruption|convenci[oó]n de las naciones unidas contra la corrupci[oó]n"
    r"|convention des nations unies contre la corruption|uncac|verdrag van de verenigde naties tegen corruptie"
)
_REFERENCE = re.compile(
    r"(?:article|art\.|art[íi]culo|artigo|artikel|статья|статьи|المادة)\s*(\d{1,2})\b[^.;]{0,80}?(?:of|de|du|der|van|конвенции)?\s*(?:the\s+)?"
    rf"(?:{_CONVENTION_NAME})",
    re.IGNORECASE,
)


@dataclass
class ProvisionView:
    """What the tagger reads of a provision."""

    kind: str
    number: str | None
    heading: str
    text: str
    language: str
    context: list[str] = field(default_factory=list)  # headings of enclosing units, outermost first


@dataclass
class Suggestion:
    article: int
    paragraph: str
    confidence: float
    origin: str  # "rule" (reference, lexicon) or "model" (similarity only)
    explanation: str
    score: float = 0.0


@dataclass
class _Evidence:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    paragraph: str = ""
    rule: bool = False


def is_non_implementing(view: ProvisionView) -> bool:
    """Definitions, titles, commencement and purpose clauses."""
    heading = normalize_text(view.heading or "")
    if heading and _NON_IMPLEMENTING_HEADINGS.search(heading):
        return True
    start = normalize_text(view.text[:400])
    if _NON_IMPLEMENTING_TEXT.search(start):
        return True
    # A provision that defines many terms is a definitions section, whatever its heading.
    return len(re.findall(r"[\"“”«»]\s*\w[^\"“”«»]{0,60}[\"“”«»]\s*(?:means|includes|has the meaning)", view.text)) >= 3


class ConventionSimilarity:
    """TF-IDF vectors of the Convention's articles, per language, for cosine similarity."""

    def __init__(self, texts: dict[str, dict[int, str]]):
        self.vectors: dict[str, dict[int, dict[str, float]]] = {}
        self.idf: dict[str, dict[str, float]] = {}
        for language, articles in texts.items():
            analyzer = self._analyzer(language)
            bags = {number: Counter(analyze(analyzer, text)) for number, text in articles.items()}
            document_frequency = Counter(term for bag in bags.values() for term in bag)
            total = len(bags)
            idf = {term: math.log(1 + total / df) for term, df in document_frequency.items()}
            self.idf[language] = idf
            self.vectors[language] = {number: self._normalize(bag, idf) for number, bag in bags.items()}

    @staticmethod
    def _analyzer(language: str):
        return stemming_analyzer(language) if language in STEMMED_LANGUAGES else neutral_analyzer()

    @staticmethod
    def _normalize(bag: Counter, idf: dict[str, float]) -> dict[str, float]:
        weights = {term: (1 + math.log(count)) * idf.get(term, 0.0) for term, count in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items() if w}

    def languages(self) -> set[str]:
        return set(self.vectors)

    def scores(self, text: str, language: str) -> dict[int, float]:
        if language not in self.vectors:
            return {}
        vector = self._normalize(Counter(analyze(self._analyzer(language), text)), self.idf[language])
        return {
            number: sum(weight * article.get(term, 0.0) for term, weight in vector.items())
            for number, article in self.vectors[language].items()
        }


class Tagger:
    """Combines the signals into ranked suggestions for one provision at a time."""

    def __init__(self, similarity: ConventionSimilarity | None = None, signals: frozenset[str] = ALL_SIGNALS,
                 threshold: float = THRESHOLD):
        unknown = set(signals) - ALL_SIGNALS
        if unknown:
            raise ValueError(f"unknown signal(s): {', '.join(sorted(unknown))}")
        self.similarity = similarity
        self.signals = frozenset(signals)
        self.threshold = threshold

    def suggest(self, view: ProvisionView) -> list[Suggestion]:
        if view.kind in CONTAINER_KINDS or not view.text.strip():
            return []
        evidence: dict[int, _Evidence] = {}
        if "reference" in self.signals:
            self._references(view, evidence)
        if "lexicon" in self.signals:
            self._lexicon(view, evidence)
        if "similarity" in self.signals and self.similarity is not None:
            self._similarity(view, evidence)
        if not evidence:
            return []
        if "structure" in self.signals and is_non_implementing(view):
            for item in evidence.values():
                item.score *= STRUCTURE_PENALTY
                item.reasons.append("definitions/commencement clause")
        for specific, general in SPECIFIC_OVER_GENERAL.items():
            if specific in evidence and general in evidence:
                if evidence[general].score < GENERAL_KEEPS_IF_STRONGER * evidence[specific].score:
                    del evidence[general]
        best = max(item.score for item in evidence.values())
        suggestions = []
        for article, item in evidence.items():
            confidence = 1 - math.exp(-item.score)
            if confidence < self.threshold or item.score < RELATIVE_CUTOFF * best:
                continue
            suggestions.append(Suggestion(
                article=article, paragraph=item.paragraph, confidence=round(confidence, 3),
                origin="rule" if item.rule else "model", explanation="; ".join(item.reasons), score=item.score,
            ))
        suggestions.sort(key=lambda s: (-s.confidence, s.article))
        return suggestions[:MAX_TAGS]

    @staticmethod
    def _references(view: ProvisionView, evidence: dict[int, _Evidence]) -> None:
        for match in _REFERENCE.finditer(normalize_text(f"{view.heading} {view.text}")):
            article = int(match.group(1))
            if 1 <= article <= 71:
                item = evidence.setdefault(article, _Evidence())
                item.score += REFERENCE_SCORE
                item.rule = True
                item.reasons.append(f"refers to article {article} of the Convention")

    @staticmethod
    def _lexicon(view: ProvisionView, evidence: dict[int, _Evidence]) -> None:
        lexicon: Lexicon | None = lexicon_for(view.language)
        if lexicon is None:
            return
        places = [("heading", view.heading), ("text", view.text), ("context", " / ".join(view.context))]
        best: dict[tuple[int, str], Match] = {}
        for where, text in places:
            if not text:
                continue
            for match in lexicon.matches(normalize_text(text), where):
                key = (match.article, match.term)
                value = match.weight * PLACE_WEIGHT[where]
                if key not in best or value > match_value(best[key]):
                    best[key] = match
        by_article: dict[int, list[Match]] = {}
        for (article, _term), match in best.items():
            by_article.setdefault(article, []).append(match)
        for article, matches in by_article.items():
            matches.sort(key=match_value, reverse=True)
            score = match_value(matches[0]) + REPEAT_WEIGHT * sum(m.weight for m in matches[1:4])
            item = evidence.setdefault(article, _Evidence())
            item.score += score
            item.rule = True
            item.paragraph = item.paragraph or matches[0].paragraph
            shown = ", ".join(f"“{m.term}” in {m.where}" for m in matches[:3])
            item.reasons.append(f"lexicon: {shown}")

    def _similarity(self, view: ProvisionView, evidence: dict[int, _Evidence]) -> None:
        scores = self.similarity.scores(f"{view.heading}\n{view.text}", view.language)
        for article, cosine in sorted(scores.items(), key=lambda kv: -kv[1])[:3]:
            if cosine <= SIMILARITY_FLOOR:
                continue
            if article not in evidence and cosine < SIMILARITY_ALONE:
                continue  # on its own, resemblance to the Convention's wording proves little
            item = evidence.setdefault(article, _Evidence())
            item.score += SIMILARITY_SCALE * (cosine - SIMILARITY_FLOOR)
            item.reasons.append(f"similar to the Convention's article {article} (cosine {cosine:.2f})")


def match_value(match: Match) -> float:
    return match.weight * PLACE_WEIGHT[match.where]
