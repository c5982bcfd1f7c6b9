"""Tests for media type detection and the per-format extractors."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from repository.ingest.document import ExtractedDocument, ExtractionError, NeedsOCR
from repository.ingest.extract import (
    DOCX, HTML, JSON, MARKDOWN, PDF, TEXT, XML, detect_media_type, extract, extract_path,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-real"


# --- helpers -----------------------------------------------------------------------------

def _pdf(pages: list[list[tuple[float, str]]], header: str | None = "REPUBLIC OF TESTLAND - ACT 12") -> bytes:
    """A PDF with the given (y, text) lines per page, a running header and a page-number footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 11)
        if header:
            pdf.drawString(72, height - 40, header)
        pdf.drawCentredString(width / 2, 30, str(number))
        for y, text in lines:
            pdf.drawString(72, y, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _image_only_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        pdf.rect(100, 100, 300, 400, fill=1)
        pdf.circle(300, 600, 50, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Integrity Act"
    document.add_heading("PART I PRELIMINARY", level=1)
    document.add_heading("Interpretation", level=2)
    document.add_paragraph("1. In this Act, “official” means a public official.")
    paragraph = document.add_paragraph("Article 291")
    paragraph.add_run("1").font.superscript = True
    paragraph.add_run(". Mediation in bribery")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Offence"
    table.cell(0, 1).text = "Penalty of 5 years"
    document.add_paragraph("2. Final provision.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _texts(document: ExtractedDocument) -> list[str]:
    return [block.text for block in document.blocks]


# --- media type detection ------------------------------------------------------------------

def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("law.pdf", b"%PDF-1.7\n...", PDF),
        ("download", b"%PDF-1.4\n...", PDF),
        ("law.bin", b"%PDF-1.4\n...", PDF),
        ("law.html", b"<!DOCTYPE html><html><body>x</body></html>", HTML),
        ("law", b"  <html lang='en'><p>x</p></html>", HTML),
        ("law.txt", b"<!doctype html><html></html>", HTML),
        ("law.xml", b"<?xml version='1.0'?><Statute/>", XML),
        ("law", b"<?xml version='1.0'?><akomaNtoso/>", XML),
        ("law.xml", b"\xef\xbb\xbf<?xml version='1.0'?><Statute/>", XML),
        ("law.json", b'[{"number": "1", "text": "x"}]', JSON),
        ("law", b'{"provisions": []}', JSON),
        ("law.md", b"# Title\n\ntext", MARKDOWN),
        ("law.markdown", b"<meta charset='utf-8'/>\n\n## Title", MARKDOWN),
        ("law.txt", b"Article 1. Text", TEXT),
        ("law", b"Article 1. Text", TEXT),
        ("law.txt", "Article 1".encode("utf-16"), TEXT),
        ("law.docx", _zip(["word/document.xml", "[Content_Types].xml"]), DOCX),
        ("law.zip", _zip(["word/document.xml"]), DOCX),
    ],
)
def test_detect_media_type(filename: str, data: bytes, expected: str) -> None:
    assert detect_media_type(filename, data) == expected


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("law.pdf", b"<html><body>Not found</body></html>", "not a PDF: file starts with b'<html'"),
        ("law.docx", b"PK\x03\x04 broken", "DOCX is corrupt"),
        ("law.docx", b"plain text", "DOCX is corrupt"),
        ("law.zip", _zip(["a.txt"]), "not a Word .docx"),
        ("law.odt", _zip(["content.xml"]), "OpenDocument"),
        ("law.json", b"{not json", "JSON is malformed"),
        ("law.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy Word"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "images are not supported"),
        ("law.txt", b"", "file is empty"),
        ("law.bin", b"\x00\x01\x02\x03binary", "unsupported binary file"),
    ],
)
def test_detect_media_type_errors(filename: str, data: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as error:
        detect_media_type(filename, data)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


# --- PDF -------------------------------------------------------------------------------

def test_pdf_paragraphs_pages_headers_and_hyphens() -> None:
    data = _pdf([
        [
            (760, "PART I"),
            (730, "1. This Act may be cited as the Prevention of Corruption Act."),
            (700, "2. A public officer who solicits a bribe commits the offence of corrup-"),
            (686, "tion and is liable on conviction to a fine."),
        ],
        [
            (760, "3. The Commission shall investigate complaints."),
            (730, "(a) of bribery; or"),
            (716, "(b) of extortion."),
        ],
    ])
    document = extract(data, "act.pdf")
    assert document.media_type == PDF
    assert document.page_count == 2
    texts = _texts(document)
    assert texts == [
        "PART I",
        "1. This Act may be cited as the Prevention of Corruption Act.",
        "2. A public officer who solicits a bribe commits the offence of corruption\nand is liable on conviction to a fine.",
        "3. The Commission shall investigate complaints.",
        "(a) of bribery; or",
        "(b) of extortion.",
    ]
    assert [block.page for block in document.blocks] == [1, 1, 1, 2, 2, 2]
    assert "REPUBLIC OF TESTLAND" not in document.text


def test_pdf_running_header_with_changing_digits_is_dropped() -> None:
    pages = [[(700, f"{n}. Section number {n} of the Act.")] for n in range(1, 5)]
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 800, f"Act 2021-{number} Prevention of Corruption")
        pdf.drawString(72, 30, f"Page {number} of 4")
        for y, text in lines:
            pdf.drawString(72, y, text)
        pdf.showPage()
    pdf.save()
    document = extract(buffer.getvalue(), "act.pdf")
    assert _texts(document) == [f"{n}. Section number {n} of the Act." for n in range(1, 5)]


