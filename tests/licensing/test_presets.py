"""Presets: the standard licences a deal starts from, completed by the deal and checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from licensing.presets import PRESET_KEYS, PRESETS, add_months, preset, start_from
from licensing.terms import TermsInvalid, parse_terms, terms_json

OFFER = ["EP 1 234 567 B1", "US 10,123,456 B2"]
START = date(2027, 3, 31)


def completed(key: str, currency: str = "EUR"):
    data = start_from(preset(key), licensed_patents=OFFER, currency=currency, effective_date=START)
    return parse_terms(data, offer_patents=OFFER, effective_date=START)


@pytest.mark.parametrize("key", PRESET_KEYS)
@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP", "CHF", "JPY", "KWD"])
def test_every_preset_completed_by_a_deal_is_valid(key: str, currency: str) -> None:
    terms = completed(key, currency)
    assert terms.licensed_patents == tuple(OFFER)
    assert terms.currency == currency


def test_presets_leave_the_deals_own_values_to_the_deal() -> None:
    for chosen in PRESETS:
        assert not {"licensed_patents", "currency", "effective_date"} & set(chosen.terms)
        with pytest.raises(TermsInvalid) as caught:
            parse_terms(chosen.terms, offer_patents=OFFER, effective_date=START)
        assert {"licensed_patents", "currency"} <= set(caught.value.fields)


def test_the_express_licence_is_an_exclusive_start_up_licence() -> None:
    terms = completed("express_startup")
    assert (terms.exclusivity, terms.territory, terms.term_years) == (
        "exclusive",
        "worldwide",
        None,
    )
    assert Decimal(0) < terms.upfront_fee <= Decimal(10_000)
    assert Decimal(1) <= terms.royalty_rate_percent < Decimal(5)
    assert terms.sublicensing
    assert terms.diligence
    assert [(m.event, m.due) for m in terms.milestones] == [
        ("First financing round closed", date(2028, 9, 30)),
        ("First commercial sale of a licensed product", date(2032, 3, 31)),
    ]


def test_the_evaluation_licence_is_short_free_and_not_sublicensable() -> None:
    terms = completed("evaluation")
    assert (terms.exclusivity, terms.term_years, terms.sublicensing) == ("non_exclusive", 1, False)
    assert terms.royalty_rate_percent == terms.upfront_fee == 0


def test_the_option_agreement_charges_an_option_fee_for_a_term_in_years() -> None:
    terms = completed("option")
    assert terms.upfront_fee > 0
    assert terms.term_years == 1
    assert terms.royalty_rate_percent == 0


def test_the_research_licence_is_royalty_free_and_non_exclusive() -> None:
    terms = completed("research")
    assert (terms.exclusivity, terms.royalty_rate_percent, terms.sublicensing) == (
        "non_exclusive",
        0,
        False,
    )
    assert "research" in terms.field_of_use.lower()


def test_changing_a_started_deal_leaves_the_preset_as_it_was() -> None:
    chosen = preset("express_startup")
    data = start_from(chosen, licensed_patents=OFFER, currency="EUR", effective_date=START)
    data["patent_costs"]["paid_by"] = "licensor"
    again = start_from(chosen, licensed_patents=OFFER, currency="EUR", effective_date=START)
    assert again["patent_costs"]["paid_by"] == "licensee"
    assert terms_json(completed("express_startup"))["patent_costs"]["paid_by"] == "licensee"


def test_a_preset_cannot_be_changed_by_accident() -> None:
    chosen = preset("research")
    with pytest.raises(TypeError):
        chosen.terms["patent_costs"]["paid_by"] = "licensee"  # type: ignore[index]
    assert completed("research").patent_costs.paid_by == "licensor"


def test_an_unknown_preset_names_the_ones_there_are() -> None:
    with pytest.raises(KeyError, match="express_startup, evaluation, option, research"):
        preset("bespoke")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 3, 31), 18, date(2028, 9, 30)),
        (date(2027, 11, 15), 2, date(2028, 1, 15)),
        (date(2027, 5, 1), 60, date(2032, 5, 1)),
    ],
)
def test_milestones_fall_whole_months_after_the_start(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected
