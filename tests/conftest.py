"""Shared fixtures: settings in a temporary data directory, a Library on SQLite and on
PostgreSQL, the CLI runner, and the path of the real corpus."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from repository.config import load_settings
from repository.library import Library

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS_REAL = PROJECT_ROOT.parent / "shared" / "corpus-real"
CORPUS_MANIFEST = PROJECT_ROOT / "tests" / "data" / "corpus-real.toml"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def corpus_real() -> Path:
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS_REAL} (CI has it; see DEVELOPERS.md)")
    return CORPUS_REAL


@pytest.fixture
def postgres_schema():
    """A fresh PostgreSQL schema for one test, dropped afterwards; yields a database URL using it."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """Run a repository test once on SQLite and once on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lexrepo.sqlite3'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings(environ={}, data_dir=str(tmp_path / "data"), database_url=database_url)


@pytest.fixture
def library(settings):
    with Library(settings) as library:
        library.init()
        yield library


@pytest.fixture
def runner(tmp_path):
    """Invoke the lexrepo CLI in a fresh data directory: runner.invoke(args)."""
    from web.cli import cli

    class Runner:
        data_dir = tmp_path / "cli-data"

        def invoke(self, args, **kwargs):
            return CliRunner().invoke(cli, ["--data-dir", str(self.data_dir), *args], catch_exceptions=False, **kwargs)

    return Runner()


@pytest.fixture(scope="session")
def corpus_ingested(tmp_path_factory):
    """The whole real corpus ingested once per test session: (library, report, data_dir).

    Shared by every test that reads it, so treat it as read-only: a test that changes
    tags, metadata or documents builds a library of its own.
    """
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS_REAL} (CI has it; see DEVELOPERS.md)")
    data_dir = tmp_path_factory.mktemp("corpus-real")
    settings = load_settings(environ={}, data_dir=str(data_dir))
    with Library(settings) as library:
        library.init()
        report = library.ingest(CORPUS_REAL, manifest=CORPUS_MANIFEST)
        yield library, report, data_dir


@pytest.fixture(scope="session")
def corpus_app(corpus_ingested):
    """The web app over the shared real-corpus library (read-only, like the library)."""
    from web import create_app

    library, _report, data_dir = corpus_ingested
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library.settings, "SECRET_KEY": "test"})
    yield app
    app.extensions["lexrepo"].close()


@pytest.fixture
def corpus_client(corpus_app):
    return corpus_app.test_client()