def test_pdf_without_text_layer_needs_ocr() -> None:
    with pytest.raises(NeedsOCR) as error:
        extract(_image_only_pdf(), "scan.pdf")
    assert str(error.value) == "needs OCR: the PDF has no text layer (2 pages)"


def test_pdf_corrupt_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError) as error:
        extract(b"%PDF-1.4\n" + b"garbage " * 50, "broken.pdf")
    assert "\n" not in str(error.value)


# --- HTML ------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><title>Уголовный кодекс</title>
<style>.W9 { vertical-align: super; font-size: 100%; } .H { font-weight: bold; }</style>
<script>var tracking = 1;</script></head>
<body>
<header><div class="logo">Portal logo</div></header>
<nav><ul><li><a href="/">Home</a></li><li>Search</li></ul></nav>
<div class="content">
  <h1>Criminal Code</h1>
  <h2>Chapter 30</h2>
  <p class="H">Статья 291<span class="W9">1</span>. Посредничество во взяточничестве</p>
  <p>1.&nbsp;Intermediation in bribery is punished.</p>
  <p>Article 5<sup>2</sup> applies.</p>
  <ul><li>first item</li><li>second item</li></ul>
  <table><tr><th>Stage</th><td>Passed</td></tr></table>
  <form><input name="q"/><button>Go</button></form>
