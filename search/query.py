"""Run a search over the listing index: filters, ranking or date order, pages, facets, snippets.

:func:`run_search` takes a :class:`SearchRequest` of plain values and returns
:class:`SearchResults` of plain values. Any text gives an answer: absurd text is bounded and
repaired (:mod:`search.querytext`) and the results carry a ``notice`` saying what was changed.
Only impossible requests (page 0, an unknown sort) raise ``ValueError``, with a sentence for
people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh.query import (
    And,
    ConstantScoreQuery,
    Every,
    Not,
    NullQuery,
    NumericRange,
    Or,
    Query,
    Term,
)
from whoosh.searching import Searcher

from search import docsets, ranking
from search.documents import ASSET, CHALLENGE, KINDS
from search.facets import FacetCache, empty_facets, facet_counts
from search.index import SearchIndex
from search.parsing import bound_query, parse_text, positive_terms
from search.querytext import clean_query_text
from search.schema import from_index_time
from search.snippets import make_snippet
from search.suggest import corrected_text

SORTS = ("relevance", "newest", "deadline")
MAX_PER_PAGE = 100
#: below this many hits a corrected spelling is looked for
FEW_HITS = 3
#: every listing (and not the progress document, which has no text and no other kind)
ALL_LISTINGS = Or([Term("kind", kind) for kind in KINDS])
_BROWSE_FACETS = FacetCache()
NOTHING_TO_SEARCH = (
    "Your search had only very common words (such as “the” or “and”) or operators, which are "
    "not searched on their own: try more specific words."
)


@dataclass(frozen=True)
class SearchRequest:
    """What to search for: text, filters, order and page."""

    text: str = ""
    kinds: tuple[str, ...] = (CHALLENGE, ASSET)
    fields: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    statuses: tuple[str, ...] = ()
    deal_types: tuple[str, ...] = ()
    patent_statuses: tuple[str, ...] = ()
    keys: tuple[str, ...] | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchHit:
    """One listing found; ``snippet`` is safe HTML (escaped text, matches in ``<mark>``)."""

    kind: str
    id: int
    title: str
    summary: str
    owner: str
    status: str
    trl: int | None
    fields: tuple[str, ...]
    deal_types: tuple[str, ...]
    published_at: datetime | None
    open_until: datetime | None
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, the total over all pages, facet counts, and advice for people."""

    total: int
    page: int
    pages: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    notice: str | None = None


def run_search(index: SearchIndex, request: SearchRequest) -> SearchResults:
    """Return the page of results ``request`` asks for.

    Empty text (or a lone ``*``) lists every listing the filters allow, newest first.
    """
    validate(request)
    cleaned = clean_query_text(request.text)
    parsed = parse_text(cleaned.text) if cleaned.text else None
    notices = cleaned.notices + (parsed.notices if parsed else [])
    if parsed is not None and parsed.query is None:
        return _empty(request, [*notices, NOTHING_TO_SEARCH])
    if request.keys is not None and not request.keys:
        return _empty(request, notices)
    with index.searcher() as searcher:
        query: Query = Every()
        if parsed is not None and parsed.query is not None:
            query, bounding = bound_query(parsed.query, searcher.reader())
            notices += bounding
            if query is NullQuery:
                # a refused field, or a wildcard that matches no word
                if bounding:
                    notices.append("Nothing was left to search for.")
                return _empty(request, notices)
        return _answer(index, searcher, request, query, cleaned.text, notices)


def _answer(
    index: SearchIndex,
    searcher: Searcher,
    request: SearchRequest,
    query: Query,
    text: str,
    notices: list[str],
) -> SearchResults:
    """Run the bounded query and assemble the page, its facets and a spelling suggestion."""
    scored = not isinstance(query, Every)
    page, matched = _search(searcher, query, request, scored)
    terms = positive_terms(query) if scored else set()
    ranked = scored and request.sort == "relevance"
    hits = [_hit(stored, score, terms, ranked) for stored, score in page]
    few = scored and len(matched) < FEW_HITS
    return SearchResults(
        total=len(matched),
        page=request.page,
        pages=_pages(len(matched), request.per_page),
        hits=hits,
        facets=_facets(index, searcher, request, matched, scored),
        suggestion=_suggestion(searcher, text, len(matched), request) if few else None,
        notice=" ".join(notices) or None,
    )


def validate(request: SearchRequest) -> None:
    """Raise ``ValueError`` with a sentence for people if ``request`` cannot be answered."""
    if request.page < 1:
        raise ValueError(f"The page number must be 1 or more, not {request.page}.")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise ValueError(
            f"Results per page must be between 1 and {MAX_PER_PAGE}, not {request.per_page}."
        )
    if request.sort not in SORTS:
        raise ValueError(
            f"Unknown sort order {request.sort!r}: choose relevance, newest or deadline."
        )
    for kind in request.kinds:
        if kind not in KINDS:
            raise ValueError(f"Unknown listing type {kind!r}: choose challenge or asset.")
    for level in (request.trl_min, request.trl_max):
        if level is not None and not 1 <= level <= 9:
            raise ValueError(f"A TRL is between 1 and 9, not {level}.")
    low, high = request.trl_min, request.trl_max
    if low is not None and high is not None and low > high:
        raise ValueError(f"The lowest TRL ({low}) is above the highest ({high}).")


