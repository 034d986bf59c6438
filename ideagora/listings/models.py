"""Own the columns every listing has, and the table of listing revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import TimestampMixin, UTCDateTime, db, utcnow
from ideagora.organizations.models import Organization

TITLE_MAX = 200
SUMMARY_MAX = 600
TEXT_MAX = 20_000
KEYWORD_MAX = 60
KEYWORDS_MAX = 20


class ListingMixin(TimestampMixin):
    """Public text, confidential text, keywords, owner and an edit counter."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(sa.String(SUMMARY_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    nda_approval_required: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # bumped by every save: a save made from an older version is refused, never overwrites
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def nda_template_id(cls) -> Mapped[int | None]:
        # the NDA a request for the confidential part signs; none means the platform's default
        return mapped_column(sa.ForeignKey("nda_templates.id", ondelete="SET NULL"))

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def organization(cls) -> Mapped[Organization]:
        return relationship(Organization)

    @declared_attr
    def created_by(cls) -> Mapped[User | None]:
        return relationship(User)

    @declared_attr
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class ListingRevision(db.Model):
    """One saved edit of a listing: who changed which fields, when."""

    __tablename__ = "listing_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_type: Mapped[str] = mapped_column(sa.String(16))
    listing_id: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # [{"field", "before", "after"}]; confidential fields record only that they changed
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    material: Mapped[bool] = mapped_column(default=False)

    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("listing_type", "listing_id", "number"),
        sa.Index(None, "listing_type", "listing_id"),
    )

    def __repr__(self) -> str:
        return f"<ListingRevision {self.listing_type}:{self.listing_id} #{self.number}>"
