"""Extract XML safely: Canadian Justice Laws XML, Akoma Ntoso, or any XML as paragraphs."""
from __future__ import annotations

import re

from lxml import etree

from .document import Block, ExtractedDocument, ExtractionError

MEDIA_TYPE = "application/xml"
AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_WS = re.compile(r"\s+")

# Canadian XML: units of text that start a new line, with their own <Label>.
_CAN_UNITS = {
    "Subsection", "Paragraph", "Subparagraph", "Clause", "Subclause", "Definition",
    "ContinuedSectionSubsection", "ContinuedParagraph", "ContinuedSubparagraph",
    "ContinuedClause", "ContinuedDefinition", "Provision", "List", "Item",
}
# Canadian XML elements that are notes or apparatus, not the law's text.
_CAN_SKIP = {"MarginalNote", "HistoricalNote", "Footnote", "Note", "ReaderNote", "Label"}

_AKN_CONTAINERS = {
    "book", "part", "subpart", "title", "subtitle", "chapter", "subchapter",
    "division", "subdivision", "section", "article",
}
_AKN_SKIP = {"num", "heading", "subheading", "authorialNote", "meta", "noteRef"}


def _parse(data: bytes) -> etree._Element:
    """Parse without resolving entities, loading DTDs or touching the network."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"XML is malformed: {exc}") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        names = [entity.name for entity in dtd.iterentities()]
        if names:
            raise ExtractionError(
                f"XML declares entities ({', '.join(names[:5])}); refused because expanding them is unsafe"
            )
    return root


def _local(el: etree._Element) -> str:
    """Tag name without namespace ('' for comments and processing instructions)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _inline(el: etree._Element, skip: set[str] = frozenset()) -> str:
    """Text of an element and its inline children, whitespace-normalised."""
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and _local(child) not in skip:
                visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(el)
    return _WS.sub(" ", "".join(parts)).strip()


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c) == name), None)


def _child_text(el: etree._Element, name: str) -> str | None:
    found = _child(el, name)
    text = _inline(found) if found is not None else ""
    return text or None


# --- Canadian Justice Laws XML -------------------------------------------------------

def _can_lines(el: etree._Element, lines: list[str], prefix: str = "") -> None:
    """Render a Canadian unit's text as lines, each sub-unit led by its label."""
    pending = prefix
    for child in el:
        name = _local(child)
        if not name or name in _CAN_SKIP:
            continue
        if name in _CAN_UNITS:
            label = _child_text(child, "Label")
            _can_lines(child, lines, f"{label} " if label else "")
        elif name in ("Text", "Repealed", "FormulaGroup", "Formula", "TableGroup"):
            text = _inline(child, {"FootnoteRef", "Footnote"}) if name != "TableGroup" else _table(child)
            if text:
                lines.append(pending + text)
                pending = ""
        elif len(child):
            _can_lines(child, lines, pending)
            pending = ""
        else:
            text = _inline(child)
            if text:
                lines.append(pending + text)
                pending = ""
    if pending.strip():
        lines.append(pending.strip())


def _table(el: etree._Element) -> str:
    """Table rows as lines of tab-free, space-joined cells."""
    rows = []
    for row in el.iter():
        if _local(row) == "row":
            cells = [_inline(cell) for cell in row if _inline(cell)]
            if cells:
                rows.append(" ".join(cells))
    return "\n".join(rows)


def _can_date(el: etree._Element) -> str | None:
    date = _child(el, "Date")
    if date is None:
        return None
    try:
        y, m, d = (int(_child_text(date, key) or "0") for key in ("YYYY", "MM", "DD"))
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}" if y else None


def _canadian(root: etree._Element) -> ExtractedDocument:
    """Blocks for Headings, Sections, the preamble and schedules of a Justice Laws statute."""
    metadata: dict[str, str] = {}
    ident = _child(root, "Identification")
    if ident is not None:
        short, long_ = _child_text(ident, "ShortTitle"), _child_text(ident, "LongTitle")
        if short or long_:
            metadata["title"] = short or long_  # type: ignore[assignment]
        if short:
            metadata["short_title"] = short
        for stage in ident.iter("Stages"):
            if stage.get("stage") == "assented-to" and (date := _can_date(stage)):
                metadata["date_adopted"] = date
        chapter = _child(ident, "Chapter")
        number = _child_text(chapter if chapter is not None else ident, "ConsolidatedNumber")
        if number:
            metadata["official_url"] = f"https://laws-lois.justice.gc.ca/eng/acts/{number}/"
    if root.get(XML_LANG):
        metadata["language"] = root.get(XML_LANG)
        if metadata["language"] == "fr" and "official_url" in metadata:
            metadata["official_url"] = metadata["official_url"].replace("/eng/acts/", "/fra/lois/")
    if root.get("in-force") == "yes":
        metadata["status"] = "in_force"
    metadata["country"] = "CAN"
    metadata["doc_type"] = _local(root).lower()

    blocks: list[Block] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            name = _local(child)
            if name == "Heading":
                label = _child_text(child, "Label")
                title = _child_text(child, "TitleText")
                try:
                    level = min(max(int(child.get("level", "1")), 1), 6)
                except ValueError:
                    level = 1
                text = " ".join(t for t in (label, title) if t)
                if text:
                    is_part = bool(label and label.upper().startswith(("PART", "PARTIE")))
                    blocks.append(Block(
                        text=text, heading_level=level, kind="part" if is_part else "heading",
                        label=label, heading=title,
                    ))
            elif name == "Section":
                lines: list[str] = []
                _can_lines(child, lines)
                blocks.append(Block(
                    text="\n".join(lines), kind="section",
                    label=_child_text(child, "Label"), heading=_child_text(child, "MarginalNote"),
                ))
            elif name == "Preamble":
                lines = []
                _can_lines(child, lines)
                if lines:
                    blocks.append(Block(text="\n".join(lines), kind="preamble"))
            elif name == "Schedule":
                head = _child(child, "ScheduleFormHeading")
                label = _child_text(head, "Label") if head is not None else None
                title = _child_text(head, "TitleText") if head is not None else None
                lines = []
                for part in child:
                    if _local(part) not in ("ScheduleFormHeading", "HistoricalNote"):
                        lines.extend(line for line in (_inline(x) for x in part.iter() if _is_leaf(x)) if line)
                blocks.append(Block(
                    text="\n".join(lines) or (label or ""), kind="schedule", label=label, heading=title,
                ))
            elif name in ("Body", "Part", "Division", "Subdivision", "Order") or (
                name not in ("Identification", "RecentAmendments", "RelatedOrNotInForce") and len(child)
                and any(_local(x) in ("Section", "Heading") for x in child.iter())
            ):
                walk(child)

    walk(root)
    return ExtractedDocument(blocks=blocks, media_type=MEDIA_TYPE, metadata=metadata)