</div>
<div id="footer">Copyright portal 2024</div>
<footer>Contact us</footer>
</body></html>"""


def test_html_keeps_law_and_drops_boilerplate() -> None:
    document = extract(HTML_PAGE.encode("utf-8"), "code.html")
    assert document.media_type == HTML
    assert _texts(document) == [
        "Criminal Code",
        "Chapter 30",
        "Статья 291¹. Посредничество во взяточничестве",
        "1. Intermediation in bribery is punished.",
        "Article 5² applies.",
        "first item",
        "second item",
        "Stage Passed",
    ]
    assert [b.heading_level for b in document.blocks[:3]] == [1, 2, None]
    assert document.metadata == {"title": "Уголовный кодекс", "language": "ru"}
    for noise in ("Home", "Portal logo", "Copyright", "Contact", "tracking", "Go"):
        assert noise not in document.text


# --- XML -------------------------------------------------------------------------------

CANADA_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<Statute xml:lang="en" in-force="yes" xmlns:lims="http://justice.gc.ca/lims" lims:inforce-start-date="2013-06-19">
<Identification>
  <LongTitle>An Act respecting the corruption of foreign public officials</LongTitle>
  <ShortTitle status="official">Corruption of Foreign Public Officials Act</ShortTitle>
  <BillHistory><Stages stage="assented-to"><Date><YYYY>1998</YYYY><MM>12</MM><DD>10</DD></Date></Stages>
  <Stages stage="consolidation"><Date><YYYY>2025</YYYY><MM>7</MM><DD>25</DD></Date></Stages></BillHistory>
  <Chapter><ConsolidatedNumber official="yes">C-45.2</ConsolidatedNumber></Chapter>
</Identification>
<Body>
  <Heading level="1"><Label>PART 1</Label><TitleText>Offences</TitleText></Heading>
  <Heading level="2"><TitleText>Bribery</TitleText></Heading>
  <Section>
    <MarginalNote>Bribing a foreign public official</MarginalNote>
    <Label>3</Label>
    <Subsection><Label>(1)</Label><Text>Every person commits an offence who gives a
      <XRefExternal>benefit</XRefExternal> to an official</Text>
      <Paragraph><Label>(a)</Label><Text>as consideration for an act; or</Text></Paragraph>
      <Paragraph><Label>(b)</Label><Text>to induce the official.</Text></Paragraph>
    </Subsection>
    <Subsection><MarginalNote>Punishment</MarginalNote><Label>(2)</Label><Text>Liable to 14 years.</Text></Subsection>
    <HistoricalNote><HistoricalNoteSubItem>1998, c. 34, s. 3</HistoricalNoteSubItem></HistoricalNote>
  </Section>
</Body>
<Schedule><ScheduleFormHeading><Label>SCHEDULE 1</Label></ScheduleFormHeading>
  <BilingualGroup><BilingualItemEn>Bank of Canada</BilingualItemEn></BilingualGroup></Schedule>
</Statute>"""


def test_canadian_xml_keeps_its_structure() -> None:
    document = extract(CANADA_XML, "C-45.2.xml")
    summary = [(b.kind, b.label, b.heading, b.heading_level) for b in document.blocks]
    assert summary == [
        ("part", "PART 1", "Offences", 1),
        ("heading", None, "Bribery", 2),
        ("section", "3", "Bribing a foreign public official", None),
        ("schedule", "SCHEDULE 1", None, None),
    ]
    assert document.blocks[2].text == (
        "(1) Every person commits an offence who gives a benefit to an official\n"
        "(a) as consideration for an act; or\n"
        "(b) to induce the official.\n"
        "(2) Liable to 14 years."
    )
    assert document.blocks[3].text == "Bank of Canada"
    assert document.metadata["title"] == "Corruption of Foreign Public Officials Act"
    assert document.metadata["language"] == "en"
    assert document.metadata["date_adopted"] == "1998-12-10"
    assert document.metadata["official_url"] == "https://laws-lois.justice.gc.ca/eng/acts/C-45.2/"


AKN_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
<act name="act"><meta><identification source="#x">
  <FRBRWork><FRBRthis value="/akn/ke/act/2009/9"/><FRBRdate date="2009-12-31" name="Generation"/>
  <FRBRcountry value="ke"/></FRBRWork>
  <FRBRExpression><FRBRlanguage language="eng"/></FRBRExpression></identification></meta>
<preface><p><docTitle>Proceeds of Crime Act</docTitle></p></preface>
<body>
  <part eId="part_1"><num>PART I</num><heading>Preliminary</heading>
    <section eId="sec_1"><num>1.</num><heading>Short title</heading>
      <content><p>This Act may be cited as the Proceeds of Crime Act.</p></content></section>
    <section eId="sec_2"><num>2.</num><heading>Money laundering</heading>
      <subsection><num>(1)</num><content><p>A person who launders commits an offence.</p></content></subsection>
      <subsection><num>(2)</num><intro><p>In this section</p></intro>
        <paragraph><num>(a)</num><content><p>property includes money.</p></content></paragraph></subsection>
    </section>
  </part>
