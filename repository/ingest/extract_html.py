"""Extract the legal text of an HTML page, without site boilerplate."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .document import Block, ExtractedDocument, ExtractionError
from .extract_text import SUPERSCRIPT_DIGITS, decode_text

MEDIA_TYPE = "text/html"

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "button", "input", "select", "textarea", "label", "iframe", "svg", "canvas",
    "object", "embed", "head", "meta", "link",
)
# class/id/role words that mark site chrome rather than content.
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|footer|header|masthead|sidebar|cookie|banner|"
    r"skip|sr-only|share|social|toolbar|pagination|back-top|search)([\s_-]|$)",
    re.I,
)
_BLOCK_TAGS = {"p", "li", "dt", "dd", "blockquote", "pre", "caption", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_CONTAINER_TAGS = {"div", "section", "article", "main", "body", "table", "tbody", "thead", "ul", "ol", "dl", "center"}
_SUPER_RULE = re.compile(r"\.([A-Za-z][\w-]*)\s*\{[^}]*vertical-align\s*:\s*super", re.I)
_SUPERABLE = re.compile(r"^[0-9+\-()]+$")
_WS = re.compile(r"[ \t\r\n\u00a0\u200b]+")


def _superscript_classes(soup: BeautifulSoup) -> set[str]:
    """CSS classes the page styles as superscript (e.g. ``.W9 {vertical-align: super}``)."""
    classes: set[str] = set()
    for style in soup.find_all("style"):
        classes.update(_SUPER_RULE.findall(style.get_text()))
    return classes


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in _DROP_TAGS:
        return True
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search"):
        return True
    if tag.get("hidden") is not None or tag.get("aria-hidden") == "true":
        return True
    names = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    return bool(_BOILERPLATE.search(names))


def _mark_superscripts(soup: BeautifulSoup, classes: set[str]) -> None:
    """Replace superscript digits (``<sup>``, or a span of a superscript class) by Unicode ones."""
    for tag in soup.find_all(["sup", "span"]):
        if tag.name == "span" and not classes.intersection(tag.get("class") or []):
            continue
        text = tag.get_text().strip()
        if _SUPERABLE.match(text):
            tag.replace_with(NavigableString(text.translate(SUPERSCRIPT_DIGITS)))


def _text(tag: Tag) -> str:
    """Visible text of a block element, whitespace-normalised, <br> kept as newlines."""
    for br in tag.find_all("br"):
        br.replace_with(NavigableString("\n"))
    if tag.name == "tr":
        cells = [_WS.sub(" ", cell.get_text(" ")).strip() for cell in tag.find_all(["td", "th"])]
        return " ".join(cell for cell in cells if cell)
    lines = [_WS.sub(" ", line).strip() for line in tag.get_text().split("\n")]
    return "\n".join(line for line in lines if line)


def _walk(node: Tag, blocks: list[Block]) -> None:
    """Emit blocks in document order; loose text in containers becomes its own paragraph."""
    loose: list[str] = []

    def flush() -> None:
        text = _WS.sub(" ", "".join(loose)).strip()
        if text:
            blocks.append(Block(text=text))
        loose.clear()

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            loose.append(str(child))
            continue
        if not isinstance(child, Tag) or _is_boilerplate(child):
            continue
        name = child.name
        if name in _BLOCK_TAGS and not (name in ("li", "blockquote", "dd") and child.find(list(_BLOCK_TAGS))):
            flush()
            text = _text(child)
            if text:
                level = int(name[1]) if re.fullmatch(r"h[1-6]", name) else None
                blocks.append(Block(text=text, heading_level=level))
        elif name in _CONTAINER_TAGS or name in _BLOCK_TAGS or child.find(list(_BLOCK_TAGS | _CONTAINER_TAGS)):
            flush()
            _walk(child, blocks)
        else:
            loose.append(child.get_text())
    flush()


def extract_html(data: bytes) -> ExtractedDocument:
    """Extract headings and paragraphs from an HTML page."""
    text, _ = decode_text(data)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml is lenient; this only trips on truly broken input
        raise ExtractionError(f"HTML is unreadable: {exc}") from exc
    metadata: dict[str, str] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = _WS.sub(" ", soup.title.get_text()).strip()
    if soup.html and soup.html.get("lang"):
        metadata["language"] = str(soup.html["lang"]).strip()
    _mark_superscripts(soup, _superscript_classes(soup))
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    blocks: list[Block] = []
    _walk(root, blocks)
    return ExtractedDocument(blocks=blocks, media_type=MEDIA_TYPE, metadata=metadata)
