"""Post, edit, publish, close and withdraw challenges; move them on when deadlines pass."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.challenges.models import (
    Challenge,
    ChallengeStatus,
    ChallengeType,
    IPTerms,
)
from ideagora.database import utcnow
from ideagora.disclosure import templates as nda_templates
from ideagora.errors import Conflict, NotFound
from ideagora.listings import services as listings
from ideagora.listings.models import TEXT_MAX
from ideagora.searching import outbox as search_outbox
from search.documents import CHALLENGE

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "SEK", "DKK", "NOK")
AWARD_MAX = Decimal("100000000")
AWARDS_ALLOWED_MAX = 50
CONFIDENTIAL = {"confidential_brief"}
# changes proposers must be told about: they change what a good answer is
MATERIAL = {
    "description",
    "confidential_brief",
    "deadline",
    "award_amount",
    "currency",
    "ip_terms",
    "trl_sought",
    "challenge_type",
    "awards_allowed",
}
EDITABLE = (
    "title",
    "summary",
    "description",
    "confidential_brief",
    "keywords",
    "fields",
    "challenge_type",
    "award_amount",
    "currency",
    "deadline",
    "ip_terms",
    "trl_sought",
    "anonymous",
    "nda_approval_required",
    "awards_allowed",
    "nda_template_id",
)


DEADLINE_HORIZON = timedelta(days=10 * 365)


def parse_deadline(value: Any, now: datetime) -> datetime:
    """Return a future UTC deadline from an ISO 8601 date or date-time."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Give a deadline as a date (2027-03-31) or a date and time in UTC.")
    try:
        if len(value.strip()) == 10:
            day = datetime.fromisoformat(value.strip()).date()
            deadline = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        else:
            deadline = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date; write it like 2027-03-31.") from None
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    try:
        deadline = deadline.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is not a date we can use.") from None
    if deadline <= now:
        raise ValueError("The deadline must be in the future.")
    if deadline > now + DEADLINE_HORIZON:
        raise ValueError(
            f"A deadline more than {DEADLINE_HORIZON.days // 365} years ahead is not plausible; "
            "check the year."
        )
    return deadline


def parse_award(value: Any) -> Decimal | None:
    """Return a non-negative award with at most two decimals, or None for no award."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("The award is an amount of money.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money.") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("The award cannot be negative.")
    if amount > AWARD_MAX:
        raise ValueError(f"An award above {AWARD_MAX:,} is not plausible; check the amount.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("The award has at most two decimals.")
    return amount.quantize(Decimal("0.01"))


def parse_awards_allowed(value: Any) -> int:
    """Return how many proposals may be awarded: a whole number from 1 to 50 (1 if not given)."""
    if value in (None, ""):
        return 1
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= AWARDS_ALLOWED_MAX:
        raise ValueError(f"The number of awards is a whole number from 1 to {AWARDS_ALLOWED_MAX}.")
    return int(text)


def parse_currency(value: Any) -> str:
    """Return an ISO 4217 currency code the exchange supports."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise ValueError(f"Choose the currency from: {', '.join(CURRENCIES)}.")
    return code


