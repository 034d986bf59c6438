"""Read filters for browsing listings from a query string, and build the shared conditions.

Pages and the API read the same query-string arguments with the same parsers, so a filter means
the same thing and is refused with the same message in both. Each parser raises ``ValueError``
with a sentence for people; :class:`ideagora.listings.services.FieldErrors` collects them per
argument.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from ideagora.listings.services import FieldErrors
from ideagora.taxonomy import FIELDS_URL, expand, get_field
from ideagora.urls import ID_MAX

QUERY_MAX = 200
TERMS_MAX = 10
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def argument(args: Mapping[str, Any], name: str) -> str:
    """Return one query-string argument, stripped; an absent argument is empty."""
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_arguments(
    args: Mapping[str, Any], parsers: Mapping[str, tuple[str, Callable[[str], Any]]]
) -> tuple[dict[str, Any], FieldErrors]:
    """Parse each argument: ``parsers`` maps a filter to (its argument, the parser of its value).

    Return the values by filter, and the messages by argument for the values that are wrong.
    """
    errors = FieldErrors()
    values = {
        name: errors.check(key, lambda key=key, parse=parse: parse(argument(args, key)))
        for name, (key, parse) in parsers.items()
    }
    return values, errors


def text_query(value: str) -> str | None:
    """Return the words to look for, or None when there are none."""
    if any(not character.isprintable() for character in value if not character.isspace()):
        raise ValueError("The search text holds characters that cannot be typed, such as NUL.")
    words = " ".join(value.split())
    if len(words) > QUERY_MAX:
        raise ValueError(f"Search for at most {QUERY_MAX} characters (this has {len(words)}).")
    return words or None


def technical_field(value: str) -> str | None:
    """Return a known technical-field slug, or None for any field."""
    if not value:
        return None
    if get_field(value) is None:
        raise ValueError(f"There is no technical field {value!r}; choose from {FIELDS_URL}.")
    return value


def choice(value: str, allowed: tuple[Any, ...], label: str) -> Any:
    """Return the enum member among ``allowed`` whose value is given, or None for any."""
    if not value:
        return None
    for member in allowed:
        if member.value == value:
            return member
    choices = ", ".join(member.value for member in allowed)
    raise ValueError(f"Choose {label} from: {choices}.")


def trl_bound(value: str) -> int | None:
    """Return a technology readiness level from 1 to 9, or None for no bound."""
    if not value:
        return None
    if not _whole_number(value) or not 1 <= int(value) <= 9:
        raise ValueError(f"The TRL is a whole number from 1 to 9, not {value!r}.")
    return int(value)


def _whole_number(value: str) -> bool:
    # str.isdigit alone also takes digits such as "²" that int() refuses
    return value.isascii() and value.isdigit()


def organization(value: str) -> int | None:
    """Return an organisation's number, or None for any organisation."""
    if not value:
        return None
    if not _whole_number(value) or int(value) < 1:
        raise ValueError(f"The organisation is given by its number, not {value!r}.")
    if int(value) > ID_MAX:
        raise ValueError(f"No organisation has the number {value}.")
    return int(value)


def yes_no(value: str, label: str) -> bool:
    """Return a checkbox's state: on for 1, true, yes or on; off when absent."""
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{label} is either on (1) or off (0), not {value!r}.")


def sort_order(value: str, sorts: tuple[str, ...]) -> str:
    """Return the sort order named, or the first (the default) when none is given."""
    if not value:
        return sorts[0]
    if value not in sorts:
        raise ValueError(f"Sort by one of: {', '.join(sorts)}.")
    return value


def check_range(
    errors: FieldErrors, values: Mapping[str, Any], low: str, high: str, message: str
) -> None:
    """Record ``message`` against ``low`` when the lower bound is above the upper bound."""
    bottom, top = values[low], values[high]
    if bottom is not None and top is not None and bottom > top:
        errors.messages[low] = message.format(bottom, top)


def text_condition(model: Any, query: str) -> sa.ColumnElement[bool]:
    """Return the condition that every word of ``query`` is in a public text of the listing.

    The words are looked for, case-insensitively, in the title, summary, description and
    keywords; never in confidential text. A full-text engine can replace this one function.
    """
    conditions = []
    for word in query.split()[:TERMS_MAX]:
        # keywords are stored as JSON: look for the word as JSON writes it (escapes and all)
        keyword = json.dumps(word.lower())[1:-1]
        conditions.append(
            sa.or_(
                _has(model.title, word),
                _has(model.summary, word),
                _has(model.description, word),
                _has(sa.cast(model.keywords, sa.Text), keyword),
            )
        )
    return sa.and_(*conditions)


def _has(column: Any, word: str) -> sa.ColumnElement[bool]:
    # the database lowers both sides, so that both fold letters by the same rules
    pattern = "%" + word.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    return sa.func.lower(column).like(sa.func.lower(pattern), escape="/")


def field_condition(model: Any, link_model: Any, link_key: Any, slug: str) -> sa.ColumnElement:
    """Return the condition that a listing is filed under the field or one of its children."""
    return model.id.in_(sa.select(link_key).where(link_model.slug.in_(expand(slug))))


def json_list_contains(column: Any, value: str) -> sa.ColumnElement[bool]:
    """Return the condition that a JSON list of plain words holds ``value`` as an item."""
    # the quotes make "exclusive_license" not match inside "non_exclusive_license"
    return sa.cast(column, sa.Text).contains(json.dumps(value), autoescape=True)
