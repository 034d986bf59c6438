"""Browse published challenges: the filters people may use, and the query they make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ideagora.challenges.models import Challenge, ChallengeField, ChallengeStatus, ChallengeType
from ideagora.challenges.services import PUBLIC_STATUSES, parse_award
from ideagora.database import utcnow
from ideagora.listings import queries

SORTS = ("newest", "deadline", "award", "title")
SORT_LABELS = {
    "newest": "Newest first",
    "deadline": "Deadline soonest",
    "award": "Highest award",
    "title": "Title A–Z",
}


@dataclass(frozen=True)
class ChallengeFilters:
    """What a visitor narrowed the published challenges to, and how they are sorted.

    Awards are compared as amounts in each challenge's own currency: no exchange rates apply.
    Deadline bounds are whole UTC days and include the day given.
    """

    q: str | None = None
    field: str | None = None
    challenge_type: ChallengeType | None = None
    status: ChallengeStatus | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    award_min: Decimal | None = None
    award_max: Decimal | None = None
    deadline_after: date | None = None
    deadline_before: date | None = None
    open_only: bool = False
    organization_id: int | None = None
    sort: str = SORTS[0]

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (the sort order does not)."""
        return self != ChallengeFilters(sort=self.sort)


def parse_date(value: str) -> date | None:
    """Return a calendar day written like 2027-03-31, or None for no bound."""
    if not value:
        return None
    try:
        # fromisoformat also takes 20270331; a filter in a URL should read as a date
        if len(value) == 10:
            day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        # the window's end is the day after: the last day of the calendar has none
        if len(value) == 10 and day < date.max:
            return day
    raise ValueError(f"{value!r} is not a date; write it like 2027-03-31.")


def _award_bound(value: str) -> Decimal | None:
    return parse_award(value or None)


_PARSERS = {
    "q": ("q", queries.text_query),
    "field": ("field", queries.technical_field),
    "challenge_type": (
        "type",
        lambda value: queries.choice(value, tuple(ChallengeType), "the challenge type"),
    ),
    "status": ("status", lambda value: queries.choice(value, PUBLIC_STATUSES, "the status")),
    "trl_min": ("trl_min", queries.trl_bound),
    "trl_max": ("trl_max", queries.trl_bound),
    "award_min": ("award_min", _award_bound),
    "award_max": ("award_max", _award_bound),
    "deadline_after": ("deadline_after", parse_date),
    "deadline_before": ("deadline_before", parse_date),
    "open_only": ("open", lambda value: queries.yes_no(value, "Open for proposals")),
    "organization_id": ("organization", queries.organization),
    "sort": ("sort", lambda value: queries.sort_order(value, SORTS)),
}


def parse_challenge_filters(args: Mapping[str, Any]) -> tuple[ChallengeFilters, dict[str, str]]:
    """Return the filters in a query string, and a message for each argument that is wrong.

    When any argument is wrong the filters returned are empty: nothing half-applied.
    """
    values, errors = queries.read_arguments(args, _PARSERS)
    queries.check_range(
        errors, values, "trl_min", "trl_max", "The lowest TRL ({}) is above the highest ({})."
    )
    queries.check_range(
        errors, values, "award_min", "award_max", "The lowest award ({}) is above the highest ({})."
    )
    queries.check_range(
        errors,
        values,
        "deadline_after",
        "deadline_before",
        "The deadline window starts on {} but ends before it, on {}.",
    )
    if errors.messages:
        return ChallengeFilters(), errors.messages
    return ChallengeFilters(**values), {}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _conditions(filters: ChallengeFilters, now: datetime) -> list[sa.ColumnElement[bool]]:
    # (the filter's value, the condition it makes); a filter left empty adds nothing
    wanted = (
        (filters.q, lambda q: queries.text_condition(Challenge, q)),
        (
            filters.field,
            lambda slug: queries.field_condition(
                Challenge, ChallengeField, ChallengeField.challenge_id, slug
            ),
        ),
        (filters.challenge_type, lambda kind: Challenge.challenge_type == kind),
        (filters.status, lambda status: Challenge.status == status),
        (filters.trl_min, lambda trl: Challenge.trl_sought >= trl),
        (filters.trl_max, lambda trl: Challenge.trl_sought <= trl),
        (filters.award_min, lambda amount: Challenge.award_amount >= amount),
        (filters.award_max, lambda amount: Challenge.award_amount <= amount),
        (filters.deadline_after, lambda day: Challenge.deadline >= _start_of(day)),
        (filters.deadline_before, lambda day: Challenge.deadline < _start_of(day + timedelta(1))),
        (
            filters.open_only or None,
            lambda _: sa.and_(Challenge.status == ChallengeStatus.OPEN, Challenge.deadline > now),
        ),
        # an anonymous challenge must never be found by its organisation: that would unmask it
        (
            filters.organization_id,
            lambda number: sa.and_(
                Challenge.organization_id == number, Challenge.anonymous.is_(False)
            ),
        ),
    )
    return [Challenge.status.in_(PUBLIC_STATUSES)] + [
        condition(value) for value, condition in wanted if value is not None
    ]


def _order(sort: str, now: datetime) -> list[Any]:
    newest = [Challenge.published_at.desc(), Challenge.id.desc()]
    if sort == "deadline":
        # deadlines still ahead first, soonest first; those already past after them
        return [sa.case((Challenge.deadline < now, 1), else_=0), Challenge.deadline, *newest]
    if sort == "award":
        return [Challenge.award_amount.desc().nulls_last(), *newest]
    if sort == "title":
        return [sa.func.lower(Challenge.title), Challenge.id]
    return newest


def published_challenges_query(
    filters: ChallengeFilters | None = None, *, now: datetime | None = None
) -> sa.Select[tuple[Challenge]]:
    """Return the query for the challenges the public may browse, filtered and sorted."""
    filters = filters or ChallengeFilters()
    now = now or utcnow()
    return (
        sa.select(Challenge).where(*_conditions(filters, now)).order_by(*_order(filters.sort, now))
    )
