"""Time bulk indexing: ``SearchIndex.rebuild`` against a plain default Whoosh writer.

Run on demand, not part of the test suite:

    .venv/bin/python bench/index_speed.py [--sizes 10000,100000] [--seed 4]

For each size, the same generated corpus of IP offers (see ``bench/corpus.py``) is indexed
twice in the same run, each into a fresh temporary directory: once by ``SearchIndex.rebuild``
(the bulk writer ``flask search reindex`` uses) and once by a plain ``ix.writer()`` with the
same schema, one ``add_document`` per offer and one commit. Generating the corpus is not timed.
The figures are documents per second for both, their ratio (target: at least 2x) and the size
of each index on disk.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from corpus import PATENTS_PATH, Corpus, load_patents, words_of
from report import print_header, print_load, print_table
from whoosh import index as whoosh_index

from search.documents import ListingDocument
from search.index import SearchIndex
from search.outbox import Progress
from search.schema import build_schema, document_fields


def directory_size(path: Path) -> int:
    """Return the bytes of every file under ``path``."""
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def cpu_seconds() -> float:
    """Return the CPU time (user and system) of this process and its finished children."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def with_rebuild(documents: Sequence[ListingDocument], directory: Path) -> tuple[float, float, int]:
    """Index through ``SearchIndex.rebuild``; return wall and CPU seconds and bytes on disk."""
    index = SearchIndex(str(directory))
    try:
        started, cpu = time.perf_counter(), cpu_seconds()
        count = index.rebuild(iter(documents), Progress())
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    finally:
        index.close()
    if count != len(documents):
        raise SystemExit(f"rebuild indexed {count:,} of {len(documents):,} documents")
    return seconds, cpu, directory_size(directory)


def with_default_writer(
    documents: Sequence[ListingDocument], directory: Path
) -> tuple[float, float, int]:
    """Index with a plain default writer and the same schema; return wall and CPU seconds and
    bytes on disk."""
    directory.mkdir()
    started, cpu = time.perf_counter(), cpu_seconds()
    ix = whoosh_index.create_in(str(directory), build_schema())
    writer = ix.writer()
    for document in documents:
        writer.add_document(**document_fields(document))
    writer.commit()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    with ix.searcher() as searcher:
        if searcher.doc_count() != len(documents):
            raise SystemExit(f"the default writer indexed {searcher.doc_count():,} documents")
    ix.close()
    return seconds, cpu, directory_size(directory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated corpus sizes (offers), e.g. 10000,100000",
    )
    parser.add_argument("--seed", type=int, default=4, help="the corpus seed")
    parser.add_argument(
        "--skip-default",
        action="store_true",
        help="time only SearchIndex.rebuild (no ratio), e.g. for a quick look",
    )
    parser.add_argument("--patents", type=Path, default=PATENTS_PATH, help="the seed patents")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    print_header("index_speed", args)
    corpus = Corpus(load_patents(args.patents), seed=args.seed)
    rows = []
    for size in sizes:
        documents = list(corpus.offers(size))
        words = sum(words_of(document) for document in documents) / max(len(documents), 1)
        print(f"\n{size:,} offers generated, {words:.0f} words each on average")
        with tempfile.TemporaryDirectory(prefix="ideagora-bench-") as work:
            print_load("load average before rebuild")
            rebuild = with_rebuild(documents, Path(work) / "rebuild")
            plain = None
            if not args.skip_default:
                print_load("load average before default writer")
                plain = with_default_writer(documents, Path(work) / "plain")
        rows.append(_row(size, "SearchIndex.rebuild", rebuild, plain))
        if plain is not None:
            rows.append(_row(size, "default ix.writer()", plain, None))
        print_table(HEADERS, rows[-2 if plain else -1 :])
        print_load()
    print(
        f"\nsummary ({os.cpu_count()} cores; ratio = default writer time / rebuild time; "
        "CPU s = user + system time of all indexing processes):"
    )
    print_table(HEADERS, rows)


HEADERS = ("offers", "writer", "seconds", "docs/s", "ratio", "CPU s", "size on disk")


def _row(size: int, writer: str, measured: tuple[float, float, int], plain: tuple | None):
    seconds, cpu, size_bytes = measured
    ratio = f"{plain[0] / seconds:.2f}x" if plain else "-"
    return (
        f"{size:,}",
        writer,
        f"{seconds:.1f}",
        f"{size / seconds:,.0f}",
        ratio,
        f"{cpu:.1f}",
        f"{size_bytes / 1e6:,.1f} MB",
    )


if __name__ == "__main__":
    main()
