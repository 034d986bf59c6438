"""Tests for the helpers that find or start PostgreSQL and Redis for the test suite."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_client
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from . import postgres as pg
from . import redis as rd


def _closed_port() -> int:
    """A port on 127.0.0.1 with (almost certainly) nothing listening."""
    return pg.free_port()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _scalar(url: str, sql: str, **params: object) -> object:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()
    finally:
        engine.dispose()


def _assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A scratch directory that another system user (the server's, when we are root) can reach."""
    path = Path(tempfile.mkdtemp(prefix="ideagora-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# -- PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[pg.PostgresServer]:
    try:
        server = pg.provide_postgres(tmp_path)
    except pg.PostgresUnavailable as error:
        pytest.skip(f"no PostgreSQL: {error}")
    yield server
    server.stop()


def _exercise_database(admin_url: str) -> None:
    """Create a test database, use it, drop it, and check that it is gone."""
    url = pg.create_test_database(admin_url)
    name = make_url(url).database
    assert name is not None
    assert name.startswith("ideagora_test_")
    assert url.startswith("postgresql+psycopg://")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            assert connection.execute(text("select current_database()")).scalar_one() == name
            assert connection.execute(text("show server_encoding")).scalar_one() == "UTF8"
            connection.execute(text("create table idea (title text)"))
            connection.execute(text("insert into idea values ('Ünïcode ✓')"))
            assert connection.execute(text("select title from idea")).scalar_one() == "Ünïcode ✓"
        # A connection left open must not prevent the drop.
        lingering = engine.connect()
        try:
            pg.drop_test_database(admin_url, url)
        finally:
            lingering.invalidate()
            lingering.close()
    finally:
        engine.dispose()
    count = _scalar(admin_url, "select count(*) from pg_database where datname = :n", n=name)
    assert count == 0


def test_provided_postgres_answers_and_hosts_test_databases(
    postgres_server: pg.PostgresServer,
) -> None:
    assert postgres_server.admin_url.startswith("postgresql+psycopg://")
    assert postgres_server.origin
    assert _scalar(postgres_server.admin_url, "select 1") == 1
    _exercise_database(postgres_server.admin_url)


def test_environment_url_is_used_and_converted(
    postgres_server: pg.PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = postgres_server.admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    monkeypatch.setenv(pg.ENV_VAR, plain)
    server = pg.provide_postgres(tmp_path)
    assert server.origin == pg.ENV_VAR
    assert server.pid is None
    assert server.admin_url == postgres_server.admin_url
    server.stop()  # a no-op for servers not started here
    assert _scalar(postgres_server.admin_url, "select 1") == 1


def test_unreachable_environment_url_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _closed_port()
    monkeypatch.setenv(pg.ENV_VAR, f"postgresql://nobody:s3cret@127.0.0.1:{port}/nowhere")
    with pytest.raises(pg.PostgresMisconfigured) as excinfo:
        pg.provide_postgres(tmp_path)
    message = str(excinfo.value)
    assert pg.ENV_VAR in message
    assert f"127.0.0.1:{port}" in message
    assert "s3cret" not in message
    assert "unset" in message
    # A configuration error must not be mistaken for "no server available" (a skip).
    assert not isinstance(excinfo.value, pg.PostgresUnavailable)


def test_non_postgres_environment_url_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pg.ENV_VAR, "mysql://root@127.0.0.1/test")
    with pytest.raises(pg.PostgresMisconfigured, match=r"must be a postgresql://"):
        pg.provide_postgres(tmp_path)


def test_drop_refuses_databases_not_made_for_tests() -> None:
    for name in ("postgres", "test", "ideagora", "ideagora_test_x; drop"):
        with pytest.raises(ValueError, match="refusing to drop"):
            pg.drop_test_database(
                "postgresql+psycopg://postgres@127.0.0.1:1/postgres",
                f"postgresql+psycopg://postgres@127.0.0.1:1/{name}",
            )


def test_self_started_postgres(tmp_path: Path) -> None:
    bin_dir = pg.find_server_binaries()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, postgres) are not installed "
            "(apt-get install postgresql): the self-started path cannot be exercised"
        )
    try:
        server = pg.provide_postgres(tmp_path, prefer_running=False)
    except pg.PostgresUnavailable as error:
        if "no 'postgres' system user" in str(error):
            pytest.skip(str(error))
        raise
    pid = server.pid
    try:
        assert pid is not None
        port = make_url(server.admin_url).port
        assert port is not None
        assert port != pg.DEFAULT_PORT
        assert server.origin == f"started from {bin_dir} on port {port}"
        assert _scalar(server.admin_url, "select 1") == 1
        assert _scalar(server.admin_url, "select inet_server_port()") == port
        assert _scalar(server.admin_url, "show fsync") == "off"
        assert _scalar(server.admin_url, "show listen_addresses") == "127.0.0.1"
        if os.geteuid() == 0:  # PostgreSQL refuses root: it must run as the postgres user
            assert os.stat(f"/proc/{pid}").st_uid == pwd.getpwnam("postgres").pw_uid
        _exercise_database(server.admin_url)
    finally:
        server.stop()
    assert pid is not None
    _assert_gone(pid)
    assert not _listening(port)
    server.stop()  # stopping twice is harmless


