"""Gather what an organisation's public profile shows: its published listings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.assets.models import Asset
from ideagora.assets.queries import AssetFilters, published_assets_query
from ideagora.challenges.models import Challenge
from ideagora.challenges.queries import ChallengeFilters, published_challenges_query
from ideagora.organizations.models import Organization

PROFILE_LISTINGS = 10


@dataclass(frozen=True)
class PublicListings:
    """The newest published listings of an organisation, and how many there are in all.

    Anonymous challenges are left out: listing them here would tell who posted them.
    """

    challenges: list[Challenge]
    challenge_count: int
    assets: list[Asset]
    asset_count: int


def public_listings(
    session: Session, organization: Organization, *, limit: int | None = None
) -> PublicListings:
    """Return the organisation's newest published IP offers and non-anonymous challenges."""
    limit = PROFILE_LISTINGS if limit is None else limit
    challenges = published_challenges_query(ChallengeFilters(organization_id=organization.id))
    assets = published_assets_query(AssetFilters(organization_id=organization.id))
    return PublicListings(
        challenges=list(session.scalars(challenges.limit(limit))),
        challenge_count=_count(session, challenges),
        assets=list(session.scalars(assets.limit(limit))),
        asset_count=_count(session, assets),
    )


def _count(session: Session, query: sa.Select[Any]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
