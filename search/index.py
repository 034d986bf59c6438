"""The listing index on disk: applying changes under the one writer lock, rebuilding, reading.

Whoosh allows one writer per index across processes. :meth:`SearchIndex.try_apply` takes it
without waiting (or for a bounded time) and reports False when another process has it, so no
request ever blocks on it. The outbox progress is a document inside the index, written by the
same commit as the listing documents, so the two can never disagree after a crash.

Readers open lazily (so a forked worker opens its own files), keep one searcher per thread and
refresh it on every use; a rebuild fills a new generation and swaps the pointer atomically
(:mod:`search.generations`), and readers notice the swap and move to the new generation.
"""

from __future__ import annotations

import json
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import FileIndex, LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from search.documents import ListingDocument
from search.generations import Generations, IndexBusy
from search.outbox import Progress
from search.schema import META_KEY, build_schema, document_fields, meta_fields

#: memory per indexing process during a rebuild (Whoosh's pool size before it spills to disk)
BULK_LIMIT_MB = 96
#: how long a rebuild waits for a running apply to finish before it swaps generations
SWAP_WAIT_SECONDS = 60.0

__all__ = ["IndexBusy", "SearchIndex", "bulk_writer_options", "plain_writer_options"]


def bulk_writer_options() -> dict[str, Any]:
    """Return the writer options of a rebuild: two indexing processes, segments kept as built.

    Whoosh starts its indexing processes with ``fork``. Forking a process that runs other
    threads can leave a lock held forever in the child, so a multi-threaded process (a web
    worker with a background thread) indexes in one process instead.
    """
    if threading.active_count() > 1 or (os.cpu_count() or 1) < 2:
        return {"limitmb": BULK_LIMIT_MB}
    return {"procs": 2, "multisegment": True, "limitmb": BULK_LIMIT_MB}


def plain_writer_options() -> dict[str, Any]:
    """Return the options of Whoosh's default writer (for comparing rebuild speed)."""
    return {}


@dataclass(eq=False)
class _ReaderState:
    """One thread's searcher and the generation it reads."""

    generation: str | None = None
    searcher: Searcher | None = None
    depth: int = 0
    # the searcher again, for the finaliser that closes it once the thread is gone
    holder: list[Searcher] = field(default_factory=list)


