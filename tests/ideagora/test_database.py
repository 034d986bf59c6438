"""The database layer: migrations match the models; SQLite holds up under concurrent writers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from ideagora import create_app
from ideagora.database import db
from tests.conftest import TEST_CONFIG
from tests.services import postgres


@pytest.fixture
def empty_app(backend, database_url):
    """An app on an empty database: no tables at all."""
    admin_url = url = database_url
    if backend == "postgresql":
        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        url = postgres.create_test_database(admin_url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if backend == "postgresql":
        postgres.drop_test_database(admin_url, url)


def test_migrations_build_exactly_the_models_and_go_back_down(empty_app) -> None:
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_concurrent_read_then_write_transactions_lose_nothing(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counters VALUES (1, 0)")
    errors: list[BaseException] = []

    def increment(times: int) -> None:
        with app.app_context():
            for _ in range(times):
                try:
                    _increment_once()
                except BaseException as error:
                    errors.append(error)

    threads = [threading.Thread(target=increment, args=(50,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        total = db.session.execute(sa.text("SELECT n FROM counters WHERE id = 1")).scalar()
        db.session.rollback()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE counters")
    assert errors == []
    assert total == 200


def _increment_once() -> None:
    # a read, then a write computed from it: the pattern that loses updates without a lock
    query = "SELECT n FROM counters WHERE id = 1"
    if db.engine.dialect.name == "postgresql":
        query += " FOR UPDATE"
    row = db.session.execute(sa.text(query)).scalar()
    db.session.execute(sa.text("UPDATE counters SET n = :n WHERE id = 1"), {"n": row + 1})
    db.session.commit()
