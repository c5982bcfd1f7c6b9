"""Extract Markdown and plain text files into blocks."""
from __future__ import annotations

import datetime as _dt
import html
import re

import yaml
from charset_normalizer import from_bytes

from .document import Block, ExtractedDocument, ExtractionError

MARKDOWN = "text/markdown"
PLAIN = "text/plain"

SUPERSCRIPT_DIGITS = str.maketrans("0123456789+-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})(?!#)[ \t]*(.*?)[ \t#]*$")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SUP = re.compile(r"<sup>\s*([0-9+\-()]+)\s*</sup>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<!\*)\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?!\*)")
# Underscores inside words (snake_case, file names) are not emphasis.
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_EMPTY_HEADING = re.compile(r"^\s*#{1,6}\s*$")
_CODE = re.compile(r"`([^`]+)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_WS = re.compile(r"[ \t\u00a0]+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")

# Front-matter keys seen in the corpus (en/es/de variants) mapped to metadata keys.
_META_KEYS = {
    "title": "title", "titulo": "title", "título": "title",
    "short_title": "short_title", "jurabk": "short_title",
    "language": "language", "lang": "language", "idioma": "language",
    "source_url": "official_url", "url": "official_url", "fuente": "official_url",
    "official_url": "official_url",
    "date": "date_adopted", "date_adopted": "date_adopted", "enactment_date": "date_adopted",
    "publication_date": "date_adopted", "fecha_publicacion": "date_adopted",
    "issued_date": "date_adopted",
    "country": "country", "pais": "country", "país": "country",
    "status": "status", "estado": "status",
}


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding). BOMs win, then UTF-8, then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        # Every byte is valid latin-1, so this never fails and keeps odd files readable.
        return data.decode("latin-1"), "latin-1"
    return str(best), best.encoding


def clean_inline(line: str) -> str:
    """Strip simple Markdown/HTML markup from one line of text."""
    # Escaped characters are parked in the private-use area so no markup rule sees them.
    line = _ESCAPE.sub(lambda m: chr(0xF0000 + ord(m.group(1))), line)
    line = _COMMENT.sub("", line)
    line = _QUOTE.sub("", line)
    line = _SUP.sub(lambda m: m.group(1).translate(SUPERSCRIPT_DIGITS), line)
    line = _TAG.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    # "*Preamble*The Parties": keep the words apart once the markers are gone.
    line = _ITALIC_STAR.sub(lambda m: m.group(1) + (" " if line[m.end():m.end() + 1].isalpha() else ""), line)
    line = _ITALIC_UNDERSCORE.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = re.sub("[\U000F0000-\U000F00FF]", lambda m: chr(ord(m.group(0)) - 0xF0000), line)
    line = html.unescape(line)
    return _WS.sub(" ", line).strip()


def _front_matter(text: str, warnings: list[str]) -> tuple[dict[str, str], str]:
    """Split YAML front matter off the text and map it to metadata."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    body = text[match.end():]
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        warnings.append(f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
        return {}, body
    if not isinstance(data, dict):
        return {}, body
    metadata: dict[str, str] = {}
    for key, value in data.items():
        target = _META_KEYS.get(str(key).strip().lower())
        if target is None or target in metadata or value in (None, ""):
            continue
        if isinstance(value, (_dt.date, _dt.datetime)):
            value = value.isoformat()[:10]
        if isinstance(value, (str, int, float)):
            metadata[target] = " ".join(str(value).split())
    return metadata, body


def _embedded_front_matter(lines: list[str], start: int) -> int:
    """Index after a YAML block that starts at ``start`` and ends with "---", else 0."""
    for end in range(start, min(start + 80, len(lines))):
        if lines[end].strip() == "---":
            if end == start:
                return 0
            try:
                data = yaml.safe_load("\n".join(lines[start:end]))
            except yaml.YAMLError:
                return 0
            return end + 1 if isinstance(data, dict) else 0
    return 0


def _markdown_blocks(text: str) -> list[Block]:
    """Turn Markdown body text into heading and paragraph blocks."""
    text = _COMMENT.sub("", text)
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        lines = [clean_inline(line) for line in para]
        body = "\n".join(line for line in lines if line)
        if body:
            blocks.append(Block(text=body))
        para.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if _EMPTY_HEADING.match(line):
            flush()
            continue
        if not para and line.strip() == "---":
            # Files concatenated from several Markdown sources repeat their front matter.
            skip = _embedded_front_matter(lines, i)
            if skip:
                i = skip
                continue
        if not para and _RULE.match(line):
            continue
        heading = _HEADING.match(line.lstrip()) if len(line) - len(line.lstrip()) < 4 else None
        if heading and heading.group(2):
            flush()
            title = clean_inline(heading.group(2))
            if title:
                blocks.append(Block(text=title, heading_level=len(heading.group(1))))
            continue
        if not line.strip():
            flush()
            continue
        # Setext headings: a single text line underlined with === or ---.
        if _SETEXT.match(line.strip()) and len(para) == 1 and not para[0].lstrip().startswith(("|", "-", "*")):
            title = clean_inline(para[0])
            para.clear()
            if title:
                blocks.append(Block(text=title, heading_level=1 if line.strip()[0] == "=" else 2))
            continue
        para.append(line)
    flush()
    return blocks


def _plain_blocks(text: str) -> list[Block]:
    """Split plain text into paragraphs on blank lines."""
    blocks = []
    for chunk in re.split(r"\n[ \t\u00a0\f]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [_WS.sub(" ", line).strip() for line in chunk.replace("\f", "\n").split("\n")]
        body = "\n".join(line for line in lines if line)
        if body:
            blocks.append(Block(text=body))
    return blocks


def extract_markdown_text(text: str, warnings: list[str] | None = None) -> ExtractedDocument:
    """Extract already-decoded Markdown text."""
    warnings = warnings if warnings is not None else []
    metadata, body = _front_matter(text.lstrip("\ufeff"), warnings)
    blocks = _markdown_blocks(body.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"))
    if "title" not in metadata:
        first = next((b for b in blocks if b.heading_level == 1), None)
        if first is not None:
            metadata["title"] = first.text
    return ExtractedDocument(blocks=blocks, media_type=MARKDOWN, metadata=metadata, warnings=warnings)


def extract_markdown(data: bytes) -> ExtractedDocument:
    """Extract a Markdown file."""
    text, _ = decode_text(data)
    return extract_markdown_text(text)


def extract_plain(data: bytes) -> ExtractedDocument:
    """Extract a plain text file."""
    text, _ = decode_text(data)
    if "\x00" in text:
        raise ExtractionError("not a text file: it contains NUL bytes (binary data?)")
    return ExtractedDocument(blocks=_plain_blocks(text.lstrip("\ufeff")), media_type=PLAIN)
