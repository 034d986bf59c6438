"""The index on disk: applying changes under the writer lock, progress, rebuild and readers."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term

from search.documents import ASSET, ListingDocument
from search.generations import IndexBusy
from search.index import SearchIndex, bulk_writer_options, plain_writer_options
from search.outbox import Progress
from tests.search.corpus import ALL_DOCUMENTS, BATTERY, CATALYST, MEMBRANE


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search_index = SearchIndex(str(tmp_path / "search"))
    search_index.ensure()
    yield search_index
    search_index.close()


def keys_found(index: SearchIndex, word: str, field: str = "title") -> set[str]:
    with index.searcher() as searcher:
        return {hit["key"] for hit in searcher.search(Term(field, word), limit=None)}


def listing_count(index: SearchIndex) -> int:
    with index.searcher() as searcher:
        return len(searcher.search(Term("kind", ASSET), limit=None)) + len(
            searcher.search(Term("kind", "challenge"), limit=None)
        )


def test_new_index_is_empty_with_no_progress(index: SearchIndex) -> None:
    assert index.progress() == Progress()
    assert listing_count(index) == 0


def test_ensure_twice_keeps_the_index(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(1))
    index.ensure()
    assert SearchIndex(index.directory).progress() == Progress(1)


def test_apply_adds_replaces_and_deletes(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE, BATTERY], [], Progress(2))
    assert keys_found(index, "membran") == {"asset:1"}
    renamed = replace(MEMBRANE, title="Ceramic membrane for oil separation")
    assert index.try_apply([renamed], ["asset:2"], Progress(4))
    assert keys_found(index, "ceram") == {"asset:1"}
    assert keys_found(index, "electrospun") == set()
    assert keys_found(index, "silicon") == set()
    assert listing_count(index) == 1


def test_deleting_an_unknown_key_is_harmless(index: SearchIndex) -> None:
    assert index.try_apply([], ["asset:99"], Progress(1))
    assert index.progress() == Progress(1)


def test_progress_is_persisted_and_read_by_a_new_index_object(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(12, frozenset({15, 17})))
    reopened = SearchIndex(index.directory)
    try:
        assert reopened.progress() == Progress(12, frozenset({15, 17}))
    finally:
        reopened.close()


def test_progress_document_is_not_a_listing(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(1))
    with index.searcher() as searcher:
        kinds = {document["kind"] for document in searcher.documents()}
    assert kinds == {ASSET, "_meta"}
    assert listing_count(index) == 1


def _hold_writer(directory: str, held: Event, release: Event) -> None:
    generation = SearchIndex(directory).generation()
    writer = whoosh_index.open_dir(os.path.join(directory, generation)).writer()
    held.set()
    release.wait(30)
    writer.cancel()


def test_try_apply_returns_false_while_another_process_writes(index: SearchIndex) -> None:
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_writer, args=(index.directory, held, release))
    holder.start()
    try:
        assert held.wait(30)
        assert index.try_apply([MEMBRANE], [], Progress(1)) is False
        assert index.try_apply([MEMBRANE], [], Progress(1), timeout=0.3) is False
        assert index.progress() == Progress()
    finally:
        release.set()
        holder.join(30)
    assert index.try_apply([MEMBRANE], [], Progress(1)) is True
    assert index.progress() == Progress(1)


def _apply_many(directory: str, first_id: int, count: int) -> None:
    search_index = SearchIndex(directory)
    for number in range(first_id, first_id + count):
        document = replace(MEMBRANE, id=number, title=f"Membrane {number}")
        while not search_index.try_apply([document], [], Progress(number), timeout=0.05):
            pass
    search_index.close()


def test_concurrent_processes_lose_no_update(index: SearchIndex) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_apply_many, args=(index.directory, 1 + 100 * n, 15))
        for n in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert listing_count(index) == 45


def test_try_apply_waits_up_to_its_timeout_for_the_lock(index: SearchIndex) -> None:
    generation = os.path.join(index.directory, index.generation())
    writer = whoosh_index.open_dir(generation).writer()
    threading.Timer(0.3, writer.cancel).start()
    assert index.try_apply([MEMBRANE], [], Progress(1), timeout=10.0) is True
    assert keys_found(index, "membran") == {"asset:1"}


def test_a_failed_apply_writes_nothing_and_releases_the_lock(index: SearchIndex) -> None:
    broken = replace(MEMBRANE, kind="patent")
    with pytest.raises(ValueError, match="unknown listing kind"):
        index.try_apply([BATTERY, broken], [], Progress(2))
    assert index.progress() == Progress()
    assert index.try_apply([BATTERY], [], Progress(2))
    assert keys_found(index, "silicon") == {"asset:2"}


def test_rebuild_swaps_and_an_open_reader_sees_the_new_documents(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(3))
    other_reader = SearchIndex(index.directory)
    try:
        assert keys_found(other_reader, "membran") == {"asset:1"}
        before = index.generation()
        seen: list[int] = []
        count = index.rebuild([BATTERY, CATALYST], Progress(40), on_document=lambda: seen.append(1))
        assert (count, len(seen)) == (2, 2)
        assert index.generation() != before
        assert keys_found(other_reader, "membran") == set()
        assert keys_found(other_reader, "copper") == {"asset:3"}
        assert other_reader.progress() == Progress(40)
    finally:
        other_reader.close()


def test_rebuild_keeps_the_previous_generation_and_removes_older(index: SearchIndex) -> None:
    generations = []
    for _ in range(3):
        index.rebuild(ALL_DOCUMENTS, Progress(5), writer_options=plain_writer_options())
        generations.append(index.generation())
    present = sorted(entry for entry in os.listdir(index.directory) if entry.startswith("gen-"))
    assert present == sorted(generations[-2:])


def test_rebuild_with_the_bulk_writer_indexes_every_document(index: SearchIndex) -> None:
    many = [replace(MEMBRANE, id=number, title=f"Membrane {number}") for number in range(1, 401)]
    if threading.active_count() == 1 and (os.cpu_count() or 1) >= 2:
        assert bulk_writer_options() == {"procs": 2, "multisegment": True, "limitmb": 96}
    assert index.rebuild(many, Progress(400)) == 400
    assert listing_count(index) == 400
    assert index.progress() == Progress(400)


def test_bulk_writer_uses_one_process_while_other_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, args=(10,))
    thread.start()
    try:
        assert "procs" not in bulk_writer_options()
    finally:
        stop.set()
        thread.join()


def test_rebuild_refuses_a_document_given_twice_and_keeps_the_index(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(1))
    before = index.generation()
    with pytest.raises(ValueError, match="given twice"):
        index.rebuild([BATTERY, BATTERY], Progress(9))
    assert index.generation() == before
    assert keys_found(index, "membran") == {"asset:1"}
    assert sorted(e for e in os.listdir(index.directory) if e.startswith("gen-")) == [before]


def test_failed_rebuild_keeps_the_current_and_previous_generations(index: SearchIndex) -> None:
    index.rebuild([MEMBRANE], Progress(1))
    index.rebuild([BATTERY], Progress(2))
    before = sorted(e for e in os.listdir(index.directory) if e.startswith("gen-"))
    with pytest.raises(ValueError, match="unknown listing kind"):
        index.rebuild([CATALYST, replace(MEMBRANE, kind="patent")], Progress(3))
    assert sorted(e for e in os.listdir(index.directory) if e.startswith("gen-")) == before
    assert keys_found(index, "silicon") == {"asset:2"}
    assert index.progress() == Progress(2)


def test_only_one_rebuild_at_a_time(index: SearchIndex) -> None:
    def documents() -> Iterator[ListingDocument]:
        with pytest.raises(IndexBusy, match="rebuild lock"):
            index.rebuild([CATALYST], Progress(1))
        yield BATTERY

    assert index.rebuild(documents(), Progress(2)) == 1
    assert keys_found(index, "silicon") == {"asset:2"}


def test_apply_after_a_rebuild_writes_to_the_new_generation(index: SearchIndex) -> None:
    writer_side = SearchIndex(index.directory)
    try:
        writer_side.ensure()
        index.rebuild([BATTERY], Progress(2))
        assert writer_side.try_apply([MEMBRANE], [], Progress(3))
        assert keys_found(index, "membran") == {"asset:1"}
        assert keys_found(index, "silicon") == {"asset:2"}
    finally:
        writer_side.close()


def test_each_thread_has_its_own_searcher(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(1))
    seen: dict[str, object] = {}

    def read(name: str) -> None:
        with index.searcher() as searcher:
            seen[name] = searcher
            assert searcher.doc_count() == 2

    threads = [threading.Thread(target=read, args=(str(n),)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(searcher) for searcher in seen.values()}) == 3


def test_searcher_is_refreshed_after_a_commit_and_reused_otherwise(index: SearchIndex) -> None:
    with index.searcher() as first:
        pass
    with index.searcher() as again:
        assert again is first
    assert index.try_apply([MEMBRANE], [], Progress(1))
    with index.searcher() as refreshed:
        assert refreshed is not first
        assert refreshed.doc_count() == 2


def test_close_closes_searchers_and_a_later_use_reopens(index: SearchIndex) -> None:
    assert index.try_apply([MEMBRANE], [], Progress(1))
    with index.searcher() as searcher:
        pass
    index.close()
    assert searcher.is_closed
    assert keys_found(index, "membran") == {"asset:1"}


def test_the_searchers_of_finished_threads_are_closed(index: SearchIndex) -> None:
    assert index.try_apply(ALL_DOCUMENTS, [], Progress(watermark=1))

    def search_once() -> None:
        keys_found(index, "membrane")

    search_once()
    open_files = len(os.listdir("/proc/self/fd"))
    for _ in range(60):
        thread = threading.Thread(target=search_once)
        thread.start()
        thread.join()
    # a thread per request (a threaded server) must not leave a searcher and its files behind
    assert len(os.listdir("/proc/self/fd")) <= open_files + 2
