"""Totals, facets and orders from document sets agree with Whoosh's own full matching.

The index here has several segments, updated and deleted listings and ties in dates, so the
sets kept per reader must follow document numbers across segments and leave deleted listings
out, and the date orders must break ties as Whoosh's sorting does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from whoosh import collectors, sorting
from whoosh.query import Every, Query
from whoosh.searching import Searcher

from search import docsets
from search.documents import ASSET, CHALLENGE, ListingDocument
from search.index import SearchIndex
from search.outbox import Progress
from search.parsing import bound_query, parse_text
from search.query import SearchRequest, restricted, run_search
from tests.search.corpus import ALL_DOCUMENTS, MEMBRANE, NOW, days_ago

FIELDS = ("materials-polymers", "energy-storage", "chemistry-catalysis")
DEALS = ("exclusive_license", "non_exclusive_license", "assignment", "option")
STATUSES = {ASSET: ("published", "under_negotiation"), CHALLENGE: ("open", "evaluating")}


def variant(number: int) -> ListingDocument:
    """Return the ``number``th listing of a varied catalogue built from the test corpus."""
    base = ALL_DOCUMENTS[number % len(ALL_DOCUMENTS)]
    field = FIELDS[number % 3]
    return replace(
        base,
        id=1000 + number,
        title=f"{base.title} {number}",
        fields=(field,),
        field_families=(field.split("-")[0], field),
        deal_types=DEALS[number % 4 : number % 4 + 1 + number % 2] if base.kind == ASSET else (),
        trl=None if number % 7 == 0 else 1 + number % 9,
        status=STATUSES[base.kind][number % 2],
        # every third listing shares its date with the next one: ties for the date orders
        published_at=days_ago(number - number % 3),
        open_until=None if number % 5 == 0 else NOW + timedelta(days=number % 4),
    )


def live_catalogue() -> dict[str, ListingDocument]:
    """Return the listings left after the changes :func:`built` applies, by key."""
    documents = {variant(n).key: variant(n) for n in range(90)}
    for n in range(0, 90, 6):
        del documents[variant(n).key]
    for n in range(1, 90, 10):
        changed = replace(variant(n), title=f"Revised {n}", status="evaluating")
        documents[changed.key] = changed
    return documents


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index = SearchIndex(str(tmp_path_factory.mktemp("docsets") / "search"))
    index.ensure()
    progress = 0
    for start in range(0, 90, 30):  # three commits: three segments
        progress += 1
        assert index.try_apply(
            [variant(n) for n in range(start, start + 30)], [], Progress(progress)
        )
    deleted = [variant(n).key for n in range(0, 90, 6)]
    changed = [live_catalogue()[variant(n).key] for n in range(1, 90, 10)]
    assert index.try_apply(changed, deleted, Progress(progress + 1))
    yield index
    index.close()


QUERIES = [
    "membrane",
    "membrane OR battery",
    "battery NOT silicon",
    "-battery",
    '"nanofibre membrane"',
    "revised",
    "field:energy title:battery",
    "nano*",
    "status:evaluating",
]


def full_query(searcher: Searcher, request: SearchRequest) -> Query:
    """Return the query ``run_search`` runs for ``request``."""
    if not request.text:
        return restricted(Every(), request)
    query, _ = bound_query(parse_text(request.text).query, searcher.reader())
    return restricted(query, request)


def whoosh_matches(index: SearchIndex, request: SearchRequest) -> tuple[set[int], list[int]]:
    """Return what Whoosh's own unscored matching finds, and its full relevance ranking."""
    with index.searcher() as searcher:
        full = full_query(searcher, request)
        everything = set(searcher.docs_for_query(full))
        collector = collectors.TopCollector(limit=10_000, usequality=False, replace=0)
        searcher.search_with_collector(full, collector)
        ranking = [hit.docnum for hit in collector.results()]
    return everything, ranking


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kinds": (ASSET,), "fields": ("energy",), "trl_min": 3},
        {"statuses": ("evaluating", "published"), "trl_max": 6},
        {"deal_types": ("option", "assignment")},
    ],
    ids=["no filter", "offers in energy from TRL 3", "two statuses up to TRL 6", "deal types"],
)
def test_matches_total_and_page_agree_with_whoosh(
    built: SearchIndex, text: str, filters: dict
) -> None:
    request = SearchRequest(text=text, per_page=4, page=2, **filters)
    everything, ranking = whoosh_matches(built, request)
    with built.searcher() as searcher:
        assert docsets.matched(searcher, full_query(searcher, request)) == everything
        expected_page = [searcher.stored_fields(d)["key"] for d in ranking[4:8]]
    results = run_search(built, request)
    assert results.total == len(everything)
    assert [f"{hit.kind}:{hit.id}" for hit in results.hits] == expected_page


