"""The upload worker: takes queued jobs and brings each to ``indexed`` or ``failed``.

A job moves queued -> extracting -> tagging -> indexed, or to failed with a one-line
reason. A worker claims a job with a lease (an atomic UPDATE guarded by the job's
state, on PostgreSQL after ``SELECT ... FOR UPDATE SKIP LOCKED``), renews it while it
works, and gives it up when done. If the worker dies, the lease expires and another
worker takes the job again, at most ``job_max_attempts`` times. Every step is
idempotent: bytes already stored for the document are not stored again, re-tagging
replaces only machine suggestions and indexing replaces a document's entries, so a
job resumed after a crash never duplicates provisions.

Extraction runs in a separate process with a time and a memory limit
(:func:`repository.ingest.pipeline.prepare_isolated`); all writes happen here.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Callable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from repository import audit
from repository.db import transaction
from repository.ingest.metadata import DocumentMetadata, ManifestError, metadata_from_mapping
from repository.ingest.pipeline import Prepared, prepare_isolated
from repository.models import Document, Job, JobState, User

if TYPE_CHECKING:
    from repository.library import Library

ACTIVE_STATES = (JobState.EXTRACTING, JobState.TAGGING)


class JobFailed(Exception):
    """The job cannot succeed (a broken file, a document gone); the message is its reason."""


class LeaseLost(Exception):
    """Another worker took the job (our lease expired); stop working on it."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def upload_source(job: Job) -> str:
    """The source path of a new document made from an upload: unique per content, readable."""
    return f"uploads/{job.sha256[:16]}/{job.stored_name}"


