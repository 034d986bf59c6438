"""Own the SQLAlchemy setup: the declarative base, column types, and SQLite tuning."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint predictably."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Store datetimes as UTC and always hand back aware UTC values, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_by_value(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Return a column type that stores an enum by its value, checked by the database."""
    return sa.Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        name=enum_class.__name__.lower(),
    )


class TimestampMixin:
    """Add UTC ``created_at`` and ``updated_at`` columns."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def init_app(app: Flask) -> None:
    """Bind the database and migrations to the app, tuning SQLite for several workers."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # a database error's message would otherwise quote the statement's values, confidential
    # text included, into whatever logs or shows it
    options.setdefault("hide_parameters", not app.debug)
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {})["timeout"] = (
            app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    if uri.startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    # several gunicorn workers share the file: WAL lets readers run beside the writer, and
    # BEGIN IMMEDIATE takes the write lock up front, so a read-then-write transaction never
    # fails half-way with "database is locked" nor loses an update.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
