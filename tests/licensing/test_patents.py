"""Patent and application numbers as technology-transfer offices write them."""

from __future__ import annotations

import re

import pytest

from licensing.patents import PatentNumber, parse_patent_number, parse_patent_numbers

HINT = "write it like US 10,123,456 B2, EP 1234567 or WO 2020/123456."


def unrecognised(text: str) -> str:
    return f"'{text}' is not a patent or application number we recognise; {HINT}"


@pytest.mark.parametrize(
    ("text", "canonical", "display", "document"),
    [
        ("US 10,123,456 B2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("US10123456B2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("US 10123456", "US10123456", "US 10,123,456", "grant"),
        ("US 6,123,456 B1", "US6123456B1", "US 6,123,456 B1", "grant"),
        ("US 5,123,456 A", "US5123456A", "US 5,123,456 A", "grant"),
        ("us-10123456-b2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("U.S. 10,123,456 B2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("US 10.123.456 B2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("US\u00a010,123,456\u00a0B2", "US10123456B2", "US 10,123,456 B2", "grant"),
        ("US 2020/0123456 A1", "US20200123456A1", "US 2020/0123456 A1", "publication"),
        ("US20200123456A1", "US20200123456A1", "US 2020/0123456 A1", "publication"),
        ("US 2020/0123456", "US20200123456", "US 2020/0123456", "publication"),
        ("US 16/123,456", "US16/123456", "US 16/123,456", "application"),
        ("US 63/123456", "US63/123456", "US 63/123,456", "application"),
        ("EP 1234567", "EP1234567", "EP 1 234 567", "publication"),
        ("EP 1 234 567 B1", "EP1234567B1", "EP 1 234 567 B1", "grant"),
        ("EP1234567A1", "EP1234567A1", "EP 1 234 567 A1", "publication"),
        ("EP 0 123 456 B1", "EP0123456B1", "EP 0 123 456 B1", "grant"),
        ("WO 2020/123456", "WO2020123456", "WO 2020/123456", "publication"),
        ("WO2020123456A1", "WO2020123456A1", "WO 2020/123456 A1", "publication"),
        ("PCT/US2020/012345", "PCT/US2020/012345", "PCT/US2020/012345", "application"),
        ("pct/ep 2021/054321", "PCT/EP2021/054321", "PCT/EP2021/054321", "application"),
        ("GB 2512345", "GB2512345", "GB 2512345", "publication"),
        ("GB2512345B", "GB2512345B", "GB 2512345 B", "grant"),
        ("DE 10 2019 123 456", "DE102019123456", "DE 10 2019 123 456", "publication"),
        ("DE102019123456B4", "DE102019123456B4", "DE 10 2019 123 456 B4", "grant"),
        ("DE 20 2019 123 456 U1", "DE202019123456U1", "DE 20 2019 123 456 U1", "grant"),
        ("JP 2020-123456", "JP2020123456", "JP 2020-123456", "publication"),
        ("JP 2020-123456 A", "JP2020123456A", "JP 2020-123456 A", "publication"),
        ("JP 6123456 B2", "JP6123456B2", "JP 6123456 B2", "grant"),
        ("CN 112345678 A", "CN112345678A", "CN 112345678 A", "publication"),
        ("CN 212345678 U", "CN212345678U", "CN 212345678 U", "grant"),
    ],
)
def test_numbers_are_read_as_offices_write_them(text, canonical, display, document) -> None:
    number = parse_patent_number(text)
    assert (number.canonical, number.display, number.kind_of_document) == (
        canonical,
        display,
        document,
    )
    # both forms are stored and shown again, so each must read back as the same number
    assert parse_patent_number(number.display) == number
    assert parse_patent_number(number.canonical) == number


def test_a_number_keeps_its_parts() -> None:
    assert parse_patent_number("EP 1 234 567 B1") == PatentNumber("EP", "1234567", "B1", "grant")
    assert parse_patent_number("PCT/US2020/012345") == PatentNumber(
        "WO", "US2020/012345", None, "application"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("US 12", unrecognised("US 12")),
        ("US 123,456", unrecognised("US 123,456")),
        ("US 123,456,789", unrecognised("US 123,456,789")),
        ("US 10123456 A1", unrecognised("US 10123456 A1")),
        ("US 2020/0123456 B2", unrecognised("US 2020/0123456 B2")),
        ("US 2000/0123456 A1", unrecognised("US 2000/0123456 A1")),
        ("US 00/123,456", unrecognised("US 00/123,456")),
        ("US 16/123,456 B2", unrecognised("US 16/123,456 B2")),
        ("EP 123456", unrecognised("EP 123456")),
        ("EP 12345678", unrecognised("EP 12345678")),
        ("EP 1234567 Z1", unrecognised("EP 1234567 Z1")),
        ("EP 1234567 B12", unrecognised("EP 1234567 B12")),
        ("WO 1977/123456", unrecognised("WO 1977/123456")),
        ("WO 2020/12345", unrecognised("WO 2020/12345")),
        ("WO 99/12345", unrecognised("WO 99/12345")),
        ("PCT/US20/12345", unrecognised("PCT/US20/12345")),
        ("GB 251234", unrecognised("GB 251234")),
        ("DE 10 2003 123 456", unrecognised("DE 10 2003 123 456")),
        ("DE 30 2019 123 456", unrecognised("DE 30 2019 123 456")),
        ("JP 1999-123456", unrecognised("JP 1999-123456")),
        ("CN 12345678 A", unrecognised("CN 12345678 A")),
        ("10,123,456 B2", unrecognised("10,123,456 B2")),
        ("patent pending", unrecognised("patent pending")),
        ("US " + "1" * 60, unrecognised("US " + "1" * 36 + "…")),
        (
            "FR 1234567",
            "'FR 1234567' is not from a patent office we recognise; give US, EP, WO, PCT, GB, "
            "DE, JP or CN numbers, like US 10,123,456 B2, EP 1234567 or WO 2020/123456.",
        ),
        ("  ", "Give a patent or application number, like US 10,123,456 B2, EP 1234567 or WO"),
    ],
)
def test_bad_numbers_say_how_to_write_one(text, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_patent_number(text)


def test_a_list_is_parsed_in_order_without_repeats_or_blanks() -> None:
    numbers = parse_patent_numbers(
        ["US 10,123,456 B2", "EP1234567", "", "us10123456b2", "EP 1 234 567"]
    )
    assert [number.display for number in numbers] == ["US 10,123,456 B2", "EP 1 234 567"]


def test_a_list_with_one_bad_number_reports_it_plainly() -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(unrecognised('US 12'))}$"):
        parse_patent_numbers(["US 12"])


def test_a_list_reports_every_bad_number_with_its_position() -> None:
    message = f"Number 2: {unrecognised('US 12')} Number 4: {unrecognised('EP 12')}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_patent_numbers(["US 10,123,456 B2", "US 12", "", "EP 12"])
