"""Sets of document numbers: what a query matches, what each facet value and filter covers.

Counting a result set's facets and its exact total does not need scores, so it is done with
set operations (which run in C) rather than by collecting every match through Whoosh's scoring
loop. What does not change between two commits is computed once per reader and kept with it:
the live documents, the documents of each facet value, the filter terms' documents and the
date orders. A new searcher (after any change to the index) has a new reader, so its sets are
built afresh; deleted documents are never in them.
"""

from __future__ import annotations

import heapq
import threading
import weakref
from collections.abc import Iterable
from itertools import islice

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import NUMERIC
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    ConstantScoreQuery,
    Every,
    Not,
    NullQuery,
    NumericRange,
    Or,
    Query,
    Require,
    Term,
)
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from search.schema import FACET_NAMES, FACET_SEPARATOR

#: fields whose terms are few and used as filters: their document sets are kept per reader
FILTER_FIELDS = frozenset({"kind", "status", "field_families", "deal_types", "patent_status"})
#: a numeric range over a field with at most this many values is the union of their terms
MAX_RANGE_TERMS = 100
#: a result set at least 1/ORDER_SCAN of the listings is ordered by scanning a presorted list
ORDER_SCAN = 16

_cache: weakref.WeakKeyDictionary[IndexReader, ReaderSets] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def reader_sets(searcher: Searcher) -> ReaderSets:
    """Return the sets kept for ``searcher``'s reader, creating them on first use."""
    reader = searcher.reader()
    with _cache_lock:
        found = _cache.get(reader)
        if found is None:
            found = ReaderSets()
            _cache[reader] = found
        return found


