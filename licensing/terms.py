"""Own the terms of a licence: the typed fields, their checks, a canonical form and exclusivity.

``parse_terms`` reads a mapping (decoded JSON, or a form's values) into frozen ``Terms`` and
reports every bad field at once, one sentence per field, in ``TermsInvalid.fields``. Numbers may
be JSON numbers or text such as ``"25000.00"`` or ``"25,000"``; ``null`` or an empty text leaves
an amount or a percentage at zero. A float is read by its shortest decimal form, so ``0.1 + 0.2``
is ``0.30000000000000004`` and is refused for having too many decimal places.

Rules that span fields: licensed patents come from the offer's own numbers (an offer of know-how
without patents licenses none); an exclusive licence states diligence obligations; no sublicence
income is shared when sublicensing is not allowed; a minimum annual royalty needs a royalty rate;
milestones fall after the effective date and, for a term in years, no later than its end.

Amounts are kept at the precision of their currency (ISO 4217 minor units):

========  ===================================================================================
Decimals  Currencies
========  ===================================================================================
2         EUR USD GBP CHF CAD AUD NZD SEK NOK DKK PLN CZK HUF ILS SGD HKD CNY INR BRL MXN ZAR
          TWD
0         JPY KRW ISK CLP
3         KWD BHD OMR JOD TND
========  ===================================================================================

``exclusive`` means exclusive in every field, ``exclusive_in_field`` only within the licence's
field of use, which is compared by its wording (case and spacing aside); "All fields of use"
covers every field. ``terms_json`` gives the canonical form: equal terms give equal JSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from licensing.nda import term_end
from licensing.patents import parse_patent_number

Exclusivity = Literal["exclusive", "non_exclusive", "exclusive_in_field"]
Payer = Literal["licensee", "licensor", "shared"]

WORLDWIDE = "worldwide"
LIFE_OF_PATENTS = "life_of_patents"
ALL_FIELDS = "All fields of use"
TERM_YEARS_RANGE = range(1, 31)
MILESTONES_MAX = 20
MONEY_MAX = Decimal("999999999999")
TEXT_MAX = {"field_of_use": 500, "diligence": 4000, "governing_law": 200, "event": 200, "note": 500}

# the currencies accepted, by the number of decimals ISO 4217 gives their minor unit
_CURRENCIES_BY_DIGITS = {
    2: "EUR USD GBP CHF CAD AUD NZD SEK NOK DKK PLN CZK HUF ILS SGD HKD CNY INR BRL MXN ZAR TWD",
    0: "JPY KRW ISK CLP",
    3: "KWD BHD OMR JOD TND",
}
CURRENCY_DIGITS: dict[str, int] = {
    code: digits for digits, codes in _CURRENCIES_BY_DIGITS.items() for code in codes.split()
}
_COUNTRIES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW
"""
# the ISO 3166-1 alpha-2 codes of countries and territories
COUNTRY_CODES = frozenset(_COUNTRIES.split())
# codes people write that ISO 3166-1 does not assign to a country
_NOT_COUNTRIES = {
    "UK": "use GB for the United Kingdom",
    "EL": "use GR for Greece",
    "EU": "list the member states, like DE, FR, IT",
    "EP": "that is the European Patent Office: list the countries, like DE, FR, GB",
}

FIELD_LABELS: dict[str, str] = {
    "licensed_patents": "Licensed patents",
    "field_of_use": "Field of use",
    "territory": "Territory",
    "exclusivity": "Exclusivity",
    "sublicensing": "Sublicensing",
    "term": "Term",
    "effective_date": "Effective date",
    "currency": "Currency",
    "upfront_fee": "Upfront fee",
    "annual_fee": "Annual fee",
    "minimum_annual_royalty": "Minimum annual royalty",
    "royalty_rate_percent": "Royalty rate",
    "sublicense_income_percent": "Share of sublicence income",
    "milestones": "Milestones",
    "patent_costs": "Patent costs",
    "diligence": "Diligence obligations",
    "governing_law": "Governing law",
}
EXCLUSIVITY_LABELS: dict[str, str] = {
    "exclusive": "Exclusive",
    "exclusive_in_field": "Exclusive in the field of use",
    "non_exclusive": "Non-exclusive",
}
PAYER_LABELS: dict[str, str] = {
    "licensee": "Paid by the licensee",
    "licensor": "Paid by the licensor",
    "shared": "Shared by the parties",
}
_KEYS = {*FIELD_LABELS, "term_years"}
_MILESTONE_KEYS = {"event", "amount", "due"}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRUE, _FALSE = {"true", "yes", "y", "on"}, {"false", "no", "n", "off"}


