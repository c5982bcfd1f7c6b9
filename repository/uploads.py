"""Uploads: validate a file, keep its bytes and record its job before any processing.

:func:`submit_upload` decides the file's type from its content and its extension
together, stores the bytes in the content-addressed blob store (outside the web root,
under their sha256) and records a ``queued`` :class:`~repository.models.Job` with an
``upload`` audit event in one transaction. The original file name is kept only as
metadata; the name the rest of lexrepo sees is generated. A worker
(:mod:`repository.jobs`) does the rest.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import func, select, update

from repository import audit
from repository.db import transaction
from repository.library import LibraryError
from repository.ingest.document import ExtractionError
from repository.ingest.extract import DOCX, HTML, MARKDOWN, PDF, TEXT, XML, detect_media_type
from repository.ingest.metadata import ManifestError, metadata_from_mapping
from repository.models import Country, Document, Job, JobState, User

if TYPE_CHECKING:
    from repository.library import Library

# The formats staff may upload, by extension (JSON is for bulk ingestion only).
UPLOAD_TYPES = {
    ".pdf": PDF, ".html": HTML, ".htm": HTML, ".xml": XML, ".docx": DOCX,
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".txt": TEXT,
}
# Metadata fields an upload may carry; ``document_id`` names the document a new version amends.
METADATA_FIELDS = ("country", "title", "short_title", "type", "language", "year", "date_adopted", "status",
                   "official_url", "document_id")


class UploadError(LibraryError):
    """The upload is refused; the message says why in one line."""


@dataclass
class BatchResult:
    batch: str
    jobs: list[Job] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (original name, reason)


def clean_original_name(filename: str) -> str:
    """The name as the client sent it, for display only: no control characters, at most 255."""
    cleaned = "".join(c for c in unicodedata.normalize("NFC", filename or "") if unicodedata.category(c)[0] != "C")
    return cleaned.strip()[:255] or "upload"


def safe_name(filename: str) -> str:
    """A generated-safe name: the last path component (either separator), letters, digits,
    '.', '-' and '_' only, no leading dot. Never used as a path by itself."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:80] or "upload"
    return f"{stem}.{ext.lower()[:10]}" if ext else stem


def decide_media_type(filename: str, data: bytes) -> str:
    """The upload's media type, when its content agrees with its extension; else UploadError."""
    ext = PurePosixPath(safe_name(filename)).suffix.lower()
    claimed = UPLOAD_TYPES.get(ext)
    if claimed is None:
        allowed = ", ".join(sorted(UPLOAD_TYPES))
        raise UploadError(f"unsupported file type {ext or '(no extension)'}; upload one of {allowed}")
    if claimed in (TEXT, MARKDOWN) and b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError("not a text file: it contains NUL bytes")
    try:
        found = detect_media_type(f"upload{ext}", data)
    except ExtractionError as error:
        raise UploadError(str(error)) from None
    if claimed in (TEXT, MARKDOWN):
        if found in (PDF, DOCX):
            raise UploadError(f"the content is {_kind(found)} but the name ends {ext}")
        return claimed  # text that happens to hold markup is still read as text
    if found != claimed:
        raise UploadError(f"the content is {_kind(found)} but the name ends {ext}")
    if claimed == XML:
        _require_well_formed_xml(data)
    return claimed


def _kind(media_type: str) -> str:
    return {PDF: "a PDF", HTML: "HTML", XML: "XML", DOCX: "a Word document", MARKDOWN: "Markdown",
            TEXT: "plain text"}.get(media_type, media_type)


def _require_well_formed_xml(data: bytes) -> None:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        ElementTree.fromstring(data)
    except DefusedXmlException:
        raise UploadError("XML with entity declarations is refused") from None
    except ElementTree.ParseError as error:
        raise UploadError(f"XML is not well-formed: {error}") from None


def clean_metadata(library: "Library", metadata: dict | None) -> dict:
    """Validate submitted metadata into a JSON-safe dict (empty values dropped)."""
    given = {k: v for k, v in (metadata or {}).items() if v not in (None, "")}
    unknown = set(given) - set(METADATA_FIELDS)
    if unknown:
        raise UploadError(f"unknown metadata field(s): {', '.join(sorted(unknown))}")
    document_id = given.pop("document_id", None)
    try:
        meta = metadata_from_mapping(given, "metadata")
    except (ManifestError, ValueError) as error:
        raise UploadError(str(error)) from None
    url = meta.official_url
    if url and not re.match(r"https?://", url, re.I):
        raise UploadError("official_url must start with http:// or https://")
    cleaned: dict = {k: v for k, v in given.items()}
    if "country" in cleaned:
        cleaned["country"] = meta.country
    if "language" in cleaned:
        cleaned["language"] = meta.language
    if "type" in cleaned:
        cleaned["type"] = meta.doc_type.value
    if "status" in cleaned:
        cleaned["status"] = meta.status.value
    if "year" in cleaned or meta.year is not None:
        if meta.year is not None:
            cleaned["year"] = meta.year
    if meta.date_adopted is not None:
        cleaned["date_adopted"] = meta.date_adopted.isoformat()
    with library.sessions() as session:
        if meta.country and session.get(Country, meta.country) is None:
            raise UploadError(f"unknown country {meta.country!r} (ISO 3166 alpha-3)")
        if document_id is not None:
            try:
                document_id = int(document_id)
            except (TypeError, ValueError):
                raise UploadError(f"document_id must be a number; got {document_id!r}") from None
            if session.get(Document, document_id) is None:
                raise UploadError(f"no document with id {document_id} to amend")
            cleaned["document_id"] = document_id
    return cleaned


