"""The ``lexrepo`` command: a thin layer over repository.library.Library."""
from __future__ import annotations

import json
import sys

import click

from indexer import SearchRequest
from indexer.backend import HIGHLIGHT_END, HIGHLIGHT_START, QuerySyntaxError
from repository.config import ConfigError, load_settings
from repository.ingest.metadata import ManifestError
from repository.library import Library, LibraryError
from web.results import citation_line, hit_record


class Context:
    def __init__(self, data_dir: str | None, config_file: str | None):
        self.data_dir = data_dir
        self.config_file = config_file
        self._library: Library | None = None

    @property
    def settings(self):
        return load_settings(self.config_file, data_dir=self.data_dir)

    def library(self, init: bool = True) -> Library:
        if self._library is None:
            self._library = Library(self.settings)
            if init:
                self._library.init()
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None


class LexrepoGroup(click.Group):
    """Turns domain errors into one clear line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (LibraryError, ManifestError, ConfigError, QuerySyntaxError) as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=LexrepoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False), help="Keep database, index and originals here (overrides all other settings).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read settings from this TOML file instead of config.toml.")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, config_file: str | None) -> None:
    """lexrepo: a provision-level library of anti-corruption law, tagged by UNCAC article."""
    ctx.obj = Context(data_dir, config_file)
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create or upgrade the database and index, and load the reference data."""
    library = obj.library()
    click.echo(f"Library ready: {library.settings.resolved_database_url}")
    click.echo(f"Index: {library.settings.resolved_index_dir}")


@cli.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), help="TOML file with the metadata of the files ([[document]] entries with a path).")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes for extraction (default: number of cores, at most 4).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome of every file as JSON.")
@click.pass_obj
def ingest(obj: Context, path: str, manifest: str | None, workers: int | None, progress: bool | None, as_json: bool) -> None:
    """Ingest a file or a folder of laws (PDF, HTML, XML, DOCX, Markdown, text, JSON)."""
    from tqdm import tqdm

    library = obj.library()
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=0, unit="file", disable=not show, file=sys.stderr)

    def on_start(total: int) -> None:
        bar.total = total
        bar.refresh()

    def on_file(outcome) -> None:
        bar.set_postfix_str(outcome.source[-40:], refresh=False)
        bar.update(1)

    report = library.ingest(path, manifest=manifest, workers=workers, on_file=on_file, on_start=on_start)
    bar.close()
    if as_json:
        click.echo(json.dumps({
            "summary": report.summary(),
            "files": [outcome.__dict__ for outcome in report.outcomes],
        }, ensure_ascii=False, indent=2))
        return
    for outcome in report.skipped:
        click.echo(f"skipped {outcome.source}: {outcome.reason}", err=True)
    click.echo(report.summary())


def _terminal_snippet(snippet: str) -> str:
    return snippet.replace(HIGHLIGHT_START, click.style("", bold=True, reset=False)).replace(HIGHLIGHT_END, click.style("", reset=True))


def filter_options(command):
    """The search filters shared by `search` and `export` (each repeats to combine values)."""
    for option in reversed((
        click.option("--country", multiple=True, help="ISO 3166 alpha-3 code; repeat to combine."),
        click.option("--article", multiple=True, type=click.IntRange(1, 71), help="UNCAC article number (1-71); repeat to combine."),
        click.option("--language", multiple=True, help="ISO 639-1 code of the document's language."),
        click.option("--type", "doc_type", multiple=True, help="Document type: code, act, bill, treaty, ..."),
    )):
        command = option(command)
    return command


def search_filters(country, article, language, doc_type) -> dict[str, list[str]]:
    """The index filters named on the command line (empty ones left out)."""
    filters = {
        "country": [c.upper() for c in country],
        "article": [str(a) for a in article],
        "language": [lang.lower() for lang in language],
        "type": list(doc_type),
    }
    return {name: values for name, values in filters.items() if values}


