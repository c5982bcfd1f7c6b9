"""Upload jobs survive a killed worker and concurrent staff, on SQLite and PostgreSQL.

Workers run as real `lexrepo worker` processes; the crash test SIGKILLs one in the middle
of a batch of real files and shows that a second worker brings every job to indexed or
failed-with-reason without duplicating anything, and that the index equals the database.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer import SearchRequest
from repository.accounts import create_user
from repository.indexing import current_version_ids
from repository.models import ArticleTag, Document, Job, JobState, Provision, TagStatus, Version
from repository.review import add_tag, confirm_tags, reject_tags, review_queue
from repository.uploads import submit_batch, submit_upload
from tests.conftest import PROJECT_ROOT
from tests.test_library import BRIBERY_ACT, GELDWAESCHE, write

FINISHED = (JobState.INDEXED, JobState.FAILED)

# Real files of every upload format, small enough for a test but several seconds in all.
CRASH_BATCH = [
    ("laws/usa/18usc_201_bribery_of_public_officials.md", "USA"),
    ("laws/brb/prevention_of_corruption_bill_2021.pdf", "BRB"),
    ("laws/can/C-45.2_corruption_of_foreign_public_officials_act_en.xml", "CAN"),
    ("laws/bra/lei_12846_2013_anticorrupcao_anotada.docx", "BRA"),
    ("laws/brb/whistleblower_protection_act_2021_history.html", "BRB"),
    ("laws/arg/ley_27401_responsabilidad_penal_personas_juridicas.md", "ARG"),
    ("laws/brb/whistleblower_protection_act_2021.pdf", "BRB"),
    ("laws/sau/anti_bribery_law_1412h_nizam_mukafahat_alrashwa.md", "SAU"),
]


def write_config(tmp_path: Path, library, lease: int) -> Path:
    settings = library.settings
    config = tmp_path / f"worker-{lease}.toml"
    config.write_text(
        f'DATA_DIR = "{settings.data_dir}"\n'
        f'DATABASE_URL = "{settings.resolved_database_url}"\n'
        f'INDEX_DIR = "{settings.resolved_index_dir}"\n'
        f'BLOB_DIR = "{settings.resolved_blob_dir}"\n'
        f"JOB_LEASE_SECONDS = {lease}\n"
        "EXTRACTION_TIME_LIMIT = 120\n"
    )
    return config


def start_worker(config: Path, log: Path) -> subprocess.Popen:
    """`lexrepo worker` as its own process, running this worktree's code."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("LEXREPO_DATA_DIR", None)
    env.pop("LEXREPO_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--config", str(config), "worker", "--poll", "0.2"],
        cwd=PROJECT_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def job_states(library) -> dict[int, Job]:
    with library.sessions() as session:
        return {job.id: job for job in session.scalars(select(Job))}


