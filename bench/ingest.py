"""Ingestion benchmark on ../shared/corpus-real: prints seconds, PDF pages/s, provisions indexed/s, peak memory.

Targets (issue 2): PDF extraction >= 20 pages/s per core on born-digital PDFs; indexing
>= 1,000 provisions/s; the whole corpus in under 60 s on 2 cores.

    python bench/ingest.py [--corpus PATH] [--workers N]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repository.config import load_settings  # noqa: E402
from repository.ingest.extract import extract  # noqa: E402
from repository.library import Library  # noqa: E402


def peak_memory_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-real")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    manifest = ROOT / "tests" / "data" / "corpus-real.toml"
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")

    pdfs = sorted(args.corpus.rglob("*.pdf"))
    pages = 0
    started = time.perf_counter()
    for pdf in pdfs:
        pages += extract(pdf.read_bytes(), pdf.name).page_count
    pdf_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(environ={}, data_dir=data_dir)
        with Library(settings) as library:
            library.init()
            started = time.perf_counter()
            report = library.ingest(args.corpus, manifest=manifest, workers=args.workers)
            ingest_seconds = time.perf_counter() - started
            started = time.perf_counter()
            indexed = library.reindex()
            reindex_seconds = time.perf_counter() - started
            stats = library.stats()

    own, children = peak_memory_mb()
    print(f"files:                 {len(report.outcomes)} ({report.summary()})")
    print(f"documents/provisions:  {stats.documents} documents, {stats.provisions} provisions, {stats.indexed} indexed")
    print(f"whole corpus ingest:   {ingest_seconds:.1f} s with {args.workers} worker processes (target < 60 s on 2 cores)")
    print(f"PDF extraction:        {pages} pages in {pdf_seconds:.1f} s = {pages / pdf_seconds:.1f} pages/s on one core (target >= 20)")
    print(f"indexing (reindex):    {indexed} provisions in {reindex_seconds:.1f} s = {indexed / reindex_seconds:.0f} provisions/s (target >= 1000)")
    print(f"peak memory (RSS):     {own:.0f} MB main process, {children:.0f} MB largest worker")
    for outcome in report.skipped:
        print(f"skipped: {outcome.source}: {outcome.reason}")


if __name__ == "__main__":
    main()
