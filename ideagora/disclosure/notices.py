"""Tell both sides of an access request what happened: in the app and by e-mail at once.

Notices name the listing by its public title and the parties by their public names (an
anonymous seeker by its pseudonym); they never carry the confidential part, the NDA's text or
the evidence of the acceptance.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts.models import User
from ideagora.alerts.models import TITLE_MAX, Notification, NotificationKind
from ideagora.alerts.processing import listing_endpoint, managers_of
from ideagora.alerts.texts import public_owner
from ideagora.database import utcnow
from ideagora.disclosure.models import DisclosureGrant, EventKind, GrantStatus
from ideagora.matching.services import key_of
from ideagora.urls import external_url

_DECISIONS = {
    EventKind.APPROVED: ("approved", "can now read its confidential part"),
    EventKind.DECLINED: ("declined", "was declined"),
    EventKind.REVOKED: ("revoked", "no longer has access to its confidential part"),
}


def _notify(
    session: Session,
    users: list[User],
    listing: Any,
    title: str,
    body: str,
    link: tuple[str, dict[str, int]],
) -> None:
    endpoint, values = link
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    url = external_url(endpoint, **values)
    now = utcnow()
    for user in sorted({user.id: user for user in users}.values(), key=lambda u: u.id):
        session.add(
            Notification(
                user_id=user.id,
                kind=NotificationKind.DISCLOSURE,
                title=title[:TITLE_MAX],
                body=body,
                link=path,
                listing_key=key_of(listing),
                # the e-mail goes now; the digest must not send it again
                emailed_at=now,
            )
        )
        mail.queue(
            session,
            mail.Message(
                to=user.email, subject=title, body=f"Hello {user.name},\n\n{body}\n\n{url}\n"
            ),
        )


def request_made(session: Session, listing: Any, grant: DisclosureGrant) -> None:
    """Tell the owner's admins and licensing officers that an organisation accepted the NDA."""
    requester = grant.organization.name
    if grant.status is GrantStatus.PENDING:
        title = f"{requester} asks to see the confidential part of “{listing.title}”"
        body = (
            f"{requester} accepted the NDA of “{listing.title}” and waits for your approval. "
            "Approve or decline the request on the listing's access page."
        )
    else:
        title = f"{requester} accepted the NDA of “{listing.title}”"
        body = (
            f"{requester} accepted the NDA of “{listing.title}”; as the listing needs no "
            "approval, it can read the confidential part now. You can revoke the access on "
            "the listing's access page."
        )
    _notify(session, managers_of(listing.organization), listing, title, body, access_page(listing))


def decision_made(session: Session, listing: Any, grant: DisclosureGrant, kind: EventKind) -> None:
    """Tell the requesting organisation's managers and the signer what the owner decided."""
    word, outcome = _DECISIONS[kind]
    owner = public_owner(listing)
    title = f"Your request for “{listing.title}” was {word}"
    body = f"Your organisation's access to “{listing.title}” (shared by {owner}) {outcome}."
    reason = grant.decision_reason if kind is EventKind.DECLINED else grant.revoke_reason
    if reason:
        body += f"\n\nThe owner's reason: {reason}"
    recipients = managers_of(grant.organization)
    signer = grant.acceptance.user_id and session.get(User, grant.acceptance.user_id)
    if (
        signer
        and signer.active
        and signer.membership is not None
        and signer.membership.organization_id == grant.organization_id
    ):
        recipients.append(signer)
    _notify(session, recipients, listing, title, body, listing_page(listing))


def access_page(listing: Any) -> tuple[str, dict[str, int]]:
    """Return the endpoint and arguments of the owner's access page of a listing."""
    if listing.__tablename__ == "challenges":
        return "disclosure.challenge_access", {"challenge_id": listing.id}
    return "disclosure.offer_access", {"asset_id": listing.id}


def listing_page(listing: Any) -> tuple[str, dict[str, int]]:
    """Return the endpoint and arguments of a listing's page."""
    return listing_endpoint(key_of(listing))
