"""Own the search outbox table: one row for every change the index must apply."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ideagora.database import UTCDateTime, db, utcnow


class SearchOutbox(db.Model):
    """A listing that changed in a committed transaction, to be (re)indexed or removed.

    Rows are written in the transaction that changes the listing, so a rollback leaves none and
    a commit never lacks one; each index records the highest row it has applied.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    listing_type: Mapped[str] = mapped_column(sa.String(16))
    listing_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    # ids are never reused, even after old rows are removed: an index's watermark stays true
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} {self.listing_type}:{self.listing_id}>"
