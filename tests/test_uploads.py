"""Uploads on SQLite and PostgreSQL: validation, the job lifecycle, retries, amendments,
repeal, audited edits and deletion, and the audit log's exports."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select, update

from indexer import SearchRequest
from repository.accounts import create_user
from repository.audit import audit_log, export_csv, export_jsonl, iter_audit_events
from repository.editing import EditError, delete_document, edit_document, repeal_document
from repository.jobs import Worker
from repository.library import Library
from repository.models import Document, DocumentStatus, Job, JobState, Provision, Version
from repository.uploads import (
    UploadError, batch_progress, list_jobs, preview_metadata, retry_job, safe_name, submit_batch, submit_upload,
)
from tests.test_extract import _image_only_pdf
from tests.test_library import BRIBERY_ACT, GELDWAESCHE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def count(library, model) -> int:
    with library.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def editor(library):
    return create_user(library, "editor1", "correct horse battery", "editor")


def library_with(settings, **changes) -> Library:
    library = Library(dataclasses.replace(settings, **changes))
    library.init()
    return library


REFUSED = [
    ("scan.pdf", PNG, "not a PDF"),
    ("notes.txt", b"Article 1. Bribery\x00\x00\x01 is an offence.", "contains NUL bytes"),
    ("law.docx", b"Article 1. This is plain text.", "not a zip archive"),
    ("law.docx", _zip({"content.xml": b"<x/>"}), "OpenDocument"),
    ("law.docx", _zip({"readme.txt": b"hello"}), "not a Word .docx"),
    ("law.exe", b"MZ\x90\x00binary", "unsupported file type .exe"),
    ("law", b"Article 1. Text.", r"unsupported file type \(no extension\)"),
    ("law.xml", b"<law><article>unclosed</law>", "not well-formed"),
    ("law.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "entity declarations"),
    ("law.html", b"%PDF-1.4\n%...", "the content is a PDF but the name ends .html"),
    ("law.md", b"%PDF-1.4\n%...", "the content is a PDF but the name ends .md"),
    ("law.html", b"Article 1. Plain words, no markup at all.", "not HTML"),
    ("blank.txt", b"  \n\t ", "empty"),
]


@pytest.mark.parametrize("filename, data, message", REFUSED, ids=[f"{r[0]}-{r[2][:20]}" for r in REFUSED])
def test_uploads_are_refused_with_a_clear_reason_and_leave_nothing(library, filename, data, message):
    with pytest.raises(UploadError, match=message):
        submit_upload(library, filename, data, {"country": "DEU"})
    assert count(library, Job) == 0
    assert not library.settings.resolved_blob_dir.exists() or not any(library.settings.resolved_blob_dir.rglob("*"))


def test_oversize_uploads_are_refused(settings):
    with library_with(settings, max_file_bytes=1000) as small:
        data = BRIBERY_ACT.encode() * 3
        assert len(data) > 1000
        with pytest.raises(UploadError, match=f"too large: {len(data)} bytes \\(limit 1000\\)"):
            submit_upload(small, "act.md", data)
        assert submit_upload(small, "act.md", BRIBERY_ACT.encode()[:900]).state == JobState.QUEUED


@pytest.mark.parametrize("hostile, stored", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\x\\..\\y.md", "y.md"),
    ("..\\..\\..\\windows\\win.ini.txt", "win.ini.txt"),
    ("/abs/olute/.hidden.md", "hidden.md"),
    ("<script>alert(1)</script>.md", "script_.md"),
])
def test_hostile_file_names_are_only_metadata(library, tmp_path, hostile, stored):
    job = submit_upload(library, hostile, BRIBERY_ACT.encode(), {"country": "USA"})
    assert job.original_filename == hostile  # kept as text, escaped wherever it is shown
    assert job.stored_name == stored == safe_name(hostile)
    blob = library.blobs.path_for(job.sha256)
    assert blob.read_bytes() == BRIBERY_ACT.encode() and blob.is_relative_to(library.settings.resolved_blob_dir)
    written = {p.name for p in tmp_path.rglob("*")}
    assert not {"passwd.txt", "y.md", "win.ini.txt", "hidden.md"} & written
    done = Worker(library).run_once()
    assert done.state == JobState.INDEXED
    with library.sessions() as session:
        document = session.get(Document, done.document_id)
        assert document.source == f"uploads/{job.sha256[:16]}/{stored}"
        assert document.current_version.original_filename == stored


def test_a_job_goes_from_queued_to_indexed_with_the_metadata_given(library, editor):
    job = submit_upload(library, "anti bribery act.md", BRIBERY_ACT.encode(), {
        "country": "usa", "title": "Anti-Bribery Act", "type": "act", "language": "en", "year": "2021",
        "status": "in force", "official_url": "https://example.org/aba",
    }, user=editor)
    assert (job.state, job.attempts, job.media_type, job.submitted_by_id) == (JobState.QUEUED, 0, "text/markdown", editor.id)
    assert job.submitted_metadata["country"] == "USA" and job.submitted_metadata["year"] == 2021
    done = Worker(library).run_once()
    assert (done.state, done.reason, done.attempts, done.version_seq) == (JobState.INDEXED, "", 1, 1)
    assert done.started_at is not None and done.finished_at is not None and done.lease_owner is None
    with library.sessions() as session:
        document = session.get(Document, done.document_id)
        assert (document.title, document.country_code, document.year, document.doc_type.value,
                document.official_url) == ("Anti-Bribery Act", "USA", 2021, "act", "https://example.org/aba")
    hits = library.search(SearchRequest(query="foreign public official", filters={"country": ["USA"]})).hits
    assert hits and all(hit.document_id == done.document_id for hit in hits)
    assert library.check().clean
    assert Worker(library).run_once() is None


def test_unreadable_files_fail_their_job_with_the_reason_and_can_be_retried(library, editor):
    job = submit_upload(library, "scan.pdf", _image_only_pdf(), {"country": "DEU"}, user=editor)
    failed = Worker(library).run_once()
    assert failed.state == JobState.FAILED
    assert failed.reason == "needs OCR: the PDF has no text layer (2 pages)"
    assert count(library, Document) == 0
    retried = retry_job(library, job.id, user=editor)
    assert (retried.state, retried.reason, retried.attempts) == (JobState.QUEUED, "", 0)
    [event] = audit_log(library, action="job-retry").events
    assert event.user_name == "editor1" and event.details["previous_reason"].startswith("needs OCR")
    assert Worker(library).run_once().state == JobState.FAILED  # the same file fails the same way
    submit_upload(library, "act.md", BRIBERY_ACT.encode())
    indexed = Worker(library).run_once()
    with pytest.raises(UploadError, match=f"job {indexed.id} is indexed; only failed jobs can be retried"):
        retry_job(library, indexed.id)


def test_extraction_over_the_time_limit_fails_only_its_job(settings):
    sections = "".join(f"### Section {n}. Offence number {n}\n\nA person who bribes official {n} commits an offence.\n\n"
                       for n in range(1, 60000))
    with library_with(settings, extraction_time_limit=1) as limited:
        slow = submit_upload(limited, "huge.md", f"# Huge Act\n\n{sections}".encode())
        quick = submit_upload(limited, "act.md", BRIBERY_ACT.encode())
        worker = Worker(limited)
        first, second = worker.run_once(), worker.run_once()
        assert (first.id, first.state) == (slow.id, JobState.FAILED)
        assert first.reason == "extraction took longer than 1 s (the time limit)"
        assert (second.id, second.state) == (quick.id, JobState.INDEXED)
        assert limited.check().clean


def _docx_bomb() -> bytes:
    """A valid .docx under 1 MB whose document.xml unpacks to about 300 MB."""
    import docx

    small = io.BytesIO()
    docx.Document().save(small)
    buffer = io.BytesIO()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info))
        with archive.open("word/document.xml", "w") as handle:
            handle.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                         b'wordprocessingml/2006/main"><w:body>')
            paragraph = b"<w:p><w:r><w:t>Article 1. Bribery is an offence.</w:t></w:r></w:p>" * 10000
            for _ in range(400):
                handle.write(paragraph)
            handle.write(b"</w:body></w:document>")
    return buffer.getvalue()


def test_extraction_over_the_memory_limit_fails_only_its_job(settings):
    with library_with(settings, extraction_memory_mb=400) as limited:
        bomb = submit_upload(limited, "bomb.docx", _docx_bomb())
        quick = submit_upload(limited, "act.md", BRIBERY_ACT.encode())
        worker = Worker(limited)
        first, second = worker.run_once(), worker.run_once()
        assert (first.id, first.state) == (bomb.id, JobState.FAILED)
        assert first.reason == "extraction needed more than 400 MB (the memory limit)"
        assert (second.id, second.state) == (quick.id, JobState.INDEXED)


def test_the_upload_form_is_prefilled_from_what_extraction_finds(library):
    html = ("<html lang='de'><head><title>Gesetz über Beispiele</title></head><body><h1>Gesetz über Beispiele</h1>"
            "<h5>§ 1 Geldwäsche</h5><p>Wer einen Gegenstand verbirgt, der aus einer rechtswidrigen Tat herrührt, "
            "wird bestraft.</p><h5>§ 2 Bestechlichkeit</h5><p>Ein Amtsträger, der einen Vorteil fordert, wird "
            "bestraft.</p></body></html>")
    found = preview_metadata(library, "gesetz.html", html.encode())
    assert (found["title"], found["language"], found["media_type"]) == ("Gesetz über Beispiele", "de", "text/html")
    assert found["provisions"] >= 2
    assert count(library, Job) == 0
    with pytest.raises(UploadError, match="needs OCR"):
        preview_metadata(library, "scan.pdf", _image_only_pdf())


def test_a_batch_reports_progress_and_refused_files(library, editor):
    result = submit_batch(library, [
        ("one.md", BRIBERY_ACT.encode()), ("two.md", GELDWAESCHE.encode()), ("bad.pdf", PNG),
    ], {"country": "DEU"}, user=editor)
    assert len(result.jobs) == 2 and result.rejected == [("bad.pdf", "not a PDF: file starts with b'\\x89PNG\\r'")]
    assert batch_progress(library, result.batch) == {"queued": 2, "extracting": 0, "tagging": 0, "indexed": 0, "failed": 0}
    Worker(library).run(once=True)
    assert batch_progress(library, result.batch)["indexed"] == 2
    assert {job.batch for job in list_jobs(library, batch=result.batch)} == {result.batch}


def test_a_crashed_job_is_resumed_without_duplicating_anything(library):
    submit_upload(library, "act.md", BRIBERY_ACT.encode(), {"country": "USA"})
    done = Worker(library).run_once()
    provisions = count(library, Provision)
    # As if the worker had died after storing the version, while tagging.
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    with library.sessions() as session, session.begin():
        session.execute(update(Job).values(state=JobState.TAGGING, lease_owner="dead", lease_expires_at=past))
    resumed = Worker(library).run_once()
    assert (resumed.id, resumed.state, resumed.attempts) == (done.id, JobState.INDEXED, 2)
    assert resumed.reason == "unchanged: already stored as version 1"
    assert (count(library, Document), count(library, Version), count(library, Provision)) == (1, 1, provisions)
    assert library.check().clean
    # A job abandoned on its last attempt fails with the reason instead of looping.
    with library.sessions() as session, session.begin():
        session.execute(update(Job).values(state=JobState.EXTRACTING, lease_owner="dead", lease_expires_at=past, attempts=3))
    assert Worker(library).run_once() is None
    with library.sessions() as session:
        job = session.get(Job, done.id)
    assert job.state == JobState.FAILED and job.reason == "gave up after 3 attempts: the worker stopped during extracting"


def test_an_amendment_adds_a_version_and_the_old_one_stays_readable(library, editor):
    submit_upload(library, "act.md", BRIBERY_ACT.encode(), {"country": "USA", "title": "Anti-Bribery Act"})
    first = Worker(library).run_once()
    old_ids = [hit.provision_id for hit in library.search(SearchRequest(query="foreign public official")).hits]
    amended = BRIBERY_ACT.replace("in order to\nobtain business", "in order to obtain or retain business or an advantage")
    submit_upload(library, "act-2024.md", amended.encode(), {"document_id": first.document_id, "year": 2024}, user=editor)
    second = Worker(library).run_once()
    assert (second.state, second.document_id, second.version_seq) == (JobState.INDEXED, first.document_id, 2)
    with library.sessions() as session:
        document = session.get(Document, first.document_id)
        assert [v.seq for v in document.versions] == [1, 2]
        assert (document.title, document.country_code, document.year) == ("Anti-Bribery Act", "USA", 2024)
    hits = library.search(SearchRequest(query="retain business")).hits
    assert hits and {hit.version_id for hit in hits} == {document.versions[1].id}
    [old] = [c for c in library.citations(old_ids) if c.number == "2"]
    assert old.version_seq == 1 and "retain" not in old.text  # the cited version is still there
    assert library.check().clean
    [event] = audit_log(library, action="amend").events
    assert (event.user_name, event.target_id, event.details["version"]) == ("editor1", str(first.document_id), 2)


def test_edits_repeal_and_deletion_are_audited_and_reach_the_index(library, editor):
    submit_upload(library, "gesetz.md", GELDWAESCHE.encode(), {"country": "DEU"})
    document_id = Worker(library).run_once().document_id
    changes = edit_document(library, document_id, {"title": "Beispielgesetz", "country_code": "AUT", "year": "2020"}, editor)
    assert changes["title"][1] == "Beispielgesetz" and changes["country_code"] == ["DEU", "AUT"]
    assert edit_document(library, document_id, {"title": "Beispielgesetz"}, editor) == {}  # nothing changed, no event
    hits = library.search(SearchRequest(query="Geldwäsche", filters={"country": ["AUT"]})).hits
    assert hits and hits[0].title == "Beispielgesetz"
    with pytest.raises(EditError, match="unknown country"):
        edit_document(library, document_id, {"country_code": "XXX"}, editor)
    with pytest.raises(EditError, match="cannot change source"):
        edit_document(library, document_id, {"source": "../x"}, editor)
    repeal_document(library, document_id, editor)
    with library.sessions() as session:
        assert session.get(Document, document_id).status == DocumentStatus.REPEALED
    delete_document(library, document_id, editor)
    assert count(library, Document) == 0 and library.index.count() == 0 and library.check().clean
    with library.sessions() as session:
        assert session.scalar(select(Job.document_id)) is None  # the job stays, pointing nowhere
    events = audit_log(library, user="editor1").events
    assert [e.action for e in events] == ["delete", "repeal", "edit-metadata"]
    assert events[1].details == {"changes": {"status": ["in force", "repealed"]}}
    assert events[0].details["source"].startswith("uploads/") and events[0].details["versions"][0]["seq"] == 1


def test_the_audit_log_filters_and_exports(library, editor):
    submit_upload(library, "act.md", BRIBERY_ACT.encode(), {"country": "USA"}, user=editor)
    document_id = Worker(library).run_once().document_id
    edit_document(library, document_id, {"title": "=HYPERLINK(\"http://evil\")"}, editor)
    everything = list(iter_audit_events(library, batch=1))
    assert [e.action for e in everything] == ["user-add", "upload", "edit-metadata"]
    assert audit_log(library, action="upload").total == 1
    assert audit_log(library, user="editor1").total == 2 and audit_log(library, user="nobody").total == 0
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    assert audit_log(library, since=later).total == 0 and audit_log(library, until=later).total == 3
    lines = [json.loads(line) for line in export_jsonl(everything)]
    assert [line["action"] for line in lines] == ["user-add", "upload", "edit-metadata"]
    assert lines[1]["user"] == "editor1" and lines[1]["details"]["filename"] == "act.md"
    rows = list(csv.DictReader(io.StringIO("".join(export_csv(everything)))))
    assert [row["action"] for row in rows] == ["user-add", "upload", "edit-metadata"]
    assert json.loads(rows[2]["details"])["changes"]["title"][1].startswith("=HYPERLINK")
