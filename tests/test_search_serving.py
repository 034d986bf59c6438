"""Search served for real: gunicorn with 4 workers, concurrent changes, a worker killed mid-way.

Every committed change must reach search within seconds: the workers' follower threads drain
the outbox, and a worker killed with SIGKILL loses nothing, since its rows are in the database
and the others' threads poll. The test prints how long one update took to become searchable.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browse_catalogue import asset_data
from tests.services.live_server import LiveServer, child_pids, start_gunicorn

WORKERS = 4
THREADS = 6
OFFERS_PER_THREAD = 6
CONVERGE_SECONDS = 10.0
SERVER_ENV = {
    "IDEAGORA_SEARCH_SYNC": "background",
    "IDEAGORA_SEARCH_POLL_SECONDS": "0.2",
    "IDEAGORA_REGISTER_RATE_LIMIT": "1000 per hour",
}

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").is_file(),
    reason="finding gunicorn's worker processes needs Linux's /proc",
)


class Client:
    """Calls the JSON API; a request that gets no answer (its worker was killed) is counted."""

    def __init__(self, server: LiveServer, token: str | None = None) -> None:
        self.url, self.token = server.url, token
        self.lost = 0
        self.answers: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any] | None:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, payload = response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            with self._lock:
                self.lost += 1
            return None
        with self._lock:
            self.answers.append((f"{method} {path}", status))
        return status, payload


def register(server: LiveServer) -> tuple[str, int]:
    answer = Client(server).call(
        "POST",
        "/api/v1/register",
        {
            "email": "storm@example.org",
            "password": "violet-harbour-lantern-42",
            "name": "Storm Tester",
            "organization": {"name": "Storm Licensing", "kind": "university"},
        },
    )
    assert answer is not None
    assert answer[0] == 201, answer
    return answer[1]["token"], answer[1]["organization"]["id"]


def life_of_offers(client: Client, thread: int, halfway: threading.Barrier) -> None:
    """Create, publish and rename offers; withdraw every third; wait at the halfway point."""
    for number in range(OFFERS_PER_THREAD):
        if number == OFFERS_PER_THREAD // 2:
            halfway.wait(timeout=120)
        word = f"storm{thread}x{number}"
        data = asset_data(title=f"Original {word} sensor", summary=f"A storm sensor {word}.")
        created = client.call("POST", "/api/v1/assets", data)
        if created is None or created[0] != 201:
            continue
        asset_id = created[1]["id"]
        published = client.call("POST", f"/api/v1/assets/{asset_id}/publish")
        if published is None or published[0] != 200:
            continue
        edit = {"title": f"Revised {word} sensor", "version": published[1]["version"]}
        edited = client.call("PATCH", f"/api/v1/assets/{asset_id}", edit)
        if number % 3 == 0 and edited is not None:
            client.call("POST", f"/api/v1/assets/{asset_id}/withdraw")


def published_titles(client: Client, organization_id: int) -> dict[int, str]:
    """The database's truth: the organisation's published offers, through the browse API."""
    answer = client.call("GET", f"/api/v1/assets?organization={organization_id}&per_page=100")
    assert answer is not None
    assert answer[0] == 200, answer
    return {item["id"]: item["title"] for item in answer[1]["items"]}


def searched_titles(client: Client, q: str = "storm") -> dict[int, str]:
    query = urlencode({"q": q, "type": "asset", "per_page": 100})
    answer = client.call("GET", f"/api/v1/search?{query}")
    assert answer is not None
    assert answer[0] == 200, answer
    return {item["id"]: item["title"] for item in answer[1]["items"]}


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def live_workers(server: LiveServer) -> list[int]:
    workers = child_pids(server.pid)
    return workers if len(workers) == WORKERS else []


def test_every_committed_change_is_searchable_after_a_worker_is_killed(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path, workers=WORKERS, extra_env=SERVER_ENV)
    try:
        token, organization_id = register(server)
        client = Client(server, token)
        assert wait_for(lambda: live_workers(server), 30), server.log_tail()
        victim = live_workers(server)[0]

        halfway = threading.Barrier(THREADS + 1)
        threads = [
            threading.Thread(target=life_of_offers, args=(client, number, halfway))
            for number in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        halfway.wait(timeout=120)
        os.kill(victim, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=300)

        failures = [(call, status) for call, status in client.answers if status >= 500]
        assert failures == [], server.log_tail()
        refused = [(call, status) for call, status in client.answers if status >= 400]
        assert refused == [], refused
        truth = published_titles(client, organization_id)
        assert len(truth) >= THREADS * OFFERS_PER_THREAD // 2, truth
        converged = wait_for(lambda: searched_titles(client) == truth, CONVERGE_SECONDS)
        assert converged, (truth, searched_titles(client), server.log_tail())
        print(
            f"\n{len(client.answers)} answers, {client.lost} requests lost with the killed "
            f"worker {victim}; {len(truth)} published offers all searchable"
        )

        asset_id = next(iter(truth))
        current = client.call("GET", f"/api/v1/assets/{asset_id}")[1]
        edit = {"title": "Latency probe quasarword sensor", "version": current["version"]}
        answer = client.call("PATCH", f"/api/v1/assets/{asset_id}", edit)
        committed = time.monotonic()
        assert answer is not None
        assert answer[0] == 200, answer
        assert wait_for(lambda: searched_titles(client, "quasarword") != {}, 5.0)
        print(f"an update was searchable {time.monotonic() - committed:.3f} s after its commit")
    finally:
        server.stop()
