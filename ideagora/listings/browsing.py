"""Describe the filters a browse page was asked for, each with a link that removes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import request, url_for

from ideagora.database import db
from ideagora.organizations.models import Organization
from ideagora.taxonomy import TechnicalField, children, top_level_fields

# argument → (what the page calls it, how to show a value of it)
FilterLabels = Mapping[str, tuple[str, Callable[[str], str]]]


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in the query string: its name, the value as people read it, its removal link."""

    argument: str
    label: str
    value: str
    remove_url: str
    valid: bool


def organization_name(value: str) -> str:
    """Return the name of the organisation numbered ``value``, as a filter shows it."""
    organization = db.session.get(Organization, int(value))
    return organization.name if organization is not None else f"number {value}"


def active_filters(
    args: Mapping[str, Any], problems: Mapping[str, str], labels: FilterLabels
) -> list[ActiveFilter]:
    """Return the filters given in ``args``, in the page's order, wrong ones included."""
    given = {name: value.strip() for name, value in args.items() if isinstance(value, str)}
    active = []
    for name, (label, describe) in labels.items():
        if not given.get(name):
            continue
        rest = {key: value for key, value in given.items() if key not in (name, "page") and value}
        active.append(
            ActiveFilter(
                argument=name,
                label=label,
                value=_describe(given[name], describe) if name not in problems else given[name],
                remove_url=url_for(request.endpoint, **rest),
                valid=name not in problems,
            )
        )
    return active


def _describe(value: str, describe: Callable[[str], str]) -> str:
    try:
        return describe(value)
    except (ValueError, KeyError):
        return value


def field_groups() -> list[tuple[TechnicalField, tuple[TechnicalField, ...]]]:
    """Return each top-level technical field with its children, for a grouped choice list."""
    return [(field, children(field.slug)) for field in top_level_fields()]


def filter_context(
    args: Mapping[str, Any], problems: Mapping[str, str], labels: FilterLabels
) -> dict[str, Any]:
    """Return what a browse page's filter form needs besides its choices and results."""
    return {
        "problems": problems,
        "active": active_filters(args, problems, labels),
        "labels": {name: label for name, (label, _describe) in labels.items()},
        "field_groups": field_groups(),
    }


PAGE_MAX = 100_000


def page_number(args: Mapping[str, str]) -> int:
    """Return the page a list page asks for; a missing, malformed or absurd one is page 1."""
    value = args.get("page", "")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= PAGE_MAX:
        return 1
    return int(value)