def filter_query(request: SearchRequest) -> Query | None:
    """Return the query of the request's filters, or None when nothing is filtered."""
    parts: list[Query] = []
    if set(request.kinds or KINDS) != set(KINDS):
        parts.append(_any_of("kind", request.kinds))
    if request.fields:
        parts.append(_any_of("field_families", tuple(f.lower() for f in request.fields)))
    if request.statuses:
        parts.append(_any_of("status", request.statuses))
    if request.deal_types:
        parts.append(_any_of("deal_types", tuple(d.lower() for d in request.deal_types)))
    if request.patent_statuses:
        parts.append(_any_of("patent_status", request.patent_statuses))
    if request.trl_min is not None or request.trl_max is not None:
        parts.append(NumericRange("trl", request.trl_min, request.trl_max))
    if request.keys is not None:
        parts.append(_any_of("key", request.keys))
    return And(parts) if parts else None


def restricted(query: Query, request: SearchRequest) -> Query:
    """Return ``query`` limited by the request's filters (which add nothing to the score).

    Intersecting inside the query skips through the filter's postings; a separate Whoosh
    ``filter=`` would list every document the filter allows on each search. A query with NOT
    (or none) is also limited to listings, so it never finds the progress document.
    """
    filters = filter_query(request)
    if filters is None and _has_negation(query):
        filters = ALL_LISTINGS
    if isinstance(query, Every):
        return ALL_LISTINGS if filters is None else filters
    if filters is None:
        return query
    return And([query, ConstantScoreQuery(filters, score=0.0)])


def _has_negation(query: Query) -> bool:
    return isinstance(query, Not) or any(_has_negation(child) for child in query.children())


def _any_of(fieldname: str, values: tuple[str, ...]) -> Query:
    return Or([Term(fieldname, value) for value in values])


def _search(
    searcher: Searcher, query: Query, request: SearchRequest, scored: bool
) -> tuple[list[tuple[dict[str, Any], float]], set[int]]:
    """Return the page's stored fields with their scores, and every matching document.

    The exact set of matches comes from set operations (:mod:`search.docsets`); the page comes
    from scoring (:mod:`search.ranking`) or, for the date orders, from the sortable columns
    without scoring.
    """
    full = restricted(query, request)
    matches = docsets.matched(searcher, full)
    order = request.sort if scored or request.sort != "relevance" else "newest"
    limit = request.page * request.per_page
    start = (request.page - 1) * request.per_page
    if not matches or start >= len(matches):
        return [], matches
    if order == "relevance":
        if filter_query(request) is None:
            return ranking.top_scored(searcher, full, limit)[start:], matches
        # filtered: score the known matches through the text query alone
        return ranking.top_scored(searcher, query, limit, matches)[start:], matches
    column, newest = ("published_order", True) if order == "newest" else ("deadline_order", False)
    sets = docsets.reader_sets(searcher)
    page = sets.ordered(searcher, matches, column, newest, limit)[start:]
    return [(searcher.stored_fields(docnum), 0.0) for docnum in page], matches


def _facets(
    index: SearchIndex,
    searcher: Searcher,
    request: SearchRequest,
    matched: set[int],
    scored: bool,
) -> dict[str, list[tuple[str, int]]]:
    if scored:
        return facet_counts(searcher, matched)
    key = (
        index.directory,
        index.generation(),
        searcher.reader().generation(),
        tuple(sorted(request.kinds)),
        request.fields,
        request.trl_min,
        request.trl_max,
        request.statuses,
        request.deal_types,
        request.patent_statuses,
        request.keys,
    )
    return _BROWSE_FACETS.counts(key, lambda: facet_counts(searcher, matched))


def _hit(stored: dict[str, Any], score: float, terms: set[str], ranked: bool) -> SearchHit:
    """Return the hit's public fields; its score is 0.0 unless ordered by relevance."""
    return SearchHit(
        kind=stored["kind"],
        id=stored["id"],
        title=stored.get("title", ""),
        summary=stored.get("summary", ""),
        owner=stored.get("owner", ""),
        status=stored.get("status", ""),
        trl=stored.get("trl"),
        fields=_values(stored.get("fields")),
        deal_types=_values(stored.get("deal_types")),
        published_at=from_index_time(stored.get("published_at")),
        open_until=from_index_time(stored.get("open_until")),
        score=score if ranked else 0.0,
        snippet=make_snippet(stored, terms),
    )


def _values(joined: str | None) -> tuple[str, ...]:
    return tuple(value for value in (joined or "").split(",") if value)


def _pages(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def _suggestion(searcher: Searcher, text: str, total: int, request: SearchRequest) -> str | None:
    """Return a corrected search that finds more than ``total`` hits, or None."""
    corrected = corrected_text(searcher, text)
    if corrected is None:
        return None
    parsed = parse_text(corrected)
    if parsed.query is None:
        return None
    query, _ = bound_query(parsed.query, searcher.reader())
    found = docsets.matched(searcher, restricted(query, request))
    return corrected if len(found) > total else None


def _empty(request: SearchRequest, notices: list[str]) -> SearchResults:
    return SearchResults(
        total=0,
        page=request.page,
        pages=1,
        hits=[],
        facets=empty_facets(),
        notice=" ".join(notices) or None,
    )
