"""Read where a listing's disclosure stands: its NDA text, a viewer's request, its grants.

The rules of who may see what are in ``licensing.disclosure``; accepting an NDA is in
``acceptance``, the owner's decisions in ``decisions``, the access log in ``access_log``.
Nothing here commits: the caller does, after success.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets.models import Asset, AssetStatus
from ideagora.assets.services import get_visible_asset
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.challenges.services import get_visible_challenge
from ideagora.database import utcnow
from ideagora.disclosure import notices, templates
from ideagora.disclosure.access_log import log_query
from ideagora.disclosure.models import (
    DisclosureGrant,
    GrantStatus,
    NdaTemplate,
    NdaTemplateVersion,
)
from ideagora.disclosure.policy import access_for, grants_of_organization
from ideagora.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
)
from ideagora.listings.services import MANAGER_ROLES
from licensing import nda
from licensing.disclosure import Access, rerequest_after

Listing = Challenge | Asset
LISTING_MODELS: dict[str, type[Challenge] | type[Asset]] = {
    "challenges": Challenge,
    "assets": Asset,
}
# a request can be made while the listing is live; grants already given outlast its closing
REQUESTABLE = {
    ChallengeStatus.OPEN,
    ChallengeStatus.EVALUATING,
    AssetStatus.PUBLISHED,
    AssetStatus.UNDER_NEGOTIATION,
}
NO_SUCH_GRANT = "There is no such access request."


class ForeignGrant(NotFound):
    """A decision on a grant of a listing the user's organisation does not own."""

    security_event = "disclosure.foreign_grant"


@dataclass(frozen=True)
class RenderedNda:
    """The exact text a requester is asked to accept, and what identifies it."""

    template: NdaTemplate
    template_name: str
    version: NdaTemplateVersion
    text: str
    sha256: str
    assent: str


@dataclass(frozen=True)
class RequestState:
    """What the viewer's organisation holds of a listing's confidential part, and may ask."""

    access: Access
    grant: DisclosureGrant | None
    expired: bool
    may_request: bool
    retry_at: datetime | None


def listing_type_of(listing: Listing) -> str:
    return listing.__tablename__


def listing_of(session: Session, user: User | None, listing_type: str, listing_id: int) -> Listing:
    """Return the listing a user may see, or refuse as if it did not exist.

    The platform's NDAs are made on their first use here, so that a commit right after keeps
    them even when the rest of the request is refused and rolled back.
    """
    if listing_type == "challenges":
        listing: Listing = get_visible_challenge(session, user, listing_id)
    elif listing_type == "assets":
        listing = get_visible_asset(session, user, listing_id)
    else:
        raise NotFound("There is no such listing.")
    templates.ensure_platform_templates(session)
    return listing


def listing_url(listing: Listing) -> str:
    """Return the path of the listing's page."""
    endpoint, values = notices.listing_page(listing)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def organization_id_of(user: User | None) -> int | None:
    if user is None or not user.is_authenticated or user.membership is None:
        return None
    return user.membership.organization_id


def is_manager_of(user: User | None, organization_id: int) -> bool:
    return (
        organization_id_of(user) == organization_id and user.membership.role in MANAGER_ROLES  # type: ignore[union-attr]
    )


def cooldown() -> timedelta:
    return timedelta(seconds=int(current_app.config["NDA_REREQUEST_COOLDOWN_SECONDS"]))


def request_state(session: Session, user: User | None, listing: Listing) -> RequestState:
    """Return where the viewer's organisation stands with the listing's confidential part."""
    organization_id = organization_id_of(user)
    access = access_for(session, organization_id, listing)
    if organization_id is None or access is Access.OWNER:
        return RequestState(access, None, False, False, None)
    grants = grants_of_organization(session, listing, organization_id)
    latest = grants[0] if grants else None
    now = utcnow()
    expired = latest is not None and latest.status is GrantStatus.ACTIVE and latest.is_expired(now)
    retry_at = rerequest_after(grants, now=now, cooldown=cooldown())
    may_request = access is Access.NONE and retry_at is None and listing.status in REQUESTABLE
    return RequestState(access, latest, expired, may_request, retry_at)


def owner_party(listing: Listing) -> str:
    if isinstance(listing, Challenge) and listing.anonymous:
        return (
            f"the seeker shown on the exchange as {listing.pseudonym}, whose identity the "
            "exchange holds"
        )
    return listing.organization.name


