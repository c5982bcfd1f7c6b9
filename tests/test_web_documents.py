"""Document pages: metadata, versions, table of contents, anchors, tags, citations,
schema.org metadata and the original file, on the real corpus and on a small library
whose documents get a second version."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, func, select

from repository.models import Document, Provision, TagStatus, Version
from tests.conftest import CORPUS_REAL
from tests.test_library import BRIBERY_ACT, write
from web import create_app


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def document_id(library, source: str) -> int:
    with library.sessions() as session:
        return session.scalar(select(Document.id).where(Document.source == source))


def biggest_document(library) -> int:
    with library.sessions() as session:
        return session.execute(
            select(Version.document_id).join(Provision, Provision.version_id == Version.id)
            .group_by(Version.document_id).order_by(func.count(Provision.id).desc()).limit(1)
        ).scalar_one()


# -- the real corpus -------------------------------------------------------------------

@pytest.mark.corpus
def test_biggest_document_has_every_anchor_once_and_a_toc_pointing_at_them(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    identifier = biggest_document(library)
    view = library.document_view(identifier)
    soup = soup_of(corpus_client.get(f"/documents/{identifier}"))
    sections = soup.select("section.provision")
    assert [s["id"] for s in sections] == [p.anchor for p in view.provisions]
    assert len({s["id"] for s in sections}) == len(sections) > 500
    toc_links = [a["href"][1:] for a in soup.select("nav.toc a")]
    assert sorted(toc_links) == sorted(p.anchor for p in view.provisions)
    # nested: a provision's entry sits inside its parent's entry
    by_anchor = {p.id: p.anchor for p in view.provisions}
    child = next(p for p in view.provisions if p.parent_id)
    entry = soup.select_one(f"nav.toc a[href='#{child.anchor}']")
    assert entry.find_parent("li").find_parent("li").a["href"] == f"#{by_anchor[child.parent_id]}"


@pytest.mark.corpus
def test_provisions_show_their_tags_and_pinpoint_citation(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    identifier = document_id(library, "laws/deu/stgb.md")
    assert identifier, "the German criminal code is in the corpus"
    soup = soup_of(corpus_client.get(f"/documents/{identifier}"))
    with library.sessions() as session:
        provision = session.scalar(
            select(Provision).join(Version).where(Version.document_id == identifier, Provision.number == "261")
        )
        tags = {t.article: t.status.value for t in provision.tags if t.status != TagStatus.REJECTED}
    assert 23 in tags
    section = soup.find(id=provision.anchor)
    shown = {int(re.search(r"/articles/(\d+)", a["href"]).group(1)) for a in section.select(".tags a")}
    assert shown == tags.keys()
    assert section.select_one(".tag").select_one(".status").get_text() in ("suggested", "confirmed")
    assert "Laundering of proceeds of crime" in section.select_one(".tags").get_text()
    citation = library.citations([provision.id])[0]
    assert section.select_one("cite").get_text() == citation.pinpoint()
    assert "§ 261" in citation.pinpoint()
    assert section.select_one("a.permalink")["href"] == citation.permalink
    form = section.select_one("form.cite-form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert form["action"] == "/citations/add" and fields["provision_id"] == str(provision.id)
    assert fields["next"] == f"/documents/{identifier}#{provision.anchor}" and fields["csrf_token"]


@pytest.mark.corpus
def test_document_metadata_and_schema_org_legislation(corpus_client, corpus_ingested):
    library = corpus_ingested[0]
    identifier = document_id(library, "uncac/uncac_en_nl_BWBV0001830.md")
    german = document_id(library, "laws/deu/stgb.md")
    for key, jurisdiction, language in ((identifier, "International", "en"), (german, "Germany", "de")):
        soup = soup_of(corpus_client.get(f"/documents/{key}"))
        with library.sessions() as session:
            document = session.get(Document, key)
        item = soup.find(attrs={"itemtype": "https://schema.org/Legislation"})
        assert item is not None and item.has_attr("itemscope")

        def prop(name):
            element = item.find(attrs={"itemprop": name})
            assert element is not None, name
            return element.get("content") or element.get("href") or element.get("datetime") or element.get_text(strip=True)

        assert prop("name") == document.title == soup.h1.get_text()
        assert prop("legislationJurisdiction") == jurisdiction
        assert prop("inLanguage") == language
        assert prop("legislationLegalForce") == "https://schema.org/InForce"
        assert prop("url").endswith(f"/documents/{key}/versions/1")
        assert prop("legislationDate") == (document.date_adopted.isoformat() if document.date_adopted else str(document.year))
        metadata = {dt.get_text(): dd for dt, dd in zip(soup.select(".metadata dt"), soup.select(".metadata dd"))}
        assert metadata["Status"].get_text() == "In force"
        assert document.provenance in metadata["Provenance"].get_text()
        if document.country_code:
            assert metadata["Country"].a["href"] == f"/countries/{document.country_code}"
        versions = soup.select("ol.versions li")
        assert len(versions) == 1 and "current" in versions[0].get_text()
        assert soup.select_one(".notice") is None


@pytest.mark.corpus
@pytest.mark.parametrize("source", [
    "laws/brb/prevention_of_corruption_bill_2021.pdf",
    "laws/rus/ugolovnyy_kodeks_rf_102041891.html",
    "laws/col/ley_599_2000_codigo_penal.json",
    "laws/deu/stgb.md",
])
def test_original_download_is_the_file_as_received(corpus_client, corpus_ingested, source):
    library = corpus_ingested[0]
    identifier = document_id(library, source)
    page = soup_of(corpus_client.get(f"/documents/{identifier}"))
    href = page.select_one("a[download]")["href"]
    assert href == f"/documents/{identifier}/versions/1/original"
    response = corpus_client.get(href)
    assert response.status_code == 200
    assert response.data == (CORPUS_REAL / source).read_bytes()
    with library.sessions() as session:
        version = session.scalar(select(Version).where(Version.document_id == identifier))
    assert response.mimetype == version.media_type
    assert response.headers["Content-Disposition"] == f"attachment; filename={source.rsplit('/', 1)[1]}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


@pytest.mark.corpus
def test_document_page_loads_in_a_fixed_number_of_queries(corpus_ingested):
    """No query per provision: the biggest and the smallest documents cost the same."""
    library = corpus_ingested[0]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with library.sessions() as session:
        smallest = session.execute(
            select(Version.document_id).join(Provision, Provision.version_id == Version.id)
            .group_by(Version.document_id).order_by(func.count(Provision.id)).limit(1)
        ).scalar_one()
    costs = []
    event.listen(library.engine, "before_cursor_execute", count)
    try:
        for identifier in (biggest_document(library), smallest):
            statements.clear()
            view = library.document_view(identifier)
            costs.append(len(statements))
            # the same citations as the one-by-one API gives
            assert view.citations == {c.provision_id: c for c in library.citations([p.id for p in view.provisions])}
    finally:
        event.remove(library.engine, "before_cursor_execute", count)
    assert costs[0] == costs[1] == 4


@pytest.mark.corpus
@pytest.mark.parametrize("url", ["/documents/999999", "/documents/1/versions/9", "/documents/1/versions/9/original",
                                 "/documents/999999/versions/1/original"])
def test_unknown_documents_and_versions_are_404(corpus_client, url):
    assert corpus_client.get(url).status_code == 404


# -- a library with two versions ---------------------------------------------------------

ODD_NAME = 'Gesetz über "Ämter"; v1.md'


@pytest.fixture
def versioned(settings, tmp_path):
    """A document received twice (two versions), with one tag confirmed and one rejected."""
    folder = tmp_path / "laws"
    write(folder, f"usa/{ODD_NAME}", BRIBERY_ACT)
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "test"})
    library = app.extensions["lexrepo"]
    library.init()
    library.ingest(folder, workers=1)
    write(folder, f"usa/{ODD_NAME}", BRIBERY_ACT.replace("commits an offence", "commits an offence (fine < 5000 & prison)"))
    library.ingest(folder, workers=1)
    with library.sessions() as session, session.begin():
        current = session.scalar(select(Version).where(Version.seq == 2))
        by_anchor = {p.anchor: p for p in current.provisions}
        first = by_anchor["p-1"].tags
        second = by_anchor["p-2"].tags
        assert first and second, "the tagger tags both bribery sections"
        first[0].status = TagStatus.CONFIRMED
        for tag in second:
            tag.status = TagStatus.REJECTED
        confirmed, rejected = first[0].article, {t.article for t in second}
    yield app, confirmed, rejected
    library.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_old_version_says_it_is_not_current_and_links_to_the_current_one(versioned):
    app, _confirmed, _rejected = versioned
    client = app.test_client()
    old = soup_of(client.get("/documents/1/versions/1"))
    notice = old.select_one(".notice")
    assert "not the current version" in notice.get_text()
    assert notice.a["href"] == "/documents/1/versions/2"
    assert "not current" in old.title.get_text()
    assert "fine < 5000" not in old.get_text()
    items = old.select("ol.versions li")
    assert [("current" in li.get_text()) for li in items] == [False, True]
    assert items[0].strong.get_text() == "Version 1" and items[1].a["href"] == "/documents/1/versions/2"
    current = soup_of(client.get("/documents/1"))
    assert current.select_one(".notice") is None
    assert "fine < 5000 & prison" in current.get_text() and "fine &lt; 5000 &amp; prison" in str(current)
    assert current.find(attrs={"itemprop": "version"})["content"] == "2"
    citation = current.find(id="p-1").select_one("a.permalink")["href"]
    assert citation == "/documents/1/versions/2#p-1"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_confirmed_tags_are_marked_and_rejected_tags_hidden(versioned):
    app, confirmed, rejected = versioned
    soup = soup_of(app.test_client().get("/documents/1"))
    first = soup.find(id="p-1")
    tag = first.select_one(f"li.tag-confirmed a[href='/articles/{confirmed}']")
    assert tag is not None and tag.find_parent("li").select_one(".status").get_text() == "confirmed"
    second = soup.find(id="p-2")
    shown = {a["href"] for a in second.select(".tags a")}
    assert not shown & {f"/articles/{n}" for n in rejected}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_original_with_an_odd_filename_is_safely_named(versioned, tmp_path):
    app, _c, _r = versioned
    client = app.test_client()
    for seq in (1, 2):
        response = client.get(f"/documents/1/versions/{seq}/original")
        disposition = response.headers["Content-Disposition"]
        disposition.encode("latin-1")  # a header must be latin-1
        assert disposition.startswith("attachment;")
        encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
        assert unquote(encoded) == ODD_NAME
        assert "\n" not in disposition and "\r" not in disposition
        assert response.headers["Content-Security-Policy"] == "sandbox"
    first = client.get("/documents/1/versions/1/original").data
    assert first.decode("utf-8") == BRIBERY_ACT
    assert b"fine < 5000 & prison" in client.get("/documents/1/versions/2/original").data