@cli.command()
@click.argument("query", default="")
@filter_options
@click.option("--limit", default=None, type=click.IntRange(1, 1000), help="Number of results (default from config).")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many results (pagination).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, results: [...]}.")
@click.pass_obj
def search(obj: Context, query: str, country, article, language, doc_type, limit, offset, as_json) -> None:
    """Search provisions. QUERY uses words, "phrases", AND/OR/NOT, field:value and prefix*.

    An empty QUERY with a filter lists the matching provisions.
    """
    library = obj.library()
    filters = search_filters(country, article, language, doc_type)
    if not query.strip() and not filters:
        raise LibraryError("give a query, a filter (--country, --article, --language, --type), or both")
    request = SearchRequest(query=query, filters=filters, limit=limit or library.settings.search_limit, offset=offset)
    result = library.search(request)
    if as_json:
        click.echo(json.dumps({
            "total": result.total,
            "results": [hit_record(hit) for hit in result.hits],
        }, ensure_ascii=False, indent=2))
        return
    if not result.hits:
        click.echo("No provisions found.")
        return
    click.echo(f"{result.total} provisions found; showing {offset + 1}-{offset + len(result.hits)}.\n")
    for rank, hit in enumerate(result.hits, start=offset + 1):
        heading = f" {hit.heading}" if hit.heading else ""
        articles = f"  [UNCAC {', '.join(map(str, hit.articles))}]" if hit.articles else ""
        click.echo(click.style(f"{rank}. {hit.label or hit.number}{heading}", bold=True) + f"  ({hit.score:.2f}){articles}")
        click.echo(f"   {_terminal_snippet(hit.snippet)}")
        click.echo(click.style(f"   {citation_line(hit)}", dim=True))
        click.echo()


@cli.command("export")
@click.option("--format", "fmt", required=True, help="One of: txt, md, docx, csv, ris, bibtex, csl-json, json.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default: standard output).")
@click.option("--query", default="", help='Search query, as in `lexrepo search` (words, "phrases", AND/OR/NOT, field:value).')
@filter_options
@click.option("--countries", help="Comparative annex: with one --article, the countries to compare, e.g. DEU,FRA,CAN.")
@click.option("--limit", default=None, type=click.IntRange(1, 1000), help="Most provisions exported (per country with --countries; default: the search maximum).")
@click.option("--base-url", default="", envvar="LEXREPO_BASE_URL", help="The library's public address, to make permanent links absolute.")
@click.pass_obj
def export_citations(obj: Context, fmt: str, output: str | None, query: str, country, article, language, doc_type,
                     countries: str | None, limit: int | None, base_url: str) -> None:
    """Export provisions as a citation list (lexrepo pinpoint style; see docs/citation-style.md).

    With --query and/or filters, the matching provisions in ranking order. With
    --article N --countries A,B,C, the comparative annex: for each country in the order
    given, its provisions tagged with article N (confirmed tags first, then by confidence).
    """
    from repository.citations import compare_article
    from repository.export import FORMATS, Entry, ExportError, export

    if fmt not in FORMATS:
        raise LibraryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    binary = fmt == "docx"
    if binary and output is None and sys.stdout.isatty():
        raise LibraryError("a Word document is binary: give --output FILE (or redirect standard output)")
    library = obj.library()
    limit = limit or library.settings.search_limit_max
    comparison = None
    if countries is not None:
        codes = [code.strip().upper() for code in countries.split(",") if code.strip()]
        if len(article) != 1 or not codes:
            raise LibraryError("--countries needs exactly one --article and at least one country code")
        if query.strip() or language or doc_type or country:
            raise LibraryError("--countries compares one article; it does not combine with --query or other filters")
        try:
            comparison = compare_article(library, article[0], codes, per_country=limit)
        except ValueError as error:
            raise LibraryError(str(error)) from None
        citations = comparison.citations()
    else:
        filters = search_filters(country, article, language, doc_type)
        if not query.strip() and not filters:
            raise LibraryError("give --query, a filter (--country, --article, --language, --type), or --article N --countries A,B,C")
        result = library.search(SearchRequest(query=query, filters=filters, limit=limit, highlight=False))
        citations = library.citations([hit.provision_id for hit in result.hits])
    if not citations:
        raise LibraryError("no provisions match; nothing to export")
    try:
        content = export([Entry(c) for c in citations], fmt, base_url=base_url, comparison=comparison)
    except ExportError as error:
        raise LibraryError(str(error)) from None
    if output is None:
        click.echo(content, nl=False)  # bytes go to the binary stream unchanged
        return
    with open(output, "wb") as handle:
        handle.write(content)
    click.echo(f"Wrote {len(citations)} citations ({FORMATS[fmt].label}) to {output}.", err=True)


