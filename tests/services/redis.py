"""A real Redis server for the test suite: configured, found running, or started here.

``provide_redis(work_dir)`` looks, in this order, for:

1. ``IDEAGORA_TEST_REDIS_URL``; if it is set but does not answer PING, ``RedisMisconfigured`` is
   raised rather than quietly looking elsewhere;
2. a server answering PING on 127.0.0.1:6379;
3. a ``redis-server`` binary on PATH, started without persistence on a free port;

and raises ``RedisUnavailable`` explaining what it tried when none of them works.

A server found running may be shared with other programs, so the tests use a dedicated database
number (``TEST_DB``, unless the URL names one) and every session gets its own ``key_prefix``:
clean up with ``flush_test_keys`` / ``RedisServer.flush_keys()``, never FLUSHALL or FLUSHDB.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis as redis_client

from tests.services.processes import free_port, log_tail

ENV_VAR = "IDEAGORA_TEST_REDIS_URL"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6379
TEST_DB = 15
CONNECT_TIMEOUT = 2
_INSTALL_HINT = (
    "To run these tests, either install Redis "
    "(Debian/Ubuntu: `sudo apt-get install redis-server`, "
    "or `sudo scripts/install-system-packages`; "
    "the tests start their own throw-away server, no system service is needed), "
    f"or point {ENV_VAR} at a Redis server, e.g. redis://127.0.0.1:6379/{TEST_DB}"
)


class RedisUnavailable(RuntimeError):
    """No Redis server could be found or started; the message says what was tried."""


class RedisMisconfigured(RuntimeError):
    """IDEAGORA_TEST_REDIS_URL is set but unusable (a configuration error, not a skip)."""


def _new_prefix() -> str:
    return f"ideagora_test:{os.getpid()}:{secrets.token_hex(4)}:"


@dataclass
class RedisServer:
    """A Redis server the tests may use.

    ``url`` names a dedicated database number. Keys the tests write should start with
    ``key_prefix`` so that ``flush_keys()`` removes them and nothing else. ``pid`` is set only
    when the server was started here, and then ``stop()`` shuts it down; otherwise ``stop()``
    does nothing.
    """

    url: str
    pid: int | None
    origin: str
    key_prefix: str = field(default_factory=_new_prefix)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def flush_keys(self) -> int:
        """Delete every key starting with ``key_prefix``; return how many were deleted."""
        return flush_test_keys(self.url, self.key_prefix)

    def stop(self, timeout: float = 10.0) -> None:
        """Shut down a server started here (SIGTERM, then SIGKILL)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()


def provide_redis(
    work_dir: Path, *, prefer_running: bool = True, start_timeout: float = 30.0
) -> RedisServer:
    """Return a usable Redis server (see the module docstring for the order tried).

    With ``prefer_running=False`` the environment variable and the server on port 6379 are
    ignored and ``redis-server`` is always started here (raising ``RedisUnavailable`` if it is
    not installed).
    """
    tried: list[str] = []
    if prefer_running:
        env_url = os.environ.get(ENV_VAR, "").strip()
        if env_url:
            return _from_environment(env_url)
        tried.append(f"{ENV_VAR} is not set")
        url = f"redis://{DEFAULT_HOST}:{DEFAULT_PORT}/{TEST_DB}"
        problem = _ping_problem(url)
        if problem is None:
            return RedisServer(
                url=url, pid=None, origin=f"running server on {DEFAULT_HOST}:{DEFAULT_PORT}"
            )
        tried.append(f"no Redis answered on {DEFAULT_HOST}:{DEFAULT_PORT} ({problem})")

    binary = shutil.which("redis-server")
    if binary is None:
        tried.append("no redis-server binary on PATH")
        raise RedisUnavailable(
            "No Redis server for the tests: " + "; ".join(tried) + ". " + _INSTALL_HINT
        )
    return start_redis(Path(binary), work_dir, timeout=start_timeout)


def flush_test_keys(url: str, prefix: str) -> int:
    """Delete the keys starting with ``prefix`` in the database of ``url``; return the count.

    Only this prefix is touched, so it is safe on a Redis server shared with anything else.
    """
    if len(prefix) < 4:
        raise ValueError(f"refusing to flush keys by the too-broad prefix {prefix!r}")
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", prefix) + "*"
    deleted = 0
    with redis_client.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT) as client:
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += client.unlink(*batch)
                batch.clear()
        if batch:
            deleted += client.unlink(*batch)
    return deleted


# -- finding and starting a server ---------------------------------------------------------------


def _with_test_db(url: str) -> str:
    """Use ``TEST_DB`` when the URL names no database (path, or ``db=`` query parameter)."""
    parts = urlsplit(url)
    if parts.path.strip("/") or "db=" in parts.query:
        return url
    return urlunsplit(parts._replace(path=f"/{TEST_DB}"))


def _safe(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _ping_problem(url: str) -> str | None:
    """None if the server at ``url`` answers PING, else why not."""
    try:
        with redis_client.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        ) as client:
            client.ping()
    except (redis_client.RedisError, ValueError, OSError) as error:
        return str(error).rstrip(".") or type(error).__name__
    return None


def _from_environment(raw_url: str) -> RedisServer:
    if not raw_url.startswith(("redis://", "rediss://", "unix://")):
        raise RedisMisconfigured(
            f"{ENV_VAR} must be a redis://, rediss:// or unix:// URL, not {_safe(raw_url)!r}"
        )
    url = _with_test_db(raw_url)
    problem = _ping_problem(url)
    if problem is not None:
        raise RedisMisconfigured(
            f"{ENV_VAR}={_safe(raw_url)} is set, but PING failed: {problem}. "
            f"Fix the URL or unset {ENV_VAR} to let the tests find or start a server."
        )
    return RedisServer(url=url, pid=None, origin=ENV_VAR)


def start_redis(binary: Path, work_dir: Path, *, timeout: float = 30.0) -> RedisServer:
    """Start ``binary`` on a free port with no persistence, its files under ``work_dir``."""
    data_dir = work_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "server.log"
    problem = "not started"
    tail = ""
    for _attempt in range(3):  # another process may grab the port between probe and bind
        port = free_port()
        with open(log_file, "ab") as log:
            process = subprocess.Popen(
                [
                    str(binary),
                    "--port",
                    str(port),
                    "--bind",
                    DEFAULT_HOST,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(data_dir),
                    "--daemonize",
                    "no",
                    "--logfile",
                    "",  # log to stdout, i.e. the log file opened here
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C is ours to handle, not the server's
            )
        url = f"redis://{DEFAULT_HOST}:{port}/{TEST_DB}"
        server = RedisServer(
            url=url,
            pid=process.pid,
            origin=f"started {binary} on port {port}",
            _process=process,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                problem = f"redis-server exited with status {process.returncode}"
                break
            problem = _ping_problem(url)
            if problem is None:
                atexit.register(server.stop)
                return server
            time.sleep(0.05)
        else:
            problem = f"timed out; last error: {problem}"
        tail = log_tail(log_file)
        server.stop()
        if not (problem.startswith("redis-server exited") and "Address already in use" in tail):
            break
    raise RedisUnavailable(
        f"{binary} did not start on {DEFAULT_HOST} within {timeout:.0f} s ({problem}). "
        f"Last lines of its log ({log_file}):\n{tail}"
    )
