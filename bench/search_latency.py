"""Time searches and matching at 100,000 offers, in-process and over HTTP through gunicorn.

Run on demand, not part of the test suite:

    .venv/bin/python bench/search_latency.py [--offers 100000] [--challenges 1000]
        [--rounds 30] [--matches 60] [--workers 2] [--no-http]

The generated corpus (``bench/corpus.py``) is loaded into an SQLite database through the
application (``bench/live.py``: the asset services for the first offers, SQLAlchemy Core for
the rest, the challenge services for the challenges) and indexed by ``flask search reindex``.

In-process, on that index, with a searcher warmed as a web worker's would be: a repeatable mix
of searches (``bench/workload.py``: single words, two-word AND, phrases, OR/NOT, field filters,
a facets page with no text, a deep page sorted by date) through ``run_search``, and matching
through ``find_matches``, challenges -> offers and offers -> challenges. With ``--no-http`` the
corpus is indexed by ``SearchIndex.rebuild`` in a temporary directory instead.

Over HTTP: ``gunicorn -c gunicorn.conf.py wsgi:app`` serves the database, and the same
searches through ``GET /api/v1/search`` and ``GET /api/v1/challenges/{id}/matches`` are timed
one request at a time (a new connection per
request). Targets: search p95 <= 50 ms and matching p95 <= 150 ms in-process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import live
from corpus import PATENTS_PATH, Corpus, load_patents
from report import milliseconds, print_header, print_load, print_table
from workload import Search, match_source, sample, searches

from search.documents import ASSET, CHALLENGE, ListingDocument
from search.index import SearchIndex
from search.matching import find_matches
from search.outbox import Progress
from search.query import run_search

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HEADERS = ("what", "runs", "p50 ms", "p95 ms", "max ms", "mean hits")
HTTP_HEADERS = (*HEADERS[:-1], "not 200")


def timed(action: Callable[[], int]) -> tuple[float, int]:
    """Run ``action``; return its seconds and the number of results it reported."""
    started = time.perf_counter()
    found = action()
    return time.perf_counter() - started, found


def table_rows(durations: dict[str, list[tuple[float, int]]]) -> list[tuple]:
    """Return a table row per class of request, then one for all of them."""
    rows = []
    every: list[tuple[float, int]] = []
    for what, runs in durations.items():
        every.extend(runs)
        rows.append(_row(what, runs))
    rows.append(_row("all searches" if "one word" in durations else "all", every))
    return rows


def _row(what: str, runs: Sequence[tuple[float, int]]) -> tuple:
    seconds = [duration for duration, _ in runs]
    hits = sum(found for _, found in runs) / max(len(runs), 1)
    return (what, len(runs), *milliseconds(seconds), f"{hits:,.0f}")


def in_process(
    index: SearchIndex, documents: Sequence[ListingDocument], mix: Sequence[Search], args
) -> None:
    """Time searches and matching on ``index`` with this thread's warm searcher."""
    _warm(index, mix)
    print_load("load average before in-process searches")
    searched: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for search in mix:
        searched[search.kind].append(
            timed(lambda search=search: run_search(index, search.request).total)
        )
    print("\nin-process searches (run_search, warm searcher):")
    print_table(HEADERS, table_rows(searched))
    print_load("load average before in-process matching")
    matched = _time_matching(index, documents, args)
    print("\nin-process matching (find_matches, limit 10, warm searcher):")
    print_table(HEADERS, table_rows(matched))


def in_process_only(documents: Sequence[ListingDocument], mix: Sequence[Search], args) -> None:
    """Index the corpus with ``SearchIndex.rebuild`` in a temporary directory and time it."""
    with tempfile.TemporaryDirectory(prefix="ideagora-bench-") as work:
        index = SearchIndex(str(Path(work) / "index"))
        try:
            started = time.perf_counter()
            index.rebuild(iter(documents), Progress())
            print(f"indexed {len(documents):,} listings in {time.perf_counter() - started:.1f} s")
            in_process(index, documents, mix, args)
        finally:
            index.close()


def _warm(index: SearchIndex, mix: Sequence[Search]) -> None:
    """Run a few searches first, as a worker that has served requests already would have."""
    for search in mix[:20]:
        run_search(index, search.request)


def _time_matching(index: SearchIndex, documents: Sequence[ListingDocument], args):
    matched: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for what, kind in (("challenge -> offers", CHALLENGE), ("offer -> challenges", ASSET)):
        for document in sample(documents, args.matches, args.seed, kind=kind):
            source = match_source(document)
            matched[what].append(timed(lambda s=source: len(find_matches(index, s, NOW))))
    return matched


