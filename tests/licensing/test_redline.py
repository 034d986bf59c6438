"""Redlines: what a revision of licence terms changes, field by field, as officers read it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from licensing.redline import ABSENT, Change, long_date, money, percent, redline
from licensing.terms import FIELD_LABELS, parse_terms, terms_json

OFFER = ["EP 1 234 567 B1", "US 10,123,456 B2"]
START = date(2027, 1, 1)
BASE: dict[str, Any] = {
    "licensed_patents": ["EP 1 234 567 B1"],
    "field_of_use": "In vitro diagnostics",
    "territory": "worldwide",
    "exclusivity": "exclusive",
    "sublicensing": True,
    "term_years": 10,
    "currency": "EUR",
    "upfront_fee": "25000",
    "royalty_rate_percent": "2.5",
    "sublicense_income_percent": "20",
    "milestones": [
        {"event": "Regulatory approval", "amount": "25000", "due": "2029-12-31"},
        {"event": "First commercial sale", "amount": "50000", "due": "2031-06-30"},
    ],
    "patent_costs": {"paid_by": "licensee"},
    "diligence": "Launch a licensed product within four years.",
    "governing_law": "the laws of England and Wales",
}


def revision(**changes: Any) -> dict[str, Any]:
    return terms_json(parse_terms({**BASE, **changes}, offer_patents=OFFER, effective_date=START))


def shown(changes: list[Change]) -> list[tuple[str, str, str]]:
    return [(change.label, change.before, change.after) for change in changes]


def test_the_same_terms_have_no_changes() -> None:
    assert redline(revision(), revision()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"upfront_fee": "30000"}, ("Upfront fee", "EUR 25,000.00", "EUR 30,000.00")),
        ({"annual_fee": "1500"}, ("Annual fee", "EUR 0.00", "EUR 1,500.00")),
        ({"royalty_rate_percent": "3"}, ("Royalty rate", "2.5%", "3%")),
        (
            {"sublicense_income_percent": "12.75"},
            ("Share of sublicence income", "20%", "12.75%"),
        ),
        ({"territory": ["US", "CA"]}, ("Territory", "Worldwide", "CA, US")),
        ({"licensed_patents": OFFER}, ("Licensed patents", OFFER[0], ", ".join(OFFER))),
        (
            {"field_of_use": "Companion diagnostics"},
            ("Field of use", "In vitro diagnostics", "Companion diagnostics"),
        ),
        (
            {"exclusivity": "exclusive_in_field"},
            ("Exclusivity", "Exclusive", "Exclusive in the field of use"),
        ),
        ({"term_years": 5}, ("Term", "10 years", "5 years")),
        (
            {"term_years": None, "term": "life_of_patents"},
            ("Term", "10 years", "Life of the licensed patents"),
        ),
        (
            {"patent_costs": {"paid_by": "shared", "note": "Half each."}},
            ("Patent costs", "Paid by the licensee", "Shared by the parties. Half each."),
        ),
        (
            {"diligence": "Launch within three years."},
            ("Diligence obligations", BASE["diligence"], "Launch within three years."),
        ),
        (
            {"governing_law": "Swiss law"},
            ("Governing law", "the laws of England and Wales", "Swiss law"),
        ),
    ],
)
def test_a_changed_field_shows_before_and_after(changes: dict, expected: tuple) -> None:
    assert shown(redline(revision(), revision(**changes))) == [expected]


def test_a_one_year_term_and_dropped_milestones_show_together() -> None:
    found = shown(redline(revision(), revision(term_years=1, milestones=[])))
    assert found[0] == ("Term", "10 years", "1 year")
    assert [after for _, _, after in found[1:]] == [ABSENT, ABSENT]


def test_switching_off_sublicensing_shows_both_fields_in_order() -> None:
    found = shown(redline(revision(), revision(sublicensing=False, sublicense_income_percent="0")))
    assert found == [
        ("Sublicensing", "Allowed", "Not allowed"),
        ("Share of sublicence income", "20%", "0%"),
    ]


def test_a_change_of_currency_restates_every_amount() -> None:
    found = redline(revision(), revision(currency="JPY", upfront_fee="25000"))
    labels = [change.label for change in found]
    assert labels[:4] == ["Currency", "Upfront fee", "Annual fee", "Minimum annual royalty"]
    assert found[1].after == "JPY 25,000"
    assert found[-1].after == "First commercial sale: JPY 50,000, due 30 June 2031"


def test_milestones_are_compared_one_by_one() -> None:
    before = revision()
    after = revision(
        milestones=[
            {"event": "Regulatory approval", "amount": "30000", "due": "2029-12-31"},
            {"event": "Phase II trial started", "amount": "10000", "due": "2028-03-01"},
        ]
    )
    assert shown(redline(before, after)) == [
        ("Milestone", ABSENT, "Phase II trial started: EUR 10,000.00, due 1 March 2028"),
        (
            "Milestone",
            "Regulatory approval: EUR 25,000.00, due 31 December 2029",
            "Regulatory approval: EUR 30,000.00, due 31 December 2029",
        ),
        ("Milestone", "First commercial sale: EUR 50,000.00, due 30 June 2031", ABSENT),
    ]


def test_renaming_a_milestone_only_in_letter_case_still_shows() -> None:
    renamed = [{**BASE["milestones"][0], "event": "regulatory approval"}, BASE["milestones"][1]]
    found = shown(redline(revision(), revision(milestones=renamed)))
    assert found == [
        (
            "Milestone",
            "Regulatory approval: EUR 25,000.00, due 31 December 2029",
            "regulatory approval: EUR 25,000.00, due 31 December 2029",
        )
    ]


def test_the_first_revision_shows_every_field_as_added() -> None:
    changes = redline(None, revision())
    assert all(change.before == ABSENT for change in changes)
    fields = [change.field for change in changes]
    assert fields == sorted(fields, key=list(FIELD_LABELS).index)
    assert fields.count("milestones") == 2
    assert set(fields) == set(FIELD_LABELS)
    assert changes[0].as_json() == {
        "field": "licensed_patents",
        "label": "Licensed patents",
        "before": ABSENT,
        "after": "EP 1 234 567 B1",
    }


def test_removed_fields_show_as_absent() -> None:
    after = {key: value for key, value in revision().items() if key != "governing_law"}
    assert shown(redline(revision(), after)) == [
        ("Governing law", "the laws of England and Wales", ABSENT)
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (money("1234567.5", "EUR"), "EUR 1,234,567.5"),
        (money("1000", "JPY"), "JPY 1,000"),
        (money("12.125", "KWD"), "KWD 12.125"),
        (money("0.00", None), "0.00"),
        (percent("2.50"), "2.5%"),
        (percent("100.00"), "100%"),
        (percent("0.05"), "0.05%"),
        (long_date("2028-02-29"), "29 February 2028"),
        (long_date(date(2030, 10, 1)), "1 October 2030"),
    ],
)
def test_values_read_as_written_in_an_agreement(value: str, expected: str) -> None:
    assert value == expected
