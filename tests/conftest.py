"""Fixtures shared by the whole suite: the app on SQLite and PostgreSQL, clients, and people."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideagora import create_app
from ideagora.database import db
from tests.helpers import AppDriver
from tests.services import postgres

BACKENDS = ["sqlite", "postgresql"]

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "MAIL_BACKEND": "memory",
    "STORAGE_BACKEND": "memory",
    # argon2's cheapest parameters: the suite hashes hundreds of passwords
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 8,
    "ARGON2_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": None,
    "SEARCH_SYNC": "inline",
}


def _require(component: str) -> bool:
    """Return whether a missing component must fail the run instead of skipping its tests."""
    required = os.environ.get("IDEAGORA_TEST_REQUIRE", "")
    return component in {name.strip() for name in required.split(",")} or (
        os.environ.get("CI") == "true"
    )


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Provide an empty PostgreSQL database with the schema, for the whole run."""
    try:
        server = postgres.provide_postgres(tmp_path_factory.mktemp("postgres"))
    except postgres.PostgresUnavailable as error:
        if _require("postgresql"):
            pytest.fail(f"PostgreSQL is required for this run but unavailable: {error}")
        pytest.skip(f"PostgreSQL unavailable, its half of the suite did not run: {error}")
    url = postgres.create_test_database(server.admin_url)
    # the app imports every model with its blueprints, so the schema is complete
    schema_app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()
    try:
        yield url
    finally:
        postgres.drop_test_database(server.admin_url, url)
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'ideagora.sqlite3'}"


@pytest.fixture(scope="session")
def seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One platform seal for the whole run: making an RSA key for every test would be slow."""
    return tmp_path_factory.mktemp("seal")


@pytest.fixture
def app_config(database_url: str, tmp_path: Path, seal_dir: Path) -> dict:
    """The configuration the ``app`` fixture is made with; tests may change it first."""
    return {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_LOCAL_DIR": str(tmp_path / "uploads"),
        "MAIL_FILE": str(tmp_path / "mail.log"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search"),
        "AGREEMENT_SEAL_DIR": str(seal_dir),
    }


@pytest.fixture
def app(app_config: dict, backend: str):
    app = create_app(app_config)
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        else:
            _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def driver(app) -> AppDriver:
    """Drive the app as people and API clients would, and make test data through services."""
    return AppDriver(app)


@pytest.fixture
def outbox(app) -> list:
    """The e-mails the app has sent."""
    return app.extensions["mailer"].outbox


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say loudly which real components were missing, so a skip is never silent."""
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if "unavailable" in reason.lower():
            reasons.add(reason.removeprefix("Skipped: "))
    if reasons:
        terminalreporter.section(
            "components missing: these parts of the suite did not run", sep="!", red=True, bold=True
        )
        for reason in sorted(reasons):
            terminalreporter.line(f"  - {reason}", red=True)