class TermsInvalid(ValueError):
    """Terms that cannot be agreed, with one sentence per bad field in ``fields``."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


class Problem(ValueError):
    """One value that cannot be used, with a sentence saying why."""


@dataclass(frozen=True)
class Milestone:
    """A payment due when an event happens, by a date."""

    event: str
    amount: Decimal
    due: date


@dataclass(frozen=True)
class PatentCosts:
    """Who pays for prosecuting and maintaining the licensed patents."""

    paid_by: Payer
    note: str = ""


@dataclass(frozen=True)
class Terms:
    """The terms of one licence, checked. Patents are the offer's display forms, sorted.

    ``territory`` is ``"worldwide"`` or sorted ISO 3166 country codes; ``term_years`` is None
    for a licence that runs for the life of the licensed patents.
    """

    licensed_patents: tuple[str, ...]
    field_of_use: str
    territory: str | tuple[str, ...]
    exclusivity: Exclusivity
    sublicensing: bool
    term_years: int | None
    effective_date: date
    currency: str
    upfront_fee: Decimal
    annual_fee: Decimal
    minimum_annual_royalty: Decimal
    royalty_rate_percent: Decimal
    sublicense_income_percent: Decimal
    milestones: tuple[Milestone, ...]
    patent_costs: PatentCosts
    diligence: str
    governing_law: str

    @property
    def is_exclusive(self) -> bool:
        """Return whether the licence is exclusive, in every field or in its field of use."""
        return self.exclusivity != "non_exclusive"

    @property
    def ends_on(self) -> date | None:
        """Return the last day of a term in years, or None for the life of the patents."""
        return None if self.term_years is None else term_end(self.effective_date, self.term_years)


def parse_terms(
    data: Mapping[str, Any], *, offer_patents: Iterable[str], effective_date: date
) -> Terms:
    """Return the terms the mapping gives, or raise TermsInvalid listing every bad field."""
    if not isinstance(data, Mapping):
        raise TermsInvalid({"terms": "Give the terms as named fields, like an object in JSON."})
    errors: dict[str, str] = {
        key: "This is not a licence term." for key in data if key not in _KEYS
    }

    def read(name: str, parse: Callable[..., Any], *args: Any) -> Any:
        try:
            return parse(data.get(name), *args)
        except Problem as problem:
            errors[name] = str(problem)
            return None

    # the deal sets the effective date; a copy of it in the data (as terms_json gives) must agree
    if data.get("effective_date") not in (None, "", effective_date.isoformat(), effective_date):
        errors["effective_date"] = f"The deal's effective date is {effective_date.isoformat()}."
    currency = read("currency", _currency)
    exclusivity = read("exclusivity", _choice, EXCLUSIVITY_LABELS)
    sublicensing = read("sublicensing", _yes_no)
    term_years = _read_term(data, errors)
    values = {
        "licensed_patents": read("licensed_patents", _patents, tuple(offer_patents)),
        "field_of_use": read("field_of_use", _text, "field_of_use", True),
        "territory": read("territory", _territory),
        "upfront_fee": read("upfront_fee", _money, currency),
        "annual_fee": read("annual_fee", _money, currency),
        "minimum_annual_royalty": read("minimum_annual_royalty", _money, currency),
        "royalty_rate_percent": read("royalty_rate_percent", _percent),
        "sublicense_income_percent": read("sublicense_income_percent", _percent),
        "patent_costs": read("patent_costs", _patent_costs),
        "diligence": read("diligence", _text, "diligence", exclusivity in _EXCLUSIVE),
        "governing_law": read("governing_law", _text, "governing_law", True),
    }
    end = term_end(effective_date, term_years) if isinstance(term_years, int) else None
    milestones = read("milestones", _milestones, currency, effective_date, end)
    _check_together(values, sublicensing, errors)
    if errors:
        raise TermsInvalid(errors)
    return Terms(
        **values,
        exclusivity=exclusivity,
        sublicensing=sublicensing,
        term_years=term_years,
        effective_date=effective_date,
        currency=currency,
        milestones=milestones,
    )


_EXCLUSIVE = ("exclusive", "exclusive_in_field")


def _check_together(
    values: dict[str, Any], sublicensing: bool | None, errors: dict[str, str]
) -> None:
    """Add the problems of fields that only make sense together."""
    if sublicensing is False and values["sublicense_income_percent"]:
        errors["sublicense_income_percent"] = (
            "Sublicensing is not allowed, so there is no sublicence income to share: "
            "leave this at 0 or allow sublicensing."
        )
    if values["minimum_annual_royalty"] and values["royalty_rate_percent"] == 0:
        errors["minimum_annual_royalty"] = (
            "A minimum annual royalty needs a royalty rate; without royalties, "
            "charge an annual fee instead."
        )


def _read_term(data: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    """Return the term in years, or None for the life of the patents; note a bad term."""
    years, term = data.get("term_years"), data.get("term")
    if term not in (None, "", LIFE_OF_PATENTS):
        errors["term"] = (
            f'Give a term in years, or "{LIFE_OF_PATENTS}" for the life of the patents.'
        )
    elif term == LIFE_OF_PATENTS and years not in (None, ""):
        errors["term"] = "Give either a number of years or the life of the patents, not both."
    elif term == LIFE_OF_PATENTS:
        return None
    elif years in (None, ""):
        errors["term_years"] = (
            "Give the licence's term in years, or choose the life of the patents."
        )
    else:
        try:
            return _whole_years(years)
        except Problem as problem:
            errors["term_years"] = str(problem)
    return None


def _whole_years(value: object) -> int:
    number = _number(value, "a number of years, like 10")
    first, last = TERM_YEARS_RANGE[0], TERM_YEARS_RANGE[-1]
    if number != number.to_integral_value():
        raise Problem("Give the term in whole years.")
    if not first <= number <= last:
        raise Problem(f"The term must be {first} to {last} years, or the life of the patents.")
    return int(number)


def _number(value: object, example: str) -> Decimal:
    """Return the number a JSON value or a form's text holds, or raise Problem."""
    if isinstance(value, bool):
        raise Problem(f"Give {example}, not true or false.")
    if not isinstance(value, int | float | Decimal | str):
        raise Problem(f"Give {example}.")
    if isinstance(value, int):
        # compare before converting: a huge integer is refused without being printed
        if abs(value) > MONEY_MAX:
            raise Problem(f"That is more than the largest figure we record ({MONEY_MAX:,}).")
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value) if math.isfinite(value) else "nan"
    if isinstance(value, str):
        value = _decimal_text(value, example)
    if not value.is_finite():
        raise Problem(f"Give {example}.")
    if abs(value) > MONEY_MAX:
        raise Problem(f"That is more than the largest figure we record ({MONEY_MAX:,}).")
    return value


