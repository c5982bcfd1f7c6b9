"""Page times of the browse pages on the real corpus: /matrix, /articles/23 and friends.

Ingests ../shared/corpus-real into a temporary library (or uses --data-dir, ingesting only if
it is empty), then requests each page through the Flask test client and prints the median and
worst of --repeat requests after one warm-up request.

    python bench/browse.py [--data-dir DIR] [--database-url URL] [--repeat 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repository.config import load_settings  # noqa: E402
from repository.library import Library  # noqa: E402
from web import create_app  # noqa: E402

PAGES = ["/matrix", "/matrix?chapter=III", "/matrix.csv", "/articles", "/articles/23",
         "/articles/23/compare?country=DEU&country=FRA&country=CAN", "/countries", "/countries/DEU",
         "/countries/DEU/coverage.csv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-real")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lexrepo-bench-browse-"))
    settings = load_settings(environ={}, data_dir=str(data_dir), database_url=args.database_url or None)
    with Library(settings) as library:
        library.init()
        if library.stats().documents == 0:
            started = time.perf_counter()
            library.ingest(args.corpus, manifest=ROOT / "tests" / "data" / "corpus-real.toml")
            print(f"ingested the corpus in {time.perf_counter() - started:.1f} s")
        stats = library.stats()
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": settings, "SECRET_KEY": "bench"})
    client = app.test_client()
    print(f"{settings.resolved_database_url.split('?')[0]}: {stats.documents} documents, {stats.provisions} provisions")
    print(f"{'page':60} {'median ms':>10} {'worst ms':>10} {'bytes':>8}")
    for url in PAGES:
        client.get(url)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        print(f"{url:60} {statistics.median(times):10.0f} {max(times):10.0f} {len(response.data):8}")
    app.extensions["lexrepo"].close()


if __name__ == "__main__":
    main()
