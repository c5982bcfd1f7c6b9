"""Citation lists exported for memos and reference managers.

One function, :func:`export`, turns a list of :class:`Entry` (a pinpoint citation plus the
user's note) into the bytes of one format. The field mapping of every format is documented
in docs/citation-style.md; keep the two in step.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from urllib.parse import quote

from repository.citations import STYLE_NAME, Citation, Comparison


@dataclass(frozen=True)
class Entry:
    """One line of a citation list: the citation and the user's annotation."""

    citation: Citation
    note: str = ""


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("txt", "Plain text", "text/plain; charset=utf-8", "txt"),
    Format("md", "Markdown", "text/markdown; charset=utf-8", "md"),
    Format("docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    Format("csv", "CSV", "text/csv; charset=utf-8", "csv"),
    Format("ris", "RIS", "application/x-research-info-systems", "ris"),
    Format("bibtex", "BibTeX", "application/x-bibtex; charset=utf-8", "bib"),
    Format("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", "csl.json"),
    Format("json", "JSON", "application/json", "json"),
)}

CSV_COLUMNS = ("number", "citation", "title", "country", "country_name", "year", "provision", "label", "page",
               "version", "version_date", "permalink", "articles", "note")

DEFAULT_TITLE = "Citation list"


class ExportError(ValueError):
    """The format is unknown or the list cannot be exported."""


def export(entries: list[Entry], fmt: str, base_url: str = "", comparison: Comparison | None = None,
           title: str = DEFAULT_TITLE) -> bytes:
    """The citation list in format ``fmt`` (a key of :data:`FORMATS`).

    ``base_url`` (the library's public address) makes the permanent links absolute.
    With a ``comparison``, the text formats and the Word document group the entries by
    country under the comparison's heading.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writer = _WRITERS[fmt]
    return writer(list(entries), base_url.rstrip("/"), comparison, comparison.heading if comparison else title)


def permalink(citation: Citation, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}{citation.permalink}"


def citation_key(citation: Citation) -> str:
    """A readable, stable key such as ``DEU-1998-p261-v1`` (BibTeX-safe characters only)."""
    number = citation.number or f"id{citation.provision_id}"
    key = f"{citation.country_code or 'INT'}-{citation.year or 'nd'}-p{number}-v{citation.version_seq}"
    return re.sub(r"[^A-Za-z0-9_.:-]+", "_", key)


def _unique_keys(entries: list[Entry]) -> list[str]:
    keys, seen = [], set()
    for entry in entries:
        key = citation_key(entry.citation)
        if key in seen:  # same number twice in one version, or two laws of one country and year
            key = f"{key}-{entry.citation.provision_id}"
        seen.add(key)
        keys.append(key)
    return keys


def _groups(entries: list[Entry], comparison: Comparison | None) -> list[tuple[str | None, list[Entry]]]:
    """(country heading, entries) in the comparison's country order; one untitled group otherwise."""
    if comparison is None:
        return [(None, entries)]
    groups = []
    for country in comparison.countries:
        members = [e for e in entries if e.citation.country_code == country.country_code]
        groups.append((country.country_name or country.country_code, members))
    return groups


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- plain text and Markdown ---------------------------------------------------------------

def _txt(entries, base_url, comparison, title) -> bytes:
    lines = [title, f"({len(entries)} citations, {STYLE_NAME} style)", ""]
    number = 0
    for heading, members in _groups(entries, comparison):
        if heading is not None:
            lines += [heading, "-" * len(heading), ""]
            if not members:
                lines += ["(no provision tagged)", ""]
        for entry in members:
            number += 1
            lines.append(f"{number}. {entry.citation.pinpoint()}")
            lines.append(f"   {permalink(entry.citation, base_url)}")
            note_lines = [line.strip() for line in entry.note.strip().splitlines()]
            if note_lines:
                lines.append(f"   Note: {note_lines[0]}")
                lines += [f"   {line}" for line in note_lines[1:]]
            lines.append("")
    return "\n".join(lines).encode("utf-8")


# CommonMark lets a backslash escape any ASCII punctuation; these are the characters that
# can start markup in the middle of a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
# ...and these only at the start of a line (headings, quotes, list items, rules).
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


def markdown_escape(text: str) -> str:
    escaped = _MD_INLINE.sub(r"\\\1", text)
    return "\n".join(_MD_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if not m.group(2)[0].isdigit()
                                        else f"{m.group(1)}{m.group(2)}\\", line)
                     for line in escaped.splitlines())


def _md_link(url: str) -> str:
    return quote(url, safe=":/#?&=%@!$'*+,;~-._")


