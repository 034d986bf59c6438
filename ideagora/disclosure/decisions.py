"""Decide on requests for a listing's confidential part: approve, decline, revoke.

Only the owner organisation's admins and licensing officers decide. Each decision is a line of
the access log and an event of the audit chain, and the requesting organisation is told.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.disclosure import notices
from ideagora.disclosure.access_log import record_event
from ideagora.disclosure.models import REASON_MAX, DisclosureGrant, EventKind, GrantStatus
from ideagora.disclosure.services import (
    NO_SUCH_GRANT,
    ForeignGrant,
    Listing,
    is_manager_of,
    listing_of_grant,
    organization_id_of,
)
from ideagora.errors import Conflict, Forbidden, ValidationFailed


def _decider(session: Session, user: User, grant: DisclosureGrant) -> Listing:
    if organization_id_of(user) != grant.owner_organization_id:
        raise ForeignGrant(NO_SUCH_GRANT)
    if not is_manager_of(user, grant.owner_organization_id):
        raise Forbidden(
            "Only your organisation's admins and licensing officers decide on access requests."
        )
    return listing_of_grant(session, grant)


def _reason(reason: str | None, *, required: bool, what: str) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationFailed(
            f"Give a reason for the {what}.",
            fields={"reason": f"Give a reason: the requester sees it with the {what}."},
        )
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            "The reason is too long.",
            fields={"reason": f"A reason has at most {REASON_MAX:,} characters."},
        )
    return text


def approve(
    session: Session,
    user: User,
    grant: DisclosureGrant,
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureGrant:
    """Let the requesting organisation see the listing's confidential part."""
    listing = _decider(session, user, grant)
    if grant.status is not GrantStatus.PENDING:
        raise Conflict(f"This request is no longer waiting: it is {grant.status.label.lower()}.")
    now = utcnow()
    grant.status, grant.decided_at, grant.decided_by_id = GrantStatus.ACTIVE, now, user.id
    return _decided(
        session, user, listing, grant, EventKind.APPROVED, "", ip_address, user_agent, channel
    )


def decline(
    session: Session,
    user: User,
    grant: DisclosureGrant,
    *,
    reason: str | None,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureGrant:
    """Refuse a pending request, with a reason the requester sees."""
    listing = _decider(session, user, grant)
    if grant.status is not GrantStatus.PENDING:
        raise Conflict(f"This request is no longer waiting: it is {grant.status.label.lower()}.")
    text = _reason(reason, required=True, what="decline")
    grant.status, grant.decided_at, grant.decided_by_id = GrantStatus.DECLINED, utcnow(), user.id
    grant.decision_reason = text
    return _decided(
        session, user, listing, grant, EventKind.DECLINED, text, ip_address, user_agent, channel
    )


def revoke(
    session: Session,
    user: User,
    grant: DisclosureGrant,
    *,
    reason: str | None,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureGrant:
    """End an active grant: its organisation sees the confidential part no more."""
    listing = _decider(session, user, grant)
    if grant.status is not GrantStatus.ACTIVE or grant.is_expired(utcnow()):
        state = "expired" if grant.status is GrantStatus.ACTIVE else grant.status.label.lower()
        raise Conflict(f"Only an active grant can be revoked; this one is {state}.")
    text = _reason(reason, required=False, what="revocation")
    grant.status, grant.revoked_at, grant.revoked_by_id = GrantStatus.REVOKED, utcnow(), user.id
    grant.revoke_reason = text
    return _decided(
        session, user, listing, grant, EventKind.REVOKED, text, ip_address, user_agent, channel
    )


def _decided(
    session: Session,
    user: User,
    listing: Listing,
    grant: DisclosureGrant,
    kind: EventKind,
    reason: str,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureGrant:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "Someone else decided on this request at the same moment; reload to see what "
            "was decided."
        ) from None
    record_event(
        session,
        listing,
        kind,
        user,
        grant=grant,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
        detail=f"{grant.organization.name}" + (f": {reason}" if reason else ""),
    )
    audit.record(
        session,
        f"disclosure.{kind.value}",
        actor=user,
        organization_id=grant.owner_organization_id,
        subject=grant,
        ip_address=ip_address,
        details={
            "listing": f"{grant.listing_type}:{grant.listing_id}",
            "organization_id": grant.organization_id,
            "reason": reason,
            "channel": channel,
        },
    )
    notices.decision_made(session, listing, grant, kind)
    return grant
