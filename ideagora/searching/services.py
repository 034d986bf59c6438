"""Search services other parts call: the app's index, rebuilding it, its state, and searching."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app

from ideagora.database import db
from ideagora.searching import sync
from ideagora.searching.documents import all_documents, count_public
from ideagora.searching.locks import DrainLock
from ideagora.searching.models import SearchOutbox
from search.generations import IndexBusy
from search.index import SearchIndex
from search.query import SearchRequest, SearchResults, run_search

# how long a rebuild waits for a running drain to finish before giving up
REBUILD_WAIT_SECONDS = 30.0


def get_index() -> SearchIndex:
    """Return the current app's search index, opened on first use in this process."""
    return sync.get_index(current_app._get_current_object())


def search(request: SearchRequest) -> SearchResults:
    """Run a search over the public listings in the index."""
    return run_search(get_index(), request)


@dataclass(frozen=True)
class IndexStatus:
    """How many documents the index holds, how far it follows the outbox, what is left."""

    documents: int
    watermark: int
    applied_above: int
    pending: int


def index_status() -> IndexStatus:
    """Return the index's document count and outbox progress, and the rows still to apply."""
    index = get_index()
    progress = index.progress()
    documents = run_search(index, SearchRequest(per_page=1)).total
    above = db.session.scalars(
        sa.select(SearchOutbox.id).where(SearchOutbox.id > progress.watermark)
    )
    pending = sum(1 for row_id in above if row_id not in progress.applied_above)
    return IndexStatus(documents, progress.watermark, len(progress.applied_above), pending)


def count_documents_to_index(app: Flask) -> int:
    """Return how many public listings a rebuild will index."""
    # a session of its own, ended at once: on SQLite an open read holds the write lock
    with app.app_context():
        return count_public(db.session)


def rebuild_index(app: Flask, on_document: Callable[[], None] | None = None) -> tuple[int, int]:
    """Rebuild the index from the database, swap it in, then apply what came in meanwhile.

    Return (documents indexed, listings applied from the outbox afterwards). Drains wait
    while the rebuild runs; the rows committed meanwhile are applied before it returns.
    Raise :class:`search.generations.IndexBusy` if another drain or rebuild keeps the lock.
    """
    index = sync.get_index(app)
    with DrainLock(app.config["SEARCH_INDEX_DIR"]).held(REBUILD_WAIT_SECONDS) as held:
        if not held:
            raise IndexBusy("another process is updating the search index; try again shortly")
        with app.app_context():
            # the outbox is read before the listings, so the documents include its changes
            start = sync.catch_up_progress(index.progress())
            db.session.rollback()
            count = index.rebuild(all_documents(db.session), start, on_document=on_document)
            db.session.rollback()
            keys, _busy = sync.apply_pending(index, REBUILD_WAIT_SECONDS)
    if keys:
        sync.notify(app, keys)
    return count, len(keys)
