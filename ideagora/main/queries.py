"""Gather what a user's dashboard shows: their organisation's work and what awaits them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets.models import Asset, AssetStatus
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import utcnow
from ideagora.listings.services import MANAGER_ROLES
from ideagora.proposals.models import Proposal
from ideagora.proposals.services import DECIDING, UNDECIDED

LIST_LIMIT = 50


@dataclass
class Dashboard:
    """One organisation's listings and proposals, and the actions waiting for the user."""

    challenges: dict[ChallengeStatus, list[Challenge]] = field(default_factory=dict)
    offers: dict[AssetStatus, list[Asset]] = field(default_factory=dict)
    proposals_sent: list[Proposal] = field(default_factory=list)
    proposals_received: list[Proposal] = field(default_factory=list)
    drafts_to_publish: list[Any] = field(default_factory=list)
    awaiting_decision: list[Proposal] = field(default_factory=list)
    evaluating_without_award: list[Challenge] = field(default_factory=list)
    is_manager: bool = False

    @property
    def action_count(self) -> int:
        return (
            len(self.drafts_to_publish)
            + len(self.awaiting_decision)
            + len(self.evaluating_without_award)
        )


def _by_status(items: list[Any], order: type) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        grouped[item.status].append(item)
    return {status: grouped[status] for status in order if grouped[status]}


def dashboard_for(session: Session, user: User) -> Dashboard:
    """Return the dashboard of the user's organisation, empty for a user without one."""
    if user.membership is None:
        return Dashboard()
    organization_id = user.membership.organization_id
    is_manager = user.membership.role in MANAGER_ROLES
    challenges = list(
        session.scalars(
            sa.select(Challenge)
            .where(Challenge.organization_id == organization_id)
            .order_by(Challenge.updated_at.desc(), Challenge.id.desc())
        )
    )
    offers = list(
        session.scalars(
            sa.select(Asset)
            .where(Asset.organization_id == organization_id)
            .order_by(Asset.updated_at.desc(), Asset.id.desc())
        )
    )
    received = proposals_received(session, organization_id)
    drafts = [
        listing
        for listing in [*challenges, *offers]
        if listing.status in (ChallengeStatus.DRAFT, AssetStatus.DRAFT)
    ]
    return Dashboard(
        challenges=_by_status(challenges, ChallengeStatus),
        offers=_by_status(offers, AssetStatus),
        proposals_sent=proposals_sent(session, organization_id),
        proposals_received=received,
        drafts_to_publish=drafts if is_manager else [],
        awaiting_decision=awaiting_decision(session, organization_id) if is_manager else [],
        evaluating_without_award=[
            challenge for challenge in challenges if challenge.status is ChallengeStatus.EVALUATING
        ],
        is_manager=is_manager,
    )


def proposals_sent(session: Session, organization_id: int) -> list[Proposal]:
    """Return the organisation's latest proposals to other organisations' challenges."""
    return list(
        session.scalars(
            sa.select(Proposal)
            .where(Proposal.organization_id == organization_id)
            .order_by(Proposal.submitted_at.desc(), Proposal.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def proposals_received(session: Session, organization_id: int) -> list[Proposal]:
    """Return the latest proposals to the organisation's challenges."""
    return list(
        session.scalars(
            sa.select(Proposal)
            .join(Challenge, Proposal.challenge_id == Challenge.id)
            .where(Challenge.organization_id == organization_id)
            .order_by(Proposal.submitted_at.desc(), Proposal.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def awaiting_decision(session: Session, organization_id: int) -> list[Proposal]:
    """Return undecided proposals to the organisation's challenges that can still be decided."""
    return list(
        session.scalars(
            sa.select(Proposal)
            .join(Challenge, Proposal.challenge_id == Challenge.id)
            .where(
                Challenge.organization_id == organization_id,
                Challenge.status.in_(DECIDING),
                Proposal.status.in_(UNDECIDED),
            )
            .order_by(Proposal.submitted_at, Proposal.id)
            .limit(LIST_LIMIT)
        )
    )


@dataclass(frozen=True)
class ShopWindow:
    """What the home page shows of the exchange: the newest open challenges and IP offers."""

    challenges: list[Challenge]
    assets: list[Asset]
    open_challenges: int
    published_assets: int


def shop_window(session: Session, *, limit: int = 3) -> ShopWindow:
    """Return the newest challenges open for proposals and the newest published IP offers."""
    open_now = sa.and_(Challenge.status == ChallengeStatus.OPEN, Challenge.deadline > utcnow())
    published = Asset.status == AssetStatus.PUBLISHED
    return ShopWindow(
        challenges=list(
            session.scalars(
                sa.select(Challenge)
                .where(open_now)
                .order_by(Challenge.published_at.desc(), Challenge.id.desc())
                .limit(limit)
            )
        ),
        assets=list(
            session.scalars(
                sa.select(Asset)
                .where(published)
                .order_by(Asset.published_at.desc(), Asset.id.desc())
                .limit(limit)
            )
        ),
        open_challenges=session.scalar(sa.select(sa.func.count()).where(open_now)) or 0,
        published_assets=session.scalar(sa.select(sa.func.count()).where(published)) or 0,
    )
