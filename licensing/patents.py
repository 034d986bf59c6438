"""Parse and normalise patent and application numbers as technology-transfer offices write them.

Spaces, thousands separators (commas or dots), hyphens, letter case and a space before the kind
code do not matter: ``US 10,123,456 B2``, ``us10123456b2`` and ``US-10123456-B2`` are one patent.
These offices and forms are accepted:

======================  ============================  ==========================================
Office                  Written like                  Rule
======================  ============================  ==========================================
US grant                ``US 10,123,456 B2``          7–8 digits; kind A (before 2001), B1, B2
US publication          ``US 2020/0123456 A1``        year 2001–2099 and 7 digits; kind A1, A2, A9
US application          ``US 16/123,456``             series code and 6 digits; no kind
EP (European)           ``EP 1 234 567 B1``           7 digits; kind A (publication), B (grant)
WO (international)      ``WO 2020/123456 A1``         year 1978–2099 and 6 digits; kind A
PCT application         ``PCT/US2020/012345``         office, year 1978–2099 and 6 digits
GB                      ``GB 2512345 A``              7 digits; kind A (publication), B (grant)
DE (German)             ``DE 10 2019 123 456 A1``     10 (patent) or 20 (utility model), year
                                                      2004–2099 and 6 digits; kind A, B, C, U
JP publication          ``JP 2020-123456 A``          year 2000–2099 and 6 digits; kind A, T
JP grant                ``JP 6123456 B2``             7 digits; kind B (patent), U (utility model)
CN (Chinese)            ``CN 112345678 A``            7 or 9 digits; kind A (publication), B, C,
                                                      U, Y (grants and utility models)
======================  ============================  ==========================================

A kind code is one letter and an optional digit. Without one, a number that a publication and
its grant share (EP, GB, DE, CN) counts as a publication, the weaker claim; a US or JP number in
the grant range counts as a grant. Older forms (two-digit WO years, pre-2004 German numbers) are
not accepted: patents filed under them have expired. Check digits are not verified.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

KindOfDocument = Literal["grant", "publication", "application"]

EXAMPLES = "US 10,123,456 B2, EP 1234567 or WO 2020/123456"
OFFICES = "US, EP, WO, PCT, GB, DE, JP or CN"
QUOTE_MAX = 40

_PCT = re.compile(r"PCT/([A-Z]{2})(\d{4})/(\d{6})")
_SPLIT = re.compile(r"([A-Z]{2})[\s-]*(\d[\d\s,./-]*?)(?:[\s-]*([A-Z])(\d?))?")
_SEPARATORS = re.compile(r"[\s,.-]")
_OFFICE = re.compile(r"([A-Z]{2})[\s-]*\d")


@dataclass(frozen=True)
class PatentNumber:
    """A patent, published application or application number in one canonical form.

    ``country`` is the office's two-letter code, ``WO`` for both international publications
    and PCT applications. ``number`` is compact: digits only, except that US and PCT application
    numbers keep the slash that ends their series or year.
    """

    country: str
    number: str
    kind: str | None
    kind_of_document: KindOfDocument

    @property
    def canonical(self) -> str:
        """Return the compact form to store and compare, such as ``US10123456B2``."""
        if self._is_pct:
            return f"PCT/{self.number}"
        return f"{self.country}{self.number}{self.kind or ''}"

    @property
    def display(self) -> str:
        """Return the form people read, such as ``US 10,123,456 B2`` or ``EP 1 234 567 B1``."""
        if self._is_pct:
            return self.canonical
        spaced = _DISPLAY.get(self.country, _plain)(self.number)
        return f"{self.country} {spaced}" + (f" {self.kind}" if self.kind else "")

    @property
    def _is_pct(self) -> bool:
        return self.country == "WO" and self.kind_of_document == "application"


@dataclass(frozen=True)
class _Form:
    """One way an office writes its numbers: the compact digits, and kinds with what they mean."""

    country: str
    pattern: re.Pattern[str]
    kinds: tuple[tuple[re.Pattern[str], KindOfDocument], ...]
    bare: KindOfDocument
    check: Callable[[re.Match[str]], bool] = lambda match: True
    keeps_slash: bool = False

    def document(self, kind: str | None) -> KindOfDocument | None:
        """Return what a number of this form with this kind code is, or None for a wrong kind."""
        if kind is None:
            return self.bare
        return next((document for pattern, document in self.kinds if pattern.fullmatch(kind)), None)


def _kinds(**documents: KindOfDocument) -> tuple[tuple[re.Pattern[str], KindOfDocument], ...]:
    """Return each full kind code an office uses for a form, with what it means."""
    return tuple((re.compile(code), document) for code, document in documents.items())


def _letters(**documents: KindOfDocument) -> tuple[tuple[re.Pattern[str], KindOfDocument], ...]:
    """Return kind-code patterns for offices whose letter alone says what a document is."""
    return tuple(
        (re.compile(f"{letter}[1-9]?"), document) for letter, document in documents.items()
    )


def _year(first: int, last: int, group: int = 1) -> Callable[[re.Match[str]], bool]:
    """Return a check that a match's year group lies in a range."""
    return lambda match: first <= int(match.group(group)) <= last