@cli.command()
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@click.pass_obj
def reindex(obj: Context, progress: bool | None) -> None:
    """Rebuild the search index from the database."""
    from tqdm import tqdm

    library = obj.library()
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(unit="provision", disable=not show, file=sys.stderr) as bar:
        total = library.reindex(on_document=bar.update)
    click.echo(f"Indexed {total} provisions.")


@cli.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Compare the database with the index; exit 1 if they differ (`lexrepo reindex` repairs)."""
    drift = obj.library().check()
    if drift.clean:
        click.echo("Database and index agree.")
        return
    click.echo(
        f"Drift: {len(drift.missing_from_index)} provisions missing from the index, "
        f"{len(drift.stale_in_index)} stale entries in the index. Run `lexrepo reindex`."
    )
    sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Count documents, versions and provisions, by country and by language."""
    numbers = obj.library().stats()
    if as_json:
        click.echo(json.dumps({
            "documents": numbers.documents, "versions": numbers.versions, "provisions": numbers.provisions,
            "indexed": numbers.indexed,
            "by_country": [{"country": c, "documents": d, "provisions": p} for c, d, p in numbers.by_country],
            "by_language": [{"language": c, "documents": d, "provisions": p} for c, d, p in numbers.by_language],
        }, indent=2))
        return
    click.echo(f"Documents:  {numbers.documents}")
    click.echo(f"Versions:   {numbers.versions}")
    click.echo(f"Provisions: {numbers.provisions} (current versions; {numbers.indexed} indexed)")
    for title, rows in (("By country", numbers.by_country), ("By language", numbers.by_language)):
        click.echo(f"\n{title}:")
        for key, documents, provisions in rows:
            click.echo(f"  {key:<14} {documents:>4} documents {provisions:>7} provisions")


@cli.command()
@click.option("--all", "all_documents", is_flag=True, help="Re-tag every document.")
@click.option("--document", "document_ids", multiple=True, type=int, help="Re-tag this document id; repeat for several.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@click.pass_obj
def tag(obj: Context, all_documents: bool, document_ids: tuple[int, ...], progress: bool | None) -> None:
    """Suggest UNCAC article tags again (tags that staff confirmed or rejected are kept)."""
    from tqdm import tqdm

    if all_documents == bool(document_ids):
        raise LibraryError("give either --all or one or more --document ID")
    library = obj.library()
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(unit="document", disable=not show, file=sys.stderr) as bar:
        stored = library.tag(None if all_documents else list(document_ids), on_document=lambda _id: bar.update(1))
    click.echo(f"Stored {stored} suggested tags.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format for now).")
@click.pass_obj
def tags(obj: Context, as_json: bool) -> None:
    """Print every provision's UNCAC tags as JSON: [{source, number, articles: [...]}]."""
    click.echo(json.dumps(obj.library().article_tags(), ensure_ascii=False, indent=2))


@cli.command("eval-tags")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--signals", help="Tag afresh in memory with only these signals (comma-separated: reference,lexicon,similarity,structure) instead of reading stored tags.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def eval_tags(obj: Context, gold: str, signals: str | None, as_json: bool) -> None:
    """Precision, recall and F1 of the tags against GOLD.csv (rows: source,number,articles)."""
    from repository.tagging.evaluate import GoldFileError, evaluate, read_gold, report

    try:
        rows = read_gold(gold)
    except GoldFileError as error:
        raise LibraryError(str(error)) from None
    library = obj.library()
    keys = [(row.source, row.number) for row in rows]
    if signals:
        chosen = frozenset(s.strip() for s in signals.split(",") if s.strip())
        try:
            predicted = library.predict_articles(keys, chosen)
        except ValueError as error:
            raise LibraryError(str(error)) from None
    else:
        predicted = library.predicted_articles(keys)
    evaluation = evaluate(rows, predicted)
    if not as_json:
        click.echo(report(evaluation))
        return
    m = evaluation.micro
    macro = evaluation.macro
    click.echo(json.dumps({
        "provisions": evaluation.provisions,
        "not_found": [[r.source, r.number] for r in evaluation.missing],
        "micro": {"precision": m.precision, "recall": m.recall, "f1": m.f1},
        "macro": {"precision": macro[0], "recall": macro[1], "f1": macro[2]},
        "articles": {
            str(article): {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.true_positives,
                           "fp": s.false_positives, "fn": s.false_negatives}
            for article, s in evaluation.per_article.items()
        },
        "confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in evaluation.confusions.most_common()
        ],
    }, indent=2))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes; more than 1 serves with gunicorn (for a server deployment).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64), help="Threads per worker process (gunicorn).")
