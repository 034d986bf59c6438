"""Follow the outbox: apply committed changes to this process's index, inline or in a thread.

Whoever can take the index's writer lock drains the outbox after a commit; anyone else leaves
it to them and returns at once, so no request waits for the lock or fails on it. In
"background" mode each process runs one daemon thread (started lazily, and again after a fork)
that drains when this process commits and every ``SEARCH_POLL_SECONDS``, so rows committed by a
process that died are applied by the others. In "inline" mode a commit drains before it returns.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, has_request_context

from ideagora.database import db, utcnow
from ideagora.searching.documents import load_documents
from ideagora.searching.locks import DrainLock
from ideagora.searching.models import SearchOutbox
from search.documents import document_key
from search.index import SearchIndex
from search.outbox import OutboxRow, Progress, plan

logger = logging.getLogger(__name__)

BATCH = 500
# how long a command line waits for a server's drain to finish before leaving it to them
COMMAND_TIMEOUT = 10.0
# inline mode: how long a commit waits for a drain already running to finish, then takes over
INLINE_TIMEOUT = 2.0
# how long an outbox id missing below a newer one may still be a transaction yet to commit: rows
# are stamped at flush by each node's own clock, so this allows for long transactions and skew
GAP_TIMEOUT = 300.0
# how soon a follower tries again when another process held the lock
BUSY_RETRY_SECONDS = 0.1
SYNC_MODES = ("background", "inline")

AppliedCallback = Callable[[Flask, list[str]], None]
_callbacks: list[AppliedCallback] = []
_local = threading.local()


def on_applied(callback: AppliedCallback) -> AppliedCallback:
    """Call ``callback(app, keys)`` after each drain that applied ``keys`` to the index.

    It runs inside an app context with a fresh session; an exception it raises is logged and
    never stops the drain or the other callbacks.
    """
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


@dataclass
class Follower:
    """This process's index and the thread that keeps it up to date."""

    app: Flask
    pid: int = field(default_factory=os.getpid)
    index: SearchIndex | None = None
    thread: threading.Thread | None = None
    wake: threading.Event = field(default_factory=threading.Event)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def current(self) -> Follower:
        """Return self, reset first when this process is a fork of the one that made it."""
        if self.pid != os.getpid():
            with self.guard:
                if self.pid != os.getpid():
                    # the parent's thread did not survive the fork, and its open files are shared
                    self.pid, self.index, self.thread = os.getpid(), None, None
                    self.wake = threading.Event()
        return self

    def get_index(self) -> SearchIndex:
        """Return the index, opened (and created when missing) on first use."""
        follower = self.current()
        with follower.guard:
            if follower.index is None:
                index = SearchIndex(follower.app.config["SEARCH_INDEX_DIR"])
                index.ensure()
                follower.index = index
            return follower.index

    def start_thread(self) -> None:
        """Start this process's follower thread unless it runs already."""
        follower = self.current()
        with follower.guard:
            if follower.thread is not None and follower.thread.is_alive():
                return
            follower.thread = threading.Thread(
                target=_follow, args=(follower.app, follower), name="search-outbox", daemon=True
            )
            follower.thread.start()


def follower_of(app: Flask) -> Follower:
    """Return the app's follower, made on first use."""
    follower = app.extensions.get("search_follower")
    if follower is None:
        follower = app.extensions.setdefault("search_follower", Follower(app))
    return follower.current()


def get_index(app: Flask) -> SearchIndex:
    """Return the app's search index for this process."""
    return follower_of(app).get_index()


def drain(app: Flask, timeout: float = 0.0) -> int:
    """Apply the outbox rows the index has not applied; return how many listings were applied.

    Wait up to ``timeout`` seconds for another drain (here or in another process) to finish;
    with 0, return 0 at once when one is running.
    """
    applied, _busy = _drain(app, timeout)
    return applied


def _drain(app: Flask, timeout: float) -> tuple[int, bool]:
    if getattr(_local, "draining", False):
        return 0, False
    _local.draining = True
    try:
        index = get_index(app)
        with DrainLock(app.config["SEARCH_INDEX_DIR"]).held(timeout) as held:
            if not held:
                return 0, True
            with app.app_context():
                keys, busy = apply_pending(index, timeout)
        if keys:
            notify(app, keys)
        return len(keys), busy
    finally:
        _local.draining = False


