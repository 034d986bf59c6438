"""Own the tables of alerts: notifications, saved searches, and what was already alerted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import UTCDateTime, db, utcnow

TITLE_MAX = 300
LINK_MAX = 500
SEARCH_NAME_MAX = 100
KEY_MAX = 40


class NotificationKind:
    """What a notification is about."""

    MATCH = "match"
    SAVED_SEARCH = "saved_search"
    DISCLOSURE = "disclosure"
    DEAL = "deal"


class Notification(db.Model):
    """A message to one user in the app, e-mailed later in a digest.

    Its text is built from public fields only (titles, summaries, public owner names or
    pseudonyms, the reasons of a match), never from confidential text.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # a path inside the site, such as /offers/12; e-mails build the absolute URL from listing_key
    link: Mapped[str] = mapped_column(sa.String(LINK_MAX))
    listing_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_emailed_at", "emailed_at"),
    )

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class SavedSearch(db.Model):
    """A search a user keeps, with the arguments the search page takes (q, type and filters)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(SEARCH_NAME_MAX))
    arguments: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    def __repr__(self) -> str:
        return f"<SavedSearch {self.id} user={self.user_id} {self.name!r}>"


class AlertDelivery(db.Model):
    """That a user was alerted to a listing for a target; the same triple never alerts twice.

    ``target`` is the recipient's own listing that matched (``"challenge:7"``) or the saved
    search it satisfied (``"search:3"``).
    """

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    target: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("listing_key", "target", "user_id"),)

    def __repr__(self) -> str:
        return f"<AlertDelivery {self.listing_key} → {self.target} user={self.user_id}>"


class PendingAlert(db.Model):
    """A listing that became public, to be compared once the index holds it.

    Written in the transaction that publishes the listing, so a publication is never missed;
    removed once its alerts are made.
    """

    __tablename__ = "pending_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_key: Mapped[str] = mapped_column(sa.String(KEY_MAX), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PendingAlert {self.id} {self.listing_key}>"
