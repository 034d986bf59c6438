"""Licence terms: every field's checks, the canonical form, currency precision and exclusivity."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from licensing.terms import (
    ALL_FIELDS,
    COUNTRY_CODES,
    CURRENCY_DIGITS,
    Milestone,
    PatentCosts,
    TermsInvalid,
    exclusivity_conflicts,
    parse_terms,
    terms_json,
)

OFFER = ["EP 1 234 567 B1", "US 10,123,456 B2"]
START = date(2027, 1, 1)
DROP = object()
GOOD: dict[str, Any] = {
    "licensed_patents": ["EP 1 234 567 B1"],
    "field_of_use": "In vitro diagnostics",
    "territory": ["DE", "FR"],
    "exclusivity": "exclusive_in_field",
    "sublicensing": True,
    "term_years": 10,
    "currency": "EUR",
    "upfront_fee": "25000.00",
    "annual_fee": "5000",
    "minimum_annual_royalty": "10000",
    "royalty_rate_percent": "2.5",
    "sublicense_income_percent": "20",
    "milestones": [
        {"event": "First commercial sale", "amount": "50000", "due": "2031-06-30"},
        {"event": "Regulatory approval", "amount": "25000", "due": "2029-12-31"},
    ],
    "patent_costs": {"paid_by": "licensee", "note": "Costs after the effective date."},
    "diligence": "Launch a licensed product within four years.",
    "governing_law": "the laws of England and Wales",
}
CURRENCIES = ", ".join(CURRENCY_DIGITS)
TOO_LARGE = "That is more than the largest figure we record (999,999,999,999)."
AMOUNT = "Give an amount, like 25000.00, in figures."
PERCENT = "Give a percentage, like 2.5, in figures."
TERM_RANGE = "The term must be 1 to 30 years, or the life of the patents."
TERRITORY = 'Give "worldwide" or a list of ISO 3166 country codes, like DE, FR, US.'
EXCLUSIVITY = (
    'Choose exclusive ("exclusive"), exclusive in the field of use ("exclusive_in_field") '
    'or non-exclusive ("non_exclusive").'
)
PAYERS = (
    'Choose paid by the licensee ("licensee"), paid by the licensor ("licensor") '
    'or shared by the parties ("shared").'
)


def terms(**changes: Any) -> dict[str, Any]:
    data = {**GOOD, **changes}
    return {key: value for key, value in data.items() if value is not DROP}


def problems(data: dict[str, Any], offer: list[str] = OFFER) -> dict[str, str]:
    with pytest.raises(TermsInvalid) as caught:
        parse_terms(data, offer_patents=offer, effective_date=START)
    return caught.value.fields


def milestone(event: str = "Approval", amount: Any = "1000", due: Any = "2028-01-01") -> dict:
    return {"event": event, "amount": amount, "due": due}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "licensed_patents",
            [],
            f"Choose at least one of the offer's patents: {', '.join(OFFER)}.",
        ),
        (
            "licensed_patents",
            DROP,
            f"Choose at least one of the offer's patents: {', '.join(OFFER)}.",
        ),
        (
            "licensed_patents",
            ["US 9,999,999 B2"],
            f"US 9,999,999 B2 is not one of this offer's patents: choose from {', '.join(OFFER)}.",
        ),
        (
            "licensed_patents",
            ["the cell line"],
            "'the cell line' is not a patent or application number we recognise; "
            "write it like US 10,123,456 B2, EP 1234567 or WO 2020/123456.",
        ),
        (
            "licensed_patents",
            1234567,
            "Give the licensed patents as a list of the offer's patent numbers.",
        ),
        (
            "licensed_patents",
            [1234567],
            "Give the licensed patents as a list of the offer's patent numbers.",
        ),
        ("field_of_use", "", 'Say in which field the licence may be used, or "All fields of use".'),
        (
            "field_of_use",
            "   \n ",
            'Say in which field the licence may be used, or "All fields of use".',
        ),
        ("field_of_use", 42, "Give this as text."),
        ("field_of_use", "x" * 501, "Keep this to 500 characters; it has 501."),
        (
            "field_of_use",
            "Diagnostics\x00",
            "The text contains control characters; retype it without them.",
        ),
        ("territory", "", 'Give "worldwide" or at least one ISO 3166 country code, like DE or US.'),
        ("territory", [], 'Give "worldwide" or at least one ISO 3166 country code, like DE or US.'),
        ("territory", 49, TERRITORY),
        ("territory", ["DE", 49], TERRITORY),
        ("territory", ["UK"], "UK is not a country code: use GB for the United Kingdom."),
        ("territory", "eu", "EU is not a country code: list the member states, like DE, FR, IT."),
        (
            "territory",
            ["Germany"],
            '"Germany" is not an ISO 3166 country code; write countries like DE, FR, US.',
        ),
        (
            "territory",
            ["XX"],
            '"XX" is not an ISO 3166 country code; write countries like DE, FR, US.',
        ),
        (
            "territory",
            ["worldwide", "DE"],
            '"Worldwide" already covers every country; give it alone.',
        ),
        ("exclusivity", "sole", EXCLUSIVITY),
        ("exclusivity", DROP, EXCLUSIVITY),
        ("exclusivity", True, EXCLUSIVITY),
        ("sublicensing", "maybe", "Say whether sublicensing is allowed: true or false."),
        ("sublicensing", 1, "Say whether sublicensing is allowed: true or false."),
        ("sublicensing", DROP, "Say whether sublicensing is allowed: true or false."),
        ("term_years", 0, TERM_RANGE),
        ("term_years", 31, TERM_RANGE),
        ("term_years", -5, TERM_RANGE),
        ("term_years", 2.5, "Give the term in whole years."),
        ("term_years", "ten", "Give a number of years, like 10, in figures."),
        ("term_years", True, "Give a number of years, like 10, not true or false."),
        ("term_years", float("nan"), "Give a number of years, like 10, in figures."),
        ("term_years", 10**400, TOO_LARGE),
        (
            "term_years",
            DROP,
            "Give the licence's term in years, or choose the life of the patents.",
        ),
        (
            "currency",
            "XYZ",
            f"XYZ is not a currency we accept; choose an ISO 4217 code: {CURRENCIES}.",
        ),
        ("currency", "€", f"€ is not a currency we accept; choose an ISO 4217 code: {CURRENCIES}."),
        ("currency", DROP, f"Give a currency we accept; choose an ISO 4217 code: {CURRENCIES}."),
        ("currency", 978, f"Give a currency we accept; choose an ISO 4217 code: {CURRENCIES}."),
        ("royalty_rate_percent", 101, "A percentage must be between 0 and 100."),
        ("royalty_rate_percent", "-1", "A percentage must be between 0 and 100."),
        (
            "royalty_rate_percent",
            "2.555",
            "Give the percentage with at most two decimal places, like 2.25.",
        ),
        ("royalty_rate_percent", True, "Give a percentage, like 2.5, not true or false."),
        ("royalty_rate_percent", "two", PERCENT),
        ("royalty_rate_percent", float("inf"), PERCENT),
        ("royalty_rate_percent", [2], "Give a percentage, like 2.5."),
        ("sublicense_income_percent", 100.01, "A percentage must be between 0 and 100."),
        ("sublicense_income_percent", "NaN", PERCENT),
        ("patent_costs", "nobody", PAYERS),
        (
            "patent_costs",
            {"paid_by": "licensee", "share": 50},
            "Say who pays the patent costs: the licensee, the licensor or both, shared.",
        ),
        (
            "patent_costs",
            DROP,
            "Say who pays the patent costs: the licensee, the licensor or both, shared.",
        ),
        ("patent_costs", {"paid_by": "shared", "note": 50}, "Give this as text."),
        (
            "diligence",
            "",
            "An exclusive licence must say what the licensee will do to develop and sell "
            "licensed products.",
        ),
        ("diligence", "x" * 4001, "Keep this to 4,000 characters; it has 4,001."),
        (
            "governing_law",
            "",
            "Name the law that governs the agreement, like the laws of England and Wales.",
        ),
        ("governing_law", ["English law"], "Give this as text."),
        ("royalty", "5", "This is not a licence term."),
        ("effective_date", "2026-01-01", "The deal's effective date is 2027-01-01."),
    ],
)
def test_each_bad_field_gets_its_own_message(field: str, value: Any, message: str) -> None:
    assert problems(terms(**{field: value})) == {field: message}


@pytest.mark.parametrize("field", ["upfront_fee", "annual_fee", "minimum_annual_royalty"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "An amount cannot be negative."),
        ("-0.01", "An amount cannot be negative."),
        ("12.345", "EUR amounts have at most 2 decimal places; 12.345 has 3."),
        (0.1 + 0.2, "EUR amounts have at most 2 decimal places; 0.30000000000000004 has 17."),
        (float("nan"), AMOUNT),
        (float("-inf"), AMOUNT),
        ("Infinity", AMOUNT),
        (Decimal("NaN"), "Give an amount, like 25000.00."),
        (10**13, TOO_LARGE),
        pytest.param(10**5000, TOO_LARGE, id="a-5000-digit-integer"),
        ("1e400", TOO_LARGE),
        (1e300, TOO_LARGE),
        (True, "Give an amount, like 25000.00, not true or false."),
        ("ten thousand", AMOUNT),
        ("€25000", AMOUNT),
        ("1" * 60, AMOUNT),
        ("25000,50", "Give an amount, like 25000.00, in figures, with a decimal point."),
        ({"amount": 5}, "Give an amount, like 25000.00."),
    ],
)
def test_bad_amounts_get_a_message(field: str, value: Any, message: str) -> None:
    assert problems(terms(**{field: value})) == {field: message}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("soon", "Give the milestones as a list of events, amounts and due dates."),
        (
            [milestone(event=f"Event {n}") for n in range(21)],
            "A licence has at most 20 milestones; this one has 21.",
        ),
        (
            [milestone(due="2026-12-31")],
            "Milestone 1: The due date 2026-12-31 must be after the effective date 2027-01-01.",
        ),
        (
            [milestone(due="2027-01-01")],
            "Milestone 1: The due date 2027-01-01 must be after the effective date 2027-01-01.",
        ),
        (
            [milestone(due="2037-01-02")],
            "Milestone 1: The due date 2037-01-02 is after the licence ends on 2037-01-01.",
        ),
        (
            [milestone(due="31/12/2028")],
            "Milestone 1: Give the due date as a date, like 2028-06-30.",
        ),
        (
            [milestone(due="2028-02-30")],
            "Milestone 1: Give the due date as a date, like 2028-06-30.",
        ),
        ([milestone(due=None)], "Milestone 1: Give the due date as a date, like 2028-06-30."),
        ([milestone(event="")], "Milestone 1: Say what event triggers the payment."),
        ([milestone(amount="-5")], "Milestone 1: An amount cannot be negative."),
        (
            [milestone(amount="10.001")],
            "Milestone 1: EUR amounts have at most 2 decimal places; 10.001 has 3.",
        ),
        (["approval"], "Milestone 1: Give an event, an amount and a due date."),
        ([{**milestone(), "paid": True}], "Milestone 1: Give an event, an amount and a due date."),
        (
            [milestone("First sale"), milestone("first  SALE", due="2029-01-01")],
            'Milestone 2: "first SALE" is already milestone 1.',
        ),
        (
            [milestone(due="2020-01-01"), milestone("Sale"), milestone("Launch", amount="x")],
            "Milestone 1: The due date 2020-01-01 must be after the effective date 2027-01-01. "
            "Milestone 3: Give an amount, like 25000.00, in figures.",
        ),
    ],
)
def test_bad_milestones_are_named_by_position(items: Any, message: str) -> None:
    assert problems(terms(milestones=items)) == {"milestones": message}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"sublicensing": False},
            "sublicense_income_percent",
            "Sublicensing is not allowed, so there is no sublicence income to share: "
            "leave this at 0 or allow sublicensing.",
        ),
        (
            {"royalty_rate_percent": "0"},
            "minimum_annual_royalty",
            "A minimum annual royalty needs a royalty rate; without royalties, "
            "charge an annual fee instead.",
        ),
        (
            {"term": "perpetual", "term_years": DROP},
            "term",
            'Give a term in years, or "life_of_patents" for the life of the patents.',
        ),
        (
            {"term": "life_of_patents"},
            "term",
            "Give either a number of years or the life of the patents, not both.",
        ),
    ],
)
def test_fields_that_go_together_are_checked_together(
    changes: dict, field: str, message: str
) -> None:
    assert problems(terms(**changes)) == {field: message}


def test_every_problem_is_reported_at_once() -> None:
    data = terms(currency="XYZ", upfront_fee="-1", territory=["UK"], milestones="soon", royalty="3")
    assert set(problems(data)) == {"currency", "upfront_fee", "territory", "milestones", "royalty"}


def test_an_offer_without_patents_licenses_none() -> None:
    know_how = parse_terms(terms(licensed_patents=[]), offer_patents=[], effective_date=START)
    assert know_how.licensed_patents == ()
    assert problems(terms(), offer=[]) == {
        "licensed_patents": "This offer lists no patents, so the licence cannot name any."
    }


def test_good_terms_are_typed_and_tidied() -> None:
    parsed = parse_terms(
        terms(
            licensed_patents=["us10123456b2", "EP1234567", "EP 1 234 567 B1"],
            field_of_use="  In vitro\t diagnostics ",
            territory="fr, de FR",
            sublicensing="yes",
            currency="eur",
            upfront_fee="25,000",
            royalty_rate_percent="2.5%",
        ),
        offer_patents=OFFER,
        effective_date=START,
    )
    assert parsed.licensed_patents == ("EP 1 234 567 B1", "US 10,123,456 B2")
    assert (parsed.field_of_use, parsed.territory, parsed.sublicensing) == (
        "In vitro diagnostics",
        ("DE", "FR"),
        True,
    )
    assert (parsed.currency, parsed.upfront_fee, parsed.royalty_rate_percent) == (
        "EUR",
        Decimal("25000.00"),
        Decimal("2.50"),
    )
    assert parsed.milestones == (
        Milestone("Regulatory approval", Decimal("25000.00"), date(2029, 12, 31)),
        Milestone("First commercial sale", Decimal("50000.00"), date(2031, 6, 30)),
    )
    assert parsed.patent_costs == PatentCosts("licensee", "Costs after the effective date.")
    assert parsed.ends_on == date(2037, 1, 1)


def test_terms_round_trip_through_their_canonical_json() -> None:
    parsed = parse_terms(GOOD, offer_patents=OFFER, effective_date=START)
    canonical = terms_json(parsed)
    assert json.loads(json.dumps(canonical)) == canonical
    assert parse_terms(canonical, offer_patents=OFFER, effective_date=START) == parsed
    assert canonical["upfront_fee"] == "25000.00"
    assert canonical["milestones"][0] == {
        "event": "Regulatory approval",
        "amount": "25000.00",
        "due": "2029-12-31",
    }


def test_the_same_terms_written_differently_give_the_same_json() -> None:
    other = terms(
        licensed_patents=["EP1234567B1"],
        territory="FR DE",
        term_years="10",
        upfront_fee=25000,
        annual_fee=Decimal("5000.0"),
        minimum_annual_royalty=10000.0,
        royalty_rate_percent=2.5,
        sublicense_income_percent="20.00",
        milestones=list(reversed(GOOD["milestones"])),
        patent_costs={"paid_by": "licensee", "note": " Costs after the  effective date. "},
    )
    first = terms_json(parse_terms(GOOD, offer_patents=OFFER, effective_date=START))
    second = terms_json(parse_terms(other, offer_patents=OFFER, effective_date=START))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@pytest.mark.parametrize(
    ("currency", "amount", "stored"),
    [
        ("EUR", "1000", "1000.00"),
        ("USD", "0.5", "0.50"),
        ("GBP", 0, "0.00"),
        ("CHF", "-0", "0.00"),
        ("JPY", "1000000", "1000000"),
        ("JPY", "1000.00", "1000"),
        ("KRW", 5e6, "5000000"),
        ("KWD", "1.5", "1.500"),
        ("BHD", "0.125", "0.125"),
    ],
)
def test_amounts_are_kept_at_their_currencys_precision(
    currency: str, amount: Any, stored: str
) -> None:
    data = terms(currency=currency, upfront_fee=amount, milestones=[])
    parsed = parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert terms_json(parsed)["upfront_fee"] == stored


@pytest.mark.parametrize(
    ("currency", "amount", "message"),
    [
        ("JPY", "1000.5", "JPY amounts are whole numbers; 1000.5 has 1."),
        ("KRW", 0.5, "KRW amounts are whole numbers; 0.5 has 1."),
        ("KWD", "1.2345", "KWD amounts have at most 3 decimal places; 1.2345 has 4."),
        ("USD", "19.999", "USD amounts have at most 2 decimal places; 19.999 has 3."),
    ],
)
def test_amounts_finer_than_their_currency_are_refused(
    currency: str, amount: Any, message: str
) -> None:
    assert problems(terms(currency=currency, annual_fee=amount)) == {"annual_fee": message}


def test_absent_amounts_are_zero_and_non_exclusive_licences_need_no_diligence() -> None:
    data = terms(
        exclusivity="non_exclusive",
        diligence=DROP,
        upfront_fee=None,
        annual_fee="",
        minimum_annual_royalty=DROP,
        royalty_rate_percent=DROP,
        milestones=DROP,
    )
    parsed = parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert (parsed.upfront_fee, parsed.annual_fee, parsed.royalty_rate_percent) == (0, 0, 0)
    assert (parsed.diligence, parsed.milestones) == ("", ())


def test_a_licence_for_the_life_of_the_patents_has_no_end_for_milestones() -> None:
    data = terms(term_years=DROP, term="life_of_patents", milestones=[milestone(due="2060-01-01")])
    parsed = parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert (parsed.term_years, parsed.ends_on) == (None, None)
    assert terms_json(parsed)["term"] == "life_of_patents"


def test_due_dates_may_be_dates_and_a_milestone_may_fall_on_the_last_day() -> None:
    data = terms(
        milestones=[milestone(due=date(2037, 1, 1)), milestone("Sale", due=datetime(2028, 5, 1))]
    )
    parsed = parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert [m.due for m in parsed.milestones] == [date(2028, 5, 1), date(2037, 1, 1)]


def test_the_country_table_is_iso_3166() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"DE", "GB", "US", "JP", "CN", "FR", "CH"} <= COUNTRY_CODES
    assert not {"UK", "EU", "EL", "EP"} & COUNTRY_CODES


def licence(**changes: Any):
    data = terms(**{"milestones": [], **changes})
    return parse_terms(data, offer_patents=OFFER, effective_date=START)


def record(**changes: Any) -> dict[str, Any]:
    return {
        "patents": ["EP 1234567 A1"],
        "field_of_use": "In vitro diagnostics",
        "territory": ["FR", "IT"],
        "exclusivity": "exclusive_in_field",
        "reference": "Deal D-7",
        **changes,
    }


@pytest.mark.parametrize(
    ("mine", "theirs", "conflicts"),
    [
        ({}, {}, True),
        ({}, {"field_of_use": "in vitro  DIAGNOSTICS."}, True),
        ({}, {"field_of_use": "Therapeutics"}, False),
        ({"exclusivity": "exclusive"}, {"field_of_use": "Therapeutics"}, True),
        ({}, {"field_of_use": "Therapeutics", "exclusivity": "exclusive"}, True),
        ({}, {"field_of_use": ALL_FIELDS}, True),
        ({"field_of_use": ALL_FIELDS}, {"field_of_use": "Therapeutics"}, True),
        # no licence where an exclusive one runs, and no exclusive one over a licence
        ({"exclusivity": "non_exclusive", "diligence": ""}, {}, True),
        ({}, {"exclusivity": "non_exclusive"}, True),
        (
            {"exclusivity": "non_exclusive", "diligence": ""},
            {"exclusivity": "non_exclusive"},
            False,
        ),
        (
            {"exclusivity": "non_exclusive", "diligence": ""},
            {"field_of_use": "Therapeutics"},
            False,
        ),
        ({}, {"patents": ["US 10,123,456 B2"]}, False),
        ({"licensed_patents": OFFER}, {"patents": ["US10123456"]}, True),
        ({}, {"territory": ["IT", "ES"]}, False),
        ({}, {"territory": "worldwide"}, True),
        ({"territory": "worldwide"}, {"territory": ["JP"]}, True),
        ({"territory": ["JP"]}, {}, False),
        ({}, {"territory": "fr"}, True),
        ({}, {"territory": "es, it"}, False),
        ({}, {"territory": "Worldwide"}, True),
    ],
)
def test_exclusive_licences_may_not_overlap(mine: dict, theirs: dict, conflicts: bool) -> None:
    assert bool(exclusivity_conflicts(licence(**mine), [record(**theirs)])) is conflicts


def test_an_overlap_says_where_it_lies() -> None:
    found = exclusivity_conflicts(
        licence(), [record(), record(reference="Deal D-9", territory=["ES"])]
    )
    assert found == [
        "Deal D-7 is already an exclusive licence of EP 1 234 567 B1 in FR "
        "for In vitro diagnostics."
    ]
    worldwide = exclusivity_conflicts(
        licence(territory="worldwide"), [record(territory="worldwide")]
    )
    assert worldwide == [
        "Deal D-7 is already an exclusive licence of EP 1 234 567 B1 in every country "
        "for In vitro diagnostics."
    ]


def test_texts_are_tidied_and_diligence_keeps_its_paragraphs() -> None:
    data = terms(
        field_of_use="In vitro\ndiagnostics",
        diligence="  Launch within four years.\r\n\r\n\r\n\r\nReport   every year.  ",
    )
    parsed = parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert parsed.field_of_use == "In vitro diagnostics"
    assert parsed.diligence == "Launch within four years.\n\nReport every year."


@pytest.mark.parametrize("data", [["exclusive"], "exclusive", None])
def test_terms_that_are_not_named_fields_are_refused(data: Any) -> None:
    with pytest.raises(TermsInvalid) as caught:
        parse_terms(data, offer_patents=OFFER, effective_date=START)
    assert caught.value.fields == {
        "terms": "Give the terms as named fields, like an object in JSON."
    }


def test_another_licences_canonical_terms_serve_as_its_record() -> None:
    other = {**terms_json(licence(territory=["FR"])), "reference": "Deal D-3"}
    assert exclusivity_conflicts(licence(), [other]) == [
        "Deal D-3 is already an exclusive licence of EP 1 234 567 B1 in FR "
        "for In vitro diagnostics."
    ]


def test_an_overlap_with_an_all_fields_licence_says_so() -> None:
    other = record(exclusivity="exclusive", field_of_use="Therapeutics")
    assert exclusivity_conflicts(licence(), [other]) == [
        "Deal D-7 is already an exclusive licence of EP 1 234 567 B1 in FR for all fields of use."
    ]