def _decimal_text(text: str, example: str) -> Decimal:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        comma = re.fullmatch(r"\d+,\d+", text)
        raise Problem(f"Give {example}, in figures" + (", with a decimal point." if comma else "."))
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise Problem(f"Give {example}, in figures.") from error


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _money(value: object, currency: str | None) -> Decimal:
    """Return a non-negative amount at the currency's precision (unchecked without a currency)."""
    amount = Decimal(0) if value in (None, "") else _number(value, "an amount, like 25000.00")
    if amount < 0:
        raise Problem("An amount cannot be negative.")
    if currency is None:
        return amount
    digits = CURRENCY_DIGITS[currency]
    if _places(amount) > digits:
        allowed = "are whole numbers" if digits == 0 else f"have at most {digits} decimal places"
        raise Problem(f"{currency} amounts {allowed}; {amount} has {_places(amount)}.")
    # copy_abs turns a typed "-0" into 0, so it is not shown as "-0.00"
    return amount.quantize(Decimal(1).scaleb(-digits)).copy_abs()


def _percent(value: object) -> Decimal:
    """Return a percentage from 0 to 100 with at most two decimal places."""
    if value in (None, ""):
        return Decimal("0.00")
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
    number = _number(value, "a percentage, like 2.5")
    if not 0 <= number <= 100:
        raise Problem("A percentage must be between 0 and 100.")
    if _places(number) > 2:
        raise Problem("Give the percentage with at most two decimal places, like 2.25.")
    return number.quantize(Decimal("0.01")).copy_abs()