@pytest.mark.parametrize(
    ("sort", "facet"),
    [
        ("newest", sorting.FieldFacet("published_order", reverse=True)),
        ("deadline", sorting.FieldFacet("deadline_order")),
    ],
)
@pytest.mark.parametrize("text", ["", "membrane OR battery", "-battery"])
def test_date_orders_break_ties_as_whoosh_sorting(
    built: SearchIndex, sort: str, facet: sorting.FieldFacet, text: str
) -> None:
    request = SearchRequest(text=text, sort=sort, per_page=100)
    with built.searcher() as searcher:
        query = full_query(searcher, request)
        expected = [hit["key"] for hit in searcher.search(query, sortedby=facet, limit=None)]
    keys = [f"{hit.kind}:{hit.id}" for hit in run_search(built, request).hits]
    assert keys == expected
    assert len(keys) > 20


@pytest.mark.parametrize(
    "filters",
    [{}, {"kinds": (CHALLENGE,)}, {"fields": ("materials",), "trl_min": 2, "trl_max": 5}],
    ids=["everything", "challenges", "materials at TRL 2-5"],
)
def test_facets_count_live_listings_only(built: SearchIndex, filters: dict) -> None:
    request = SearchRequest(**filters)
    kept = [
        document
        for document in live_catalogue().values()
        if document.kind in request.kinds
        and (not request.fields or set(request.fields) & set(document.field_families))
        and (request.trl_min is None or (document.trl or 0) >= request.trl_min)
        and (request.trl_max is None or (document.trl or 99) <= request.trl_max)
    ]
    results = run_search(built, request)
    assert results.total == len(kept)
    kinds = Counter(document.kind for document in kept)
    assert dict(results.facets["kind"]) == dict(kinds)
    statuses = Counter(document.status for document in kept)
    assert dict(results.facets["status"]) == dict(statuses)
    deals = Counter(deal for document in kept for deal in document.deal_types)
    assert dict(results.facets["deal_types"]) == dict(deals)
    levels = Counter(str(document.trl) for document in kept if document.trl is not None)
    assert results.facets["trl"] == sorted(levels.items(), key=lambda pair: int(pair[0]))


def test_a_new_searcher_after_a_change_counts_afresh(tmp_path: Path) -> None:
    index = SearchIndex(str(tmp_path / "search"))
    catalogue = [variant(n) for n in range(12)]
    membranes = [d.key for d in catalogue if d.title.startswith(MEMBRANE.title)][:2]
    try:
        index.rebuild(catalogue, Progress(1))
        before = run_search(index, SearchRequest(text="electrospun"))
        assert index.try_apply([], membranes, Progress(2))
        after = run_search(index, SearchRequest(text="electrospun"))
    finally:
        index.close()
    assert len(membranes) == 2
    assert set(membranes) <= {f"{hit.kind}:{hit.id}" for hit in before.hits}
    assert not set(membranes) & {f"{hit.kind}:{hit.id}" for hit in after.hits}
    assert after.total == before.total - 2
    assert dict(after.facets["kind"]).get(ASSET, 0) == dict(before.facets["kind"])[ASSET] - 2


def test_filters_do_not_change_scores(built: SearchIndex) -> None:
    unfiltered = run_search(built, SearchRequest(text="membrane")).hits
    plain = {f"{hit.kind}:{hit.id}": hit.score for hit in unfiltered}
    filtered = run_search(built, SearchRequest(text="membrane", kinds=(ASSET,), trl_min=2)).hits
    assert filtered
    assert all(hit.score == plain[f"{hit.kind}:{hit.id}"] for hit in filtered)