def nda_for(session: Session, user: User | None, listing: Listing) -> RenderedNda:
    """Return the exact NDA text the user's organisation would accept for this listing."""
    if user is None or not user.is_authenticated:
        raise Unauthorized("Log in to read and accept the NDA of this listing.")
    if user.membership is None:
        raise Forbidden("Join or create an organisation first: an NDA binds an organisation.")
    if user.membership.organization_id == listing.organization_id:
        raise Conflict("Your organisation owns this listing; it needs no NDA to see it.")
    if listing.status not in REQUESTABLE:
        raise NotFound("This listing is not open for requests.")
    template = templates.template_of(session, listing)
    version = template.current_version
    values = {
        "owner": owner_party(listing),
        "recipient": user.membership.organization.name,
        "listing": listing.title,
        "listing_reference": nda.listing_reference(listing_type_of(listing), listing.id),
        "purpose": version.purpose,
        "term_years": str(version.term_years),
        "governing_law": version.governing_law,
    }
    name = shown_template_name(listing, template)
    text = nda.with_key_terms(
        nda.render(version.body, values),
        agreement=name,
        version=version.number,
        term_years=version.term_years,
        governing_law=version.governing_law,
        purpose=version.purpose,
    )
    return RenderedNda(
        template=template,
        template_name=name,
        version=version,
        text=text,
        sha256=nda.text_sha256(text),
        assent=nda.assent_wording(user.membership.organization.name),
    )


def shown_template_name(listing: Listing, template: NdaTemplate) -> str:
    """Return the template's name as requesters see it: an anonymous seeker's own template
    goes unnamed, as its name could tell who the seeker is."""
    if isinstance(listing, Challenge) and listing.anonymous and not template.is_platform:
        return "The seeker's NDA"
    return template.name


def grant_for(session: Session, user: User | None, grant_id: int) -> DisclosureGrant:
    """Return a grant for a member of either party; to anyone else it does not exist."""
    grant = session.get(DisclosureGrant, grant_id)
    organization_id = organization_id_of(user)
    if grant is None or organization_id is None:
        raise NotFound(NO_SUCH_GRANT)
    if organization_id not in (grant.organization_id, grant.owner_organization_id):
        raise ForeignGrant(NO_SUCH_GRANT)
    return grant


def listing_of_grant(session: Session, grant: DisclosureGrant) -> Listing:
    return session.get(LISTING_MODELS[grant.listing_type], grant.listing_id)  # type: ignore[return-value]


def _owner_manager(user: User | None, listing: Listing) -> None:
    if not is_manager_of(user, listing.organization_id):
        raise NotFound("There is no such listing.")


def grants_query(session: Session, user: User | None, listing: Listing) -> sa.Select[Any]:
    """Return the query of every request made for the listing, newest first, to its owner's
    admins and licensing officers (anyone else: NotFound)."""
    _owner_manager(user, listing)
    return (
        sa.select(DisclosureGrant)
        .where(
            DisclosureGrant.listing_type == listing_type_of(listing),
            DisclosureGrant.listing_id == listing.id,
        )
        .order_by(DisclosureGrant.id.desc())
    )


def grants_of(session: Session, user: User | None, listing: Listing) -> list[DisclosureGrant]:
    """Return every request made for the listing, newest first, to its owner's managers."""
    return list(session.scalars(grants_query(session, user, listing)))


def access_log_query(
    session: Session, user: User | None, listing: Listing, *, newest_first: bool = False
) -> sa.Select[Any]:
    """Return the query of the listing's access log, oldest first by default, to its managers."""
    _owner_manager(user, listing)
    return log_query(listing, newest_first=newest_first)


def access_log(session: Session, user: User | None, listing: Listing) -> list[Any]:
    """Return the listing's access log, oldest first, to its owner's managers."""
    return list(session.scalars(access_log_query(session, user, listing)))


def awaiting_query(user: User | None) -> sa.Select[Any]:
    """Return the query of the pending requests the user may decide, oldest first."""
    organization_id = organization_id_of(user)
    if organization_id is None or not is_manager_of(user, organization_id):
        return sa.select(DisclosureGrant).where(sa.false())
    return (
        sa.select(DisclosureGrant)
        .where(
            DisclosureGrant.owner_organization_id == organization_id,
            DisclosureGrant.status == GrantStatus.PENDING,
        )
        .order_by(DisclosureGrant.id)
    )


def awaiting_decision(session: Session, user: User | None) -> list[DisclosureGrant]:
    """Return the pending requests the user may decide, oldest first."""
    return list(session.scalars(awaiting_query(user)))
