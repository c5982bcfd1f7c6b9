"""Detect a file's media type and dispatch it to the matching extractor."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Callable

from .document import ExtractedDocument, ExtractionError
from .extract_text import decode_text

PDF = "application/pdf"
HTML = "text/html"
XML = "application/xml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
JSON = "application/json"

MEDIA_TYPES = (PDF, HTML, XML, DOCX, MARKDOWN, TEXT, JSON)

_EXTENSIONS = {
    ".pdf": PDF, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".xml": XML, ".akn": XML,
    ".docx": DOCX, ".md": MARKDOWN, ".markdown": MARKDOWN, ".txt": TEXT, ".text": TEXT,
    ".json": JSON,
}
# Formats we recognise but cannot read, so the user gets a precise reason.
_UNSUPPORTED_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "legacy Word/Office (.doc/.xls) files are not supported; save as .docx or PDF"),
    (b"{\\rtf", "RTF files are not supported; save as .docx or PDF"),
    (b"\x89PNG", "images are not supported; a scanned page needs OCR first"),
    (b"\xff\xd8\xff", "images are not supported; a scanned page needs OCR first"),
    (b"GIF8", "images are not supported"),
    (b"II*\x00", "TIFF images are not supported; a scanned page needs OCR first"),
    (b"MM\x00*", "TIFF images are not supported; a scanned page needs OCR first"),
    (b"\x1f\x8b", "gzip archives are not supported; unpack the file first"),
    (b"Rar!", "RAR archives are not supported; unpack the file first"),
    (b"7z\xbc\xaf", "7z archives are not supported; unpack the file first"),
)
_HTML_SNIFF = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|h[1-6])\b", re.I | re.S)
_XML_SNIFF = re.compile(rb"^\s*(?:<\?xml|<!--.*?-->\s*<|<[A-Za-z_][\w.:-]*[\s>/])", re.S)


def _head(data: bytes) -> bytes:
    """The first bytes of a file as ASCII-ish text, without a BOM or UTF-16 zero bytes."""
    head = data[:2048]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].replace(b"\x00", b"")
    return head


def _zip_kind(data: bytes) -> str:
    """DOCX when the zip holds word/document.xml; otherwise a clear error."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"DOCX is corrupt: {exc}") from exc
    if "word/document.xml" in names:
        return DOCX
    if "content.xml" in names:
        raise ExtractionError("OpenDocument (.odt) files are not supported; save as .docx or PDF")
    raise ExtractionError("unsupported zip archive: it is not a Word .docx document")


def detect_media_type(filename: str, data: bytes) -> str:
    """Decide the media type from the content and the file extension together."""
    ext = Path(filename or "").suffix.lower()
    claimed = _EXTENSIONS.get(ext)
    head = _head(data)
    if not data.strip():
        raise ExtractionError("file is empty")
    if head.lstrip()[:5] == b"%PDF-":
        return PDF
    if claimed == PDF:
        raise ExtractionError(f"not a PDF: file starts with {data[:5]!r}")
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    if claimed == DOCX:
        raise ExtractionError(f"DOCX is corrupt: not a zip archive (file starts with {data[:5]!r})")
    for magic, reason in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            raise ExtractionError(reason)
    stripped = head.lstrip()
    if claimed == JSON or (stripped[:1] in (b"{", b"[") and claimed in (None, TEXT)):
        try:
            json.loads(decode_text(data)[0])
        except ValueError as exc:
            if claimed == JSON:
                raise ExtractionError(f"JSON is malformed: {str(exc).splitlines()[0]}") from exc
        else:
            return JSON
    if claimed == MARKDOWN:
        # Markdown files may open with inline HTML (a <meta> line); the extension wins.
        return MARKDOWN
    if _HTML_SNIFF.match(head) and not stripped.startswith(b"<?xml") or (
        stripped.startswith(b"<?xml") and re.search(rb"<html\b", head, re.I)
    ):
        return HTML
    if _XML_SNIFF.match(head):
        return XML
    if claimed in (HTML, XML):
        raise ExtractionError(f"not {'HTML' if claimed == HTML else 'XML'}: file starts with {data[:5]!r}")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError(f"unsupported binary file (starts with {data[:4]!r})")
    return TEXT


def _extractors() -> dict[str, Callable[[bytes], ExtractedDocument]]:
    # Imported lazily so that a text-only caller does not pay for pdfminer and python-docx.
    from .extract_docx import extract_docx
    from .extract_html import extract_html
    from .extract_json import extract_json
    from .extract_pdf import extract_pdf
    from .extract_text import extract_markdown, extract_plain
    from .extract_xml import extract_xml

    return {
        PDF: extract_pdf, HTML: extract_html, XML: extract_xml, DOCX: extract_docx,
        MARKDOWN: extract_markdown, TEXT: extract_plain, JSON: extract_json,
    }


def extract(data: bytes, filename: str, media_type: str | None = None) -> ExtractedDocument:
    """Extract a file's blocks and metadata; raise ExtractionError with a one-line reason."""
    media_type = media_type or detect_media_type(filename, data)
    if media_type in ("text/xml",):
        media_type = XML
    extractor = _extractors().get(media_type)
    if extractor is None:
        raise ExtractionError(f"unsupported media type: {media_type}")
    try:
        document = extractor(data)
    except ExtractionError:
        raise
    except RecursionError as exc:
        raise ExtractionError(f"{media_type} file is nested too deeply to read") from exc
    except Exception as exc:  # a bug or an exotic file must still give the user one line
        reason = " ".join(str(exc).split())[:200]
        raise ExtractionError(f"could not read {media_type} file: {type(exc).__name__}: {reason}") from exc
    if not document.blocks:
        document.warnings.append("no text found")
    return document


def extract_path(path: str | Path) -> ExtractedDocument:
    """Extract a file on disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read {path.name}: {exc.strerror}") from exc
    return extract(data, path.name)
