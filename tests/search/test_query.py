"""Searching the index as people do: words, phrases, operators, filters, facets, order, pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from search.documents import ASSET, CHALLENGE
from search.index import SearchIndex
from search.outbox import Progress
from search.query import SearchRequest, SearchResults, run_search
from tests.search.corpus import ALL_DOCUMENTS, MEMBRANE


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    search_index = SearchIndex(str(tmp_path_factory.mktemp("query") / "search"))
    search_index.rebuild(ALL_DOCUMENTS, Progress(len(ALL_DOCUMENTS)))
    yield search_index
    search_index.close()


def search(index: SearchIndex, text: str = "", **options: object) -> SearchResults:
    return run_search(index, SearchRequest(text=text, **options))  # type: ignore[arg-type]


def found(index: SearchIndex, text: str = "", **options: object) -> list[str]:
    return [f"{hit.kind}:{hit.id}" for hit in search(index, text, **options).hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("nanofibres", ["asset:1"], id="stemming: plural finds singular"),
        pytest.param("electrospinning", ["asset:1"], id="keyword"),
        pytest.param("Copper", ["asset:3"], id="case does not matter"),
        pytest.param('"electrospun nanofibre"', ["asset:1"], id="phrase"),
        pytest.param('"nanofibre electrospun"', [], id="phrase words in the wrong order"),
        pytest.param("battery silicon", ["asset:2"], id="words are ANDed"),
        pytest.param("battery AND clinics", ["challenge:2"], id="AND"),
        pytest.param("copper OR clinics", ["challenge:2", "asset:3"], id="OR"),
        pytest.param("battery NOT silicon", ["challenge:2"], id="NOT"),
        pytest.param("+battery -silicon", ["challenge:2"], id="plus and minus"),
        pytest.param("(copper OR silicon) AND catalyst", ["asset:3"], id="brackets"),
        pytest.param("title:battery", ["challenge:2"], id="title field"),
        pytest.param("keyword:catalysis", ["asset:3"], id="keyword field"),
        pytest.param("field:energy", ["challenge:2", "asset:2"], id="field family"),
        pytest.param("owner:voltaic", ["asset:2"], id="owner field"),
        pytest.param("patent:EP3456789", ["asset:1"], id="patent without kind code"),
        pytest.param("patent:US11234567B2", ["asset:2"], id="patent with kind code"),
        pytest.param("EP3456789", ["asset:1"], id="patent number as a free word"),
        pytest.param("status:open", ["challenge:2", "challenge:1"], id="status field"),
        pytest.param("nano*", ["asset:1", "asset:3"], id="trailing wildcard"),
        pytest.param("zzqx*", [], id="wildcard matching no word"),
        pytest.param("-battery -copper", ["asset:1", "challenge:1"], id="only excluded words"),
        pytest.param("NOT battery", ["asset:1", "asset:3", "challenge:1"], id="only NOT"),
    ],
)
def test_query_language(index: SearchIndex, text: str, expected: list[str]) -> None:
    assert sorted(found(index, text)) == sorted(expected)


def test_title_matches_rank_above_description_matches(index: SearchIndex) -> None:
    # "battery" is the title of challenge 2 and only a keyword of asset 2
    assert found(index, "battery") == ["challenge:2", "asset:2"]


def test_confidential_looking_owner_key_cannot_be_searched(index: SearchIndex) -> None:
    results = search(index, "owner_key:org:4")
    assert results.hits == []
    assert results.notice is not None
    assert '"owner_key:"' in results.notice


@pytest.mark.parametrize(
    ("text", "notice", "total"),
    [
        ("a" * 10_000, "longer than 500 characters", 0),
        ("battery " * 5_000, "longer than 500 characters", 2),
        (" ".join(["battery"] * 40), "more than 30 words", 2),
        ('"electrospun nanofibre', "quotation mark", 1),
        ('battery"', "quotation mark", 2),
        ("the and of", "only very common words", 0),
        ("NOT", "only very common words", 0),
        ("OR OR", "only very common words", 0),
        ("-", "only very common words", 0),
        ("(((", "Brackets", 5),
        ("battery))", "Brackets", 2),
        ("title:", "nothing after it", 5),
        ("title:*", "nothing after it", 5),
        ("*fibre", "at the start of a word", 1),
        ("\x00battery\x07\x1b", "control characters", 2),
        ("published_at:2026", '"published_at:"', 0),
        ('["\tNOT -field: \x1b :', "quotation mark", 0),
        ("NOT( patent: AND field:field: owner:>/ fields: /key::", "could not be read", 0),
        ("title:[a TO z]", "only very common words", 0),
    ],
)
def test_absurd_queries_give_a_page_and_a_notice(
    index: SearchIndex, text: str, notice: str, total: int
) -> None:
    results = search(index, text)
    assert results.notice is not None
    assert notice in results.notice
    assert (results.total, len(results.hits)) == (total, total)


@pytest.mark.parametrize("text", ["", "*", "   ", "\t\n"])
def test_empty_query_lists_everything_newest_first_without_notice(
    index: SearchIndex, text: str
) -> None:
    results = search(index, text)
    assert results.notice is None
    assert [f"{hit.kind}:{hit.id}" for hit in results.hits] == [
        "challenge:2",
        "asset:2",
        "challenge:1",
        "asset:1",
        "asset:3",
    ]
    assert results.hits[0].snippet == results.hits[0].summary


def test_filters(index: SearchIndex) -> None:
    assert found(index, kinds=(CHALLENGE,)) == ["challenge:2", "challenge:1"]
    assert found(index, fields=("materials",)) == ["asset:2", "challenge:1", "asset:1"]
    assert found(index, fields=("materials-polymers",), kinds=(ASSET,)) == ["asset:2", "asset:1"]
    assert found(index, trl_min=4, trl_max=6) == ["asset:2", "challenge:1", "asset:1"]
    assert found(index, trl_min=7) == ["challenge:2"]
    assert found(index, statuses=("under_negotiation",)) == ["asset:3"]
    assert found(index, deal_types=("option",)) == ["asset:2"]
    assert found(index, patent_statuses=("granted",)) == ["asset:1", "asset:3"]
    assert found(index, keys=("asset:3", "challenge:1")) == ["challenge:1", "asset:3"]
    assert found(index, keys=()) == []
    assert found(index, "battery", kinds=(ASSET,)) == ["asset:2"]


def test_facets_count_the_whole_result_set_not_the_page(index: SearchIndex) -> None:
    results = search(index, per_page=1)
    assert len(results.hits) == 1
    assert results.facets == {
        "kind": [("asset", 3), ("challenge", 2)],
        "fields": [
            ("materials", 3),
            ("materials-polymers", 3),
            ("energy", 2),
            ("energy-storage", 2),
            ("chemistry", 1),
            ("chemistry-catalysis", 1),
        ],
        "status": [("open", 2), ("published", 2), ("under_negotiation", 1)],
        "deal_types": [
            ("exclusive_license", 2),
            ("non_exclusive_license", 2),
            ("assignment", 1),
            ("collaboration", 1),
            ("option", 1),
        ],
        "patent_status": [("granted", 2), ("pending", 1)],
        "trl": [("3", 1), ("4", 1), ("5", 1), ("6", 1), ("7", 1)],
    }


def test_facets_follow_the_text_query(index: SearchIndex) -> None:
    facets = search(index, "battery").facets
    assert facets["kind"] == [("asset", 1), ("challenge", 1)]
    assert facets["fields"][:2] == [("energy", 2), ("energy-storage", 2)]


def test_snippet_marks_matched_words_from_public_text(index: SearchIndex) -> None:
    (hit,) = search(index, "nanofibres").hits
    assert "<mark>nanofibre</mark>" in hit.snippet
    assert hit.score > 0


def test_snippet_escapes_listing_text(tmp_path: Path) -> None:
    hostile = replace(
        MEMBRANE,
        summary='<script>alert("x")</script> Nanofibre filters & <b>more</b>.',
        description="",
    )
    search_index = SearchIndex(str(tmp_path / "search"))
    try:
        search_index.rebuild([hostile], Progress(1))
        (hit,) = search(search_index, "nanofibre").hits
        (browsed,) = search(search_index).hits
    finally:
        search_index.close()
    assert "<script>" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    assert "<mark>Nanofibre</mark>" in hit.snippet
    assert browsed.snippet.startswith("&lt;script&gt;alert(&quot;x&quot;)")


def test_long_text_snippet_is_a_short_passage_around_the_match(tmp_path: Path) -> None:
    padding = "Plain words about pumps and valves. " * 30
    long_one = replace(MEMBRANE, summary=padding + "The graphene layer is new. " + padding)
    search_index = SearchIndex(str(tmp_path / "search"))
    try:
        search_index.rebuild([long_one], Progress(1))
        (hit,) = search(search_index, "graphene").hits
    finally:
        search_index.close()
    assert "<mark>graphene</mark>" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet) < 300


def test_not_terms_are_not_marked(index: SearchIndex) -> None:
    (hit,) = search(index, "nanofibre NOT copper").hits
    assert "<mark>" in hit.snippet
    assert "copper" not in hit.snippet.lower()


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("electrspinning", "electrospinning"),
        ("filtraton", "filtration"),
        ("silcon anode", "silicon anode"),
        ("cooper catalyst", "copper catalyst"),
    ],
)
def test_did_you_mean(index: SearchIndex, text: str, suggestion: str) -> None:
    results = search(index, text)
    assert results.suggestion == suggestion
    assert search(index, suggestion).total > results.total


def test_no_suggestion_when_the_query_finds_enough(index: SearchIndex) -> None:
    assert search(index, "battery").suggestion is None
    assert search(index, "").suggestion is None


def test_sort_orders(index: SearchIndex) -> None:
    assert found(index, sort="newest") == [
        "challenge:2",
        "asset:2",
        "challenge:1",
        "asset:1",
        "asset:3",
    ]
    by_deadline = found(index, sort="deadline")
    assert by_deadline[:2] == ["challenge:2", "challenge:1"]
    assert set(by_deadline[2:]) == {"asset:1", "asset:2", "asset:3"}
    assert found(index, "battery OR copper", sort="newest") == ["challenge:2", "asset:2", "asset:3"]
    assert [hit.score for hit in search(index, "battery", sort="newest").hits] == [0.0, 0.0]


def test_pagination(index: SearchIndex) -> None:
    pages = [search(index, per_page=2, page=number) for number in (1, 2, 3, 4)]
    assert [(page.total, page.pages) for page in pages] == [(5, 3)] * 4
    assert [len(page.hits) for page in pages] == [2, 2, 1, 0]
    keys = [f"{hit.kind}:{hit.id}" for page in pages for hit in page.hits]
    assert keys == found(index)


def test_hit_carries_public_fields(index: SearchIndex) -> None:
    (hit,) = search(index, "clinics").hits
    assert (hit.kind, hit.id, hit.owner, hit.status, hit.trl) == (
        CHALLENGE,
        2,
        "Health Without Borders",
        "open",
        7,
    )
    assert hit.fields == ("energy-storage",)
    assert hit.deal_types == ("exclusive_license",)
    assert hit.open_until is not None
    assert hit.open_until.tzinfo is not None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": 0}, "The page number must be 1 or more, not 0."),
        ({"page": -3}, "The page number must be 1 or more, not -3."),
        ({"per_page": 0}, "Results per page must be between 1 and 100, not 0."),
        ({"per_page": 1000}, "Results per page must be between 1 and 100, not 1000."),
        ({"sort": "price"}, "Unknown sort order 'price': choose relevance, newest or deadline."),
        ({"kinds": ("patent",)}, "Unknown listing type 'patent': choose challenge or asset."),
        ({"trl_min": 0}, "A TRL is between 1 and 9, not 0."),
        ({"trl_max": 12}, "A TRL is between 1 and 9, not 12."),
        ({"trl_min": 7, "trl_max": 3}, "The lowest TRL (7) is above the highest (3)."),
    ],
)
def test_impossible_requests_raise_a_sentence(
    index: SearchIndex, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        search(index, "battery", **options)
    assert str(raised.value) == message


def test_search_sees_changes_after_apply(tmp_path: Path) -> None:
    search_index = SearchIndex(str(tmp_path / "search"))
    try:
        search_index.ensure()
        assert search(search_index, "nanofibre").total == 0
        assert search_index.try_apply([MEMBRANE], [], Progress(1))
        assert found(search_index, "nanofibre") == ["asset:1"]
        assert search_index.try_apply([], [MEMBRANE.key], Progress(2))
        assert search(search_index, "nanofibre").total == 0
        assert search(search_index).total == 0
    finally:
        search_index.close()


def test_total_and_facets_count_every_match_beyond_the_page(tmp_path: Path) -> None:
    # a few strong matches and many weak ones: Whoosh's top-N shortcuts skip the weak ones
    plain = replace(MEMBRANE, description="", keywords=(), patent_numbers=())
    weak = [
        replace(
            plain,
            id=n,
            kind=CHALLENGE if n % 4 == 0 else ASSET,
            title=f"Plate {n}",
            summary="A ceramic plate.",
        )
        for n in range(1, 101)
    ]
    strong = [
        replace(plain, id=n, title="Membrane membrane membrane", summary="Membrane.")
        for n in range(101, 121)
    ]
    many = strong + weak
    search_index = SearchIndex(str(tmp_path / "search"))
    try:
        search_index.rebuild(many, Progress(120))
        results = search(search_index, "membrane OR ceramic", per_page=5)
    finally:
        search_index.close()
    assert (results.total, results.pages, len(results.hits)) == (120, 24, 5)
    assert results.facets["kind"] == [("asset", 95), ("challenge", 25)]


def test_browse_facets_follow_commits(tmp_path: Path) -> None:
    search_index = SearchIndex(str(tmp_path / "search"))
    try:
        search_index.ensure()
        assert search(search_index).facets["kind"] == []
        assert search_index.try_apply([MEMBRANE], [], Progress(1))
        assert search(search_index).facets["kind"] == [("asset", 1)]
        assert search_index.try_apply([], [MEMBRANE.key], Progress(2))
        assert search(search_index).facets["kind"] == []
    finally:
        search_index.close()
