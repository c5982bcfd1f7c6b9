"""Extract born-digital PDFs with pdfminer.six, page by page."""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTPage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.psparser import PSException

from .document import Block, ExtractedDocument, ExtractionError, NeedsOCR

MEDIA_TYPE = "application/pdf"

# boxes_flow=None skips pdfminer's costly hierarchical box grouping (we regroup lines
# ourselves); vertical-text detection and figure text analysis are off for speed.
LAPARAMS = LAParams(boxes_flow=None, detect_vertical=False, all_texts=False)

# Top/bottom share of the page where running headers, footers and page numbers live.
EDGE_ZONE = 0.1

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—]*(?:(?:page|p\.|pág\.?|seite|página)\s*)?\d{1,4}(?:\s*(?:/|of|de|von)\s*\d{1,4})?[\s\-–—]*$",
    re.I,
)
# A line opening with a provision or list label: "49. ", "(a) ", "(ii) ", "3.(1) ", "1) ".
_LABEL_START = re.compile(r"^(?:[0-9]{1,4}[A-Z]?\.(?:\([0-9]+\))?|\([0-9]{1,4}[A-Z]?\)|\([a-z]{1,5}\)|[a-z0-9]\))\s")
_WS = re.compile(r"[ \t\u00a0]+")
_HYPHEN_END = re.compile(r"(\w)[-\u00ad]$")


@dataclass
class _Row:
    """One printed line of a page: text pieces at the same height joined left to right."""

    text: str
    x0: float
    y0: float
    y1: float


def _join_hyphenated(lines: list[str]) -> list[str]:
    """Join words broken with a hyphen at a line end: "corrup-" + "tion" -> "corruption"."""
    out: list[str] = []
    for line in lines:
        if out and _HYPHEN_END.search(out[-1]) and line[:1].islower():
            head, _, rest = line.partition(" ")
            out[-1] = out[-1][:-1] + head
            if rest:
                out.append(rest)
            continue
        out.append(line)
    return out


def _text_lines(container) -> list[LTTextLine]:
    """All text lines inside a layout container."""
    found: list[LTTextLine] = []
    for el in container:
        if isinstance(el, LTTextLine):
            found.append(el)
        elif isinstance(el, LTTextBox):
            found.extend(line for line in el if isinstance(line, LTTextLine))
    return found


def _page_rows(page: LTPage) -> list[_Row]:
    """The page's printed lines top to bottom; a margin label joins the text on its line."""
    pieces = []
    for line in _text_lines(page):
        text = _WS.sub(" ", line.get_text()).strip()
        if text:
            pieces.append((line, text))
    pieces.sort(key=lambda p: -p[0].y1)
    groups: list[list[tuple[LTTextLine, str]]] = []
    for piece in pieces:
        line = piece[0]
        if groups:
            first = groups[-1][0][0]
            # Same row when the vertical centres are within half a line of each other.
            if abs((first.y0 + first.y1) - (line.y0 + line.y1)) / 2 < max(first.height, line.height, 1) / 2:
                groups[-1].append(piece)
                continue
        groups.append([piece])
    rows = []
    for group in groups:
        group.sort(key=lambda p: p[0].x0)
        rows.append(
            _Row(
                text=" ".join(text for _, text in group),
                x0=group[0][0].x0,
                y0=min(line.y0 for line, _ in group),
                y1=max(line.y1 for line, _ in group),
            )
        )
    return rows


def _edge_key(text: str) -> str:
    """Normalise a candidate header/footer so that "Page 3" and "Page 4" compare equal."""
    return re.sub(r"\d+", "#", text.lower())


def _edge_rows(rows: list[_Row], height: float) -> list[int]:
    """Indexes of rows that could be running heads/feet or page numbers."""
    # Only the outermost rows outside the edge zones: a page with little text must not
    # lose its body lines just because they look alike from page to page.
    picked = {i for i in (0, len(rows) - 1) if 0 <= i < len(rows)}
    picked |= {
        i for i, row in enumerate(rows) if row.y0 >= height * (1 - EDGE_ZONE) or row.y1 <= height * EDGE_ZONE
    }
    return sorted(picked)


