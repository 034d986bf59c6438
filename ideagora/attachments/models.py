"""Own the attachment table: files on challenges, IP offers and proposals."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import UTCDateTime, db, enum_by_value, utcnow

FILENAME_MAX = 255
CONTENT_TYPE_MAX = 128


class OwnerType(enum.Enum):
    """What an attachment belongs to."""

    CHALLENGE = "challenge"
    ASSET = "asset"
    PROPOSAL = "proposal"


class Attachment(db.Model):
    """One uploaded file: where it is stored, what it is, and who may see it.

    The owner is named by type and id rather than by a foreign key, so that one table serves
    every kind of owner; ``ideagora.attachments.owners`` knows how to load each kind.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[OwnerType] = mapped_column(enum_by_value(OwnerType, length=16))
    owner_id: Mapped[int] = mapped_column()
    # the uploader's organisation: the listing's owner, or the proposer for a proposal
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # random, from the storage backend; never derived from the file name
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(FILENAME_MAX))
    content_type: Mapped[str] = mapped_column(sa.String(CONTENT_TYPE_MAX))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    confidential: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index(None, "owner_type", "owner_id"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    def __repr__(self) -> str:
        scope = "confidential" if self.confidential else "public"
        owner = self.owner_type.value if self.owner_type else "?"
        return f"<Attachment {self.id} {owner}:{self.owner_id} {scope} {self.size} bytes>"