def wait_until(predicate, timeout: float, what: str, logs: list[Path] = ()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    output = "\n".join(log.read_text() for log in logs if log.exists())
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{output}")


def count(library, model) -> int:
    with library.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.corpus
def test_killing_the_worker_mid_batch_loses_nothing(library, tmp_path, corpus_real):
    files = [(Path(path).name, (corpus_real / path).read_bytes()) for path, _ in CRASH_BATCH]
    result = submit_batch(library, files)
    assert not result.rejected and len(result.jobs) == len(CRASH_BATCH)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    first = start_worker(write_config(tmp_path, library, lease=3), logs[0])
    try:
        def mid_batch():
            jobs = job_states(library).values()
            busy = [job for job in jobs if job.state in (JobState.EXTRACTING, JobState.TAGGING)]
            finished = [job for job in jobs if job.state in FINISHED]
            return busy[0] if busy and finished else None

        victim = wait_until(mid_batch, 180, "a job in progress after at least one finished", logs)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    abandoned = job_states(library)[victim.id]
    assert abandoned.state in (JobState.EXTRACTING, JobState.TAGGING) and abandoned.lease_owner
    assert any(job.state not in FINISHED for job in job_states(library).values())

    second = start_worker(write_config(tmp_path, library, lease=3), logs[1])
    try:
        wait_until(lambda: all(job.state in FINISHED for job in job_states(library).values()), 300,
                   "every job to finish", logs)
    finally:
        stop_worker(second)

    jobs = job_states(library)
    assert all(job.state == JobState.INDEXED or job.reason for job in jobs.values())
    assert jobs[victim.id].attempts == 2  # taken again after the lease expired
    indexed = [job for job in jobs.values() if job.state == JobState.INDEXED]
    assert len(indexed) >= len(CRASH_BATCH) - 1  # the bill's history page may hold no provisions
    # Nothing duplicated: one document with exactly one version per indexed job.
    assert len({job.document_id for job in indexed}) == len(indexed) == count(library, Document)
    assert count(library, Version) == count(library, Document)
    with library.sessions() as session:
        for job in indexed:
            document = session.get(Document, job.document_id)
            assert [v.seq for v in document.versions] == [1] and document.versions[0].sha256 == job.sha256
    drift = library.check()
    assert drift.clean, drift
    stats = library.stats()
    assert stats.indexed == len(library.index.provision_ids()) > 0


def test_concurrent_uploads_and_tag_decisions_keep_database_and_index_equal(library, tmp_path):
    write(tmp_path / "laws", "usa/act.md", BRIBERY_ACT)
    write(tmp_path / "laws", "deu/gesetz.md", GELDWAESCHE)
    library.ingest(tmp_path / "laws", workers=1)
    editor = create_user(library, "reviewer", "correct horse battery", "editor")
    uploads = [
        (f"law-{n}.md", (f"# Law {n}\n\n### Section 1. Bribery {n}\n\nA public official who solicits a bribe "
                         f"number {n} commits an offence.\n\n### Section 2. Laundering {n}\n\nWhoever conceals "
                         f"the proceeds of crime {n} commits an offence.\n").encode())
        for n in range(8)
    ]
    same = ("twice.md", BRIBERY_ACT.replace("Anti-Bribery Act", "Twice Submitted Act").encode())
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    config = write_config(tmp_path, library, lease=5)
    workers = [start_worker(config, log) for log in logs]
    errors: list[BaseException] = []

    def guarded(work):
        def run():
            try:
                work()
            except BaseException as error:  # surfaced in the main thread below
                errors.append(error)
        return run

    def uploader(part):
        def work():
            for filename, data in part:
                submit_upload(library, filename, data, {"country": "GBR"}, user=editor)
        return work

    def reviewer(decide):
        def work():
            for item in review_queue(library).items[::2] if decide == "confirm" else review_queue(library).items[1::2]:
                (confirm_tags if decide == "confirm" else reject_tags)(library, [item.tag_id], editor)
        return work

    def adder():
        with library.sessions() as session:
            provision_ids = session.scalars(select(Provision.id).where(Provision.text != "")).all()
        for provision_id in provision_ids:
            add_tag(library, provision_id, 36, "", editor)

    threads = [threading.Thread(target=guarded(uploader(uploads[i::3] + [same]))) for i in range(3)]
    threads += [threading.Thread(target=guarded(reviewer(d))) for d in ("confirm", "reject")]
    threads.append(threading.Thread(target=guarded(adder)))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not errors, errors
        wait_until(lambda: all(job.state in FINISHED for job in job_states(library).values()), 300,
                   "every job to finish", logs)
    finally:
        for process in workers:
            stop_worker(process)

    jobs = list(job_states(library).values())
    assert len(jobs) == len(uploads) + 3
    assert Counter(job.state for job in jobs) == {JobState.INDEXED: len(jobs)}, [(j.id, j.reason) for j in jobs]
    # The same bytes submitted three times at once: one document, one version.
    twice = [job for job in jobs if job.original_filename == "twice.md"]
    assert len({job.document_id for job in twice}) == 1
    assert count(library, Document) == 2 + len(uploads) + 1 == count(library, Version)
    drift = library.check()
    assert drift.clean, drift
    with library.sessions() as session:
        expected = session.scalar(
            select(func.count(Provision.id)).where(Provision.version_id.in_(current_version_ids()), Provision.text != ""))
        assert library.index.count() == expected
        # Every article's provisions in the index are exactly those the database tags with it.
        tagged: dict[int, set[int]] = {}
        for provision_id, article in session.execute(
            select(ArticleTag.provision_id, ArticleTag.article).where(ArticleTag.status != TagStatus.REJECTED)
        ):
            tagged.setdefault(article, set()).add(provision_id)
    for article, provision_ids in tagged.items():
        hits = library.search(SearchRequest(query="", filters={"article": [str(article)]}, limit=200))
        assert {hit.provision_id for hit in hits.hits} == provision_ids, article
    assert len(tagged[36]) >= 5  # the staff tag added while uploads were being indexed
