"""Extract JSON files that hold a law as a list of sections (or as Markdown)."""
from __future__ import annotations

import json
import re
from typing import Any

from .document import Block, ExtractedDocument, ExtractionError
from .extract_text import decode_text, extract_markdown_text

MEDIA_TYPE = "application/json"

_REF = re.compile(r"^(?P<word>[A-Za-z_]*?)[_\-.]?(?P<num>\d[\w.\-]*)$")
_REF_KINDS = {
    "art": "article", "article": "article", "artículo": "article", "artigo": "article",
    "s": "section", "sec": "section", "section": "section", "sect": "section",
    "reg": "regulation", "r": "rule", "rule": "rule", "sch": "schedule", "schedule": "schedule",
    "para": "paragraph", "p": "paragraph",
}
# A "title" that only repeats the number ("Artículo 5", "Art. 5o", "Section 3") is no heading;
# "Artículo 1.- Objeto de la Ley" carries the real heading after the separator.
_NUMBER_PREFIX = re.compile(
    r"^\s*(?:art[íi]culo|artigo|article|art\.?|section|sec\.?|s\.|§+)\s*[\w.\-]*?\d[\w\-]*[º°o]?"
    r"\s*(?:[.:\-–—]+\s*)*",
    re.I,
)
_SOURCE_META = {
    "title": "title", "short_name": "short_title", "short_title": "short_title",
    "issued_date": "date_adopted", "date_adopted": "date_adopted", "enacted": "date_adopted",
    "url": "official_url", "official_url": "official_url", "pdf_url": "official_url",
    "language": "language", "lang": "language", "status": "status", "country": "country",
    "type": "doc_type",
}


def _metadata(record: dict[str, Any]) -> dict[str, str]:
    """Metadata fields of a record, mapped to the contract's keys."""
    metadata: dict[str, str] = {}
    for key, target in _SOURCE_META.items():
        value = record.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip() and target not in metadata:
            metadata[target] = str(value).strip()
    if "date_adopted" in metadata:
        metadata["date_adopted"] = metadata["date_adopted"][:10]
    return metadata


def _heading(title: str | None, label: str | None) -> str | None:
    """The title when it is a real heading, without a leading "Artículo 5.-"."""
    if not title or not title.strip():
        return None
    title = " ".join(title.split())
    stripped = _NUMBER_PREFIX.sub("", title, count=1).strip() if _NUMBER_PREFIX.match(title) else title
    if not stripped or (label and stripped.rstrip(".") == label):
        return None
    return stripped


def _kind_and_label(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """Structural kind and printed number from provision_ref ("art12", "s2A") and section."""
    ref = str(item.get("provision_ref") or "").strip()
    label = next(
        (str(item[key]).strip() for key in ("section", "number", "label", "num") if item.get(key) not in (None, "")),
        None,
    )
    kind = None
    match = _REF.match(ref) if ref else None
    if match:
        kind = _REF_KINDS.get(match.group("word").lower())
        label = label or match.group("num")
    elif ref and not label:
        label = ref
    return kind, label


def _section_blocks(items: list[Any]) -> list[Block]:
    """One block per section; a chapter change adds a chapter heading block first."""
    blocks: list[Block] = []
    chapter = None
    for item in items:
        if not isinstance(item, dict):
            raise ExtractionError("JSON holds no list of sections")
        current = item.get("chapter")
        if isinstance(current, str) and current.strip() and current.strip() != chapter:
            chapter = current.strip()
            blocks.append(Block(text=chapter, kind="chapter", heading=chapter))
        kind, label = _kind_and_label(item)
        title = item.get("title") or item.get("heading")
        text = item.get("content") or item.get("text") or ""
        if not isinstance(text, str):
            text = json.dumps(text, ensure_ascii=False)
        blocks.append(Block(
            text=text.strip(), kind=kind, label=label,
            heading=_heading(title if isinstance(title, str) else None, label),
        ))
    return blocks


def _looks_like_sections(items: Any) -> bool:
    return (
        isinstance(items, list) and bool(items) and all(isinstance(i, dict) for i in items)
        and any(("text" in i or "content" in i) for i in items)
    )


def extract_json(data: bytes) -> ExtractedDocument:
    """Extract a JSON law: Ansvar-style provisions, a Markdown record, or a list of sections."""
    text, _ = decode_text(data)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"JSON is malformed: {exc}") from exc
    if isinstance(record, dict) and _looks_like_sections(record.get("provisions")):
        return ExtractedDocument(
            blocks=_section_blocks(record["provisions"]), media_type=MEDIA_TYPE, metadata=_metadata(record)
        )
    if isinstance(record, dict) and isinstance(record.get("markdown"), str) and record["markdown"].strip():
        document = extract_markdown_text(record["markdown"])
        metadata = _metadata(record)
        metadata.update({k: v for k, v in document.metadata.items() if k not in metadata})
        document.metadata = metadata
        document.media_type = MEDIA_TYPE
        return document
    if isinstance(record, dict):
        inner = next((v for k in ("sections", "articles", "items") if _looks_like_sections(v := record.get(k))), None)
        if inner is not None:
            return ExtractedDocument(blocks=_section_blocks(inner), media_type=MEDIA_TYPE, metadata=_metadata(record))
    if _looks_like_sections(record):
        return ExtractedDocument(blocks=_section_blocks(record), media_type=MEDIA_TYPE)
    raise ExtractionError("JSON holds no list of sections")
