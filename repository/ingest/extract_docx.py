"""Extract Word (.docx) documents with python-docx."""
from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .document import Block, ExtractedDocument, ExtractionError
from .extract_text import SUPERSCRIPT_DIGITS

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# "Heading 2" in English Word, "Überschrift 2", "Titre 2", "Título 2", "Kop 2" elsewhere.
_HEADING_STYLE = re.compile(r"^(?:heading|berschrift|titre|t[íi]tulo|kop|titolo|заголовок)\s*([1-9])$", re.I)
_WS = re.compile(r"[ \t\u00a0]+")


def _heading_level(paragraph: Paragraph) -> int | None:
    """Heading level from the paragraph style name, or from an explicit outline level."""
    style = paragraph.style
    while style is not None:
        name = (style.name or "").strip()
        if name.lower() == "title":
            return 1
        match = _HEADING_STYLE.match(name.replace("Ü", "").replace("ü", ""))
        if match:
            return min(int(match.group(1)), 6)
        style = style.base_style
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None:
        try:
            level = int(outline.get(qn("w:val"))) + 1
        except (TypeError, ValueError):
            return None
        return level if level <= 6 else None  # 9 means "body text"
    return None


def _paragraph_text(paragraph: Paragraph) -> str:
    """Paragraph text with superscript digits kept as Unicode superscripts."""
    parts = []
    for run in paragraph.iter_inner_content() if hasattr(paragraph, "iter_inner_content") else paragraph.runs:
        text = run.text
        if getattr(getattr(run, "font", None), "superscript", False) and text.strip().isdigit():
            text = text.strip().translate(SUPERSCRIPT_DIGITS)
        parts.append(text)
    lines = [_WS.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _table_blocks(table: Table) -> list[Block]:
    """Each table cell's paragraphs as blocks, merged cells only once."""
    blocks: list[Block] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                text = _paragraph_text(paragraph)
                if text:
                    blocks.append(Block(text=text))
            for inner in cell.tables:
                blocks.extend(_table_blocks(inner))
    return blocks


def extract_docx(data: bytes) -> ExtractedDocument:
    """Extract paragraphs and tables of a .docx file in document order."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"DOCX is corrupt: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # python-docx surfaces lxml/opc errors of many types
        raise ExtractionError(f"DOCX is corrupt: {type(exc).__name__}: {str(exc)[:120]}") from exc
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            text = _paragraph_text(paragraph)
            if text:
                blocks.append(Block(text=text, heading_level=_heading_level(paragraph)))
        elif child.tag == qn("w:tbl"):
            blocks.extend(_table_blocks(Table(child, document)))
    metadata: dict[str, str] = {}
    props = document.core_properties
    if props.title and props.title.strip():
        metadata["title"] = props.title.strip()
    if props.language and props.language.strip():
        metadata["language"] = props.language.strip()
    return ExtractedDocument(blocks=blocks, media_type=MEDIA_TYPE, metadata=metadata)
