"""Own the user and API-token tables."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.database import TimestampMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from ideagora.organizations.models import Membership, Organization, Role


class User(UserMixin, TimestampMixin, db.Model):
    """A person with a login; belongs to at most one organisation through a membership."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # bumped to end every other session: logout everywhere, password change or reset
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    site_admin: Mapped[bool] = mapped_column(default=False)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """Return the session id: the user id and the session version, so old sessions expire."""
        return f"{self.id}.{self.session_version}"

    @property
    def organization(self) -> Organization | None:
        """Return the organisation the user belongs to, if any."""
        return self.membership.organization if self.membership else None

    @property
    def role(self) -> Role | None:
        """Return the user's role in their organisation, if any."""
        return self.membership.role if self.membership else None


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
