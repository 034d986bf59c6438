"""A real PostgreSQL server for the test suite: configured, found running, or started here.

``provide_postgres(work_dir)`` looks, in this order, for:

1. ``IDEAGORA_TEST_DATABASE_URL`` (``postgresql://`` or ``postgresql+psycopg://``); if it is set
   but does not answer, ``PostgresMisconfigured`` is raised rather than quietly looking elsewhere;
2. a server answering on 127.0.0.1:5432 with trust auth (as ``postgres``, ``root`` or the current
   user; database ``test`` or ``postgres``);
3. PostgreSQL server binaries (on PATH or under ``/usr/lib/postgresql/*/bin``), from which a
   throw-away cluster is initialised and started on a free port;

and raises ``PostgresUnavailable`` explaining what it tried when none of them works.

``create_test_database`` / ``drop_test_database`` give each test session its own database.
"""

from __future__ import annotations

import atexit
import getpass
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tests.services.processes import free_port, log_tail, stop_process

ENV_VAR = "IDEAGORA_TEST_DATABASE_URL"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT = 2
TEST_DATABASE_PREFIX = "ideagora_test_"
DEBIAN_BINARY_ROOT = Path("/usr/lib/postgresql")
# Unix-domain socket paths are limited to about 107 bytes; leave room for "/.s.PGSQL.NNNNN".
_MAX_SOCKET_DIR_LENGTH = 90
_INSTALL_HINT = (
    "To run these tests, either install the PostgreSQL server "
    "(Debian/Ubuntu: `sudo apt-get install postgresql`, or `sudo scripts/install-system-packages`; "
    "the tests start their own throw-away server, no system service is needed), "
    f"or point {ENV_VAR} at a server where the user may create databases, "
    "e.g. postgresql://postgres@127.0.0.1:5432/postgres"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started; the message says what was tried."""


class PostgresMisconfigured(RuntimeError):
    """IDEAGORA_TEST_DATABASE_URL is set but unusable (a configuration error, not a skip)."""


@dataclass
class PostgresServer:
    """A PostgreSQL server the tests may use.

    ``admin_url`` is a SQLAlchemy URL (``postgresql+psycopg://``) to an existing maintenance
    database, for creating and dropping test databases. ``pid`` is set only when the server was
    started here, and then ``stop()`` shuts it down; for other servers ``stop()`` does nothing.
    """

    admin_url: str
    pid: int | None
    origin: str
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _remove_dir: Path | None = field(default=None, repr=False)

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down a server started here (fast shutdown, then immediate, then SIGKILL)."""
        process, self._process = self._process, None
        if process is not None:
            # For the postmaster SIGINT is "fast" shutdown (what `pg_ctl stop -m fast` sends);
            # SIGTERM would be "smart" shutdown, which waits for every client to disconnect.
            stop_process(process, timeout, [signal.SIGINT, signal.SIGQUIT])
        remove_dir, self._remove_dir = self._remove_dir, None
        if remove_dir is not None:
            shutil.rmtree(remove_dir, ignore_errors=True)


def provide_postgres(
    work_dir: Path, *, prefer_running: bool = True, start_timeout: float = 60.0
) -> PostgresServer:
    """Return a usable PostgreSQL server (see the module docstring for the order tried).

    With ``prefer_running=False`` the environment variable and the server on port 5432 are
    ignored and a server is always started from the local binaries (raising
    ``PostgresUnavailable`` if there are none).
    """
    tried: list[str] = []
    if prefer_running:
        env_url = os.environ.get(ENV_VAR, "").strip()
        if env_url:
            return _from_environment(env_url)
        tried.append(f"{ENV_VAR} is not set")
        server = _find_running_server(tried)
        if server is not None:
            return server

    bin_dir = find_server_binaries()
    if bin_dir is None:
        tried.append(
            "no PostgreSQL server binaries (initdb and postgres) on PATH "
            f"or under {DEBIAN_BINARY_ROOT}/*/bin"
        )
        raise PostgresUnavailable(
            "No PostgreSQL server for the tests: " + "; ".join(tried) + ". " + _INSTALL_HINT
        )
    return start_postgres(bin_dir, work_dir, timeout=start_timeout)


# -- test databases ----------------------------------------------------------------------------


def create_test_database(admin_url: str) -> str:
    """Create a new, uniquely named, empty UTF-8 database and return its SQLAlchemy URL.

    The database uses the ``C`` collation, so ordering is the same on every server.
    """
    name = f"{TEST_DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(
                text(
                    f'CREATE DATABASE "{name}" TEMPLATE template0 '
                    "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
                )
            )
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_test_database(admin_url: str, url: str) -> None:
    """Drop a database made by ``create_test_database``, disconnecting its remaining clients.

    Refuses to drop any database whose name does not look like one made here.
    """
    name = make_url(url).database or ""
    if not re.fullmatch(rf"{TEST_DATABASE_PREFIX}\d+_[0-9a-f]+", name):
        raise ValueError(f"refusing to drop {name!r}: not a database made by create_test_database")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            force = " WITH (FORCE)" if version >= 130000 else ""
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
    finally:
        engine.dispose()


# -- finding a server --------------------------------------------------------------------------


def _normalise_url(url: str) -> str:
    """Accept postgres://, postgresql:// and postgresql+psycopg:// URLs; return the last form."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _check_connection(url: str) -> None:
    """Connect and run ``select 1``; raise SQLAlchemyError if that fails."""
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1")).scalar_one()
    finally:
        engine.dispose()


def _first_line(error: BaseException) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__


def _from_environment(raw_url: str) -> PostgresServer:
    url = _normalise_url(raw_url)
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise PostgresMisconfigured(f"{ENV_VAR} is not a valid database URL: {error}") from error
    if parsed.drivername != "postgresql+psycopg":
        raise PostgresMisconfigured(
            f"{ENV_VAR} must be a postgresql:// (or postgresql+psycopg://) URL, "
            f"not {parsed.drivername}://"
        )
    try:
        _check_connection(url)
    except SQLAlchemyError as error:
        raise PostgresMisconfigured(
            f"{ENV_VAR}={_safe(url)} is set, but connecting to it failed: {_first_line(error)}. "
            f"Fix the URL or unset {ENV_VAR} to let the tests find or start a server."
        ) from error
    return PostgresServer(admin_url=url, pid=None, origin=ENV_VAR)


def _port_open(host: str, port: int, timeout: float = CONNECT_TIMEOUT) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _find_running_server(tried: list[str]) -> PostgresServer | None:
    where = f"{DEFAULT_HOST}:{DEFAULT_PORT}"
    if not _port_open(DEFAULT_HOST, DEFAULT_PORT):
        tried.append(f"nothing listens on {where}")
        return None
    users = list(dict.fromkeys(["postgres", "root", getpass.getuser()]))
    failures: list[str] = []
    for user in users:
        for database in ("test", "postgres"):
            url = URL.create(
                "postgresql+psycopg",
                username=user,
                host=DEFAULT_HOST,
                port=DEFAULT_PORT,
                database=database,
            ).render_as_string(hide_password=False)
            try:
                _check_connection(url)
            except SQLAlchemyError as error:
                failures.append(f"{user}@{database}: {_first_line(error)}")
                continue
            return PostgresServer(
                admin_url=url,
                pid=None,
                origin=f"running server on {where} (user {user}, database {database})",
            )
    tried.append(f"the server on {where} refused every login tried ({'; '.join(failures)})")
    return None


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_server_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: PATH first, else the newest Debian one."""
    on_path = shutil.which("initdb")
    if on_path:
        directory = Path(on_path).resolve().parent
        if (directory / "postgres").is_file():
            return directory
    candidates = sorted(DEBIAN_BINARY_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    return None


# -- starting a server -------------------------------------------------------------------------


def _server_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: None means the current one."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "PostgreSQL refuses to run as root and there is no 'postgres' system user to run it "
            "as. Run the tests as an ordinary user, create the user "
            "(`useradd --system --home-dir /var/lib/postgresql postgres`; installing the Debian "
            f"package postgresql does this), or set {ENV_VAR}."
        ) from None


def _as_user(account: pwd.struct_passwd | None) -> dict[str, object]:
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _chown_tree(path: Path, account: pwd.struct_passwd) -> None:
    os.chown(path, account.pw_uid, account.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(
                os.path.join(root, name), account.pw_uid, account.pw_gid, follow_symlinks=False
            )


def _base_dir(work_dir: Path, account: pwd.struct_passwd | None) -> tuple[Path, bool]:
    """The directory for the cluster, and whether it is a temporary one to remove on stop.

    When PostgreSQL runs as another user it must be able to reach the directory; a work dir
    under a private parent (pytest's are mode 0700) is not, so a private temporary directory
    in the system temp dir is used instead.
    """
    base = work_dir / "postgres"
    base.mkdir(parents=True, exist_ok=True)
    if account is None:
        return base, False
    _chown_tree(base, account)
    reachable = subprocess.run(
        ["test", "-w", str(base), "-a", "-x", str(base)],
        **_as_user(account),  # type: ignore[arg-type]
        check=False,
    )
    if reachable.returncode == 0:
        return base, False
    base = Path(tempfile.mkdtemp(prefix="ideagora-pg-"))
    _chown_tree(base, account)
    return base, True


def _server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PG", "LC_"))}
    env.update(LANG="C", LC_ALL="C")
    return env


def start_postgres(bin_dir: Path, work_dir: Path, *, timeout: float = 60.0) -> PostgresServer:
    """Initialise a throw-away cluster under ``work_dir`` and start it on a free port."""
    account = _server_user()
    base, temporary = _base_dir(work_dir, account)
    data_dir = base / f"data-{secrets.token_hex(3)}"
    log_file = base / "server.log"
    env = _server_env()
    run_as = _as_user(account)

    initdb = subprocess.run(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data_dir),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        capture_output=True,
        env=env,
        check=False,
        **run_as,  # type: ignore[arg-type]
    )
    if initdb.returncode != 0:
        if temporary:
            shutil.rmtree(base, ignore_errors=True)
        output = (initdb.stdout + initdb.stderr).decode(errors="replace").strip()
        raise PostgresUnavailable(
            f"initdb from {bin_dir} failed (exit {initdb.returncode}):\n{output[-3000:]}"
        )

    socket_dir = base / "sock"
    socket_dir.mkdir(exist_ok=True)
    if account is not None:
        os.chown(socket_dir, account.pw_uid, account.pw_gid)
    # An empty socket directory list disables Unix sockets; the tests only use TCP anyway.
    socket_arg = str(socket_dir) if len(str(socket_dir)) <= _MAX_SOCKET_DIR_LENGTH else ""

    last_error = ""
    for _attempt in range(3):  # another process may grab the port between probe and bind
        port = free_port()
        with open(log_file, "ab") as log:
            process = subprocess.Popen(
                [
                    str(bin_dir / "postgres"),
                    "-D",
                    str(data_dir),
                    "-h",
                    DEFAULT_HOST,
                    "-p",
                    str(port),
                    "-k",
                    socket_arg,
                    "-F",  # fsync off: the data is thrown away
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # a terminal's Ctrl-C is ours to handle, not the server's
                **run_as,  # type: ignore[arg-type]
            )
        url = URL.create(
            "postgresql+psycopg",
            username="postgres",
            host=DEFAULT_HOST,
            port=port,
            database="postgres",
        ).render_as_string(hide_password=False)
        server = PostgresServer(
            admin_url=url,
            pid=process.pid,
            origin=f"started from {bin_dir} on port {port}",
            _process=process,
            _remove_dir=base if temporary else None,
        )
        last_error = _wait_until_ready(process, url, time.monotonic() + timeout)
        if not last_error:
            atexit.register(server.stop)
            return server
        tail = log_tail(log_file)
        server._remove_dir = None
        server.stop()
        if not (last_error.startswith("postgres exited") and "could not bind" in tail):
            break
    if temporary:
        shutil.rmtree(base, ignore_errors=True)
    raise PostgresUnavailable(
        f"PostgreSQL from {bin_dir} did not start on {DEFAULT_HOST} within {timeout:.0f} s "
        f"({last_error}). Last lines of its log:\n{tail}"
    )


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, deadline: float) -> str:
    """Poll until the server answers (returns "") or exits or the deadline passes (the reason)."""
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"postgres exited with status {process.returncode}"
        try:
            _check_connection(url)
        except SQLAlchemyError as error:
            last_error = _first_line(error)
        else:
            return ""
        time.sleep(0.1)
    return f"timed out; last error: {last_error}"
