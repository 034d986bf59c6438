"""Own the challenge table and its technical fields."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.database import UTCDateTime, db, enum_by_value
from ideagora.listings.models import ListingMixin


class ChallengeType(enum.Enum):
    """The kind of answer a seeker asks for."""

    IDEATION = "ideation"
    THEORETICAL = "theoretical"
    REDUCTION_TO_PRACTICE = "reduction_to_practice"
    REQUEST_FOR_PROPOSALS = "request_for_proposals"
    TECHNOLOGY_SCOUTING = "technology_scouting"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class IPTerms(enum.Enum):
    """What the seeker wants to hold of the solver's IP."""

    SOLVER_RETAINS = "solver_retains"
    NON_EXCLUSIVE_LICENSE = "non_exclusive_license"
    EXCLUSIVE_LICENSE = "exclusive_license"
    ASSIGNMENT = "assignment"

    @property
    def label(self) -> str:
        return {
            "solver_retains": "Solver retains the IP",
            "non_exclusive_license": "Non-exclusive licence",
            "exclusive_license": "Exclusive licence",
            "assignment": "Assignment",
        }[self.value]


class ChallengeStatus(enum.Enum):
    """Where a challenge is in its life."""

    DRAFT = "draft"
    OPEN = "open"
    EVALUATING = "evaluating"
    AWARDED = "awarded"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChallengeField(db.Model):
    """A technical field a challenge belongs to."""

    __tablename__ = "challenge_fields"

    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<ChallengeField {self.challenge_id} {self.slug}>"


class Challenge(ListingMixin, db.Model):
    """An R&D problem a seeker organisation wants solved."""

    __tablename__ = "challenges"

    confidential_brief: Mapped[str] = mapped_column(sa.Text, default="")
    challenge_type: Mapped[ChallengeType] = mapped_column(enum_by_value(ChallengeType))
    award_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip_terms: Mapped[IPTerms] = mapped_column(enum_by_value(IPTerms))
    trl_sought: Mapped[int | None] = mapped_column()
    anonymous: Mapped[bool] = mapped_column(default=False)
    # how many proposals the seeker may award; the first award moves the challenge to awarded
    awards_allowed: Mapped[int] = mapped_column(default=1, server_default="1")
    pseudonym: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[ChallengeStatus] = mapped_column(
        enum_by_value(ChallengeStatus), default=ChallengeStatus.DRAFT, index=True
    )

    field_links: Mapped[list[ChallengeField]] = relationship(
        cascade="all, delete-orphan", order_by=ChallengeField.slug
    )
    fields: AssociationProxy[list[str]] = association_proxy(
        "field_links", "slug", creator=lambda slug: ChallengeField(slug=slug)
    )

    __table_args__ = (
        sa.CheckConstraint("trl_sought IS NULL OR (trl_sought BETWEEN 1 AND 9)", name="trl_range"),
        sa.CheckConstraint("award_amount IS NULL OR award_amount >= 0", name="award_positive"),
        sa.CheckConstraint("awards_allowed BETWEEN 1 AND 50", name="awards_allowed_range"),
    )

    def __repr__(self) -> str:
        return f"<Challenge {self.id} {self.status.value} {self.title!r}>"
