"""The top-scored page of a result set whose exact matches are already known.

A filtered search knows its matches as a set (:mod:`search.docsets`). Scoring them through the
query with its filters intersected inside steps through every filter posting (a TRL range alone
is dozens of terms); instead the text query's matcher jumps to each known match and scores it
there. Scores and the order of equal scores are those of Whoosh's top-N collector, which this
extends; every match is scored, as Whoosh's block skipping misses better matches with these
field boosts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import collectors
from whoosh.query import Query
from whoosh.searching import Searcher


class _KnownMatchesCollector(collectors.TopCollector):
    """Whoosh's top-N collector, visiting only the given document numbers."""

    def __init__(self, limit: int, docnums: set[int]) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self._docnums = sorted(docnums)

    def matches(self) -> Iterator[int]:
        matcher = self.matcher
        offset = self.offset
        end = offset + self.subsearcher.doc_count_all()
        for docnum in self._docnums:
            if docnum < offset:
                continue
            if docnum >= end or not matcher.is_active():
                return
            sub_docnum = docnum - offset
            if matcher.id() < sub_docnum:
                matcher.skip_to(sub_docnum)
                if not matcher.is_active():
                    return
            if matcher.id() == sub_docnum:
                yield sub_docnum


def top_scored(
    searcher: Searcher, query: Query, limit: int, docnums: set[int] | None = None
) -> list[tuple[dict[str, Any], float]]:
    """Return the stored fields and scores of the ``limit`` best matches of ``query``, best
    first (equal scores by document number); only among ``docnums`` when given (each of which
    ``query`` must match)."""
    if docnums is None:
        top = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    else:
        top = _KnownMatchesCollector(limit, docnums)
    searcher.search_with_collector(query, top)
    return [(hit.fields(), float(hit.score)) for hit in top.results()]
