"""Time how soon an edited offer is searchable, through gunicorn with background index sync.

Run on demand, not part of the test suite:

    .venv/bin/python bench/update_latency.py [--offers 20000] [--updates 20] [--workers 2]

A generated corpus (``bench/corpus.py``) is loaded into an SQLite database through the
application and indexed (``bench/live.py``), and gunicorn serves it with
``SEARCH_SYNC=background`` (each worker's thread drains the outbox after its commits and every
``SEARCH_POLL_SECONDS``). Then, ``--updates`` times: an offer's title is changed through
``PATCH /api/v1/assets/{id}`` to one holding a new made-up word, and ``GET /api/v1/search`` for
that word is polled every ``--poll`` seconds until the offer is the hit. The delay is counted
from the moment the PATCH was answered (its commit is done by then) and, as an upper bound,
from the moment it was sent. Target: searchable within 2 s of the commit.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import tempfile
import time
from pathlib import Path

import live
from corpus import PATENTS_PATH, Corpus, load_patents
from report import milliseconds, print_header, print_load, print_table

GIVE_UP_SECONDS = 30.0


def made_up_word(number: int, rng: random.Random) -> str:
    """Return a word no generated listing contains (letters only, so it is one token)."""
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(6))
    return f"qzx{letters}{string.ascii_lowercase[number % 26]}"


def patch_title(base: str, token: str, asset_id: int, title: str) -> None:
    """Change an offer's title through the API, sending the version read just before."""
    status, body = live.get(f"{base}/api/v1/assets/{asset_id}", token)
    if status != 200:
        raise SystemExit(f"GET /api/v1/assets/{asset_id} answered {status}: {body[:300]!r}")
    version = json.loads(body)["version"]
    url = f"{base}/api/v1/assets/{asset_id}"
    status, body = live.call("PATCH", url, token, {"title": title, "version": version})
    if status != 200:
        raise SystemExit(f"PATCH /api/v1/assets/{asset_id} answered {status}: {body[:300]!r}")


def searchable(base: str, word: str, asset_id: int) -> bool:
    """Tell whether searching offers for ``word`` finds the offer."""
    status, body = live.get(f"{base}/api/v1/search?type=asset&q={word}")
    if status != 200:
        raise SystemExit(f"GET /api/v1/search answered {status}: {body[:300]!r}")
    return any(item["id"] == asset_id for item in json.loads(body)["items"])


def measure(base: str, token: str, asset_ids: list[int], args: argparse.Namespace):
    """Edit offers one by one; return (seconds after the answer, after sending, polls) each."""
    rng = random.Random(f"updates-{args.seed}")  # noqa: S311 - repeatable, not a secret
    results = []
    for number in range(args.updates):
        asset_id = asset_ids[number % len(asset_ids)]
        word = made_up_word(number, rng)
        sent = time.perf_counter()
        patch_title(base, token, asset_id, f"Updated {word} offer {number}")
        answered = time.perf_counter()
        polls = 0
        while not searchable(base, word, asset_id):
            polls += 1
            if time.perf_counter() - answered > GIVE_UP_SECONDS:
                raise SystemExit(f"offer {asset_id} not searchable {GIVE_UP_SECONDS:.0f} s later")
            time.sleep(args.poll)
        found = time.perf_counter()
        results.append((found - answered, found - sent, polls))
        # a pause of varying length, so edits do not line up with the drain's poll interval
        time.sleep(rng.uniform(0.2, 1.2))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=20_000, help="offers in the database")
    parser.add_argument("--challenges", type=int, default=100, help="open challenges")
    parser.add_argument("--updates", type=int, default=20, help="edits to time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2-4)")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between searches")
    parser.add_argument(
        "--via-service", type=int, default=1_000, help="offers loaded through the import service"
    )
    parser.add_argument("--seed", type=int, default=4, help="the corpus seed")
    parser.add_argument("--patents", type=Path, default=PATENTS_PATH, help="the seed patents")
    args = parser.parse_args()
    print_header("update_latency", args)
    corpus = Corpus(load_patents(args.patents), seed=args.seed)
    offers = list(corpus.offers(args.offers))
    challenges = list(corpus.challenges(args.challenges))
    with tempfile.TemporaryDirectory(prefix="ideagora-bench-") as work:
        deployment = live.deploy(
            Path(work),
            offers,
            challenges,
            through_service=args.via_service,
            search_sync="background",
        )
        print("loading the database and the index through the application:")
        live.print_timings(deployment)
        server = live.serve(deployment, args.workers)
        try:
            print(f"gunicorn: {args.workers} sync workers, SEARCH_SYNC=background, {server.url}")
            token = live.token(server, live.LICENSOR)
            print_load("load average before the edits")
            results = measure(server.url, token, deployment.licensor_offer_ids, args)
        finally:
            server.stop()
    after_answer = [answered for answered, _, _ in results]
    after_sending = [sent for _, sent, _ in results]
    print(f"\n{len(results)} edits of an offer's title, each until GET /api/v1/search finds it:")
    print_table(
        ("searchable after", "edits", "p50 ms", "p95 ms", "max ms"),
        [
            ("the PATCH answered", len(results), *milliseconds(after_answer)),
            ("the PATCH sent", len(results), *milliseconds(after_sending)),
        ],
    )
    polls = sorted(polls for _, _, polls in results)
    print(
        f"searches that did not find it yet, per edit: median {polls[len(polls) // 2]}, "
        f"max {polls[-1]} (every {args.poll * 1000:.0f} ms)"
    )
    print_load()


if __name__ == "__main__":
    main()