class SearchIndex:
    """The listing index in ``directory``: its generations, its writer lock, its readers."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._generations = Generations(directory)
        self._reset_process_state()

    def _reset_process_state(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._local = threading.local()
        # weak: a finished thread's state goes, and its finaliser closes its searcher
        self._states: weakref.WeakSet[_ReaderState] = weakref.WeakSet()
        self._indexes: dict[str, FileIndex] = {}

    # -- generations -------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create an empty index if the directory has none yet."""
        if self._generations.current() is not None:
            return
        with self._generations.locked("pointer"):
            if self._generations.current() is None:
                name = self._generations.next_name()
                os.makedirs(self._generations.path(name))
                created = whoosh_index.create_in(self._generations.path(name), build_schema())
                # the progress document from the start: a reader never sees an empty index
                writer = created.writer()
                with _committing(writer):
                    writer.add_document(**meta_fields(_dump_progress(Progress())))
                self._generations.point_to(name)

    def generation(self) -> str:
        """Return the name of the current generation (creating the index if needed)."""
        self.ensure()
        name = self._generations.current()
        assert name is not None
        return name

    def _index(self, name: str) -> FileIndex:
        self._check_process()
        with self._lock:
            opened = self._indexes.get(name)
            if opened is None:
                opened = whoosh_index.open_dir(self._generations.path(name))
                self._indexes[name] = opened
            return opened

    def _check_process(self) -> None:
        # after a fork the child must not share the parent's open files or thread states
        if os.getpid() != self._pid:
            self._reset_process_state()

    # -- writing -----------------------------------------------------------------------------

    def try_apply(
        self,
        upserts: Sequence[ListingDocument],
        deletions: Sequence[str],
        progress: Progress,
        timeout: float = 0.0,
    ) -> bool:
        """Write ``upserts`` (replacing documents with the same key), remove the ``deletions``
        keys and record ``progress``, in one commit.

        Take the writer lock at once, or wait up to ``timeout`` seconds; return False (and
        write nothing) if another process holds it.
        """
        for _attempt in range(3):
            name = self.generation()
            try:
                writer = self._index(name).writer(timeout=max(timeout, 0.0), delay=0.05)
            except LockError:
                return False
            if self._generations.current() != name:
                # a rebuild swapped generations while we waited: write to the new one
                writer.cancel()
                continue
            with _committing(writer):
                for key in deletions:
                    writer.delete_by_term("key", key)
                for document in upserts:
                    writer.update_document(**document_fields(document))
                writer.update_document(**meta_fields(_dump_progress(progress)))
            return True
        return False

    def rebuild(
        self,
        documents: Iterable[ListingDocument],
        progress: Progress,
        on_document: Callable[[], None] | None = None,
        writer_options: dict[str, Any] | None = None,
    ) -> int:
        """Index ``documents`` into a fresh generation, swap it in atomically, return the count.

        ``progress`` is recorded with the documents; changes written to the old generation
        meanwhile are re-applied by the caller from the outbox rows after it. ``on_document`` is
        called after each document (for a progress bar). ``writer_options`` defaults to
        :func:`bulk_writer_options`. Raise :class:`IndexBusy` if another rebuild is running.
        """
        with self._generations.locked("rebuild", blocking=False):
            name = self._generations.next_name()
            path = self._generations.path(name)
            os.makedirs(path)
            try:
                count = self._fill(path, documents, progress, on_document, writer_options)
                self._swap_to(name)
            except BaseException:
                if self._generations.current() != name:
                    self._generations.remove(name)
                raise
            return count

    def _fill(
        self,
        path: str,
        documents: Iterable[ListingDocument],
        progress: Progress,
        on_document: Callable[[], None] | None,
        writer_options: dict[str, Any] | None,
    ) -> int:
        fresh = whoosh_index.create_in(path, build_schema())
        options = bulk_writer_options() if writer_options is None else writer_options
        writer = fresh.writer(**options)
        keys: set[str] = set()
        with _committing(writer):
            for document in documents:
                if document.key in keys:
                    raise ValueError(f"the document {document.key} was given twice")
                keys.add(document.key)
                writer.add_document(**document_fields(document))
                if on_document is not None:
                    on_document()
            writer.add_document(**meta_fields(_dump_progress(progress)))
        with fresh.searcher() as searcher:
            indexed = searcher.doc_count() - 1
        if indexed != len(keys):
            raise RuntimeError(f"the rebuild indexed {indexed} of {len(keys)} documents")
        return indexed

    def _swap_to(self, name: str) -> None:
        with self._generations.locked("pointer"):
            previous = self._generations.current()
            lock = self._index(previous).lock("WRITELOCK") if previous else None
            if lock is not None and not _acquire(lock, SWAP_WAIT_SECONDS):
                raise IndexBusy("a writer kept the index lock; the rebuilt index was not used")
            try:
                self._generations.point_to(name)
            finally:
                if lock is not None:
                    lock.release()
            removed = self._generations.remove_except({name, previous} - {None})
        with self._lock:
            for gone in removed:
                self._indexes.pop(gone, None)

    # -- reading -----------------------------------------------------------------------------

    def progress(self) -> Progress:
        """Return the outbox progress recorded in the current generation."""
        with self.searcher() as searcher:
            stored = searcher.document(key=META_KEY)
        if not stored or "progress" not in stored:
            return Progress()
        return _load_progress(stored["progress"])

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Yield this thread's searcher, refreshed if the index changed or was swapped.

        Do not keep the searcher beyond the block: the next use may replace it.
        """
        state = self._state()
        if state.depth == 0:
            self._refresh(state)
        state.depth += 1
        try:
            assert state.searcher is not None
            yield state.searcher
        finally:
            state.depth -= 1

    def _state(self) -> _ReaderState:
        self._check_process()
        state = getattr(self._local, "state", None)
        if state is None:
            state = _ReaderState()
            weakref.finalize(state, _close_held, state.holder)
            self._local.state = state
            with self._lock:
                self._states.add(state)
        return state

    def _refresh(self, state: _ReaderState) -> None:
        # Whoosh-Reloaded 2.7.5's Searcher.refresh() reuses readers wrongly: it adds back the
        # segments a merge removed and keeps deletions out of date, so deleted listings stay
        # findable. A searcher that is not up to date is replaced by a new one (a few ms).
        name = self.generation()
        if state.searcher is not None and state.generation == name and state.searcher.up_to_date():
            return
        if state.searcher is not None:
            state.searcher.close()
        state.searcher = self._index(name).searcher()
        state.holder[:] = [state.searcher]
        state.generation = name

    def close(self) -> None:
        """Close every searcher this index opened (in any thread of this process)."""
        self._check_process()
        with self._lock:
            states, self._states = list(self._states), weakref.WeakSet()
            self._local = threading.local()
        for state in states:
            if state.searcher is not None:
                state.searcher.close()
                state.searcher = None
                state.holder.clear()


def _close_held(holder: list[Searcher]) -> None:
    """Close the searcher of a thread that has ended."""
    for searcher in holder:
        searcher.close()
    holder.clear()


@contextmanager
def _committing(writer: IndexWriter) -> Iterator[None]:
    """Commit the writer after the block, or cancel it (and stop its processes) on error."""
    try:
        yield
    except BaseException:
        _cancel(writer)
        raise
    writer.commit()


def _cancel(writer: IndexWriter) -> None:
    # a parallel writer's processes only stop when told on their queue; cancel() alone leaves
    # them waiting forever
    tasks = getattr(writer, "tasks", [])
    for _task in tasks:
        try:
            writer.jobqueue.put(None, timeout=1.0)
        except Exception:  # the queue may be full or broken: terminate below
            break
    for task in tasks:
        task.join(timeout=10.0)
        if task.is_alive():
            task.terminate()
            task.join()
    writer.tasks = []
    writer.cancel()


def _acquire(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _dump_progress(progress: Progress) -> str:
    return json.dumps(
        {"watermark": progress.watermark, "applied_above": sorted(progress.applied_above)}
    )


def _load_progress(value: str) -> Progress:
    data = json.loads(value)
    return Progress(
        watermark=int(data["watermark"]),
        applied_above=frozenset(int(number) for number in data["applied_above"]),
    )
