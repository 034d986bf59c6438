"""Load settings: defaults, ``instance/config.py``, ``IDEAGORA_*`` variables, then tests."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused in production


class Defaults:
    """Safe defaults for every setting; ``instance/config.example.py`` documents each one."""

    SECRET_KEY = DEV_SECRET_KEY
    SITE_NAME = "Ideagora"

    # database: an SQLite file in the instance folder unless a URL is given
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    # cookies and sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    PROXY_FIX_HOPS = 0
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024

    # passwords (argon2id); the test mapping lowers these to keep the suite fast
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65_536
    ARGON2_PARALLELISM = 4
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 128

    # login throttling: per address (Flask-Limiter) and per account (database counter)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "20 per 10 minutes"
    REGISTER_RATE_LIMIT = "10 per hour"
    PASSWORD_RESET_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 - a rate, not a secret
    # checking an uploaded agreement verifies a signature over the whole file: keep it bounded
    AGREEMENT_VERIFY_RATE_LIMIT = "30 per 10 minutes"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_SECONDS = 15 * 60

    # links sent by e-mail
    PASSWORD_RESET_MAX_AGE = 60 * 60
    INVITATION_MAX_AGE_DAYS = 7
    PUBLIC_BASE_URL: str | None = None

    # API tokens
    API_TOKEN_TTL_DAYS = 30

    # mail: "log" writes to the log and to MAIL_FILE; "smtp" sends; "memory" keeps (tests)
    MAIL_BACKEND = "log"
    MAIL_FILE: str | None = None
    MAIL_DEFAULT_SENDER = "Ideagora <no-reply@ideagora.invalid>"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_TIMEOUT = 10

    # file storage: "local" (under the instance folder), "s3", or "memory" (tests)
    STORAGE_BACKEND = "local"
    STORAGE_LOCAL_DIR: str | None = None
    S3_BUCKET: str | None = None
    S3_PREFIX = ""
    S3_ENDPOINT_URL: str | None = None
    S3_REGION = "us-east-1"
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_PRESIGN_EXPIRY = 60
    # the largest file that may be attached to a listing or proposal (below MAX_CONTENT_LENGTH)
    ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

    # pages: Bootstrap is served from the application, never from a CDN
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    # JSON API and its OpenAPI document
    API_TITLE = "Ideagora API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_PAGE_SIZE_MAX = 100

    # bulk import of IP offers (CSV or JSON Lines): rows per file; MAX_CONTENT_LENGTH bounds bytes
    IMPORT_MAX_ROWS = 10_000

    # search index (Whoosh): its directory (default instance/search) and how it follows the outbox:
    # "background" drains in a thread of each process after each commit and every poll interval;
    # "inline" drains right after each commit (the test suite)
    SEARCH_INDEX_DIR: str | None = None
    SEARCH_SYNC = "background"
    SEARCH_POLL_SECONDS = 1.0

    # alerts: a newly published listing alerts the owners of the other kind's listings it
    # matches with at least this score (0 to 1, see search/matching.py); fields, TRL and deal
    # terms alone give at most 0.4, so above that a match must also share key terms
    ALERT_MATCH_THRESHOLD = 0.5
    # where the platform's seal for agreements (key and certificate) lives; None: instance/seal,
    # where a self-signed pair is made on first use
    AGREEMENT_SEAL_DIR: str | None = None
    # signing an NDA needs a login (or a password typed again) at most this many seconds old
    NDA_FRESH_LOGIN_SECONDS = 300
    # after a decline or a revocation, the same organisation may ask again after this long
    NDA_REREQUEST_COOLDOWN_SECONDS = 86_400


class ConfigurationError(RuntimeError):
    """Raised when the application is started with settings it must not run with."""


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Load the configuration in order and refuse an unsafe production start."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("IDEAGORA")
    if test_config is not None:
        app.config.from_mapping(test_config)
    _fill_instance_paths(app)
    _refuse_unsafe_start(app)


def _fill_instance_paths(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        path = os.path.join(app.instance_path, "ideagora.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config["MAIL_FILE"]:
        app.config["MAIL_FILE"] = os.path.join(app.instance_path, "mail.log")
    if not app.config["SEARCH_INDEX_DIR"]:
        app.config["SEARCH_INDEX_DIR"] = os.path.join(app.instance_path, "search")
    if not app.config["AGREEMENT_SEAL_DIR"]:
        app.config["AGREEMENT_SEAL_DIR"] = os.path.join(app.instance_path, "seal")


def _refuse_unsafe_start(app: Flask) -> None:
    production = not (app.debug or app.testing)
    if production and app.config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
        raise ConfigurationError(
            "Refusing to start: SECRET_KEY is the development key. Set a long random "
            "SECRET_KEY in instance/config.py or the IDEAGORA_SECRET_KEY environment variable "
            '(for example: python -c "import secrets; print(secrets.token_hex(32))").'
        )