def _text(value: object, name: str, required: bool) -> str:
    """Return the text with its spacing tidied, or raise Problem when missing or unusable.

    Diligence obligations and notes keep their paragraphs; other texts become one line.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Problem("Give this as text.")
    lines = (" ".join(line.split()) for line in value.strip().splitlines())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    if name not in _PARAGRAPHS:
        text = " ".join(text.split())
    if required and not text:
        raise Problem(_MISSING_TEXT[name])
    if _CONTROL.search(text):
        raise Problem("The text contains control characters; retype it without them.")
    if len(text) > TEXT_MAX[name]:
        raise Problem(f"Keep this to {TEXT_MAX[name]:,} characters; it has {len(text):,}.")
    return text


_PARAGRAPHS = ("diligence", "note")
_MISSING_TEXT = {
    "field_of_use": f'Say in which field the licence may be used, or "{ALL_FIELDS}".',
    "diligence": "An exclusive licence must say what the licensee will do to develop and sell "
    "licensed products.",
    "governing_law": "Name the law that governs the agreement, like the laws of England and Wales.",
    "event": "Say what event triggers the payment.",
}


def _choice(value: object, labels: Mapping[str, str]) -> str:
    if isinstance(value, str) and value in labels:
        return value
    choices = [f'{label.lower()} ("{key}")' for key, label in labels.items()]
    raise Problem(f"Choose {', '.join(choices[:-1])} or {choices[-1]}.")


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise Problem("Say whether sublicensing is allowed: true or false.")


def _currency(value: object) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code in CURRENCY_DIGITS:
        return code
    accepted = ", ".join(CURRENCY_DIGITS)
    shown = f"{value!s:.12} is not" if code else "Give"
    raise Problem(f"{shown} a currency we accept; choose an ISO 4217 code: {accepted}.")


def _patent_key(text: str) -> str:
    """Return what identifies a patent whatever its kind code (EP 1234567 A1 and B1 are one)."""
    try:
        number = parse_patent_number(text)
    except ValueError:
        return " ".join(text.upper().split())
    return f"{number.country}{number.number}"


def _patents(value: object, offer_patents: tuple[str, ...]) -> tuple[str, ...]:
    """Return the offer's patents the value names, in the offer's display forms, sorted."""
    offered = {_patent_key(text): text for text in offer_patents}
    items = [value] if isinstance(value, str) else [] if value is None else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise Problem("Give the licensed patents as a list of the offer's patent numbers.")
    if not offered and items:
        raise Problem("This offer lists no patents, so the licence cannot name any.")
    if offered and not items:
        raise Problem(f"Choose at least one of the offer's patents: {', '.join(offer_patents)}.")
    chosen: dict[str, str] = {}
    for text in items:
        try:
            key = f"{(number := parse_patent_number(text)).country}{number.number}"
        except ValueError as error:
            raise Problem(str(error)) from error
        if key not in offered:
            raise Problem(
                f"{number.display} is not one of this offer's patents: "
                f"choose from {', '.join(offer_patents)}."
            )
        chosen[key] = offered[key]
    return tuple(chosen[key] for key in sorted(chosen))


def _territory(value: object) -> str | tuple[str, ...]:
    """Return "worldwide" or the sorted country codes the value lists."""
    items = re.split(r"[\s,;]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise Problem('Give "worldwide" or a list of ISO 3166 country codes, like DE, FR, US.')
    typed = [item.strip() for item in items if item.strip()]
    codes = [item.upper() for item in typed]
    if codes == [WORLDWIDE.upper()]:
        return WORLDWIDE
    if not codes:
        raise Problem('Give "worldwide" or at least one ISO 3166 country code, like DE or US.')
    for text, code in zip(typed, codes, strict=True):
        if code == WORLDWIDE.upper():
            raise Problem('"Worldwide" already covers every country; give it alone.')
        if code in _NOT_COUNTRIES:
            raise Problem(f"{code} is not a country code: {_NOT_COUNTRIES[code]}.")
        if code not in COUNTRY_CODES:
            raise Problem(
                f'"{text[:12]}" is not an ISO 3166 country code; write countries like DE, FR, US.'
            )
    return tuple(sorted(set(codes)))


def _patent_costs(value: object) -> PatentCosts:
    """Return who pays the patent costs, from a payer or a mapping with a payer and a note."""
    if isinstance(value, str):
        value = {"paid_by": value}
    if not isinstance(value, Mapping) or set(value) - {"paid_by", "note"}:
        raise Problem("Say who pays the patent costs: the licensee, the licensor or both, shared.")
    paid_by = _choice(value.get("paid_by"), PAYER_LABELS)
    return PatentCosts(paid_by, _text(value.get("note"), "note", False))  # type: ignore[arg-type]


def _milestones(
    value: object, currency: str | None, start: date, end: date | None
) -> tuple[Milestone, ...]:
    """Return the milestones sorted by due date, or raise Problem naming each bad one."""
    if value in (None, ""):
        return ()
    if not isinstance(value, list | tuple):
        raise Problem("Give the milestones as a list of events, amounts and due dates.")
    if len(value) > MILESTONES_MAX:
        raise Problem(
            f"A licence has at most {MILESTONES_MAX} milestones; this one has {len(value)}."
        )
    problems, milestones, seen = [], [], {}
    for position, item in enumerate(value, start=1):
        try:
            milestone = _milestone(item, currency, start, end)
            key = milestone.event.casefold()
            if key in seen:
                raise Problem(f'"{milestone.event}" is already milestone {seen[key]}.')
            seen[key] = position
            milestones.append(milestone)
        except Problem as problem:
            problems.append(f"Milestone {position}: {problem}")
    if problems:
        raise Problem(" ".join(problems))
    return tuple(sorted(milestones, key=lambda m: (m.due, m.event.casefold())))


def _milestone(item: object, currency: str | None, start: date, end: date | None) -> Milestone:
    if not isinstance(item, Mapping) or set(item) - _MILESTONE_KEYS:
        raise Problem("Give an event, an amount and a due date.")
    event = _text(item.get("event"), "event", True)
    amount = _money(item.get("amount"), currency)
    due = _date(item.get("due"))
    if due <= start:
        raise Problem(
            f"The due date {due.isoformat()} must be after the effective date {start.isoformat()}."
        )
    if end is not None and due > end:
        raise Problem(
            f"The due date {due.isoformat()} is after the licence ends on {end.isoformat()}."
        )
    return Milestone(event, amount, due)


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Problem("Give the due date as a date, like 2028-06-30.")


def terms_json(terms: Terms) -> dict[str, Any]:
    """Return the terms as canonical JSON-able data: amounts as text at the currency's precision."""
    return {
        "licensed_patents": list(terms.licensed_patents),
        "field_of_use": terms.field_of_use,
        "territory": terms.territory if terms.territory == WORLDWIDE else list(terms.territory),
        "exclusivity": terms.exclusivity,
        "sublicensing": terms.sublicensing,
        "term_years": terms.term_years,
        "term": LIFE_OF_PATENTS if terms.term_years is None else None,
        "effective_date": terms.effective_date.isoformat(),
        "currency": terms.currency,
        "upfront_fee": str(terms.upfront_fee),
        "annual_fee": str(terms.annual_fee),
        "minimum_annual_royalty": str(terms.minimum_annual_royalty),
        "royalty_rate_percent": str(terms.royalty_rate_percent),
        "sublicense_income_percent": str(terms.sublicense_income_percent),
        "milestones": [
            {"event": m.event, "amount": str(m.amount), "due": m.due.isoformat()}
            for m in terms.milestones
        ],
        "patent_costs": {"paid_by": terms.patent_costs.paid_by, "note": terms.patent_costs.note},
        "diligence": terms.diligence,
        "governing_law": terms.governing_law,
    }