</body></act></akomaNtoso>"""


def test_akoma_ntoso() -> None:
    document = extract(AKN_XML, "act.xml")
    sections = [b for b in document.blocks if b.kind == "section"]
    assert [(b.label, b.heading) for b in sections] == [("1.", "Short title"), ("2.", "Money laundering")]
    assert sections[1].text == (
        "(1) A person who launders commits an offence.\n(2) In this section\n(a) property includes money."
    )
    part = next(b for b in document.blocks if b.kind == "part")
    assert (part.label, part.heading, part.text) == ("PART I", "Preliminary", "PART I Preliminary")
    assert document.metadata["title"] == "Proceeds of Crime Act"
    assert document.metadata["date_adopted"] == "2009-12-31"
    assert document.metadata["language"] == "eng"


def test_generic_xml_gives_text_in_order() -> None:
    data = b"<law xml:lang='es'><t>Ley 1</t><art><n>Art. 1</n><p>Texto <b>uno</b>.</p></art></law>"
    document = extract(data, "ley.xml")
    assert _texts(document) == ["Ley 1", "Art. 1", "Texto uno."]
    assert document.metadata == {"language": "es"}


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>leak: &x;</r>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:1/evil">]><r>&x;</r>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;</r>',
    ],
    ids=["xxe-file", "xxe-network", "billion-laughs"],
)
def test_xml_entities_are_never_expanded(data: bytes) -> None:
    try:
        document = extract(data, "evil.xml")
    except ExtractionError as error:
        assert "entities" in str(error)
    else:  # if a future parser leaves entities in place, they must stay unexpanded
        assert "root:" not in document.text
        assert "lollol" not in document.text


def test_malformed_xml() -> None:
    with pytest.raises(ExtractionError, match="XML is malformed"):
        extract(b"<?xml version='1.0'?><a><b></a>", "bad.xml")


# --- Markdown and plain text -----------------------------------------------------------

MARKDOWN_DOC = """---
title: "Ley 27401"
publication_date: 2017-12-01
lang: es
source_url: "https://example.org/ley"
---
# Ley de responsabilidad penal

<!-- scraped 2024 -->
## Artículo 1