def _has_run(numbers: list[int], length: int) -> bool:
    """Whether sorted page indexes contain ``length`` consecutive pages."""
    run = 1
    for prev, current in zip(numbers, numbers[1:]):
        run = run + 1 if current == prev + 1 else 1
        if run >= length:
            return True
    return False


def _starts_paragraph(prev: _Row, row: _Row, line_height: float) -> bool:
    """Whether ``row`` opens a new paragraph after ``prev`` (bigger gap or a fresh label)."""
    if prev.y0 - row.y1 > 0.5 * line_height:
        return True
    return bool(_LABEL_START.match(row.text)) and (
        not prev.text[-1:].isalnum() or prev.text.endswith((" or", " and", " ou", " y", " o"))
    )


def _paragraphs(rows: list[_Row]) -> list[list[str]]:
    """Group a page's rows into paragraphs."""
    if not rows:
        return []
    heights = sorted(row.y1 - row.y0 for row in rows)
    line_height = heights[len(heights) // 2] or 10.0
    paragraphs = [[rows[0].text]]
    for prev, row in zip(rows, rows[1:]):
        if _starts_paragraph(prev, row, line_height):
            paragraphs.append([row.text])
        else:
            paragraphs[-1].append(row.text)
    return paragraphs


def _open(data: bytes) -> tuple[PDFParser, PDFDocument]:
    """Open the PDF, turning pdfminer's many failure types into one ExtractionError."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise ExtractionError(f"not a PDF: file starts with {data[:5]!r}")
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
    except Exception as exc:  # pdfminer raises a zoo of types for broken files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise ExtractionError(f"PDF is encrypted: {name}") from exc
        raise ExtractionError(f"PDF is corrupt: {name}: {str(exc)[:120]}") from exc
    if not document.is_extractable:
        raise ExtractionError("PDF forbids text extraction")
    return parser, document


def _metadata(document: PDFDocument) -> dict[str, str]:
    """Title and language from the document info dictionary, when present."""
    metadata: dict[str, str] = {}
    for info in document.info or []:
        title = info.get("Title")
        if isinstance(title, bytes):
            title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", "replace")
        if isinstance(title, str) and title.strip():
            metadata["title"] = title.strip()
    return metadata


def extract_pdf(data: bytes) -> ExtractedDocument:
    """Extract a PDF's text page by page, one block per paragraph."""
    _, document = _open(data)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAPARAMS)
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[tuple[float, list[_Row]]] = []
    try:
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            layout = device.get_result()
            pages.append((layout.height or 1.0, _page_rows(layout)))
    except (PSException, ValueError, TypeError, KeyError, AttributeError, AssertionError) as exc:
        if not pages:
            raise ExtractionError(f"PDF is corrupt: {type(exc).__name__}: {str(exc)[:120]}") from exc
        warning = f"stopped at page {len(pages) + 1}: {type(exc).__name__}"
    else:
        warning = ""
    page_count = len(pages)
    if not any(rows for _, rows in pages):
        raise NeedsOCR(f"needs OCR: the PDF has no text layer ({page_count} pages)")

    # Running heads/feet: the same line (digits aside) at a page edge on many pages, or on
    # three pages in a row (heads that only run through one part, e.g. a memorandum).
    seen: dict[str, list[int]] = {}
    for number, (height, rows) in enumerate(pages):
        for key in {_edge_key(rows[i].text) for i in _edge_rows(rows, height)}:
            seen.setdefault(key, []).append(number)
    threshold = max(2, math.ceil(page_count * 0.25))
    running = {key for key, numbers in seen.items() if len(numbers) >= threshold or _has_run(numbers, 3)}

    blocks: list[Block] = []
    for number, (height, rows) in enumerate(pages, start=1):
        drop = {
            i for i in _edge_rows(rows, height)
            if _edge_key(rows[i].text) in running or _PAGE_NUMBER.match(rows[i].text)
        }
        kept = [row for i, row in enumerate(rows) if i not in drop]
        for lines in _paragraphs(kept):
            blocks.append(Block(text="\n".join(_join_hyphenated(lines)), page=number))
    result = ExtractedDocument(
        blocks=blocks, media_type=MEDIA_TYPE, metadata=_metadata(document), page_count=page_count
    )
    if warning:
        result.warnings.append(warning)
    return result