def _md(entries, base_url, comparison, title) -> bytes:
    lines = [f"# {markdown_escape(title)}", "", f"{len(entries)} citations in the {STYLE_NAME} style.", ""]
    number = 0
    for heading, members in _groups(entries, comparison):
        if heading is not None:
            lines += [f"## {markdown_escape(heading)}", ""]
            if not members:
                lines += ["No provision tagged.", ""]
        for entry in members:
            number += 1
            link = permalink(entry.citation, base_url)
            lines.append(f"{number}. {markdown_escape(entry.citation.pinpoint())}  ")
            lines.append(f"   [{markdown_escape(link)}]({_md_link(link)})")
            note = entry.note.strip()
            if note:
                lines.append("")
                lines += [f"   {line}" for line in markdown_escape(f"Note: {note}").splitlines()]
            lines.append("")
    return "\n".join(lines).encode("utf-8")


# -- Word ------------------------------------------------------------------------------------

# XML 1.0 forbids most control characters; PDFs put form feeds and the like into text.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub(" ", text)


def _add_hyperlink(paragraph, url: str) -> None:
    """A clickable link (python-docx has no API for hyperlinks, so build the run by hand)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = _xml_safe(url)
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def _docx(entries, base_url, comparison, title) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = _xml_safe(title)
    document.add_heading(_xml_safe(title), level=0)
    document.add_paragraph(f"{len(entries)} citations in the {STYLE_NAME} style. Provision texts are in the annex.")
    numbered = []
    number = 0
    for heading, members in _groups(entries, comparison):
        if heading is not None:
            document.add_heading(_xml_safe(heading), level=1)
            if not members:
                document.add_paragraph("No provision tagged.")
        for entry in members:
            number += 1
            numbered.append((number, heading, entry))
            item = document.add_paragraph(f"[{number}] {_xml_safe(entry.citation.pinpoint())}. ")
            link = permalink(entry.citation, base_url)
            if base_url:
                _add_hyperlink(item, link)
            else:
                item.add_run(link)
            if entry.note.strip():
                note = document.add_paragraph()
                note.paragraph_format.left_indent = docx.shared.Cm(1)
                note.add_run(_xml_safe(entry.note.strip())).italic = True

    document.add_page_break()
    document.add_heading("Annex: provision texts", level=1)
    current_group = None
    for number, heading, entry in numbered:
        citation = entry.citation
        if heading is not None and heading != current_group:
            document.add_heading(_xml_safe(heading), level=2)
            current_group = heading
        document.add_heading(_xml_safe(f"[{number}] {citation.pinpoint()}"), level=3 if heading else 2)
        if citation.heading:
            document.add_paragraph().add_run(_xml_safe(f"{citation.label} {citation.heading}".strip())).bold = True
        for block in citation.text.split("\n"):
            if block.strip():
                document.add_paragraph(_xml_safe(block.strip()))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- CSV -------------------------------------------------------------------------------------

def _csv(entries, base_url, comparison, title) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, entry in enumerate(entries, start=1):
        c = entry.citation
        writer.writerow([
            number, c.pinpoint(), c.title, c.country_code, c.country_name, c.year or "", c.number, c.label,
            c.page or "", c.version_seq, c.version_date.isoformat(), permalink(c, base_url),
            ";".join(map(str, c.articles)), entry.note,
        ])
    # The byte-order mark lets spreadsheet programs recognise UTF-8 (§, accents, Cyrillic).
    return buffer.getvalue().encode("utf-8-sig")


# -- RIS -------------------------------------------------------------------------------------

_RIS_TYPES = {"bill": "BILL", "guideline": "RPRT", "good practice": "RPRT", "other": "RPRT"}  # else STAT


def _ris_date(citation: Citation) -> str:
    if citation.date_adopted:
        return citation.date_adopted.strftime("%Y/%m/%d/")
    return f"{citation.year}///" if citation.year else ""


def _ris(entries, base_url, comparison, title) -> bytes:
    lines = []
    for key, entry in zip(_unique_keys(entries), entries):
        c = entry.citation
        fields = [
            ("TY", _RIS_TYPES.get(c.doc_type, "STAT")),
            ("ID", key),
            ("TI", c.title),
            ("ST", c.short_title),
            ("SE", c.label or c.number),
            ("SP", str(c.page) if c.page else ""),
            ("PY", str(c.year) if c.year else ""),
            ("DA", _ris_date(c)),
            ("ET", f"version of {c.version_date.isoformat()}"),
            ("LA", c.language),
            ("UR", permalink(c, base_url)),
            ("N1", c.pinpoint()),
            ("N1", entry.note),
            ("KW", c.country_name),
            *[("KW", f"UNCAC article {article}") for article in c.articles],
            ("DB", "lexrepo"),
        ]
        lines += [f"{tag}  - {_one_line(value)}" for tag, value in fields if value and value.strip()]
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines).encode("utf-8")


# -- BibTeX ----------------------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&", "%": r"\%",
    "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(ch) for ch in _LATEX_SPECIALS))


def latex_escape(text: str) -> str:
    """Escape LaTeX specials; braces become macros so that BibTeX's brace counting stays balanced."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group()], _one_line(text))