**Objeto.** La presente ley establece el régimen
de [responsabilidad](https://example.org/r) penal.

ARTÍCULO 291<sup>1</sup> texto<br/>con *énfasis*.

Término
:   definición

> Nota: artículo modificado.
"""


def test_markdown_front_matter_headings_and_markup() -> None:
    document = extract(MARKDOWN_DOC.encode("utf-8"), "ley.md")
    assert document.media_type == MARKDOWN
    assert document.metadata == {
        "title": "Ley 27401", "date_adopted": "2017-12-01", "language": "es",
        "official_url": "https://example.org/ley",
    }
    assert [(b.heading_level, b.text) for b in document.blocks] == [
        (1, "Ley de responsabilidad penal"),
        (2, "Artículo 1"),
        (None, "Objeto. La presente ley establece el régimen\nde responsabilidad penal."),
        (None, "ARTÍCULO 291¹ textocon énfasis."),
        (None, "Término\n: definición"),
        (None, "Nota: artículo modificado."),
    ]
    assert "scraped" not in document.text


def test_markdown_bad_front_matter_is_tolerated() -> None:
    document = extract(b"---\ntitle: [unclosed\n---\n# Heading\n\nBody", "x.md")
    assert _texts(document) == ["Heading", "Body"]
    assert document.warnings and "YAML" in document.warnings[0]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Artículo 1.\nEl funcionario público.\n\nArtículo 2.\nSanción".encode("latin-1"),
         ["Artículo 1.\nEl funcionario público.", "Artículo 2.\nSanción"]),
        ("Статья 1.\n\nВзятка".encode("utf-16"), ["Статья 1.", "Взятка"]),
        ("\ufeffSection 1\r\n\r\nBribery ‑ defined".encode("utf-8"), ["Section 1", "Bribery ‑ defined"]),
    ],
    ids=["latin-1", "utf-16", "utf-8-bom-crlf"],
)
def test_plain_text_encodings(data: bytes, expected: list[str]) -> None:
    document = extract(data, "law.txt")
    assert document.media_type == TEXT
    assert _texts(document) == expected


# --- DOCX ------------------------------------------------------------------------------

def test_docx_paragraphs_headings_tables() -> None:
    document = extract(_docx(), "act.docx")
    assert document.media_type == DOCX
    assert [(b.heading_level, b.text) for b in document.blocks] == [
        (1, "PART I PRELIMINARY"),
        (2, "Interpretation"),
        (None, "1. In this Act, “official” means a public official."),
        (None, "Article 291¹. Mediation in bribery"),
        (None, "Offence"),
        (None, "Penalty of 5 years"),
        (None, "2. Final provision."),
    ]
    assert document.metadata["title"] == "Integrity Act"


# --- JSON ------------------------------------------------------------------------------

ANSVAR = {
    "title": "Ley 1474 de 2011", "short_name": "Ley 1474", "status": "in_force",
    "issued_date": "2011-07-12", "url": "https://example.org/1474",
    "provisions": [
        {"provision_ref": "art1", "chapter": "CAPÍTULO I", "section": "1", "title": "Artículo 1",
         "content": "ARTÍCULO 1. Inhabilidad."},
        {"provision_ref": "art2", "chapter": "CAPÍTULO I", "section": "2",
         "title": "Artículo 2.- Objeto de la Ley", "content": "Texto dos."},
        {"provision_ref": "s2A", "chapter": "CAPÍTULO II", "section": None, "title": "Scope",
         "content": "Texto tres."},
    ],
    "definitions": [{"term": "x", "definition": "y"}],
}


def test_json_ansvar_provisions() -> None:
    document = extract(json.dumps(ANSVAR).encode("utf-8"), "ley.json")
    summary = [(b.kind, b.label, b.heading, b.text) for b in document.blocks]
    assert summary == [
        ("chapter", None, "CAPÍTULO I", "CAPÍTULO I"),
        ("article", "1", None, "ARTÍCULO 1. Inhabilidad."),
        ("article", "2", "Objeto de la Ley", "Texto dos."),
        ("chapter", None, "CAPÍTULO II", "CAPÍTULO II"),
        ("section", "2A", "Scope", "Texto tres."),
    ]
    assert document.metadata["title"] == "Ley 1474 de 2011"
    assert document.metadata["date_adopted"] == "2011-07-12"
    assert document.metadata["official_url"] == "https://example.org/1474"


def test_json_plain_list_and_markdown_record() -> None:
    plain = [{"number": "1", "heading": "Bribery", "text": "Whoever bribes."}, {"label": "2", "content": "Fine."}]
    document = extract(json.dumps(plain).encode(), "list.json")
    assert [(b.label, b.heading, b.text) for b in document.blocks] == [
        ("1", "Bribery", "Whoever bribes."), ("2", None, "Fine."),
    ]
    record = {"title": "Prevention of Corruption Bill, 2021", "markdown": "# PART I\n\n1. Short title\n\f2\n\nText"}
    document = extract(json.dumps(record).encode(), "bill.json")
    assert [(b.heading_level, b.text) for b in document.blocks] == [
        (1, "PART I"), (None, "1. Short title"), (None, "2"), (None, "Text"),
    ]
    assert document.metadata["title"] == "Prevention of Corruption Bill, 2021"


@pytest.mark.parametrize("data", [b'{"a": 1}', b"[1, 2, 3]", b'"text"', b"[]"])
def test_json_without_sections(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="JSON holds no list of sections"):
        extract(data, "x.json")


def test_extract_path_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="cannot read"):
        extract_path(tmp_path / "missing.pdf")


# --- real corpus -----------------------------------------------------------------------

def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


@pytest.mark.corpus
@pytest.mark.parametrize("path", _corpus_files() or [None], ids=lambda p: p.name if p else "absent")
def test_corpus_file_extracts(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"real corpus not found at {CORPUS}")
    document = extract_path(path)
    assert document.blocks
    assert document.text.strip()
