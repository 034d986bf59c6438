"""Two-way matching over a real index: who is suggested, in what order, and why."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from ideagora.taxonomy import field_name
from search.documents import ASSET, CHALLENGE
from search.key_terms import MAX_QUERY_TERMS, read_source, weighted_terms
from search.matching import Match, MatchSource, find_matches
from search.reasons import describe
from tests.search.matching_world import (
    BATTERY_CHALLENGE,
    BATTERY_OFFER,
    FILTER_CHALLENGE,
    FILTER_OFFER,
    NOW,
    PET_OFFER,
    SEEKER,
    WORLD,
    build_index,
    offer,
    public_words,
    source_of,
)


@pytest.fixture
def index(tmp_path):
    built = build_index(str(tmp_path / "index"))
    yield built
    built.close()


def keys_of(matches: list[Match]) -> list[str]:
    return [f"{match.kind}:{match.id}" for match in matches]


def test_a_challenge_finds_the_offer_that_solves_it_first(index):
    matches = find_matches(index, source_of(FILTER_CHALLENGE), NOW)

    assert keys_of(matches)[0] == "asset:1"
    assert all(match.kind == ASSET for match in matches)
    best = matches[0]
    assert best.title == FILTER_OFFER.title
    assert best.owner == "Northfield Materials Lab"
    assert 0.0 < best.score <= 1.0
    assert set(best.components) == {"text", "fields", "trl", "terms"}
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_an_offer_finds_the_challenge_it_answers_first(index):
    matches = find_matches(index, source_of(BATTERY_OFFER), NOW)

    assert keys_of(matches)[0] == "challenge:12"
    assert all(match.kind == CHALLENGE for match in matches)
    assert "electrolyte" in matches[0].reasons.terms
    assert matches[0].reasons.same_fields == ["energy-storage"]


def test_withdrawn_and_own_organisations_offers_are_never_suggested(index):
    suggested = keys_of(find_matches(index, source_of(FILTER_CHALLENGE), NOW, limit=50))

    assert "asset:5" not in suggested  # withdrawn, not matchable
    assert "asset:6" not in suggested  # the seeker's own organisation's offer


def test_another_organisation_does_see_the_offer_the_seeker_owns(index):
    other_seeker = replace(source_of(FILTER_CHALLENGE), owner_key="org:someone-else")

    suggested = keys_of(find_matches(index, other_seeker, NOW, limit=50))

    assert "asset:6" in suggested
    assert "asset:5" not in suggested


def test_past_deadline_and_closed_challenges_are_never_suggested(index):
    suggested = keys_of(find_matches(index, source_of(PET_OFFER), NOW, limit=50))

    assert "challenge:13" not in suggested  # its deadline passed yesterday
    assert "challenge:14" not in suggested  # closed, not matchable


def test_a_challenge_is_suggested_until_its_deadline(index):
    before = NOW - timedelta(days=2)

    suggested = keys_of(find_matches(index, source_of(PET_OFFER), before))

    assert suggested[0] == "challenge:13"
    assert "challenge:14" not in suggested


def _same_text_offers(tmp_path, **differences):
    first, second = (
        offer(
            number,
            "Electrospun nanofibre membranes for air filtration",
            FILTER_OFFER.summary,
            owner_key=f"org:lab-{number}",
            **values,
        )
        for number, values in zip((21, 22), differences["values"], strict=True)
    )
    return build_index(str(tmp_path / "pair"), (first, second))


def test_an_offer_at_the_trl_sought_beats_one_below_it(tmp_path):
    pair = _same_text_offers(tmp_path, values=({"trl": 2}, {"trl": 6}))

    matches = find_matches(pair, source_of(FILTER_CHALLENGE), NOW)

    assert keys_of(matches) == ["asset:22", "asset:21"]
    assert matches[0].reasons.trl.verdict == "meets"
    assert matches[1].reasons.trl.verdict == "below"
    assert matches[0].components["trl"] > matches[1].components["trl"]
    assert matches[0].components["text"] == matches[1].components["text"]
    pair.close()


def test_an_offer_open_to_the_deal_wanted_beats_one_that_is_not(tmp_path):
    pair = _same_text_offers(
        tmp_path,
        values=({"deal_types": ("assignment",)}, {"deal_types": ("exclusive_license",)}),
    )

    matches = find_matches(pair, source_of(FILTER_CHALLENGE), NOW)

    assert keys_of(matches) == ["asset:22", "asset:21"]
    assert matches[0].components["terms"] == 1.0
    assert matches[1].components["terms"] == 0.0
    assert matches[0].reasons.deal.compatible
    assert not matches[1].reasons.deal.compatible
    pair.close()


@pytest.mark.parametrize(
    "source",
    [
        source_of(FILTER_CHALLENGE),
        source_of(BATTERY_CHALLENGE),
        source_of(PET_OFFER),
        source_of(BATTERY_OFFER),
    ],
    ids=["filter challenge", "battery challenge", "PET offer", "battery offer"],
)
def test_reasons_only_show_words_of_the_candidates_public_text(index, source):
    documents = {document.key: document for document in WORLD}

    matches = find_matches(index, source, NOW - timedelta(days=2), limit=50)

    assert any(match.reasons.terms for match in matches)
    for match in matches:
        candidate = documents[f"{match.kind}:{match.id}"]
        assert {term.lower() for term in match.reasons.terms} <= public_words(candidate)


def test_the_owners_confidential_words_never_appear_unless_the_candidate_has_them(index):
    confidential = "Our zorvantine binder and the polyamide grade we use are secret. " * 3
    source = source_of(FILTER_CHALLENGE, extra_text=confidential)

    matches = find_matches(index, source, NOW, limit=50)

    shown = [term for match in matches for term in match.reasons.terms]
    assert "zorvantine" not in shown
    # a confidential word the candidate itself publishes may be named, in the candidate's words
    assert "polyamide" in matches[0].reasons.terms


def test_reasons_read_as_plain_words(index):
    best = find_matches(index, source_of(FILTER_CHALLENGE), NOW)[0]

    phrases = describe(best.reasons, field_name)

    assert phrases[0].startswith("shares: 'electrospinning'") or "'nanofibre'" in phrases[0]
    assert "same field: Nanomaterials" in phrases
    assert "TRL 6 ≥ 4 sought" in phrases
    assert "deal: exclusive licence wanted, offered" in phrases


def test_a_source_without_text_is_matched_on_its_fields(index):
    source = MatchSource(
        kind=CHALLENGE,
        id=None,
        title="",
        text="",
        fields=("energy-storage",),
        field_families=("energy-storage", "energy"),
        trl=3,
        owner_key=SEEKER,
    )

    matches = find_matches(index, source, NOW)

    assert keys_of(matches) == ["asset:2"]
    assert matches[0].components["text"] == 0.0
    assert matches[0].reasons.terms == []
    assert matches[0].reasons.same_fields == ["energy-storage"]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "the and of which", "*", "zzqx " * 3, "electrospinning " * 20_000],
    ids=["empty", "blank", "stop words", "star", "unknown words", "200,000 characters"],
)
def test_odd_source_text_never_fails(index, text):
    source = MatchSource(kind=CHALLENGE, id=None, title="", text=text, owner_key=SEEKER)

    matches = find_matches(index, source, NOW)

    assert all(match.kind == ASSET for match in matches)
    assert all(0.0 <= match.score <= 1.0 for match in matches)


def test_keys_restrict_the_candidates(index):
    source = source_of(FILTER_CHALLENGE)

    only = find_matches(index, source, NOW, keys=("asset:7", "asset:5", "challenge:12"))

    assert keys_of(only) == ["asset:7"]  # asset:5 is withdrawn, challenge:12 the wrong kind
    assert find_matches(index, source, NOW, keys=("asset:6",)) == []  # the seeker's own
    assert find_matches(index, source, NOW, keys=("challenge:11", "challenge:12")) == []
    assert find_matches(index, source, NOW, keys=()) == []


def test_min_score_and_limit_cut_the_list(index):
    source = source_of(FILTER_CHALLENGE)
    everything = find_matches(index, source, NOW, limit=50)
    threshold = everything[0].score

    assert keys_of(find_matches(index, source, NOW, min_score=threshold)) == ["asset:1"]
    assert len(find_matches(index, source, NOW, limit=1)) == 1
    assert len(everything) > 1


@pytest.mark.parametrize(
    ("changes", "limit", "message"),
    [
        ({"kind": "proposal"}, 10, "Cannot match a listing of kind 'proposal'."),
        ({}, 0, "Ask for at least one match."),
    ],
)
def test_impossible_requests_are_refused_with_a_sentence(index, changes, limit, message):
    source = replace(source_of(FILTER_CHALLENGE), **changes)

    with pytest.raises(ValueError, match=re.escape(message)):
        find_matches(index, source, NOW, limit=limit)


def test_a_long_brief_makes_a_short_weighted_query(index):
    brief = " ".join(document.summary for document in WORLD) * 20

    with index.searcher() as searcher:
        words = read_source(searcher, "Washable filter media", brief, ("nanofibre",))
        terms = weighted_terms(searcher, words, "Washable filter media", ("nanofibre",))

    assert 0 < len(terms) <= MAX_QUERY_TERMS
    assert [term.weight for term in terms] == sorted((t.weight for t in terms), reverse=True)
    assert "nanofibr" in {term.text for term in terms}  # a keyword always counts


def test_common_terms_give_way_when_the_postings_budget_is_spent(index, monkeypatch):
    monkeypatch.setattr("search.key_terms.MAX_POSTINGS", 2)
    text = "nanofibre, or a cutinase"

    with index.searcher() as searcher:
        terms = weighted_terms(searcher, read_source(searcher, "", text, ()), "", ())
    source = MatchSource(kind=CHALLENGE, id=None, title="", text=text, owner_key=SEEKER)
    matches = find_matches(index, source, NOW)

    # "nanofibre" is in three offers' summaries and titles: it no longer fits in the budget
    assert [term.text for term in terms] == ["cutinas"]
    assert keys_of(matches)[0] == "asset:3"
    assert matches[0].reasons.terms == ["cutinase"]


def test_an_empty_index_has_no_matches(tmp_path):
    empty = build_index(str(tmp_path / "empty"), ())

    assert find_matches(empty, source_of(FILTER_CHALLENGE), NOW) == []
    assert find_matches(empty, source_of(BATTERY_OFFER), NOW) == []
    empty.close()


def test_an_open_challenge_without_a_deadline_is_suggested(tmp_path):
    undated = replace(BATTERY_CHALLENGE, open_until=None)
    built = build_index(str(tmp_path / "undated"), (undated, BATTERY_OFFER))

    assert keys_of(find_matches(built, source_of(BATTERY_OFFER), NOW)) == ["challenge:12"]
    built.close()
