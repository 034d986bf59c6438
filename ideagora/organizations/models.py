"""Own the organisation, membership and invitation tables."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import TimestampMixin, UTCDateTime, db, enum_by_value, utcnow


class OrganizationKind(enum.Enum):
    """What kind of body an organisation is."""

    COMPANY = "company"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    INDIVIDUAL = "individual"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Role(enum.Enum):
    """What a member may do inside their organisation."""

    ADMIN = "admin"
    LICENSING_OFFICER = "licensing_officer"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Organization(TimestampMixin, db.Model):
    """A company, university, institute or individual that posts and licenses."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    # the name folded for uniqueness, so "Acme" and "ACME " cannot both register
    name_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_by_value(OrganizationKind))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class Membership(TimestampMixin, db.Model):
    """A user's place in an organisation, with their role."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_by_value(Role))

    user: Mapped[User] = relationship(back_populates="membership")
    organization: Mapped[Organization] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} org={self.organization_id} {self.role.value}>"


class Invitation(db.Model):
    """An e-mailed offer to join an organisation; only the token's SHA-256 is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[Role] = mapped_column(enum_by_value(Role))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def __repr__(self) -> str:
        return f"<Invitation {self.id} org={self.organization_id} {self.email!r}>"

    def is_open(self, now: datetime) -> bool:
        """Return whether the invitation can still be accepted."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
