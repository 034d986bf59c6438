"""Serving for real: gunicorn with two worker processes, the security headers, the API document."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.services.live_server import child_pids, start_gunicorn

WORKERS = 2
T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").is_file(),
    reason="finding gunicorn's worker processes needs Linux's /proc",
)


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local server
        return response.status, dict(response.headers.items()), response.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").is_dir() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "X"
    return stat[stat.rindex(")") + 2 :].split()[0]


def _wait_for(condition: Callable[[], T], timeout: float = 15.0) -> T:
    """Poll ``condition`` until it returns something true, or the time is up; return that."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _workers(master: int) -> list[int]:
    """The master's worker processes, once there are as many as it was told to run."""
    found = child_pids(master)
    return found if len(found) == WORKERS else []


def test_gunicorn_serves_with_two_worker_processes_and_stops(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path, workers=WORKERS)
    try:
        status, headers, body = _get(f"{server.url}/")
        assert status == 200
        assert b"Ideagora" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"

        status, headers, body = _get(f"{server.url}/api/v1/openapi.json")
        assert status == 200
        assert headers["Content-Type"].startswith("application/json")
        document = json.loads(body)
        assert document["openapi"].startswith("3.")
        assert document["paths"]

        # the workers boot after the master answers: wait until all of them are up
        workers = _wait_for(lambda: _workers(server.pid))
        assert workers, (
            f"expected {WORKERS} worker processes under the master {server.pid}, "
            f"found {child_pids(server.pid)}\n{server.log_tail()}"
        )
        threads = {int(task.name) for task in Path(f"/proc/{server.pid}/task").iterdir()}
        for pid in workers:
            assert pid != server.pid
            assert pid not in threads, "a worker is a thread of the master, not a process"
            assert b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert f"Booting worker with pid: {pid}" in server.log_path.read_text()
    finally:
        server.stop()

    assert not server.running()
    assert not _alive(server.pid), f"the gunicorn master {server.pid} is still running"
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=5), (
        f"gunicorn workers outlived their master: {[p for p in workers if _alive(p)]}"
    )
    assert "Shutting down: Master" in server.log_path.read_text()