class ReaderSets:
    """The document sets of one reader, each built the first time it is needed.

    It holds no reference to its reader (the cache drops it with the reader), so every method
    takes the searcher.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._live: frozenset[int] | None = None
        self._facets: dict[str, list[tuple[str, frozenset[int]]]] | None = None
        self._terms: dict[tuple[str, bytes], frozenset[int]] = {}
        self._orders: dict[tuple[str, bool], tuple[list[int], list[int]]] = {}

    def live(self, searcher: Searcher) -> frozenset[int]:
        """Return every document number that is not deleted."""
        with self._lock:
            if self._live is None:
                self._live = frozenset(searcher.reader().all_doc_ids())
            return self._live

    def facet_sets(self, searcher: Searcher) -> dict[str, list[tuple[str, frozenset[int]]]]:
        """Return, for each facet, its values with the live documents that have them."""
        with self._lock:
            if self._facets is None:
                self._facets = _facet_sets(searcher, self.live(searcher))
            return self._facets

    def term(self, searcher: Searcher, fieldname: str, text: object) -> frozenset[int]:
        """Return the live documents containing a term (kept when it is a filter field's)."""
        reader = searcher.reader()
        raw = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
        if fieldname not in FILTER_FIELDS:
            return frozenset(self._present(searcher, _term_ids(reader, fieldname, raw)))
        key = (fieldname, raw)
        with self._lock:
            found = self._terms.get(key)
            if found is None:
                found = frozenset(self._present(searcher, _term_ids(reader, fieldname, raw)))
                self._terms[key] = found
            return found

    def _present(self, searcher: Searcher, ids: set[int]) -> set[int]:
        if searcher.reader().has_deletions():
            ids &= self.live(searcher)
        return ids

    def ordered(
        self,
        searcher: Searcher,
        docnums: set[int] | frozenset[int],
        column: str,
        newest: bool,
        limit: int,
    ) -> list[int]:
        """Return the first ``limit`` of ``docnums`` by the sortable ``column``: largest first
        when ``newest``, else smallest first; equal values by document number."""
        keys, presorted = self._order(searcher, column, newest)
        if len(docnums) * ORDER_SCAN >= len(presorted):
            return list(islice(filter(docnums.__contains__, presorted), limit))
        return heapq.nsmallest(limit, docnums, key=lambda docnum: (keys[docnum], docnum))

    def _order(self, searcher: Searcher, column: str, newest: bool) -> tuple[list[int], list[int]]:
        with self._lock:
            found = self._orders.get((column, newest))
            if found is None:
                values = _column_values(searcher.reader(), column)
                keys = [-value for value in values] if newest else values
                presorted = sorted(self.live(searcher), key=lambda d: (keys[d], d))
                found = (keys, presorted)
                self._orders[(column, newest)] = found
            return found


def matched(searcher: Searcher, query: Query) -> set[int]:
    """Return the document numbers ``query`` matches (never a deleted document)."""
    sets = reader_sets(searcher)
    found = _evaluate(searcher, sets, query)
    return set(found) & sets.live(searcher) if searcher.reader().has_deletions() else set(found)


def _evaluate(searcher: Searcher, sets: ReaderSets, query: Query) -> set[int] | frozenset[int]:
    if query is NullQuery:
        return frozenset()
    kind = type(query)
    if kind is Term and query.fieldname in searcher.schema:
        return sets.term(searcher, query.fieldname, query.text)
    if (kind is And or kind is Require) and query.children():
        return _intersection([_evaluate(searcher, sets, child) for child in query.children()])
    if kind is Or and not getattr(query, "minmatch", 0):
        parts = [_evaluate(searcher, sets, child) for child in query.children()]
        return set().union(*parts)
    if kind is Not:
        return sets.live(searcher) - _evaluate(searcher, sets, query.query)
    if kind is AndNot:
        return _evaluate(searcher, sets, query.a) - _evaluate(searcher, sets, query.b)
    if kind is AndMaybe:
        return _evaluate(searcher, sets, query.a)
    if kind is ConstantScoreQuery:
        return _evaluate(searcher, sets, query.child)
    if kind is Every and not query.fieldname:
        return sets.live(searcher)
    if kind is NumericRange:
        terms = _range_terms(searcher, query)
        if terms is not None:
            return set().union(*(sets.term(searcher, query.fieldname, term) for term in terms))
    # phrases and anything else: Whoosh's own (unscored) matching
    return set(searcher.docs_for_query(query))


def _intersection(parts: list[set[int] | frozenset[int]]) -> set[int] | frozenset[int]:
    parts.sort(key=len)
    found = set(parts[0])
    for part in parts[1:]:
        if not found:
            break
        found &= part
    return found


def _range_terms(searcher: Searcher, query: NumericRange) -> list[bytes] | None:
    """Return the full-precision terms of the values in a numeric range, or None when the
    field has too many values to list them."""
    field = searcher.schema[query.fieldname] if query.fieldname in searcher.schema.names() else None
    if not isinstance(field, NUMERIC):
        return None
    terms: list[bytes] = []
    for seen, term in enumerate(field.sortable_terms(searcher.reader(), query.fieldname)):
        if seen >= MAX_RANGE_TERMS:
            return None
        if _within(field.from_bytes(term), query):
            terms.append(term)
    return terms


def _within(value: float, query: NumericRange) -> bool:
    start, end = query.start, query.end
    if start is not None and (value < start or (query.startexcl and value == start)):
        return False
    return end is None or not (value > end or (query.endexcl and value == end))


def _term_ids(reader: IndexReader, fieldname: str, raw: bytes) -> set[int]:
    """Return the documents of a term's postings, deleted ones included (read block by block)."""
    found: set[int] = set()
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = leaf.postings(fieldname, raw)
        except TermNotFound:
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        found.update(_offset(_leaf_ids(matcher), offset))
    return found


def _leaf_ids(matcher: object) -> Iterable[int]:
    if not isinstance(matcher, W3LeafMatcher):
        return matcher.all_ids()  # type: ignore[attr-defined]
    ids: list[int] = []
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        ids.extend(matcher._ids[matcher._i :])  # the rest of the block at once
        matcher._next_block()
    return ids


def _offset(ids: Iterable[int], offset: int) -> Iterable[int]:
    return ids if offset == 0 else map(offset.__add__, ids)


def _column_values(reader: IndexReader, column: str) -> list[int]:
    """Return a numeric column's value for every document number (0 where it has none)."""
    values: list[int] = []
    for leaf, _offset in reader.leaf_readers():
        # a segment's column stops at its last document with a value
        stored = list(leaf.column_reader(column, translate=True))[: leaf.doc_count_all()]
        values.extend(stored)
        values.extend([0] * (leaf.doc_count_all() - len(stored)))
    return values


def _facet_sets(
    searcher: Searcher, live: frozenset[int]
) -> dict[str, list[tuple[str, frozenset[int]]]]:
    """Read the ``facets`` column of every live document once into per-value sets."""
    values: list[dict[str, set[int]]] = [{} for _ in FACET_NAMES]
    column = searcher.reader().column_reader("facets")
    for docnum in live:
        try:
            value = column[docnum]
        except IndexError:  # a segment's last documents without facets (the progress document)
            continue
        if not value:
            continue
        for by_value, joined in zip(values, value.decode().split(FACET_SEPARATOR), strict=False):
            if joined:
                for part in joined.split(","):
                    by_value.setdefault(part, set()).add(docnum)
    return {
        name: [(value, frozenset(docs)) for value, docs in by_value.items()]
        for name, by_value in zip(FACET_NAMES, values, strict=True)
    }
