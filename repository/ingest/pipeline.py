"""ingest_folder(): find files, extract and segment them (in worker processes), store, index.

Extraction and segmentation are pure functions of the bytes, so they run in a pool of
worker processes; everything that writes (database, blob store, index) stays in the
calling process, which is the single writer.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from repository.ingest.document import ExtractedDocument, ExtractionError, NeedsOCR, ProvisionDraft
from repository.ingest.metadata import guess_language

# Files that describe a folder rather than hold a law.
IGNORED_NAMES = {"SOURCES.md", "README.md", "manifest.toml", ".DS_Store"}
IGNORED_SUFFIXES = {".toml", ".py", ".sh"}


@dataclass
class Prepared:
    """A file read, extracted and segmented, ready to be stored."""

    source: str
    filename: str
    data: bytes
    extracted: ExtractedDocument
    drafts: list[ProvisionDraft]
    language: str


@dataclass
class FileOutcome:
    source: str
    status: str  # "ingested", "new version", "unchanged", "skipped"
    reason: str = ""
    document_id: int | None = None
    version_seq: int | None = None
    provisions: int = 0
    pages: int = 0


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    indexed: int = 0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def skipped(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "skipped"]

    def summary(self) -> str:
        parts = [
            f"{self.count('ingested')} ingested",
            f"{self.count('new version')} new versions",
            f"{self.count('unchanged')} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        provisions = sum(o.provisions for o in self.outcomes)
        return f"{', '.join(parts)}; {provisions} provisions stored, {self.indexed} indexed in {self.seconds:.1f} s"


def find_files(root: Path) -> list[tuple[Path, str]]:
    """Files under ``root`` (or ``root`` itself) with their source path relative to the folder given."""
    if root.is_file():
        return [(root, root.name)]
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.name in IGNORED_NAMES or path.suffix.lower() in IGNORED_SUFFIXES:
            continue
        found.append((path, str(PurePosixPath(*relative.parts))))
    return found


def extract_and_segment(
    data: bytes, filename: str, language: str, media_type: str | None = None,
) -> tuple[ExtractedDocument, list[ProvisionDraft], str]:
    """The pure part of ingestion: bytes -> extracted document -> provision drafts."""
    from repository.ingest.extract import extract
    from repository.ingest.segment import segment

    extracted = extract(data, filename, media_type)
    if not extracted.text.strip():
        raise ExtractionError("no text found in the file")
    language = language or (extracted.metadata.get("language") or "")[:2].lower() or guess_language(extracted.text)
    return extracted, segment(extracted, language), language


def _prepare_in_worker(source: str, filename: str, data: bytes, language: str, media_type: str | None = None):
    try:
        extracted, drafts, language = extract_and_segment(data, filename, language, media_type)
    except NeedsOCR as error:
        return ("skipped", str(error))
    except ExtractionError as error:
        return ("skipped", str(error) or "cannot be read")
    except MemoryError:
        return ("skipped", "ran out of memory while reading the file")
    except Exception as error:  # a broken file must not take the batch down with it
        return ("skipped", f"cannot be read: {type(error).__name__}: {error}".splitlines()[0])
    return Prepared(source, filename, data, extracted, drafts, language)


def prepare_all(
    jobs: Iterable[tuple[str, str, bytes, str]], workers: int,
) -> Iterable[tuple[str, Prepared | tuple[str, str]]]:
    """Run extraction for each (source, filename, data, language) job, yielding results in order."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for source, filename, data, language in jobs:
            yield source, _prepare_in_worker(source, filename, data, language)
        return
    # Biggest first so that one large file does not finish last on an idle pool.
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: dict[str, Future] = {}
        for job in sorted(jobs, key=lambda job: -len(job[2])):
            futures[job[0]] = pool.submit(_prepare_in_worker, *job)
        for source, _filename, _data, _language in jobs:
            yield source, futures[source].result()


def prepare_isolated(
    source: str, filename: str, data: bytes, language: str, media_type: str | None = None, *,
    time_limit: float, memory_mb: int, heartbeat: Callable[[], None] | None = None, heartbeat_every: float = 5.0,
) -> Prepared | tuple[str, str]:
    """Extract one file in a process of its own, with a time limit and a memory limit.

    The same work as :func:`prepare_all`'s workers, but a hostile or broken file (one
    that loops, explodes in memory or crashes the interpreter) only fails itself: the
    result is ``("skipped", reason)``. ``heartbeat`` is called while waiting (a job
    worker renews its lease there).
    """
    context = _isolation_context()
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(
        target=_prepare_limited, daemon=True,
        args=(sending, source, filename, data, language, media_type, time_limit, memory_mb),
    )
    process.start()
    sending.close()
    deadline = time.monotonic() + time_limit
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ("skipped", f"extraction took longer than {time_limit:g} s (the time limit)")
            if receiving.poll(min(remaining, heartbeat_every)):
                try:
                    return receiving.recv()
                except EOFError:
                    process.join(5)
                    return ("skipped", _death_reason(process.exitcode, memory_mb))
            if heartbeat is not None:
                heartbeat()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiving.close()


def _isolation_context():
    # A fork server forks each extraction from a small clean process: cheaper than spawn,
    # and unlike fork it never copies a caller's threads, locks or database connections.
    global _ISOLATION_CONTEXT
    if _ISOLATION_CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([
            "repository.ingest.pipeline", "repository.ingest.extract", "repository.ingest.segment",
            "repository.ingest.extract_pdf", "repository.ingest.extract_docx", "repository.ingest.extract_html",
            "repository.ingest.extract_xml", "repository.ingest.extract_text",
        ])
        _ISOLATION_CONTEXT = context
    return _ISOLATION_CONTEXT


_ISOLATION_CONTEXT = None


def _prepare_limited(connection, source, filename, data, language, media_type, time_limit, memory_mb) -> None:
    """In the child: cap memory (address space) and CPU time, extract, send the result back."""
    import resource

    memory = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(time_limit) + 5  # a backstop should the parent die while this runs
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    over = ("skipped", f"extraction needed more than {memory_mb} MB (the memory limit)")
    try:
        result = _prepare_in_worker(source, filename, data, language, media_type)
        # Extractors wrap errors in a one-line reason; a MemoryError inside one is the limit.
        connection.send(over if isinstance(result, tuple) and "MemoryError" in result[1] else result)
    except MemoryError:
        connection.send(over)
    finally:
        connection.close()


def _death_reason(exitcode: int | None, memory_mb: int) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else str(-exitcode)
        if -exitcode == signal.SIGXCPU:
            return "extraction used too much CPU time (the time limit)"
        return f"extraction process died ({name}); the file may be broken or exceed the {memory_mb} MB memory limit"
    return f"extraction process stopped without an answer (exit status {exitcode})"


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