def preview_metadata(library: "Library", filename: str, data: bytes) -> dict:
    """What extraction finds in a file, to prefill the upload form: title, short title,
    language, date adopted, year, official URL, and the number of provisions found.

    Runs the extraction in the same limited process as a job; nothing is stored.
    """
    from repository.ingest.metadata import complete_metadata
    from repository.ingest.pipeline import prepare_isolated

    if len(data) > library.settings.max_file_bytes:
        raise UploadError(f"too large: {len(data)} bytes (limit {library.settings.max_file_bytes})")
    media_type = decide_media_type(filename, data)
    name = safe_name(filename)
    prepared = prepare_isolated(
        name, name, data, "", media_type,
        time_limit=library.settings.extraction_time_limit, memory_mb=library.settings.extraction_memory_mb,
    )
    if isinstance(prepared, tuple):
        raise UploadError(prepared[1])
    found = {**prepared.extracted.metadata, "language": prepared.language}
    meta = complete_metadata(None, found, name, prepared.extracted.text)
    return {
        "title": meta.title, "short_title": meta.short_title, "language": meta.language,
        "date_adopted": meta.date_adopted.isoformat() if meta.date_adopted else None, "year": meta.year,
        "official_url": meta.official_url, "media_type": media_type, "provisions": len(prepared.drafts),
    }


def submit_upload(
    library: "Library", filename: str, data: bytes, metadata: dict | None = None, user: User | None = None,
    batch: str | None = None,
) -> Job:
    """Validate, store the bytes, and record a queued job (with its audit event) in one transaction."""
    limit = library.settings.max_file_bytes
    if len(data) > limit:
        raise UploadError(f"too large: {len(data)} bytes (limit {limit})")
    if not data.strip():
        raise UploadError("the file is empty")
    media_type = decide_media_type(filename, data)
    cleaned = clean_metadata(library, metadata)
    original = clean_original_name(filename)
    stored_name = safe_name(filename)
    digest = library.blobs.put(data)  # durable before the job that refers to it exists
    with transaction(library.sessions) as session:
        job = Job(
            state=JobState.QUEUED, sha256=digest, original_filename=original, stored_name=stored_name,
            size=len(data), media_type=media_type, submitted_metadata=cleaned, batch=batch,
            submitted_by_id=user.id if user is not None else None, attempts=0, reason="",
        )
        session.add(job)
        session.flush()
        audit.record(session, user, "upload", "job", job.id, {
            "filename": original, "sha256": digest, "size": len(data), "media_type": media_type,
            "metadata": cleaned, "batch": batch,
        })
    return job


def submit_batch(
    library: "Library", files: Iterable[tuple[str, bytes]], metadata: dict | None = None, user: User | None = None,
) -> BatchResult:
    """Submit many files with the same metadata under one batch id; a refused file does not stop the others."""
    result = BatchResult(batch=uuid.uuid4().hex)
    for filename, data in files:
        try:
            result.jobs.append(submit_upload(library, filename, data, metadata, user, batch=result.batch))
        except UploadError as error:
            result.rejected.append((clean_original_name(filename), str(error)))
    return result


def batch_progress(library: "Library", batch: str) -> dict[str, int]:
    """How many jobs of the batch are in each state (every state present, zeros included)."""
    with library.sessions() as session:
        counts = dict(session.execute(
            select(Job.state, func.count(Job.id)).where(Job.batch == batch).group_by(Job.state)
        ).all())
    return {state.value: counts.get(state, 0) for state in JobState}


def list_jobs(library: "Library", state: JobState | str | None = None, batch: str | None = None,
              limit: int = 100, offset: int = 0) -> list[Job]:
    """Jobs, newest first."""
    query = select(Job).order_by(Job.id.desc()).limit(limit).offset(offset)
    if state is not None:
        query = query.where(Job.state == JobState(str(state)))
    if batch is not None:
        query = query.where(Job.batch == batch)
    with library.sessions() as session:
        return list(session.scalars(query))


def get_job(library: "Library", job_id: int) -> Job | None:
    with library.sessions() as session:
        return session.get(Job, job_id)


def retry_job(library: "Library", job_id: int, user: User | None = None) -> Job:
    """Queue a failed job again with a fresh set of attempts (audited as ``job-retry``)."""
    with transaction(library.sessions) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise UploadError(f"no job with id {job_id}")
        if job.state != JobState.FAILED:
            raise UploadError(f"job {job_id} is {job.state.value}; only failed jobs can be retried")
        previous = job.reason
        session.execute(update(Job).where(Job.id == job_id).values(
            state=JobState.QUEUED, reason="", attempts=0, lease_owner=None, lease_expires_at=None,
            finished_at=None, updated_at=dt.datetime.now(dt.timezone.utc),
        ))
        audit.record(session, user, "job-retry", "job", job_id, {"previous_reason": previous})
    return get_job(library, job_id)


def job_counts(library: "Library") -> Counter:
    with library.sessions() as session:
        return Counter({state.value: n for state, n in session.execute(
            select(Job.state, func.count(Job.id)).group_by(Job.state))})
