"""Search hits as plain data, the same for the command line and the JSON API."""
from __future__ import annotations

from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit


def split_highlights(snippet: str) -> tuple[str, list[list[int]]]:
    """The snippet without the indexer's markers, and the [start, end) offsets they enclosed."""
    text, spans, start = [], [], None
    length = 0
    for char in snippet:
        if char == HIGHLIGHT_START:
            start = length
        elif char == HIGHLIGHT_END:
            if start is not None and length > start:
                spans.append([start, length])
            start = None
        else:
            text.append(char)
            length += 1
    return "".join(text), spans


def citation_line(hit: SearchHit) -> str:
    """A pinpoint citation for a hit: title (country), label, page, source#anchor."""
    where = hit.label or (f"provision {hit.number}" if hit.number else "")
    page = f", p. {hit.page_start}" if hit.page_start else ""
    country = f" ({hit.country})" if hit.country else ""
    return f"{hit.title}{country}, {where}{page} — {hit.source}#{hit.anchor}"


def hit_record(hit: SearchHit) -> dict:
    """The fields of `lexrepo search --json` (and of the API's search results)."""
    snippet, _spans = split_highlights(hit.snippet)
    return {
        "source": hit.source, "number": hit.number, "country": hit.country, "title": hit.title,
        "heading": hit.heading, "articles": list(hit.articles), "snippet": snippet,
        "score": round(hit.score, 4), "label": hit.label, "anchor": hit.anchor, "language": hit.language,
        "year": hit.year, "document_id": hit.document_id, "version_id": hit.version_id,
        "provision_id": hit.provision_id, "page": hit.page_start, "citation": citation_line(hit),
    }
