"""Own the proposal table: a solver organisation's answer to a challenge, and its decision."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import TimestampMixin, UTCDateTime, db, enum_by_value
from ideagora.listings.models import SUMMARY_MAX, TEXT_MAX, TITLE_MAX
from ideagora.organizations.models import Organization

if TYPE_CHECKING:
    from ideagora.assets.models import Asset
    from ideagora.challenges.models import Challenge

BODY_MAX = TEXT_MAX
FEEDBACK_MAX = 5_000


class ProposalStatus(enum.Enum):
    """Where a proposal is in its evaluation."""

    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    DECLINED = "declined"
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeclineReason(enum.Enum):
    """Why a seeker declined a proposal; the proposer sees it with the written feedback."""

    TOO_EARLY_STAGE = "too_early_stage"
    BENEFIT_UNCLEAR = "benefit_unclear"
    OUTSIDE_SCOPE = "outside_scope"
    IP_POSITION_UNCLEAR = "ip_position_unclear"
    COST = "cost"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "too_early_stage": "Too early-stage",
            "benefit_unclear": "Benefit unclear",
            "outside_scope": "Outside the challenge's scope",
            "ip_position_unclear": "IP position unclear",
            "cost": "Cost",
            "other": "Other",
        }[self.value]


class Proposal(TimestampMixin, db.Model):
    """What a solver organisation submitted to a challenge, with its receipt and decision."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(sa.String(SUMMARY_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))
    status: Mapped[ProposalStatus] = mapped_column(
        enum_by_value(ProposalStatus), default=ProposalStatus.SUBMITTED, index=True
    )
    decline_reason_code: Mapped[DeclineReason | None] = mapped_column(enum_by_value(DeclineReason))
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the canonical JSON of what was submitted, and when: the proposer's evidence
    receipt_sha256: Mapped[str] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    challenge: Mapped[Challenge] = relationship()
    organization: Mapped[Organization] = relationship()
    asset: Mapped[Asset | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status.value} challenge={self.challenge_id}>"
