"""Show what one revision of licence terms changes against the one before, field by field.

``redline`` compares two ``terms_json`` forms and returns a ``Change`` for each field whose
value, as a licensing officer reads it, differs: money with its currency ("EUR 25,000.00"),
percentages ("2.5%"), dates ("1 March 2027") and "—" for a value that is absent. Fields come in
the order of ``FIELD_LABELS``; the term in years and the life-of-patents term are one field.
Milestones are compared item by item, matched by their event, so that adding, dropping or
moving one milestone shows as that milestone alone ("First sale: EUR 25,000.00, due 1 March
2030"). Without an earlier revision, every field of the first one shows as added. ``shown``
gives one field in the same words, for pages that list a revision's terms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from licensing.terms import (
    EXCLUSIVITY_LABELS,
    FIELD_LABELS,
    LIFE_OF_PATENTS,
    PAYER_LABELS,
    WORLDWIDE,
)

ABSENT = "—"
# written out here rather than taken from the locale, so a redline reads the same everywhere
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
_MONEY_FIELDS = ("upfront_fee", "annual_fee", "minimum_annual_royalty")
_PERCENT_FIELDS = ("royalty_rate_percent", "sublicense_income_percent")


@dataclass(frozen=True)
class Change:
    """One field (or one milestone) as it was and as it is proposed, in words."""

    field: str
    label: str
    before: str
    after: str

    def as_json(self) -> dict[str, str]:
        """Return the change as the API shows it."""
        return asdict(self)


def redline(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Change]:
    """Return the changes from ``before`` to ``after`` (two ``terms_json`` forms), in field order.

    Unchanged fields are left out, so the same terms give an empty list.
    """
    earlier: Mapping[str, Any] = before or {}
    changes: list[Change] = []
    for field, label in FIELD_LABELS.items():
        if field == "milestones":
            changes.extend(_milestone_changes(earlier, after))
            continue
        was, now = shown(field, earlier), shown(field, after)
        if was != now:
            changes.append(Change(field, label, was, now))
    return changes


def shown(field: str, terms: Mapping[str, Any]) -> str:
    """Return one field of a ``terms_json`` form as a licensing officer reads it."""
    if field == "term":
        return _term(terms)
    value = terms.get(field)
    if value is None or value == "" or value == []:
        return ABSENT
    if field in _MONEY_FIELDS:
        return money(value, terms.get("currency"))
    if field in _PERCENT_FIELDS:
        return percent(value)
    return _SHOWN.get(field, str)(value)


def money(amount: Any, currency: Any) -> str:
    """Return an amount with its currency and thousands separators, like ``EUR 25,000.00``."""
    try:
        figure = f"{Decimal(str(amount)):,}"
    except InvalidOperation:
        figure = str(amount)
    return f"{currency} {figure}" if currency else figure


def percent(value: Any) -> str:
    """Return a percentage without trailing zeros, like ``2.5%`` or ``15%``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return f"{value}%"
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def long_date(value: Any) -> str:
    """Return an ISO date written out, like ``1 March 2027``."""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {_MONTH_NAMES.split()[day.month - 1]} {day.year}"


def _term(terms: Mapping[str, Any]) -> str:
    if terms.get("term") == LIFE_OF_PATENTS:
        return "Life of the licensed patents"
    years = terms.get("term_years")
    if years is None:
        return ABSENT
    return "1 year" if years == 1 else f"{years} years"


def _territory(value: Any) -> str:
    if value == WORLDWIDE:
        return "Worldwide"
    return ", ".join(value) if isinstance(value, list | tuple) else str(value)


def _patent_costs(value: Any) -> str:
    if not isinstance(value, Mapping):
        return str(value)
    paid_by = PAYER_LABELS.get(value.get("paid_by"), str(value.get("paid_by")))
    note = value.get("note")
    return f"{paid_by}. {note}" if note else paid_by


def _listed(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list | tuple) else str(value)


_SHOWN: dict[str, Callable[[Any], str]] = {
    "licensed_patents": _listed,
    "territory": _territory,
    "exclusivity": lambda value: EXCLUSIVITY_LABELS.get(value, str(value)),
    "sublicensing": lambda value: "Allowed" if value is True else "Not allowed",
    "effective_date": long_date,
    "patent_costs": _patent_costs,
}


def _milestones_by_event(terms: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    items = terms.get("milestones") or []
    return {
        " ".join(str(item.get("event", "")).casefold().split()): item
        for item in items
        if isinstance(item, Mapping)
    }


def _milestone_shown(item: Mapping[str, Any] | None, currency: Any) -> str:
    if item is None:
        return ABSENT
    amount, due = money(item.get("amount"), currency), long_date(item.get("due"))
    return f"{item.get('event')}: {amount}, due {due}"


def _milestone_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Return a change for each milestone added, dropped or changed, in the new order."""
    was, now = _milestones_by_event(before), _milestones_by_event(after)
    changes = []
    for key in [*now, *(key for key in was if key not in now)]:
        old = _milestone_shown(was.get(key), before.get("currency"))
        new = _milestone_shown(now.get(key), after.get("currency"))
        if old != new:
            changes.append(Change("milestones", "Milestone", old, new))
    return changes