def _us_series(match: re.Match[str]) -> bool:
    """Return whether a US application's series code is one the USPTO uses."""
    # utility and design series, the 35 design series and the 60s provisional series
    series = int(match.group(1))
    return 2 <= series <= 29 or series == 35 or 60 <= series <= 69


_FORMS: tuple[_Form, ...] = (
    _Form("US", re.compile(r"(\d{2})/(\d{6})"), (), "application", _us_series, keeps_slash=True),
    _Form(
        "US",
        re.compile(r"(\d{4})/?(\d{7})"),
        _kinds(A1="publication", A2="publication", A9="publication"),
        "publication",
        _year(2001, 2099),
    ),
    # grants before 2001 carry kind A; later ones B1 (no prior publication) or B2
    _Form("US", re.compile(r"[1-9]\d{6,7}"), _kinds(A="grant", B1="grant", B2="grant"), "grant"),
    _Form("EP", re.compile(r"\d{7}"), _letters(A="publication", B="grant"), "publication"),
    _Form(
        "WO",
        re.compile(r"(\d{4})/?(\d{6})"),
        _letters(A="publication"),
        "publication",
        _year(1978, 2099),
    ),
    _Form("GB", re.compile(r"\d{7}"), _letters(A="publication", B="grant"), "publication"),
    # the 10 (patent) and 20 (utility model) numbering with a four-digit year began in 2004
    _Form(
        "DE",
        re.compile(r"([12]0)(\d{4})(\d{6})"),
        _letters(A="publication", B="grant", C="grant", U="grant"),
        "publication",
        _year(2004, 2099, group=2),
    ),
    _Form(
        "JP",
        re.compile(r"(\d{4})(\d{6})"),
        _letters(A="publication", T="publication"),
        "publication",
        _year(2000, 2099),
    ),
    _Form("JP", re.compile(r"\d{7}"), _letters(B="grant", U="grant"), "grant"),
    _Form(
        "CN",
        re.compile(r"\d{7}|\d{9}"),
        _letters(A="publication", B="grant", C="grant", U="grant", Y="grant"),
        "publication",
    ),
)
_COUNTRIES = frozenset(form.country for form in _FORMS)


def _plain(number: str) -> str:
    """Return the number as it is, for offices that print it without spaces."""
    return number


def _display_us(number: str) -> str:
    """Return a US number spaced as the USPTO prints it."""
    if "/" in number:
        series, serial = number.split("/")
        return f"{series}/{serial[:3]},{serial[3:]}"
    if len(number) == 11:
        return f"{number[:4]}/{number[4:]}"
    return f"{int(number):,}"


def _display_ep(number: str) -> str:
    """Return an EP number spaced as the EPO prints it."""
    return f"{number[0]} {number[1:4]} {number[4:]}"