def _is_leaf(el: etree._Element) -> bool:
    """Whether an element holds text directly (a paragraph-like element)."""
    if not isinstance(el.tag, str):
        return False
    if el.text and el.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in el)


# --- Akoma Ntoso -----------------------------------------------------------------------

def _akn_lines(el: etree._Element, lines: list[str], prefix: str = "") -> None:
    """Render an Akoma Ntoso provision body as lines, each sub-unit led by its num."""
    pending = prefix
    for child in el:
        name = _local(child)
        if not name or name in _AKN_SKIP:
            continue
        num = _child_text(child, "num")
        if num is not None or name in ("paragraph", "subsection", "point", "item", "indent", "list"):
            _akn_lines(child, lines, f"{num} " if num else "")
        elif _is_leaf(child):
            text = _inline(child, {"authorialNote", "noteRef"})
            if text:
                lines.append(pending + text)
                pending = ""
        else:
            _akn_lines(child, lines, pending)
            pending = ""
    if pending.strip():
        lines.append(pending.strip())


def _akoma_ntoso(root: etree._Element) -> ExtractedDocument:
    """Blocks for the hierarchy and the articles/sections of an Akoma Ntoso document."""
    ns = {"a": AKN_NS}
    metadata: dict[str, str] = {}
    title = root.xpath("string((.//a:docTitle | .//a:shortTitle)[1])", namespaces=ns).strip()
    if title:
        metadata["title"] = _WS.sub(" ", title)
    short = root.xpath("string((.//a:shortTitle)[1])", namespaces=ns).strip()
    if short:
        metadata["short_title"] = short
    work_date = root.xpath("string((.//a:FRBRWork/a:FRBRdate/@date)[1])", namespaces=ns)
    if work_date:
        metadata["date_adopted"] = work_date[:10]
    lang = root.xpath("string((.//a:FRBRExpression/a:FRBRlanguage/@language)[1])", namespaces=ns)
    if lang:
        metadata["language"] = lang
    country = root.xpath("string((.//a:FRBRWork/a:FRBRcountry/@value)[1])", namespaces=ns)
    if country:
        metadata["country"] = country

    blocks: list[Block] = []

    def walk(el: etree._Element, depth: int) -> None:
        for child in el:
            name = _local(child)
            if not name or name in ("meta", "num", "heading", "subheading"):
                continue
            num, heading = _child_text(child, "num"), _child_text(child, "heading")
            nested = any(_local(x) in _AKN_CONTAINERS for x in child.iterdescendants())
            if name in _AKN_CONTAINERS and nested:
                text = " ".join(t for t in (num, heading) if t)
                blocks.append(Block(text=text or name, heading_level=min(depth, 6), kind=name,
                                    label=num, heading=heading))
                walk(child, depth + 1)
            elif name in _AKN_CONTAINERS:
                lines: list[str] = []
                _akn_lines(child, lines)
                blocks.append(Block(text="\n".join(lines), kind=name, label=num, heading=heading))
            elif name in ("preface", "preamble", "conclusions") and not nested:
                lines = []
                _akn_lines(child, lines)
                if lines:
                    blocks.append(Block(text="\n".join(lines), kind="preamble" if name == "preamble" else None))
            elif len(child):
                walk(child, depth)
            elif _is_leaf(child):
                blocks.append(Block(text=_inline(child)))

    walk(root, 1)
    return ExtractedDocument(blocks=blocks, media_type=MEDIA_TYPE, metadata=metadata)


# --- any other XML ---------------------------------------------------------------------

def _generic(root: etree._Element) -> ExtractedDocument:
    """All text in document order: one paragraph per element that holds text directly."""
    blocks: list[Block] = []

    def walk(el: etree._Element) -> None:
        if not isinstance(el.tag, str):
            return
        if _is_leaf(el):
            text = _inline(el)
            if text:
                blocks.append(Block(text=text))
            return
        for child in el:
            walk(child)

    walk(root)
    metadata = {"language": root.get(XML_LANG)} if root.get(XML_LANG) else {}
    return ExtractedDocument(blocks=blocks, media_type=MEDIA_TYPE, metadata=metadata)


def extract_xml(data: bytes) -> ExtractedDocument:
    """Extract an XML file, keeping the structure of known legal schemas."""
    root = _parse(data)
    if etree.QName(root).namespace == AKN_NS:
        return _akoma_ntoso(root)
    if _local(root) in ("Statute", "Regulation") and _child(root, "Body") is not None:
        return _canadian(root)
    return _generic(root)