class Worker:
    """Processes upload jobs for one Library; several workers (processes) may run at once."""

    def __init__(self, library: "Library", owner: str | None = None):
        self.library = library
        self.settings = library.settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # -- claiming -----------------------------------------------------------------------

    def _lease_until(self) -> dt.datetime:
        return _now() + dt.timedelta(seconds=self.settings.job_lease_seconds)

    def _claimable(self, now: dt.datetime):
        expired = and_(Job.state.in_(ACTIVE_STATES), Job.lease_expires_at < now)
        return or_(Job.state == JobState.QUEUED, expired)

    def give_up_expired(self) -> int:
        """Fail the jobs whose worker died ``job_max_attempts`` times; return how many."""
        now = _now()
        with transaction(self.library.sessions) as session:
            jobs = session.scalars(select(Job).where(
                Job.state.in_(ACTIVE_STATES), Job.lease_expires_at < now,
                Job.attempts >= self.settings.job_max_attempts,
            )).all()
            for job in jobs:
                job.reason = f"gave up after {job.attempts} attempts: the worker stopped during {job.state.value}"
                job.state = JobState.FAILED
                job.finished_at = now
                job.lease_owner = job.lease_expires_at = None
        return len(jobs)

    def claim(self) -> Job | None:
        """Take the oldest claimable job (queued, or abandoned by a dead worker), or None."""
        self.give_up_expired()
        postgres = self.library.engine.dialect.name == "postgresql"
        for _ in range(10):  # lost races: try the next candidate
            now = _now()
            try:
                with transaction(self.library.sessions) as session:
                    query = select(Job.id).where(self._claimable(now)).order_by(Job.id).limit(1)
                    if postgres:
                        query = query.with_for_update(skip_locked=True)
                    job_id = session.scalar(query)
                    if job_id is None:
                        return None
                    # The WHERE repeats the condition: on SQLite (no row locks) only one
                    # worker's UPDATE matches; the others see rowcount 0 and try again.
                    claimed = session.execute(
                        update(Job).where(Job.id == job_id, self._claimable(now)).values(
                            state=JobState.EXTRACTING, lease_owner=self.owner, lease_expires_at=self._lease_until(),
                            attempts=Job.attempts + 1, started_at=now, updated_at=now,
                        )
                    ).rowcount
            except OperationalError:
                time.sleep(0.2)  # SQLite busy: another worker is writing
                continue
            if claimed == 1:
                with self.library.sessions() as session:
                    return session.get(Job, job_id)
        return None

    def _set(self, job_id: int, **values) -> None:
        """Update our job, or raise LeaseLost if another worker has taken it."""
        values.setdefault("updated_at", _now())
        with transaction(self.library.sessions) as session:
            done = session.execute(
                update(Job).where(Job.id == job_id, Job.lease_owner == self.owner).values(**values)
            ).rowcount
        if done != 1:
            raise LeaseLost(f"job {job_id} was taken by another worker")

    def heartbeat(self, job_id: int) -> None:
        self._set(job_id, lease_expires_at=self._lease_until())

    # -- running ------------------------------------------------------------------------

    def run_once(self) -> Job | None:
        """Claim and process one job; return it in its final state, or None if none was waiting."""
        job = self.claim()
        if job is None:
            return None
        self.process(job)
        with self.library.sessions() as session:
            return session.get(Job, job.id)

    def run(self, poll: float = 2.0, once: bool = False, stop: threading.Event | None = None,
            on_job: Callable[[Job], None] | None = None) -> int:
        """Process jobs until none is waiting (``once``) or ``stop`` is set; return how many."""
        processed = 0
        stop = stop or threading.Event()
        while not stop.is_set():
            job = self.run_once()
            if job is not None:
                processed += 1
                if on_job:
                    on_job(job)
                continue
            if once:
                break
            stop.wait(poll)
        return processed

    def process(self, job: Job) -> None:
        try:
            self._process(job)
        except LeaseLost:
            return
        except JobFailed as failure:
            self._finish(job.id, JobState.FAILED, str(failure))
        except Exception as error:  # a bug or a database error: retry while attempts remain
            reason = f"{type(error).__name__}: {error}".splitlines()[0][:500]
            if job.attempts < self.settings.job_max_attempts:
                try:
                    self._set(job.id, state=JobState.QUEUED, reason=f"attempt {job.attempts} failed: {reason}",
                              lease_owner=None, lease_expires_at=None)
                except LeaseLost:
                    pass
            else:
                self._finish(job.id, JobState.FAILED, f"gave up after {job.attempts} attempts: {reason}")

    def _finish(self, job_id: int, state: JobState, reason: str = "") -> None:
        try:
            self._set(job_id, state=state, reason=reason[:2000], finished_at=_now(),
                      lease_owner=None, lease_expires_at=None)
        except LeaseLost:
            pass

    def _process(self, job: Job) -> None:
        source, given, amending = self._target(job)
        data = self.library.blobs.get(job.sha256)
        prepared = prepare_isolated(
            source, job.stored_name, data, given.language, job.media_type,
            time_limit=self.settings.extraction_time_limit, memory_mb=self.settings.extraction_memory_mb,
            heartbeat=lambda: self.heartbeat(job.id), heartbeat_every=max(1.0, self.settings.job_lease_seconds / 3),
        )
        if not isinstance(prepared, Prepared):
            raise JobFailed(prepared[1])
        self.heartbeat(job.id)
        outcome = self._store(prepared, given)
        if outcome.status == "skipped":
            raise JobFailed(outcome.reason)
        self._set(job.id, state=JobState.TAGGING, document_id=outcome.document_id, version_seq=outcome.version_seq,
                  lease_expires_at=self._lease_until())
        if amending and outcome.status == "new version":
            with transaction(self.library.sessions) as session:
                user = session.get(User, job.submitted_by_id) if job.submitted_by_id else None
                audit.record(session, user, "amend", "document", outcome.document_id,
                             {"job": job.id, "version": outcome.version_seq, "sha256": job.sha256})
        self.library.tag_documents([outcome.document_id])
        self.heartbeat(job.id)
        self.library.refresh_indexes([outcome.document_id])
        reason = "" if outcome.status != "unchanged" else f"unchanged: already stored as version {outcome.version_seq}"
        self._set(job.id, state=JobState.INDEXED, reason=reason, finished_at=_now(),
                  lease_owner=None, lease_expires_at=None)

    def _store(self, prepared: Prepared, given: DocumentMetadata):
        # Two workers storing the same new document (or two versions of one) at once: one
        # wins the unique constraint; the other tries again and finds the stored version.
        for attempt in range(3):
            try:
                return self.library.store_prepared(prepared, given)
            except IntegrityError:
                if attempt == 2:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def _target(self, job: Job) -> tuple[str, DocumentMetadata, bool]:
        """(source, metadata, amending): a new document, or a new version of ``document_id``."""
        submitted = dict(job.submitted_metadata or {})
        document_id = submitted.pop("document_id", None)
        try:
            if document_id is None:
                return upload_source(job), metadata_from_mapping(submitted, "metadata"), False
            with self.library.sessions() as session:
                document = session.get(Document, int(document_id))
                if document is None:
                    raise JobFailed(f"document {document_id} to amend no longer exists")
                current = {
                    "title": document.title, "short_title": document.short_title,
                    "country": document.country_code, "type": document.doc_type.value,
                    "language": document.language, "year": document.year, "date_adopted": document.date_adopted,
                    "status": document.status.value, "official_url": document.official_url,
                    "provenance": document.provenance,
                }
                source = document.source
            current.update(submitted)
            return source, metadata_from_mapping({k: v for k, v in current.items() if v is not None}), True
        except ManifestError as error:
            raise JobFailed(f"metadata: {error}") from None
