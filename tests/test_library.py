"""The repository layer end to end on SQLite and PostgreSQL: init, ingest, versions, index sync."""
from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select

from indexer import SearchRequest
from repository.library import LibraryError
from repository.models import ConventionArticle, ConventionChapter, Country, Document, Provision, Version

BRIBERY_ACT = textwrap.dedent("""\
    # Anti-Bribery Act

    ## Part I - Offences

    ### Section 1. Bribery of public officials

    A person who promises, offers or gives a public official an undue advantage commits an offence.

    ### Section 2. Bribery of foreign public officials

    A person who promises, offers or gives a foreign public official an undue advantage in order to
    obtain business commits an offence.

    ## Part II - Protection

    ### Section 3. Protection of reporting persons

    No person who reports in good faith may be dismissed or otherwise penalised.
    """)

GELDWAESCHE = textwrap.dedent("""\
    # Gesetz über Beispiele

    ##### § 1 Geldwäsche

    Wer einen Gegenstand, der aus einer rechtswidrigen Tat herrührt, verbirgt, wird bestraft.

    ##### § 2 Bestechlichkeit

    Ein Amtsträger, der einen Vorteil fordert, wird bestraft.
    """)


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def count(library, model):
    with library.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_init_loads_reference_data(library):
    assert count(library, ConventionChapter) == 8
    assert count(library, ConventionArticle) == 71
    with library.sessions() as session:
        assert session.get(ConventionArticle, 16).title.startswith("Bribery of foreign public officials")
        assert session.get(ConventionArticle, 16).chapter == "III"
        assert session.get(Country, "DEU").region.value == "Western European and other"
        assert session.get(Country, "NGA").region.value == "African"
    library.init()  # idempotent
    assert count(library, ConventionArticle) == 71


def test_ingest_stores_provisions_and_indexes_them(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "usa/anti_bribery_act.md", BRIBERY_ACT)
    write(folder, "deu/beispielgesetz.md", GELDWAESCHE)
    report = library.ingest(folder, workers=1)
    assert report.count("ingested") == 2, report.outcomes
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.source == "usa/anti_bribery_act.md"))
        assert document.country_code == "USA"  # guessed from the folder name
        assert document.language == "en"
        provisions = document.current_version.provisions
        sections = [p for p in provisions if p.kind == "section"]
        assert [p.number for p in sections] == ["1", "2", "3"]
        assert "foreign public official" in sections[1].text
        assert sections[2].parent is not None and sections[2].parent.kind == "part"
        german = session.scalar(select(Document).where(Document.source == "deu/beispielgesetz.md"))
        assert german.language == "de"
    assert library.check().clean
    result = library.search(SearchRequest(query="foreign public official", filters={"country": ["USA"]}))
    assert result.hits[0].number == "2"
    assert result.hits[0].source == "usa/anti_bribery_act.md"
    german_hits = library.search(SearchRequest(query="Geldwäsche", filters={"country": ["DEU"]}))
    assert german_hits.hits[0].number == "1"


def test_identical_bytes_are_a_no_op_and_new_bytes_a_new_version(library, tmp_path):
    folder = tmp_path / "laws"
    path = write(folder, "usa/act.md", BRIBERY_ACT)
    library.ingest(folder, workers=1)
    again = library.ingest(folder, workers=1)
    assert again.count("unchanged") == 1 and again.count("ingested") == 0
    assert count(library, Version) == 1

    path.write_text(BRIBERY_ACT.replace("dismissed", "dismissed, demoted"), encoding="utf-8")
    amended = library.ingest(folder, workers=1)
    assert amended.count("new version") == 1
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.source == "usa/act.md"))
        first, second = document.versions
        assert (first.seq, second.seq) == (1, 2)
        old_text = [p.text for p in first.provisions if p.number == "3"][0]
        assert "demoted" not in old_text  # the old version stays readable as it was
        assert library.blobs.get(first.sha256).decode() == BRIBERY_ACT
    hits = library.search(SearchRequest(query="demoted")).hits
    assert len(hits) == 1 and hits[0].version_id == second.id
    assert library.check().clean  # only the current version is in the index


def test_unreadable_file_is_skipped_with_a_reason_and_the_rest_ingested(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "usa/act.md", BRIBERY_ACT)
    (folder / "usa" / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    report = library.ingest(folder, workers=2)
    assert report.count("ingested") == 1
    [skipped] = report.skipped
    assert skipped.source == "usa/broken.pdf"
    assert skipped.reason and "\n" not in skipped.reason


def test_delete_and_update_keep_index_equal_to_database(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "usa/act.md", BRIBERY_ACT)
    write(folder, "deu/gesetz.md", GELDWAESCHE)
    library.ingest(folder, workers=1)
    with library.sessions() as session:
        german = session.scalar(select(Document.id).where(Document.source == "deu/gesetz.md"))
        american = session.scalar(select(Document.id).where(Document.source == "usa/act.md"))
    with library.sessions() as session:
        american_provisions = [p for p in session.get(Document, american).current_version.provisions if p.text.strip()]
    library.update_document(american, country_code="CAN", year=2001)
    assert library.search(SearchRequest(filters={"country": ["CAN"]})).total == len(american_provisions) >= 3
    assert library.search(SearchRequest(filters={"country": ["USA"]})).total == 0
    library.delete_document(german)
    assert library.search(SearchRequest(query="Geldwäsche")).total == 0
    assert library.check().clean
    with library.sessions() as session:
        with_text = [p for p in session.scalars(select(Provision)) if p.text.strip()]
    assert len(with_text) == library.index.count()  # Part containers without text are not indexed


def test_reindex_rebuilds_from_database(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "usa/act.md", BRIBERY_ACT)
    library.ingest(folder, workers=1)
    before = library.index.provision_ids()
    with library.index.writer() as writer:
        writer.clear()
    assert not library.check().clean
    assert library.reindex() == len(before)
    assert library.index.provision_ids() == before
    assert library.check().clean


def test_manifest_metadata_wins_and_bad_manifest_is_a_clear_error(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "act.md", BRIBERY_ACT)
    manifest = write(tmp_path, "manifest.toml", textwrap.dedent("""\
        [[document]]
        path = "act.md"
        country = "KEN"
        title = "Anti-Bribery Act"
        type = "act"
        language = "en"
        year = 2016
        status = "in force"
        """))
    library.ingest(folder, manifest=manifest, workers=1)
    with library.sessions() as session:
        document = session.scalar(select(Document))
        assert (document.country_code, document.year, document.doc_type.value) == ("KEN", 2016, "act")
    bad = write(tmp_path, "bad.toml", '[[document]]\npath = "act.md"\ntype = "statute"\n')
    with pytest.raises(Exception, match="type must be one of"):
        library.ingest(folder, manifest=bad, workers=1)


def test_unknown_country_is_refused(library, tmp_path):
    folder = tmp_path / "laws"
    write(folder, "act.md", BRIBERY_ACT)
    manifest = write(tmp_path, "m.toml", '[[document]]\npath = "act.md"\ncountry = "XYZ"\n')
    with pytest.raises(LibraryError, match="unknown country"):
        library.ingest(folder, manifest=manifest, workers=1)