def deployed(
    offers: Sequence[ListingDocument],
    challenges: Sequence[ListingDocument],
    mix: Sequence[Search],
    args: argparse.Namespace,
) -> None:
    """Load the corpus through the application and time its index in-process, then over HTTP.

    The in-process figures are taken on the index ``flask search reindex`` built (before
    gunicorn starts), so the corpus is indexed once; offers and challenges keep the corpus's
    ids, as they are created in its order.
    """
    with tempfile.TemporaryDirectory(prefix="ideagora-bench-") as work:
        deployment = live.deploy(Path(work), offers, challenges, through_service=args.via_service)
        print("\nloading the database and the index through the application:")
        live.print_timings(deployment)
        if args.local:
            index = SearchIndex(deployment.settings["IDEAGORA_SEARCH_INDEX_DIR"])
            try:
                in_process(index, [*offers, *challenges], mix, args)
            finally:
                index.close()
        server = live.serve(deployment, args.workers)
        try:
            over_http(server, deployment, mix, args)
        finally:
            server.stop()


def over_http(server, deployment: live.Deployment, mix: Sequence[Search], args) -> None:
    """Time ``/api/v1/search`` and ``/api/v1/challenges/{id}/matches`` one request at a time."""
    print(f"\ngunicorn: {args.workers} sync workers at {server.url} (pid {server.pid})")
    token = live.token(server, live.SEEKER)
    paths = [f"/api/v1/search?{urllib.parse.urlencode(s.params)}" for s in mix]
    for path in paths[: 10 * args.workers]:
        live.get(server.url + path)
    print_load("load average before HTTP searches")
    searched = _time_http(server.url, [(s.kind, p) for s, p in zip(mix, paths, strict=True)], None)
    print("\nHTTP GET /api/v1/search (a new connection per request):")
    print_table(HTTP_HEADERS, table_rows(searched))
    ids = deployment.challenge_ids[: args.matches]
    match_paths = [("challenge -> offers", f"/api/v1/challenges/{i}/matches") for i in ids]
    for _what, path in match_paths[: 2 * args.workers]:
        live.get(server.url + path, token)
    print_load("load average before HTTP matching")
    matched = _time_http(server.url, match_paths, token)
    print("\nHTTP GET /api/v1/challenges/{id}/matches (seeker's token):")
    print_table(HTTP_HEADERS, table_rows(matched))


def _time_http(base: str, requests: Sequence[tuple[str, str]], token: str | None):
    """Time each request; count the answers other than 200 (where in-process counts hits)."""
    durations: dict[str, list[tuple[float, int]]] = defaultdict(list)
    failures: list[str] = []
    for what, path in requests:
        started = time.perf_counter()
        status, body = live.get(base + path, token)
        durations[what].append((time.perf_counter() - started, int(status != 200)))
        if status != 200 and len(failures) < 5:
            failures.append(f"{status} {path}: {body[:200]!r}")
    for failure in failures:
        print(f"  not 200: {failure}")
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000, help="offers in the corpus")
    parser.add_argument("--challenges", type=int, default=1_000, help="open challenges")
    parser.add_argument("--rounds", type=int, default=30, help="searches of each class")
    parser.add_argument("--matches", type=int, default=60, help="match requests of each way")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2-4)")
    parser.add_argument(
        "--via-service", type=int, default=1_000, help="offers loaded through the import service"
    )
    parser.add_argument("--no-http", dest="http", action="store_false", help="in-process only")
    parser.add_argument("--no-in-process", dest="local", action="store_false", help="HTTP only")
    parser.add_argument("--seed", type=int, default=4, help="the corpus seed")
    parser.add_argument("--patents", type=Path, default=PATENTS_PATH, help="the seed patents")
    args = parser.parse_args()
    print_header("search_latency", args)
    corpus = Corpus(load_patents(args.patents), seed=args.seed)
    offers = list(corpus.offers(args.offers))
    challenges = list(corpus.challenges(args.challenges))
    mix = searches(corpus, offers[:2_000], args.rounds, args.seed)
    print(f"{len(offers):,} offers and {len(challenges):,} challenges generated")
    if args.http:
        deployed(offers, challenges, mix, args)
    elif args.local:
        in_process_only([*offers, *challenges], mix, args)
    print_load()


if __name__ == "__main__":
    main()