@click.option("--with-worker/--without-worker", "with_worker", default=None,
              help="Also run one `lexrepo worker` process for upload jobs (default: with the development server, "
                   "not with gunicorn, where the worker runs as its own service).")
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int, threads: int, with_worker: bool | None) -> None:
    """Serve the library's web pages: the development server, or gunicorn with --workers N."""
    from web import create_app

    obj.library()  # create or migrate the schema once, before any worker starts
    obj.close()    # workers open their own connections after the fork
    gunicorn = workers > 1 or threads > 1
    job_worker = _start_job_worker(obj) if (with_worker if with_worker is not None else not gunicorn) else None
    click.echo(f"Serving lexrepo on http://{host}:{port}/")
    try:
        if gunicorn:
            from web.server import serve_with_workers

            serve_with_workers(obj.settings, host, port, workers, threads)
            return
        import signal

        # SIGTERM ends the development server through `finally`, which stops the job worker too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        app = create_app({"LEXREPO_SETTINGS": obj.settings})
        app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        _stop_job_worker(job_worker)


def _start_job_worker(obj: Context):
    """`lexrepo worker` as a child process with the same settings (it stops with the server)."""
    import subprocess

    command = [sys.executable, "-m", "web.cli"]
    if obj.config_file:
        command += ["--config", obj.config_file]
    if obj.data_dir:
        command += ["--data-dir", obj.data_dir]
    click.echo("Starting one upload worker beside the server (--without-worker to skip).", err=True)
    return subprocess.Popen([*command, "worker", "--poll", "1"])


def _stop_job_worker(process) -> None:
    import subprocess

    if process is None or process.poll() is not None:
        return
    process.terminate()  # the worker finishes its current step and exits on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- staff: accounts, uploads, jobs, audit ----------------------------------------------


