"""Count hits per facet value (kind, field, status, deal type, patent status, TRL).

Counts cover the whole result set, not just the page shown. A listing in several fields or open
to several deal types counts once under each of them. Every listing keeps its facet values in
one column (``facets`` in :mod:`search.schema`), read once per reader into a set of documents
per value (:mod:`search.docsets`), so counting is one set intersection per value.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from whoosh.searching import Searcher

from search.docsets import reader_sets
from search.schema import FACET_NAMES


def facet_counts(
    searcher: Searcher, docnums: set[int] | frozenset[int]
) -> dict[str, list[tuple[str, int]]]:
    """Return each facet's (value, count) pairs over ``docnums``, most frequent first (TRL in
    level order)."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for name, values in reader_sets(searcher).facet_sets(searcher).items():
        pairs = [(value, len(docs.intersection(docnums))) for value, docs in values]
        found = [(value, count) for value, count in pairs if count]
        if name == "trl":
            counts[name] = sorted(found, key=lambda pair: int(pair[0]))
        else:
            counts[name] = sorted(found, key=lambda pair: (-pair[1], pair[0]))
    return counts


def empty_facets() -> dict[str, list[tuple[str, int]]]:
    """Return the facets of a search without hits."""
    return {name: [] for name in FACET_NAMES}


class FacetCache:
    """Remember facet counts per index version and request, for searches without text.

    Listing everything (the page people land on) counts every listing's facets; the counts
    only change with a commit, and the key includes the index version, so a hit is never stale.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, dict[str, list[tuple[str, int]]]] = OrderedDict()
        self._lock = threading.Lock()

    def counts(
        self, key: Hashable, compute: Callable[[], dict[str, list[tuple[str, int]]]]
    ) -> dict[str, list[tuple[str, int]]]:
        """Return the counts remembered under ``key``, computing them the first time."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is None:
            found = compute()
            with self._lock:
                self._entries[key] = found
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return {name: list(pairs) for name, pairs in found.items()}
