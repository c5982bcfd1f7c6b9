"""Load benchmark of the search page: requests/s and p50/p95/p99 latency under concurrent clients.

Ingests ../shared/corpus-real into a data directory (kept between runs with --data-dir),
serves it with `lexrepo serve --workers N` on 127.0.0.1, and loads the search page
(with facets and highlighted snippets, a mix of queries and filters) for --seconds
with --clients concurrent connections, using wrk when it is installed and a bounded
Python load generator otherwise. Only the loopback address is ever contacted.

Target (issue 4): p95 under 150 ms at 16 concurrent clients on the real corpus, 0 errors.

Each run measures twice: with the per-process results cache (SEARCH_CACHE_SIZE, the
default; after the warm-up pass every URL is a repeat) and without it (every request
searches the index and builds its snippets afresh).

    python bench/web.py [--clients 16] [--seconds 30] [--workers 4] [--data-dir DIR] [--tool wrk|python]
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web.server import serve_in_background, stop_server  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus-real"
MANIFEST = ROOT / "tests" / "data" / "corpus-real.toml"
LEXREPO = [sys.executable, "-m", "web.cli"]

QUERIES = [
    "bribery", "money laundering", "foreign public official", "Geldwäsche", "corruption", "confiscation",
    "protection of witnesses", "soborno", "blanchiment", "embezzlement", "illicit enrichment", "whistleblower",
    "trading in influence", "statute of limitations", "extradition", "public procurement", "conflict of interest",
    '"undue advantage"', "brib*", "asset declaration", "",
]
FILTERS = [
    {}, {"country": "DEU"}, {"article": "23"}, {"country": "FRA", "article": "15"}, {"region": "Western European and other"},
    {"language": "es"}, {"chapter": "III"}, {"country": ["CAN", "USA"]}, {"type": "code"}, {"sort": "date"},
]


def search_paths() -> list[str]:
    """The mix of search URLs the clients cycle through (each query with each filter set)."""
    paths = []
    for query, filters in itertools.product(QUERIES, FILTERS):
        if not query and not filters:
            continue
        params = [("q", query)] + [(k, v) for k, vs in filters.items() for v in ([vs] if isinstance(vs, str) else vs)]
        paths.append("/search?" + urllib.parse.urlencode(params))
    return paths


def prepare(data_dir: Path) -> None:
    if (data_dir / "lexrepo.sqlite3").exists():
        return
    print(f"ingesting {CORPUS} into {data_dir} ...", flush=True)
    subprocess.run([*LEXREPO, "--data-dir", str(data_dir), "ingest", str(CORPUS), "--manifest", str(MANIFEST),
                    "--no-progress"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def warm_up(port: int, paths: list[str]) -> None:
    """One pass over every URL, so that each worker's caches and the OS page cache are warm."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{path}: HTTP {response.status}")


WRK_SCRIPT = """
paths = {%s}
counter = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) i = offset end
function request() i = i + 1; return wrk.format("GET", paths[(i %% #paths) + 1]) end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def load_with_wrk(port: int, paths: list[str], clients: int, seconds: int) -> dict:
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % quoted)
    try:
        output = subprocess.run(
            ["wrk", "-t", str(min(clients, 4)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
             "-s", script.name, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    requests, duration_us, socket_errors, status_errors, p50, p95, p99, worst = map(int, line.split()[1:])
    return {"requests": requests, "seconds": duration_us / 1e6, "errors": socket_errors + status_errors,
            "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000, "max": worst / 1000}


def load_with_python(port: int, paths: list[str], clients: int, seconds: int) -> dict:
    """A bounded load generator: `clients` threads, each with one keep-alive connection, until time is up."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for i in itertools.count(offset):
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                connection.request("GET", paths[i % len(paths)])
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors[0],
            "p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000, "max": max(latencies) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server worker processes (default: one per core)")
    parser.add_argument("--data-dir", type=Path, help="library to serve (ingested from the real corpus if empty)")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS}")
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lexrepo-bench-web-"))
    prepare(data_dir)
    paths = search_paths()
    load = load_with_wrk if args.tool == "wrk" else load_with_python
    print(f"search page with facets and highlights, {len(paths)} distinct URLs, {args.workers} workers, "
          f"{args.clients} clients, load by {args.tool}")
    for label, cache_size in (("results cache on", None), ("results cache off", 0)):
        figures = run(data_dir, paths, args, load, cache_size)
        print(f"\n{label}: {figures['seconds']:.0f} s")
        print(f"  requests:   {figures['requests']} ({figures['requests'] / figures['seconds']:.1f} requests/s)")
        print(f"  errors:     {figures['errors']}")
        print(f"  latency:    p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
              f"max {figures['max']:.1f} ms (target: p95 < 150 ms, 0 errors)")


def run(data_dir: Path, paths: list[str], args, load, cache_size: int | None) -> dict:
    """Serve the library (with another results-cache size when given), warm it up and load it."""
    options = []
    if cache_size is not None:
        config = data_dir / "bench-config.toml"
        config.write_text(f"SEARCH_CACHE_SIZE = {cache_size}\n")
        options = ["--config", str(config)]
    server, base = serve_in_background(data_dir, "--workers", str(args.workers), global_options=tuple(options))
    port = int(base.rsplit(":", 1)[1])
    try:
        for _ in range(args.workers):  # each worker has its own caches
            warm_up(port, paths)
        return load(port, paths, args.clients, args.seconds)
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
