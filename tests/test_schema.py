"""The Alembic migrations create exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from repository.db import make_engine
from repository.models import Base
from repository.schema import current_revision, upgrade


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrade_is_idempotent_and_sqlite_pragmas_are_set(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) is not None
    assert {"document", "version", "provision", "article_tag", "country"} <= set(inspect(engine).get_table_names())
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