def check_input(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Return checked values for the fields given (all required ones unless ``partial``)."""
    errors = listings.FieldErrors()
    unknown = set(data) - set(EDITABLE) - {"version"}
    for field in sorted(unknown):
        errors.messages[field] = "This field does not exist on a challenge."
    checks = {
        "confidential_brief": lambda: listings.text(
            data.get("confidential_brief"), "The confidential brief", TEXT_MAX
        ),
        "challenge_type": lambda: listings.choice(
            data.get("challenge_type"), ChallengeType, "the challenge type"
        ),
        "award_amount": lambda: parse_award(data.get("award_amount")),
        "currency": lambda: parse_currency(data.get("currency") or "EUR"),
        "deadline": lambda: parse_deadline(data.get("deadline"), utcnow()),
        "ip_terms": lambda: listings.choice(data.get("ip_terms"), IPTerms, "the IP terms"),
        "trl_sought": lambda: listings.trl(data.get("trl_sought"), required=False),
        "anonymous": lambda: listings.flag(data.get("anonymous"), "Anonymous"),
        "awards_allowed": lambda: parse_awards_allowed(data.get("awards_allowed")),
        "nda_template_id": lambda: nda_templates.template_id(data.get("nda_template_id")),
    }
    values = listings.common_fields(data, errors, partial=partial)
    for field, check in checks.items():
        if not partial or field in data:
            values[field] = errors.check(field, check)
    errors.raise_if_any()
    return values


def _pseudonym() -> str:
    return f"Anonymous seeker {secrets.token_hex(2).upper()}"


def create_challenge(
    session: Session, user: User, data: Mapping[str, Any], *, ip_address: str | None
) -> Challenge:
    """Create a draft challenge owned by the user's organisation."""
    if user.membership is None:
        raise Conflict("Join or create an organisation before posting a challenge.")
    values = check_input(data, partial=False)
    nda_templates.check_choice(session, user.membership.organization_id, values["nda_template_id"])
    fields = values.pop("fields")
    challenge = Challenge(
        **values,
        organization_id=user.membership.organization_id,
        created_by_id=user.id,
        pseudonym=_pseudonym(),
    )
    challenge.fields = fields
    session.add(challenge)
    session.flush()
    audit.record(
        session,
        "challenge.created",
        actor=user,
        subject=challenge,
        organization_id=challenge.organization_id,
        ip_address=ip_address,
    )
    return challenge


def update_challenge(
    session: Session,
    user: User,
    challenge: Challenge,
    data: Mapping[str, Any],
    *,
    ip_address: str | None,
) -> Challenge:
    """Change a challenge, refusing a save based on an older version; record a revision."""
    listings.require_member(user, challenge)
    if challenge.status not in (ChallengeStatus.DRAFT, ChallengeStatus.OPEN):
        raise Conflict(f"A challenge that is {challenge.status.value} can no longer be edited.")
    listings.check_version(challenge, data.get("version"))
    values = check_input(_keeping_deadline_time(challenge, data), partial=True)
    if "nda_template_id" in values:
        nda_templates.check_choice(session, challenge.organization_id, values["nda_template_id"])
    revision = listings.apply_changes(
        session, challenge, user, values, confidential=CONFIDENTIAL, material=MATERIAL
    )
    if revision is not None:
        listings.flush_edit(session)
        audit.record(
            session,
            "challenge.edited",
            actor=user,
            subject=challenge,
            organization_id=challenge.organization_id,
            ip_address=ip_address,
            details={
                "revision": revision.number,
                "fields": [change["field"] for change in revision.changes],
            },
        )
    return challenge


def _keeping_deadline_time(challenge: Challenge, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Leave the deadline alone when an edit names only its day, and the day is unchanged.

    A form holds the day alone; reading it as the end of that day would move a deadline set
    for noon to midnight, a material change nobody made.
    """
    deadline = data.get("deadline")
    if isinstance(deadline, str) and deadline.strip() == challenge.deadline.date().isoformat():
        return {key: value for key, value in data.items() if key != "deadline"}
    return data


# action → (states it may start from, state it leads to, the past participle for messages)
_TRANSITIONS = {
    "publish": ({ChallengeStatus.DRAFT}, ChallengeStatus.OPEN, "published"),
    "close": ({ChallengeStatus.OPEN, ChallengeStatus.EVALUATING}, ChallengeStatus.CLOSED, "closed"),
    "withdraw": (
        {ChallengeStatus.DRAFT, ChallengeStatus.OPEN, ChallengeStatus.EVALUATING},
        ChallengeStatus.WITHDRAWN,
        "withdrawn",
    ),
}


def change_status(
    session: Session, user: User, challenge: Challenge, action: str, *, ip_address: str | None
) -> Challenge:
    """Publish, close or withdraw a challenge (admins and licensing officers only)."""
    listings.require_manager(user, challenge)
    advance_past_deadlines(session)
    listings.lock_for_change(session, challenge)
    allowed_from, target, done = _TRANSITIONS[action]
    if challenge.status not in allowed_from:
        raise Conflict(f"A challenge that is {challenge.status.value} cannot be {done}.")
    if action == "publish" and challenge.deadline <= utcnow():
        raise Conflict(
            "The deadline has passed; move it into the future before publishing.",
            fields={"deadline": "The deadline must be in the future."},
        )
    challenge.status = target
    if action == "publish":
        challenge.published_at = utcnow()
    listings.flush_edit(session)
    audit.record(
        session,
        f"challenge.{done}",
        actor=user,
        subject=challenge,
        organization_id=challenge.organization_id,
        ip_address=ip_address,
    )
    return challenge


def advance_past_deadlines(session: Session) -> int:
    """Move open challenges whose deadline has passed to evaluation; return how many."""
    advanced = session.scalars(
        sa.update(Challenge)
        .where(Challenge.status == ChallengeStatus.OPEN, Challenge.deadline <= utcnow())
        .values(status=ChallengeStatus.EVALUATING, version=Challenge.version + 1)
        .returning(Challenge.id)
        .execution_options(synchronize_session="fetch")
    ).all()
    # a bulk update passes the session's change tracking by: tell the search index here
    search_outbox.record(session, CHALLENGE, advanced)
    return len(advanced)


def get_visible_challenge(session: Session, user: User | None, challenge_id: int) -> Challenge:
    """Return a challenge the user may see: published ones, or any of their own."""
    advance_past_deadlines(session)
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound("There is no such challenge.")
    own = (
        user is not None
        and user.is_authenticated
        and user.membership is not None
        and user.membership.organization_id == challenge.organization_id
    )
    if challenge.status in (ChallengeStatus.DRAFT, ChallengeStatus.WITHDRAWN) and not own:
        raise NotFound("There is no such challenge.")
    return challenge


PUBLIC_STATUSES = (
    ChallengeStatus.OPEN,
    ChallengeStatus.EVALUATING,
    ChallengeStatus.AWARDED,
    ChallengeStatus.CLOSED,
)
