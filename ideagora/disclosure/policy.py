"""Load a listing's grants and ask ``licensing.disclosure`` what an organisation may see.

This is the only place the application turns stored grants into the policy's answer; every
page, API response, file, e-mail and PDF that could carry confidential text goes through it
(by way of ``ideagora.listings.services.access_of``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.database import utcnow
from ideagora.disclosure.models import DisclosureGrant
from licensing.disclosure import Access, Grant, confidential_access


def grants_of_organization(
    session: Session, listing: Any, organization_id: int
) -> list[DisclosureGrant]:
    """Return an organisation's grants of one listing, newest first."""
    return list(
        session.scalars(
            sa.select(DisclosureGrant)
            .where(
                DisclosureGrant.listing_type == listing.__tablename__,
                DisclosureGrant.listing_id == listing.id,
                DisclosureGrant.organization_id == organization_id,
            )
            .order_by(DisclosureGrant.id.desc())
        )
    )


def policy_grant(grant: DisclosureGrant) -> Grant:
    """Return a stored grant as the policy reads it."""
    return Grant(
        organization_id=grant.organization_id,
        status=grant.status,
        expires_at=grant.expires_at,
    )


def access_for(session: Session, organization_id: int | None, listing: Any) -> Access:
    """Return an organisation's access to the listing's confidential part now."""
    now = utcnow()
    if organization_id is None or organization_id == listing.organization_id:
        return confidential_access(organization_id, listing.organization_id, (), now=now)
    stored = grants_of_organization(session, listing, organization_id)
    grants = [policy_grant(grant) for grant in stored]
    return confidential_access(organization_id, listing.organization_id, grants, now=now)
