"""ingest_folder(): find files, extract and segment them (in worker processes), store, index.

Extraction and segmentation are pure functions of the bytes, so they run in a pool of
worker processes; everything that writes (database, blob store, index) stays in the
calling process, which is the single writer.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

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


def extract_and_segment(data: bytes, filename: str, language: str) -> tuple[ExtractedDocument, list[ProvisionDraft], str]:
    """The pure part of ingestion: bytes -> extracted document -> provision drafts."""
    from repository.ingest.extract import extract
    from repository.ingest.segment import segment

    extracted = extract(data, filename)
    if not extracted.text.strip():
        raise ExtractionError("no text found in the file")
    language = language or (extracted.metadata.get("language") or "")[:2].lower() or guess_language(extracted.text)
    return extracted, segment(extracted, language), language


def _prepare_in_worker(source: str, filename: str, data: bytes, language: str):
    try:
        extracted, drafts, language = extract_and_segment(data, filename, language)
    except NeedsOCR as error:
        return ("skipped", str(error))
    except ExtractionError as error:
        return ("skipped", str(error) or "cannot be read")
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


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