def exclusivity_conflicts(terms: Terms, others: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return a sentence for each other active licence these terms may not coexist with.

    Two licences of a shared patent, in a shared territory and a shared field of use, clash when
    either is exclusive: an exclusive licence leaves no room for another licence there, and no
    licence may be granted where an exclusive one already runs. Two non-exclusive licences
    never clash. Each record of ``others`` has ``patents``, ``field_of_use``, ``territory``
    (``"worldwide"`` or country codes), ``exclusivity`` and ``reference``; the ``terms_json``
    form of another licence with a ``reference`` added will do.
    """
    mine = {_patent_key(text): text for text in terms.licensed_patents}
    conflicts = []
    for other in others:
        theirs_exclusive = other.get("exclusivity") in _EXCLUSIVE
        if not (terms.is_exclusive or theirs_exclusive):
            continue
        patents = other.get("patents") or other.get("licensed_patents") or ()
        theirs = {_patent_key(text) for text in patents}
        shared = [mine[key] for key in sorted(mine) if key in theirs]
        places = _shared_territory(terms.territory, other.get("territory") or ())
        if not (shared and places and _fields_overlap(terms, other)):
            continue
        reference = other.get("reference", "Another licence")
        if theirs_exclusive:
            every_field = other.get("exclusivity") == "exclusive"
            field = ALL_FIELDS.lower() if every_field else other.get("field_of_use") or ""
            conflicts.append(
                f"{reference} is already an exclusive licence of {', '.join(shared)} in "
                f"{places} for {field}."
            )
        else:
            conflicts.append(
                f"{reference} already licenses {', '.join(shared)} in {places} for "
                f"{other.get('field_of_use') or 'its field'}, so an exclusive licence there is "
                "no longer possible."
            )
    return conflicts


def _shared_territory(ours: str | Iterable[str], others: str | Iterable[str]) -> str:
    """Return where two territories meet, for a sentence, or "" when they do not."""
    mine, theirs = _countries(ours), _countries(others)
    if mine == WORLDWIDE and theirs == WORLDWIDE:
        return "every country"
    if mine == WORLDWIDE or theirs == WORLDWIDE:
        return ", ".join(sorted(theirs if mine == WORLDWIDE else mine))
    return ", ".join(sorted(set(mine) & set(theirs)))


def _countries(territory: str | Iterable[str]) -> str | set[str]:
    """Return "worldwide" or the set of country codes a stored territory names."""
    if isinstance(territory, str) and territory.strip().lower() == WORLDWIDE:
        return WORLDWIDE
    codes = re.split(r"[\s,;]+", territory) if isinstance(territory, str) else territory
    return {code.strip().upper() for code in codes if code.strip()}


def _field_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def _fields_overlap(terms: Terms, other: Mapping[str, Any]) -> bool:
    """Return whether two grants reach a common field of use."""
    if "exclusive" in (terms.exclusivity, other.get("exclusivity")):
        return True
    fields = {_field_key(terms.field_of_use), _field_key(other.get("field_of_use") or "")}
    return len(fields) == 1 or _field_key(ALL_FIELDS) in fields