def test_no_postgres_anywhere_explains_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(pg, "DEBIAN_BINARY_ROOT", tmp_path / "no-such-dir")
    with pytest.raises(pg.PostgresUnavailable) as excinfo:
        pg.provide_postgres(tmp_path, prefer_running=False)
    message = str(excinfo.value)
    assert "apt-get install postgresql" in message
    assert pg.ENV_VAR in message
    assert "initdb" in message


def _fake_binaries(directory: Path, initdb: str, postgres: str) -> Path:
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    bin_dir.chmod(0o755)
    for name, body in (("initdb", initdb), ("postgres", postgres)):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    return bin_dir


def test_failing_server_start_reports_its_log(world_readable_dir: Path) -> None:
    bin_dir = _fake_binaries(
        world_readable_dir,
        initdb='mkdir -p "$2"',
        postgres='echo "FATAL:  pretend the configuration is broken"; exit 3',
    )
    with pytest.raises(pg.PostgresUnavailable) as excinfo:
        pg.start_postgres(bin_dir, world_readable_dir / "work", timeout=20)
    message = str(excinfo.value)
    assert "exited with status 3" in message
    assert "pretend the configuration is broken" in message


def test_failing_initdb_reports_its_output(world_readable_dir: Path) -> None:
    bin_dir = _fake_binaries(
        world_readable_dir,
        initdb='echo "initdb: error: pretend the disk is full" >&2; exit 1',
        postgres="exit 0",
    )
    with pytest.raises(pg.PostgresUnavailable, match="pretend the disk is full"):
        pg.start_postgres(bin_dir, world_readable_dir / "work", timeout=20)


# -- Redis -----------------------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[rd.RedisServer]:
    try:
        server = rd.provide_redis(tmp_path)
    except rd.RedisUnavailable as error:
        pytest.skip(f"no Redis: {error}")
    yield server
    server.flush_keys()
    server.stop()


def test_provided_redis_answers_and_flushes_only_its_prefix(redis_server: rd.RedisServer) -> None:
    assert redis_server.key_prefix.startswith("ideagora_test:")
    bystander = f"ideagora_bystander:{os.getpid()}"
    with redis_client.Redis.from_url(redis_server.url) as client:
        assert client.ping()
        try:
            client.set(bystander, "keep me")
            for index in range(3):
                client.set(f"{redis_server.key_prefix}{index}", index)
            assert redis_server.flush_keys() == 3
            assert client.get(bystander) == b"keep me"
            assert list(client.scan_iter(match=f"{redis_server.key_prefix}*")) == []
        finally:
            client.delete(bystander)


def test_flush_treats_glob_characters_literally(redis_server: rd.RedisServer) -> None:
    literal = f"{redis_server.key_prefix}a*["
    with redis_client.Redis.from_url(redis_server.url) as client:
        client.set(f"{literal}1", 1)
        client.set(f"{redis_server.key_prefix}abc", 1)  # would match if '*' were a wildcard
        assert rd.flush_test_keys(redis_server.url, literal) == 1
        assert client.exists(f"{redis_server.key_prefix}abc") == 1


