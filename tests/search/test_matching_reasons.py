"""The non-text reasons of a match: field overlap, TRL fit, deal fit, and their plain words."""

from __future__ import annotations

import pytest

from ideagora.taxonomy import field_name
from search.reasons import (
    COMPATIBLE_DEALS,
    DealFit,
    MatchReasons,
    TRLFit,
    deal_fit,
    deal_score,
    describe,
    field_overlap,
    trl_fit,
    trl_score,
)


def families(*slugs: str) -> tuple[str, ...]:
    """Return the slugs with their parents, as a listing document carries them."""
    parents = [slug.split("-")[0] for slug in slugs if slug.startswith("materials-")]
    return tuple(dict.fromkeys((*slugs, *parents)))


@pytest.mark.parametrize(
    ("source", "candidate", "score", "same", "related"),
    [
        (("materials-polymers",), ("materials-polymers",), 1.0, ["materials-polymers"], []),
        (("materials-polymers",), ("materials",), 0.6, [], ["materials-polymers"]),
        (("materials",), ("materials-polymers",), 0.6, [], ["materials-polymers"]),
        (("materials-polymers",), ("materials-composites",), 0.3, [], ["materials-composites"]),
        (("materials-polymers",), ("energy-storage",), 0.0, [], []),
        # a child of another top-level field named like "materials" is not related
        (("materials",), ("construction-materials",), 0.0, [], []),
        (
            ("materials-polymers", "energy-storage"),
            ("energy-storage", "materials"),
            1.0,
            ["energy-storage"],
            ["materials-polymers"],
        ),
        ((), ("materials",), 0.2, [], []),
        (("materials",), (), 0.2, [], []),
    ],
)
def test_field_overlap(source, candidate, score, same, related):
    assert field_overlap(source, families(*source), candidate) == (score, same, related)


@pytest.mark.parametrize(
    ("kind", "source_trl", "candidate_trl", "sought", "offered", "verdict"),
    [
        ("challenge", 4, 6, 4, 6, "meets"),
        ("challenge", 4, 4, 4, 4, "meets"),
        ("challenge", 5, 3, 5, 3, "below"),
        ("asset", 6, 4, 4, 6, "meets"),
        ("asset", 2, 7, 7, 2, "below"),
        ("challenge", None, 6, None, 6, "unknown"),
        ("asset", 6, None, None, 6, "unknown"),
    ],
)
def test_trl_fit_sees_the_offer_against_the_challenge(
    kind, source_trl, candidate_trl, sought, offered, verdict
):
    fit = trl_fit(kind, source_trl, candidate_trl)

    assert (fit.sought_trl, fit.offered_trl, fit.verdict) == (sought, offered, verdict)
    assert (fit.source_trl, fit.candidate_trl) == (source_trl, candidate_trl)


def test_trl_score_falls_smoothly_below_the_level_sought():
    scores = [trl_score(trl_fit("challenge", 6, offered)) for offered in (9, 6, 5, 4, 3, 1)]

    assert scores[0] == scores[1] == 1.0
    assert scores[1:] == sorted(scores[1:], reverse=True)
    assert len(set(scores[1:])) == 5
    assert scores[2] > trl_score(trl_fit("challenge", None, 5)) > scores[4]
    assert trl_score(trl_fit("challenge", None, 5)) == 0.5


@pytest.mark.parametrize(
    ("wanted", "offered", "compatible"),
    [
        ("exclusive_license", ("exclusive_license",), True),
        ("exclusive_license", ("option",), True),
        ("exclusive_license", ("non_exclusive_license", "assignment"), False),
        ("non_exclusive_license", ("non_exclusive_license",), True),
        ("non_exclusive_license", ("exclusive_license",), True),
        ("non_exclusive_license", ("collaboration",), False),
        ("assignment", ("assignment",), True),
        ("assignment", ("exclusive_license", "option"), False),
        ("solver_retains", ("collaboration",), True),
        ("solver_retains", ("option",), True),
        ("solver_retains", ("non_exclusive_license",), True),
        ("solver_retains", ("assignment",), False),
    ],
)
def test_deal_compatibility_table(wanted, offered, compatible):
    fit = deal_fit((wanted,), offered)

    assert fit == DealFit(wanted, offered, compatible)
    assert deal_score(fit) == (1.0 if compatible else 0.0)


@pytest.mark.parametrize(
    ("wanted", "offered"),
    [((), ("assignment",)), (("assignment",), ()), (("a_new_term",), ("assignment",))],
)
def test_unsaid_deal_terms_are_neutral(wanted, offered):
    assert deal_fit(wanted, offered) is None
    assert deal_score(None) == 0.5


def test_every_ip_term_has_a_row_in_the_table():
    assert set(COMPATIBLE_DEALS) == {
        "solver_retains",
        "non_exclusive_license",
        "exclusive_license",
        "assignment",
    }


@pytest.mark.parametrize(
    ("reasons", "phrases"),
    [
        (
            MatchReasons(terms=["electrospinning", "nanofibre"]),
            ["shares: 'electrospinning', 'nanofibre'"],
        ),
        (MatchReasons(same_fields=["materials"]), ["same field: Materials"]),
        (
            MatchReasons(same_fields=["materials", "energy-storage"]),
            ["same fields: Materials, Batteries and energy storage"],
        ),
        (
            MatchReasons(related_fields=["materials-polymers"]),
            ["related field: Polymers and plastics"],
        ),
        (MatchReasons(trl=TRLFit(4, 6, 4, 6, "meets")), ["TRL 6 ≥ 4 sought"]),
        (MatchReasons(trl=TRLFit(3, 5, 5, 3, "below")), ["TRL 3, below the 5 sought"]),
        (MatchReasons(trl=TRLFit(None, 5, None, 5, "unknown")), []),
        (
            MatchReasons(deal=DealFit("exclusive_license", ("exclusive_license",), True)),
            ["deal: exclusive licence wanted, offered"],
        ),
        (
            MatchReasons(deal=DealFit("exclusive_license", ("assignment", "option"), True)),
            ["deal: exclusive licence wanted; offered: option"],
        ),
        (
            MatchReasons(deal=DealFit("solver_retains", ("collaboration",), True)),
            ["deal: solver keeps the IP; offered: collaboration"],
        ),
        (
            MatchReasons(deal=DealFit("assignment", ("non_exclusive_license",), False)),
            ["deal: assignment wanted, but offered: non-exclusive licence"],
        ),
        (MatchReasons(), []),
        (
            MatchReasons(
                terms=["pet", "enzyme"],
                same_fields=["environment-waste-recycling"],
                trl=TRLFit(5, 6, 5, 6, "meets"),
            ),
            ["shares: 'pet', 'enzyme'", "same field: Waste and recycling", "TRL 6 ≥ 5 sought"],
        ),
        (
            MatchReasons(terms=[f"word{n}" for n in range(9)]),
            ["shares: " + ", ".join(f"'word{n}'" for n in range(6))],
        ),
    ],
)
def test_describe_says_it_in_plain_words(reasons, phrases):
    assert describe(reasons, field_name) == phrases