def _bibtex(entries, base_url, comparison, title) -> bytes:
    records = []
    for key, entry in zip(_unique_keys(entries), entries):
        c = entry.citation
        note = f"{c.jurisdiction}, {c.where} (version of {c.version_date.isoformat()})"
        if entry.note.strip():
            note += f". {entry.note.strip()}"
        fields = [
            # Double braces keep the title's capitals (a law's name is a proper noun).
            ("title", "{" + latex_escape(c.title) + "}"),
            ("shorttitle", latex_escape(c.short_title)),
            ("year", str(c.year) if c.year else ""),
            ("date", c.date_adopted.isoformat() if c.date_adopted else ""),
            ("version", c.version_date.isoformat()),
            ("pages", str(c.page) if c.page else ""),
            ("note", latex_escape(note)),
            ("howpublished", latex_escape(f"{c.country_name or 'International instrument'}, {c.where}")),
            # url is read verbatim by biblatex and natbib styles: no escaping.
            ("url", permalink(c, base_url).replace("{", "%7B").replace("}", "%7D")),
            ("language", latex_escape(c.language)),
            ("keywords", ", ".join([*([c.country_name] if c.country_name else []),
                                    *[f"UNCAC article {a}" for a in c.articles]])),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        records.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(records).encode("utf-8")


# -- CSL-JSON --------------------------------------------------------------------------------

_CSL_TYPES = {"bill": "bill", "treaty": "treaty", "guideline": "report", "good practice": "report", "other": "report"}


def csl_item(key: str, entry: Entry, base_url: str = "") -> dict:
    """One item of the CSL 1.0.2 data schema (only variables the schema defines)."""
    c = entry.citation
    item: dict = {
        "id": key,
        "type": _CSL_TYPES.get(c.doc_type, "legislation"),
        "title": c.title,
        "section": c.label or c.number,
        "version": f"version of {c.version_date.isoformat()}",
        "URL": permalink(c, base_url),
        "language": c.language,
        "note": c.pinpoint() + (f"\n{entry.note.strip()}" if entry.note.strip() else ""),
        "source": "lexrepo",
    }
    if c.short_title:
        item["title-short"] = c.short_title
    if c.country_name:
        item["jurisdiction"] = c.country_name
    if c.page:
        item["page"] = str(c.page)
    if c.date_adopted:
        item["issued"] = {"date-parts": [[c.date_adopted.year, c.date_adopted.month, c.date_adopted.day]]}
    elif c.year:
        item["issued"] = {"date-parts": [[c.year]]}
    if c.articles:
        item["keyword"] = ", ".join(f"UNCAC article {a}" for a in c.articles)
    return item


def _csl_json(entries, base_url, comparison, title) -> bytes:
    items = [csl_item(key, entry, base_url) for key, entry in zip(_unique_keys(entries), entries)]
    return json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8")


# -- JSON ------------------------------------------------------------------------------------

def citation_record(entry: Entry, base_url: str = "") -> dict:
    c = entry.citation
    record = asdict(c)
    record.update(
        articles=list(c.articles),
        version_date=c.version_date.isoformat(),
        date_adopted=c.date_adopted.isoformat() if c.date_adopted else None,
        permalink=permalink(c, base_url),
        pinpoint=c.pinpoint(),
        note=entry.note,
    )
    return record


def _json(entries, base_url, comparison, title) -> bytes:
    document = {"title": title, "style": STYLE_NAME, "citations": [citation_record(e, base_url) for e in entries]}
    if comparison is not None:
        document["comparison"] = {
            "article": comparison.article, "article_title": comparison.article_title,
            "countries": [{"country": g.country_code, "country_name": g.country_name,
                           "provision_ids": [c.provision_id for c in g.citations]} for g in comparison.countries],
        }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


_WRITERS = {"txt": _txt, "md": _md, "docx": _docx, "csv": _csv, "ris": _ris, "bibtex": _bibtex,
            "csl-json": _csl_json, "json": _json}
