"""Accept a listing's NDA: check the signature, keep the evidence, open the grant.

The acceptance is evidence and is written once, in the same transaction as the grant it opens,
its access-log line and its audit event; a refusal writes none of them.
"""

from __future__ import annotations

import zlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.disclosure import notices, templates
from ideagora.disclosure.access_log import record_event
from ideagora.disclosure.models import (
    SIGNER_NAME_MAX,
    USER_AGENT_MAX,
    DisclosureGrant,
    EventKind,
    GrantStatus,
    NdaAcceptance,
)
from ideagora.disclosure.policy import grants_of_organization
from ideagora.disclosure.services import (
    Listing,
    RenderedNda,
    cooldown,
    listing_type_of,
    nda_for,
    owner_party,
)
from ideagora.errors import Conflict, Forbidden, RateLimited, ValidationFailed
from licensing import nda
from licensing.disclosure import rerequest_after

SIGNER_NAME_MIN = 2


class StaleNda(Conflict):
    """The hash sent back is not the hash of the text the listing's NDA has now."""

    code = "stale_nda"
    security_event = "nda.hash_mismatch"

    def __init__(self, message: str, *, nda: RenderedNda) -> None:
        super().__init__(message)
        self.nda = nda


class WrongOrganization(Forbidden):
    """Someone tried to accept on behalf of an organisation they do not belong to."""

    security_event = "nda.wrong_organization"


def _lock_request(session: Session, listing: Listing, organization_id: int) -> None:
    # two accepts of one organisation at the same moment must not open two grants; SQLite
    # is serialised already, PostgreSQL takes a lock for this listing and organisation
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"{listing_type_of(listing)}:{listing.id}:{organization_id}".encode())
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _open_grant(grants: list[DisclosureGrant], now: datetime) -> DisclosureGrant | None:
    for grant in grants:
        if grant.status is GrantStatus.PENDING:
            return grant
        if grant.status is GrantStatus.ACTIVE and not grant.is_expired(now):
            return grant
    return None


def _check_signature(signer_name: str | None, assent: bool, organization_name: str) -> str:
    problems = {}
    if assent is not True:
        problems["assent"] = (
            f"Tick the box to confirm that you have read and agree to the NDA on behalf of "
            f"{organization_name}."
        )
    name = " ".join((signer_name or "").split())
    if len(name) < SIGNER_NAME_MIN:
        problems["signer_name"] = "Type your full name to sign."
    elif len(name) > SIGNER_NAME_MAX:
        problems["signer_name"] = f"A name has at most {SIGNER_NAME_MAX} characters."
    if problems:
        raise ValidationFailed(" ".join(problems.values()), fields=problems)
    return name


def accept_nda(
    session: Session,
    user: User,
    listing: Listing,
    *,
    sha256: str | None,
    signer_name: str | None,
    assent: bool,
    fresh_login: bool,
    organization_id: int | None = None,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> tuple[DisclosureGrant, bool]:
    """Record the user's acceptance of the listing's NDA and open a grant for their organisation.

    Returns the grant and whether it is new: accepting again while a request is pending or a
    grant is active changes nothing and returns that grant.
    """
    user_agent = (user_agent or "")[:USER_AGENT_MAX]
    if user.membership is not None and organization_id not in (
        None,
        user.membership.organization_id,
    ):
        raise WrongOrganization(
            "You can accept an NDA only on behalf of your own organisation, "
            f"{user.membership.organization.name}."
        )
    # hold the version being signed: an edit in place waits, then sees this acceptance and
    # adds a new version instead of changing the text signed here
    version = templates.template_of(session, listing).current_version
    session.refresh(version, with_for_update={"read": True})
    current = nda_for(session, user, listing)
    organization = user.membership.organization  # type: ignore[union-attr]
    _lock_request(session, listing, organization.id)
    grants = grants_of_organization(session, listing, organization.id)
    now = utcnow()
    existing = _open_grant(grants, now)
    if existing is not None:
        return existing, False
    retry_at = rerequest_after(grants, now=now, cooldown=cooldown())
    if retry_at is not None:
        raise RateLimited(
            "The owner has already answered your organisation's request. You may ask again "
            f"after {retry_at:%d %B %Y, %H:%M} UTC.",
            retry_after=max(1, int((retry_at - now).total_seconds())),
        )
    name = _check_signature(signer_name, assent, organization.name)
    if not fresh_login:
        raise FreshLoginRequired(
            "Signing needs a recent login: enter your password again to confirm it is you."
        )
    if (sha256 or "").strip().lower() != current.sha256:
        raise StaleNda(
            "The NDA you accepted is not the current text of this listing's NDA (it has "
            "changed, or the hash was altered). Read the current text and accept it again.",
            nda=current,
        )
    acceptance = _acceptance(
        user,
        listing,
        current,
        name,
        now,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
    )
    session.add(acceptance)
    session.flush()
    # after a decline or a revocation, only the owner may let the organisation in again
    refused_before = any(g.status in (GrantStatus.DECLINED, GrantStatus.REVOKED) for g in grants)
    approval = listing.nda_approval_required or refused_before
    grant = DisclosureGrant(
        listing_type=listing_type_of(listing),
        listing_id=listing.id,
        organization_id=organization.id,
        owner_organization_id=listing.organization_id,
        acceptance_id=acceptance.id,
        status=GrantStatus.PENDING if approval else GrantStatus.ACTIVE,
        requested_at=now,
        expires_at=nda.term_end(now, current.version.term_years),
        decided_at=None if approval else now,
    )
    session.add(grant)
    session.flush()
    kind = EventKind.REQUESTED if approval else EventKind.GRANTED
    record_event(
        session,
        listing,
        kind,
        user,
        grant=grant,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
        detail=(
            f"{current.template_name}, version {current.version.number}; SHA-256 {current.sha256}"
        ),
    )
    audit.record(
        session,
        "nda.accepted",
        actor=user,
        organization_id=listing.organization_id,
        subject=acceptance,
        ip_address=ip_address,
        details={
            "listing": f"{listing_type_of(listing)}:{listing.id}",
            "grant_id": grant.id,
            "grant_status": grant.status.value,
            "organization_id": organization.id,
            "template_id": current.template.id,
            "template_version": current.version.number,
            "sha256": current.sha256,
            "signer_name": name,
            "user_agent": user_agent,
            "channel": channel,
        },
    )
    notices.request_made(session, listing, grant)
    return grant, True


def _acceptance(
    user: User,
    listing: Listing,
    current: RenderedNda,
    signer_name: str,
    now: datetime,
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> NdaAcceptance:
    organization = user.membership.organization  # type: ignore[union-attr]
    return NdaAcceptance(
        listing_type=listing_type_of(listing),
        listing_id=listing.id,
        listing_title=listing.title,
        user_id=user.id,
        user_name=user.name,
        user_email=user.email,
        organization_id=organization.id,
        organization_name=organization.name,
        owner_organization_id=listing.organization_id,
        owner_organization_name=owner_party(listing),
        template_id=current.template.id,
        template_version_id=current.version.id,
        template_name=current.template_name,
        template_version=current.version.number,
        term_years=current.version.term_years,
        text=current.text,
        sha256=current.sha256,
        signer_name=signer_name,
        assent_wording=current.assent,
        accepted_at=now,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
    )