def apply_pending(index: SearchIndex, timeout: float) -> tuple[list[str], bool]:
    """Apply batch after batch until a read finds nothing new; return the keys applied."""
    applied: list[str] = []
    progress = index.progress()
    cursor = progress.watermark
    while True:
        rows = read_rows(cursor)
        planned = plan(progress, rows, utcnow(), GAP_TIMEOUT)
        if planned.keys or planned.progress != progress:
            upserts, deletions = load_documents(db.session, planned.keys)
            # end the read before writing the index: on SQLite it holds the write lock
            db.session.rollback()
            if not index.try_apply(upserts, deletions, planned.progress, timeout):
                return applied, True
            applied.extend(planned.keys)
            progress = planned.progress
        elif len(rows) < BATCH:
            db.session.rollback()
            return applied, False
        # past a full batch read on; otherwise look again from the watermark for late rows
        cursor = rows[-1].id if len(rows) == BATCH else progress.watermark


def read_rows(after: int, limit: int = BATCH) -> list[OutboxRow]:
    """Return the outbox rows numbered above ``after``, in order, at most ``limit``."""
    query = (
        sa.select(
            SearchOutbox.id,
            SearchOutbox.listing_type,
            SearchOutbox.listing_id,
            SearchOutbox.created_at,
        )
        .where(SearchOutbox.id > after)
        .order_by(SearchOutbox.id)
        .limit(limit)
    )
    return [
        OutboxRow(row_id, document_key(kind, listing_id), created_at)
        for row_id, kind, listing_id, created_at in db.session.execute(query)
    ]


def catch_up_progress(index_progress: Progress) -> Progress:
    """Return the progress an index holds once every row committed by now is applied.

    A rebuild reads the outbox up to here first and the listings after, so the documents it
    writes include every change those rows stand for.
    """
    progress, cursor = index_progress, index_progress.watermark
    while True:
        rows = read_rows(cursor)
        if not rows:
            return progress
        progress = plan(progress, rows, utcnow(), GAP_TIMEOUT).progress
        cursor = rows[-1].id


def notify(app: Flask, keys: list[str]) -> None:
    for callback in list(_callbacks):
        with app.app_context():
            try:
                callback(app, list(keys))
            except Exception:
                db.session.rollback()
                logger.exception("a callback after applying %d search changes failed", len(keys))


def committed(app: Flask) -> None:
    """React to a commit that wrote outbox rows, as ``SEARCH_SYNC`` says."""
    mode = app.config["SEARCH_SYNC"]
    try:
        if mode == "background" and has_request_context():
            follower = follower_of(app)
            follower.start_thread()
            follower.wake.set()
        elif mode == "background":
            # a command or a script: no thread may outlive it, so it drains before it goes on
            drain(app, timeout=COMMAND_TIMEOUT)
        else:
            drain(app, timeout=INLINE_TIMEOUT)
    except Exception:
        # the change is committed and stays in the outbox: a later drain applies it
        logger.exception("could not apply committed changes to the search index")


def _follow(app: Flask, follower: Follower) -> None:
    poll = float(app.config["SEARCH_POLL_SECONDS"])
    wait = 0.0
    while True:
        follower.wake.wait(wait)
        follower.wake.clear()
        try:
            _applied, busy = _drain(app, 0.0)
        except Exception:
            busy = False
            logger.exception("could not apply the outbox to the search index")
        wait = BUSY_RETRY_SECONDS if busy else poll


def init_app(app: Flask) -> None:
    """Check the sync mode, and start this process's follower with its first request."""
    if app.config["SEARCH_SYNC"] not in SYNC_MODES:
        raise ValueError(
            f"SEARCH_SYNC must be one of {', '.join(SYNC_MODES)}, not {app.config['SEARCH_SYNC']!r}"
        )
    if app.config["SEARCH_SYNC"] == "background":

        @app.before_request
        def _start_follower() -> None:
            follower_of(app).start_thread()
