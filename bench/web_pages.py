"""Public page timings on ../shared/corpus-real: home, searches with facets, the biggest document.

Renders each page through the Flask test client (no network) and prints the median and
the worst of several runs, after one warm-up run. Target (issue 4): a document page well
under 1 s, the German criminal code and the biggest document included.

    python bench/web_pages.py [--data-dir DIR]   # DIR: an already ingested library (else a fresh one)
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

from sqlalchemy import func, select  # noqa: E402

from repository.config import load_settings  # noqa: E402
from repository.library import Library  # noqa: E402
from repository.models import Document, Provision, Version  # noqa: E402
from web import create_app  # noqa: E402

RUNS = 5


def timed(client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm-up: caches, lexicons, templates
    seconds, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, url
        size = len(response.data)
    return statistics.median(seconds), max(seconds), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-real")
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lexrepo-bench-web-"))
    settings = load_settings(environ={}, data_dir=str(data_dir))
    if args.data_dir is None:
        with Library(settings) as library:
            library.init()
            library.ingest(args.corpus, manifest=ROOT / "tests" / "data" / "corpus-real.toml")
    app = create_app({"LEXREPO_SETTINGS": settings, "SECRET_KEY": "bench"})
    library = app.extensions["lexrepo"]
    with library.sessions() as session:
        sizes = session.execute(
            select(Document.id, Document.source, func.count(Provision.id))
            .join(Version, Version.document_id == Document.id).join(Provision, Provision.version_id == Version.id)
            .group_by(Document.id).order_by(func.count(Provision.id).desc())
        ).all()
    biggest = sizes[0]
    stgb = next((row for row in sizes if row[1] == "laws/deu/stgb.md"), biggest)
    pages = [
        ("home", "/"),
        ("search, one word", "/search?q=bribery"),
        ("search, concept (cross-lingual)", "/search?q=money+laundering"),
        ("search, 2 countries + article, by date", "/search?q=money+laundering&country=CAN&country=KEN&article=23&sort=date"),
        ("listing, region, page 5", "/search?region=Latin+American+and+Caribbean&page=5"),
        (f"document, biggest ({biggest[1]}, {biggest[2]} provisions)", f"/documents/{biggest[0]}"),
        (f"document, StGB ({stgb[2]} provisions)", f"/documents/{stgb[0]}"),
        ("original file of the biggest document", f"/documents/{biggest[0]}/versions/1/original"),
    ]
    client = app.test_client()
    print(f"{'page':62} {'median ms':>10} {'worst ms':>9} {'KB':>7}")
    for name, url in pages:
        median, worst, size = timed(client, url)
        print(f"{name:62} {median * 1000:10.0f} {worst * 1000:9.0f} {size / 1024:7.0f}")
    library.close()


if __name__ == "__main__":
    main()