def test_flush_refuses_a_too_broad_prefix() -> None:
    with pytest.raises(ValueError, match="too-broad"):
        rd.flush_test_keys("redis://127.0.0.1:1/15", "")


def test_redis_uses_a_dedicated_database(
    redis_server: rd.RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = redis_client.connection.parse_url(redis_server.url)
    without_db = f"redis://{parts['host']}:{parts['port']}"
    monkeypatch.setenv(rd.ENV_VAR, without_db)
    server = rd.provide_redis(tmp_path)
    assert server.origin == rd.ENV_VAR
    assert server.url == f"{without_db}/{rd.TEST_DB}"
    assert server.pid is None
    monkeypatch.setenv(rd.ENV_VAR, f"{without_db}/3")
    assert rd.provide_redis(tmp_path).url == f"{without_db}/3"


def test_unreachable_redis_url_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _closed_port()
    monkeypatch.setenv(rd.ENV_VAR, f"redis://:s3cret@127.0.0.1:{port}/15")
    with pytest.raises(rd.RedisMisconfigured) as excinfo:
        rd.provide_redis(tmp_path)
    message = str(excinfo.value)
    assert rd.ENV_VAR in message
    assert f"127.0.0.1:{port}" in message
    assert "s3cret" not in message
    assert not isinstance(excinfo.value, rd.RedisUnavailable)

    monkeypatch.setenv(rd.ENV_VAR, "http://127.0.0.1:6379")
    with pytest.raises(rd.RedisMisconfigured, match="must be a redis://"):
        rd.provide_redis(tmp_path)


def test_self_started_redis(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server): "
            "the self-started path cannot be exercised"
        )
    server = rd.provide_redis(tmp_path, prefer_running=False)
    pid = server.pid
    port = redis_client.connection.parse_url(server.url)["port"]
    try:
        assert pid is not None
        assert port != rd.DEFAULT_PORT
        assert server.origin.startswith("started ")
        assert server.origin.endswith(f"on port {port}")
        with redis_client.Redis.from_url(server.url) as client:
            assert client.ping()
            assert client.config_get("save") == {"save": ""}
            assert client.config_get("appendonly") == {"appendonly": "no"}
            assert client.config_get("bind")["bind"] == "127.0.0.1"
            assert client.connection_pool.connection_kwargs["db"] == rd.TEST_DB
            client.set(f"{server.key_prefix}k", "v")
            assert server.flush_keys() == 1
    finally:
        server.stop()
    assert pid is not None
    _assert_gone(pid)
    assert not _listening(port)
    assert not list(tmp_path.glob("redis/*.rdb"))
    server.stop()  # stopping twice is harmless


def test_no_redis_anywhere_explains_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(rd.RedisUnavailable) as excinfo:
        rd.provide_redis(tmp_path, prefer_running=False)
    message = str(excinfo.value)
    assert "apt-get install redis-server" in message
    assert rd.ENV_VAR in message


def test_postgres_is_started_when_none_is_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if pg.find_server_binaries() is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    monkeypatch.delenv(pg.ENV_VAR, raising=False)
    monkeypatch.setattr(pg, "DEFAULT_PORT", _closed_port())  # as on a machine with no server
    server = pg.provide_postgres(tmp_path)
    try:
        assert server.pid is not None
        assert server.origin.startswith("started from ")
        assert _scalar(server.admin_url, "select 1") == 1
    finally:
        server.stop()
    _assert_gone(server.pid)


def test_redis_is_started_when_none_is_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    monkeypatch.delenv(rd.ENV_VAR, raising=False)
    monkeypatch.setattr(rd, "DEFAULT_PORT", _closed_port())  # as on a machine with no server
    server = rd.provide_redis(tmp_path)
    try:
        assert server.pid is not None
        assert server.origin.startswith("started ")
        with redis_client.Redis.from_url(server.url) as client:
            assert client.ping()
    finally:
        server.stop()
    _assert_gone(server.pid)
