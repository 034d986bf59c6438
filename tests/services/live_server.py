"""The exchange served for real: gunicorn with several workers on a fresh SQLite database.

``start_gunicorn(work_dir)`` migrates a new database file in ``work_dir``, starts
``gunicorn -c gunicorn.conf.py wsgi:app`` from the project root on a free port of 127.0.0.1 and
returns once ``/healthz`` answers. Everything the server needs comes from ``IDEAGORA_*``
environment variables, as in production; ``IDEAGORA_*`` variables of the calling environment are
not passed on, so the server is the same wherever the tests run. Mail is written to a file in
``work_dir`` and uploads go below it. ``run_flask(server, ...)`` runs a ``flask`` command against
the same database, e.g. ``run_flask(server, "demo", "load")``.
"""

from __future__ import annotations

import atexit
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.services.processes import free_port, log_tail, stop_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
_PORT_ATTEMPTS = 3
_LOG_TAIL_LINES = 40


class LiveServerError(RuntimeError):
    """The server could not be migrated or started; the message ends with its log."""


@dataclass
class LiveServer:
    """A running gunicorn master serving the app at ``url``; ``stop()`` ends it."""

    url: str
    pid: int
    env: dict[str, str]
    log_path: Path
    mail_path: Path
    database_path: Path
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        return log_tail(self.log_path, lines)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the master by its PID: SIGTERM (a graceful stop), then SIGKILL if it hangs."""
        process, self._process = self._process, None
        try:
            if process is not None and process.poll() is None:
                stop_process(process, timeout)
        finally:
            log, self._log = self._log, None
            if log is not None:
                log.close()


def server_env(work_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server and its commands: the caller's, minus ``IDEAGORA_*``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("IDEAGORA_")}
    env.update(
        {
            # a prefix keeps the key a string when Flask parses the variable as JSON
            "IDEAGORA_SECRET_KEY": f"live-server-{secrets.token_hex(32)}",
            "IDEAGORA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{work_dir / 'ideagora.sqlite3'}",
            "IDEAGORA_MAIL_BACKEND": "log",
            "IDEAGORA_MAIL_FILE": str(work_dir / "mail.log"),
            "IDEAGORA_STORAGE_BACKEND": "local",
            "IDEAGORA_STORAGE_LOCAL_DIR": str(work_dir / "uploads"),
            # the index follows this server's own database, never the instance folder's
            "IDEAGORA_SEARCH_INDEX_DIR": str(work_dir / "search"),
            "IDEAGORA_AGREEMENT_SEAL_DIR": str(work_dir / "seal"),
            # argon2's cheapest parameters: the tests register and log in many times
            "IDEAGORA_ARGON2_TIME_COST": "1",
            "IDEAGORA_ARGON2_MEMORY_COST": "8",
            "IDEAGORA_ARGON2_PARALLELISM": "1",
            "IDEAGORA_RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    return env


def start_gunicorn(
    work_dir: Path, *, workers: int = 2, extra_env: dict[str, str] | None = None
) -> LiveServer:
    """Migrate a fresh database in ``work_dir`` and serve the app from it with gunicorn."""
    work_dir.mkdir(parents=True, exist_ok=True)
    database_path = work_dir / "ideagora.sqlite3"
    database_path.unlink(missing_ok=True)
    env = server_env(work_dir, extra_env)
    env["IDEAGORA_WORKERS"] = str(workers)
    _migrate(env, work_dir / "migrate.log")
    log_path = work_dir / "gunicorn.log"
    for _attempt in range(_PORT_ATTEMPTS):
        server = _serve(env, log_path, database_path)
        if server is not None:
            return server
    raise LiveServerError(
        _with_log(f"gunicorn found no free port in {_PORT_ATTEMPTS} attempts", log_path)
    )


def run_flask(
    server: LiveServer, *args: str, check: bool = True, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app ideagora ARGS`` against the server's database and settings."""
    completed = subprocess.run(
        [str(BIN_DIR / "flask"), "--app", "ideagora", *args],
        cwd=PROJECT_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        raise LiveServerError(
            f"`flask {' '.join(args)}` exited with {completed.returncode}:\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return completed


def child_pids(pid: int) -> list[int]:
    """The PIDs of the live processes whose parent is ``pid`` (from ``/proc``; Linux only)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # the command name in brackets may hold spaces: the fields after it are fixed
        fields = stat[stat.rindex(")") + 2 :].split()
        state, parent = fields[0], int(fields[1])
        if parent == pid and state not in ("Z", "X"):
            children.append(int(entry.name))
    return sorted(children)


class _PortTaken(Exception):
    pass


def _migrate(env: dict[str, str], log_path: Path) -> None:
    with log_path.open("wb") as log:
        completed = subprocess.run(
            [str(BIN_DIR / "flask"), "--app", "ideagora", "db", "upgrade"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    if completed.returncode != 0:
        raise LiveServerError(
            _with_log(f"`flask db upgrade` exited with {completed.returncode}", log_path)
        )


def _serve(env: dict[str, str], log_path: Path, database_path: Path) -> LiveServer | None:
    """Start gunicorn on a free port and wait until it is healthy; None if the port was taken.

    Another program may take the port between probing and binding: the caller tries again.
    """
    port = free_port()
    server = _launch({**env, "IDEAGORA_BIND": f"127.0.0.1:{port}"}, port, log_path, database_path)
    try:
        _wait_until_healthy(server)
    except _PortTaken:
        server.stop()
        return None
    except BaseException:
        server.stop()
        raise
    return server


def _launch(env: dict[str, str], port: int, log_path: Path, database_path: Path) -> LiveServer:
    log = log_path.open("ab")
    try:
        process = subprocess.Popen(
            [str(BIN_DIR / "gunicorn"), "-c", "gunicorn.conf.py", *_gunicorn_options(), "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    except BaseException:
        log.close()
        raise
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        pid=process.pid,
        env=env,
        log_path=log_path,
        mail_path=Path(env["IDEAGORA_MAIL_FILE"]),
        database_path=database_path,
        _process=process,
        _log=log,
    )
    # a test run that is interrupted must not leave the server behind
    atexit.register(server.stop)
    return server


def _gunicorn_options() -> list[str]:
    """Recent gunicorn opens a control socket in the home directory: a test server needs none,
    and several test servers would fight over the one path."""
    from gunicorn import config

    if any(setting.name == "control_socket_disable" for setting in config.KNOWN_SETTINGS):
        return ["--no-control-socket"]
    return []


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if not server.running():
            if "Address already in use" in server.log_tail():
                raise _PortTaken
            raise LiveServerError(_with_log("gunicorn exited while starting", server.log_path))
        if _answers(f"{server.url}/healthz"):
            return
        if time.monotonic() > deadline:
            raise LiveServerError(
                _with_log(
                    f"{server.url}/healthz did not answer 200 within {START_TIMEOUT:.0f} s",
                    server.log_path,
                )
            )
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _with_log(message: str, log_path: Path) -> str:
    return f"{message}; the last lines of {log_path}:\n{log_tail(log_path)}"
