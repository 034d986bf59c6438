"""Check a proposed revision of a deal's terms and what goes with it, before it is written.

The terms are read by ``licensing.terms``; here they meet the deal: the offer's patents, the
effective date, how long the revision stays open, the preset it started from, and the offer's
other signed exclusive licences it must not overlap. Every bad field is reported at once, the
terms' own fields as ``terms.<field>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.database import utcnow
from ideagora.deals.models import MESSAGE_MAX, Deal, DealRevision, DealStatus
from ideagora.errors import Conflict, ValidationFailed
from licensing import presets
from licensing.nda import term_end
from licensing.terms import TermsInvalid, exclusivity_conflicts, parse_terms, terms_json

# how far from today a proposed effective date may lie
EFFECTIVE_DATE_PAST = timedelta(days=365)
EFFECTIVE_DATE_FUTURE = timedelta(days=5 * 365)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RevisionInput:
    """A proposal, checked: canonical terms and what goes with them."""

    terms: dict[str, Any]
    effective_date: date
    message: str
    open_until: datetime | None
    preset: str | None


def revision_input(session: Session, deal: Deal, data: Mapping[str, Any]) -> RevisionInput:
    """Return a proposal checked, or raise ValidationFailed naming every bad field.

    The terms' fields are named ``terms.<field>``. The effective date is the proposal's own, or
    the one its terms carry (as a copy of an earlier revision does), or today.
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed(
            "Give the revision as named fields.", fields={"terms": "Give the terms."}
        )
    errors: dict[str, str] = {}
    message = _message(data.get("message"), errors)
    open_until = _open_until(data.get("open_until"), errors)
    preset = _preset(data.get("preset"), errors)
    raw_terms = data.get("terms")
    stated = data.get("effective_date")
    if stated in (None, "") and isinstance(raw_terms, Mapping):
        stated = raw_terms.get("effective_date")
    effective_date = _effective_date(stated, errors)
    terms = None
    try:
        parsed = parse_terms(
            raw_terms if raw_terms is not None else {},
            offer_patents=deal.asset.patent_numbers,
            effective_date=effective_date or utcnow().date(),
        )
    except TermsInvalid as invalid:
        for field, problem in invalid.fields.items():
            name = "terms" if field == "terms" else f"terms.{field}"
            if not (field == "effective_date" and effective_date is None):
                errors[name] = problem
    else:
        conflicts = exclusivity_conflicts(parsed, active_exclusive_licences(session, deal))
        if conflicts:
            errors["terms.exclusivity"] = " ".join(conflicts)
        terms = terms_json(parsed)
    if errors or terms is None or effective_date is None:
        raise ValidationFailed(
            "The revision was not saved: correct the fields marked.", fields=errors
        )
    return RevisionInput(terms, effective_date, message, open_until, preset)


def _message(value: Any, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors["message"] = "Write the message as text."
        return ""
    text = value.strip()
    if len(text) > MESSAGE_MAX:
        errors["message"] = f"A message has at most {MESSAGE_MAX:,} characters."
    return text


def _effective_date(value: Any, errors: dict[str, str]) -> date | None:
    today = utcnow().date()
    if value is None or value == "":
        return today
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            errors["effective_date"] = f"{value.strip()} is not a day of the calendar."
            return None
    else:
        errors["effective_date"] = "Give the effective date as a date, like 2027-01-31."
        return None
    if day < today - EFFECTIVE_DATE_PAST:
        errors["effective_date"] = "The effective date can be at most a year in the past."
    elif day > today + EFFECTIVE_DATE_FUTURE:
        errors["effective_date"] = "The effective date can be at most five years ahead."
    else:
        return day
    return None


def _open_until(value: Any, errors: dict[str, str]) -> datetime | None:
    """Return when a revision stops being open: a moment, or the end of a day (UTC)."""
    if value is None or value == "":
        return None
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.max)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.fullmatch(text):
                moment = datetime.combine(date.fromisoformat(text), time.max)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
    if moment is None:
        errors["open_until"] = (
            "Give the time the revision stays open until as a date or a date and time, "
            "like 2027-01-31 or 2027-01-31T17:00:00Z."
        )
        return None
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or moment.year > utcnow().year + OPEN_UNTIL_YEARS_MAX:
        errors["open_until"] = (
            f"A revision stays open for at most {OPEN_UNTIL_YEARS_MAX} years: give an earlier time."
        )
        return None
    if moment <= utcnow():
        errors["open_until"] = "A revision stays open until a time in the future."
        return None
    return moment


OPEN_UNTIL_YEARS_MAX = 5


def _preset(value: Any, errors: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in presets.PRESET_KEYS:
        errors["preset"] = f"Choose one of the presets: {', '.join(presets.PRESET_KEYS)}."
        return None
    return value


def active_exclusive_licences(session: Session, deal: Deal) -> list[dict[str, Any]]:
    """Return the agreed terms of the offer's other signed licences that still run."""
    today = utcnow().date()
    others = session.scalars(
        sa.select(Deal).where(
            Deal.asset_id == deal.asset_id, Deal.status == DealStatus.SIGNED, Deal.id != deal.id
        )
    )
    licences = []
    for other in others:
        agreed = session.scalar(
            sa.select(DealRevision).where(
                DealRevision.deal_id == other.id, DealRevision.number == other.agreed_revision
            )
        )
        if agreed is None:
            continue
        terms = agreed.terms
        years = terms.get("term_years")
        if years and term_end(date.fromisoformat(terms["effective_date"]), years) < today:
            continue
        licences.append({**terms, "reference": other.reference})
    return licences


def check_still_exclusive(session: Session, deal: Deal, revision: DealRevision) -> None:
    """Refuse terms that another licence signed since they were proposed now overlaps."""
    try:
        terms = parse_terms(
            revision.terms,
            offer_patents=deal.asset.patent_numbers,
            effective_date=revision.effective_date,
        )
    except TermsInvalid:
        raise Conflict(
            f"The offer changed since revision {revision.number} was proposed, so its terms no "
            "longer fit it; propose a new revision."
        ) from None
    conflicts = exclusivity_conflicts(terms, active_exclusive_licences(session, deal))
    if conflicts:
        raise Conflict(" ".join(conflicts) + " Propose terms that do not overlap it.")