@cli.group()
def users() -> None:
    """Staff accounts (roles: editor, admin)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "admin"]), default="editor", show_default=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input instead of prompting.")
@click.pass_obj
def users_add(obj: Context, name: str, role: str, password_stdin: bool) -> None:
    """Create a staff account NAME. The password is asked twice at a terminal, taken from
    LEXREPO_PASSWORD, or read from the first line of standard input; with no input at all (a
    script), a random password is made and printed once."""
    import os
    import secrets

    from repository.accounts import create_user

    generated = False
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get("LEXREPO_PASSWORD"):
        password = os.environ["LEXREPO_PASSWORD"]
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:  # a script: the first line of its input (a repeated second line is ignored)
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            password, generated = secrets.token_urlsafe(18), True
    user = create_user(obj.library(), name, password, role)
    click.echo(f"Created {user.role.value} {user.name}.")
    if generated:
        click.echo(f"Password (shown once; change it or keep it safe): {password}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def users_list(obj: Context, as_json: bool) -> None:
    """List staff accounts."""
    from repository.accounts import list_users

    rows = [
        {"name": u.name, "role": u.role.value, "active": u.active, "created_at": u.created_at.isoformat(),
         "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None, "api_token": bool(u.api_token_hash)}
        for u in list_users(obj.library())
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No staff accounts. Create one with `lexrepo users add NAME --role admin`.")
    for row in rows:
        state = "" if row["active"] else " (inactive)"
        click.echo(f"{row['name']:<24} {row['role']:<7} last sign-in {row['last_login_at'] or 'never'}{state}")


@users.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Remove the account's API token instead of issuing one.")
@click.pass_obj
def users_token(obj: Context, name: str, revoke: bool) -> None:
    """Issue a new API token for NAME (printed once; replaces the previous one), or --revoke it."""
    from repository.accounts import issue_token, revoke_token

    if revoke:
        revoke_token(obj.library(), name)
        click.echo(f"API token of {name} revoked.")
        return
    click.echo(issue_token(obj.library(), name))


def _job_row(job) -> dict:
    return {
        "id": job.id, "state": job.state.value, "reason": job.reason, "filename": job.original_filename,
        "size": job.size, "media_type": job.media_type, "batch": job.batch, "attempts": job.attempts,
        "document_id": job.document_id, "version": job.version_seq, "sha256": job.sha256,
        "created_at": job.created_at.isoformat(),
    }


def _job_line(job) -> str:
    where = f" -> document {job.document_id} v{job.version_seq}" if job.document_id else ""
    reason = f": {job.reason}" if job.reason else ""
    return f"job {job.id} {job.state.value}{where} ({job.original_filename}){reason}"


@cli.group(invoke_without_command=True)
@click.option("--state", type=click.Choice(["queued", "extracting", "tagging", "indexed", "failed"]), help="Only jobs in this state.")
@click.option("--batch", help="Only jobs of this batch id.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100000), help="Number of jobs (newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def jobs(ctx: click.Context, state: str | None, batch: str | None, limit: int, as_json: bool) -> None:
    """List upload jobs, newest first (`lexrepo jobs retry ID` queues a failed one again)."""
    if ctx.invoked_subcommand is not None:
        return
    from repository.uploads import list_jobs

    found = list_jobs(ctx.obj.library(), state=state, batch=batch, limit=limit)
    if as_json:
        click.echo(json.dumps([_job_row(job) for job in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No jobs.")
    for job in found:
        click.echo(_job_line(job))


@jobs.command("retry")
@click.argument("job_id", type=int)
@click.pass_obj
def jobs_retry(obj: Context, job_id: int) -> None:
    """Queue the failed job JOB_ID again (a running worker picks it up)."""
    from repository.uploads import retry_job

    job = retry_job(obj.library(), job_id)
    click.echo(f"job {job.id} queued again")


@cli.command()
@click.option("--once", is_flag=True, help="Process the waiting jobs, then exit.")
@click.option("--poll", default=2.0, show_default=True, type=click.FloatRange(0.05, 3600), help="Seconds between looks for new jobs.")
@click.pass_obj
def worker(obj: Context, once: bool, poll: float) -> None:
    """Process upload jobs: extract (in a limited process), store, tag and index each.

    Several workers may run at once; a job left by a stopped worker is taken again when
    its lease expires (JOB_LEASE_SECONDS). Stops cleanly on SIGTERM or Ctrl-C.
    """
    import signal
    import threading

    from repository.jobs import Worker

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runner = Worker(obj.library())
    click.echo(f"Worker {runner.owner} ready.", err=True)
    done = runner.run(poll=poll, once=once, stop=stop, on_job=lambda job: click.echo(_job_line(job)))
    click.echo(f"Processed {done} jobs.", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--country", help="ISO 3166 alpha-3 code (empty for international instruments).")
@click.option("--title", help="Title (default: from the file).")
@click.option("--type", "doc_type", help="Document type: code, act, bill, treaty, ...")
@click.option("--language", help="ISO 639-1 code (default: from the file).")
@click.option("--year", type=int, help="Year of adoption.")
@click.option("--date-adopted", help="Date of adoption, YYYY-MM-DD.")
@click.option("--status", help="in force, amended, repealed or draft.")
@click.option("--official-url", help="Where the official text is published.")
@click.option("--document", "document_id", type=int, help="Upload a new version of this document (an amendment).")
@click.option("--wait", is_flag=True, help="Process the jobs now in this process instead of leaving them to `lexrepo worker`.")
@click.option("--json", "as_json", is_flag=True, help="Print the jobs as JSON.")
@click.pass_obj
def upload(obj: Context, files, country, title, doc_type, language, year, date_adopted, status, official_url,
           document_id, wait: bool, as_json: bool) -> None:
    """Submit FILES as upload jobs with the given metadata (a worker processes them)."""
    from pathlib import Path

    from repository.jobs import Worker
    from repository.uploads import get_job, submit_batch

    library = obj.library()
    metadata = {
        "country": country, "title": title, "type": doc_type, "language": language, "year": year,
        "date_adopted": date_adopted, "status": status, "official_url": official_url, "document_id": document_id,
    }
    result = submit_batch(library, ((Path(f).name, Path(f).read_bytes()) for f in files), metadata)
    if wait and result.jobs:
        Worker(library).run(once=True)
    submitted = [get_job(library, job.id) for job in result.jobs]
    if as_json:
        click.echo(json.dumps({
            "batch": result.batch, "jobs": [_job_row(job) for job in submitted],
            "rejected": [{"filename": name, "reason": reason} for name, reason in result.rejected],
        }, ensure_ascii=False, indent=2))
    else:
        for name, reason in result.rejected:
            click.echo(f"refused {name}: {reason}", err=True)
        for job in submitted:
            click.echo(_job_line(job))
        click.echo(f"batch {result.batch}: {len(submitted)} submitted, {len(result.rejected)} refused")
    if result.rejected:
        sys.exit(1)


@cli.command("audit")
@click.option("--user", help="Only events by this user name.")
@click.option("--action", help="Only this action (upload, edit-metadata, tag-confirm, ...).")
@click.option("--since", type=click.DateTime(), help="Only events at or after this time (UTC).")
@click.option("--until", type=click.DateTime(), help="Only events before this time (UTC).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="Events shown (newest first; exports have no limit).")
@click.option("--json", "as_json", is_flag=True, help="Export as JSON lines, oldest first.")
@click.option("--csv", "as_csv", is_flag=True, help="Export as CSV, oldest first.")
@click.pass_obj
def audit_command(obj: Context, user, action, since, until, limit: int, as_json: bool, as_csv: bool) -> None:
    """Show or export the audit log: who changed what and when."""
    import datetime as dt

    from repository.audit import audit_log, export_csv, export_jsonl, iter_audit_events

    if as_json and as_csv:
        raise LibraryError("give --json or --csv, not both")
    since = since.replace(tzinfo=dt.timezone.utc) if since else None
    until = until.replace(tzinfo=dt.timezone.utc) if until else None
    filters = {"user": user, "action": action, "since": since, "until": until}
    library = obj.library()
    if as_json or as_csv:
        chunks = (export_jsonl if as_json else export_csv)(iter_audit_events(library, **filters))
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    page = audit_log(library, limit=limit, **filters)
    for event in page.events:
        who = event.user_name or "(command line)"
        click.echo(f"{event.at:%Y-%m-%d %H:%M:%S} {who:<16} {event.action:<14} {event.target_type} {event.target_id} "
                   f"{json.dumps(event.details, ensure_ascii=False)[:200]}")
    click.echo(f"{len(page.events)} of {page.total} events")


def main() -> None:
    cli(prog_name="lexrepo")


if __name__ == "__main__":
    main()