def _display_wo(number: str) -> str:
    """Return a WO publication number with its year."""
    return f"{number[:4]}/{number[4:]}"


def _display_de(number: str) -> str:
    """Return a German number spaced as the DPMA prints it."""
    return f"{number[:2]} {number[2:6]} {number[6:9]} {number[9:]}"


def _display_jp(number: str) -> str:
    """Return a Japanese number, with its year when it has one."""
    return f"{number[:4]}-{number[4:]}" if len(number) == 10 else number


_DISPLAY: dict[str, Callable[[str], str]] = {
    "US": _display_us,
    "EP": _display_ep,
    "WO": _display_wo,
    "DE": _display_de,
    "JP": _display_jp,
}


def _quote(text: str) -> str:
    """Return the text quoted for a message, shortened when long."""
    shown = " ".join(text.split())
    if len(shown) > QUOTE_MAX:
        shown = shown[: QUOTE_MAX - 1] + "…"
    return f"'{shown}'"


def _normalise(text: str) -> str:
    """Return the text upper-cased, with unusual spaces and dashes made plain."""
    # NFKC turns no-break and thin spaces into spaces and full-width digits into ASCII ones
    text = unicodedata.normalize("NFKC", text).upper()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"^U\.\s*S\.", "US", text.strip())
    return " ".join(text.split())


def _parse_pct(text: str) -> PatentNumber | None:
    """Return a PCT application number, or None when the text is not one."""
    match = _PCT.fullmatch(text.replace(" ", ""))
    if match is None or not 1978 <= int(match.group(2)) <= 2099:
        return None
    office, year, serial = match.groups()
    return PatentNumber("WO", f"{office}{year}/{serial}", None, "application")


def _parse_form(form: _Form, digits: str, kind: str | None) -> PatentNumber | None:
    """Return the number written in one form, or None when it does not fit the form."""
    match = form.pattern.fullmatch(digits)
    if match is None or not form.check(match):
        return None
    document = form.document(kind)
    if document is None:
        return None
    number = digits if form.keeps_slash else digits.replace("/", "")
    return PatentNumber(form.country, number, kind, document)


def parse_patent_number(text: str) -> PatentNumber:
    """Return the patent or application number the text names, or say how to write one."""
    normal = _normalise(text)
    parsed = _parse_pct(normal) or _parse_national(normal)
    if parsed is not None:
        return parsed
    if not normal:
        raise ValueError(f"Give a patent or application number, like {EXAMPLES}.")
    office = _OFFICE.match(normal)
    if office and office.group(1) not in _COUNTRIES:
        raise ValueError(
            f"{_quote(text)} is not from a patent office we recognise; "
            f"give {OFFICES} numbers, like {EXAMPLES}."
        )
    raise ValueError(
        f"{_quote(text)} is not a patent or application number we recognise; "
        f"write it like {EXAMPLES}."
    )


def _parse_national(text: str) -> PatentNumber | None:
    """Return a number that starts with an office code, or None when none of its forms fit."""
    match = _SPLIT.fullmatch(text)
    if match is None:
        return None
    country, body, letter, digit = match.groups()
    digits = _SEPARATORS.sub("", body)
    kind = f"{letter}{digit}" if letter else None
    candidates = (_parse_form(form, digits, kind) for form in _FORMS if form.country == country)
    return next((number for number in candidates if number is not None), None)


def parse_patent_numbers(items: Iterable[str]) -> list[PatentNumber]:
    """Return the numbers parsed and de-duplicated in order, or list every bad one by position.

    Blank items are skipped, but positions count them, so they match what the user typed.
    """
    texts = list(items)
    numbers: dict[str, PatentNumber] = {}
    errors: list[str] = []
    for position, text in enumerate(texts, start=1):
        if not text.strip():
            continue
        try:
            number = parse_patent_number(text)
        except ValueError as error:
            errors.append(str(error) if len(texts) == 1 else f"Number {position}: {error}")
        else:
            numbers.setdefault(number.canonical, number)
    if errors:
        raise ValueError(" ".join(errors))
    return list(numbers.values())
