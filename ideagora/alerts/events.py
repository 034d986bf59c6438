"""Notice every listing that becomes public, in the transaction that publishes it.

A session listener looks at each flush for challenges and IP offers whose status moved from a
state the public cannot see (a draft) to one it can, whichever service or command made the
change, and writes a pending-alert row on the flush's own connection: it commits or rolls back
with the publication. The row is processed once the index holds the listing.
"""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from ideagora.alerts.models import PendingAlert
from ideagora.alerts.processing import on_index_applied
from ideagora.assets.models import Asset
from ideagora.assets.services import PUBLIC_STATUSES as PUBLIC_ASSET_STATUSES
from ideagora.challenges.models import Challenge
from ideagora.challenges.services import PUBLIC_STATUSES as PUBLIC_CHALLENGE_STATUSES
from ideagora.database import utcnow
from ideagora.matching.services import key_of
from ideagora.searching import sync

_PUBLIC = {Challenge: PUBLIC_CHALLENGE_STATUSES, Asset: PUBLIC_ASSET_STATUSES}


def became_public(listing: Any) -> bool:
    """Return whether the flush makes this listing public: new and public, or newly public."""
    public = _PUBLIC.get(type(listing))
    if public is None or listing.id is None:
        return False
    history = sa.inspect(listing).attrs.status.history
    if not history.added or history.added[0] not in public:
        return False
    before = history.deleted[0] if history.deleted else None
    return before not in public


@event.listens_for(Session, "after_flush")
def _record_publications(session: Session, _flush_context: Any) -> None:
    # after the flush, new listings have their ids and the history still shows the change
    keys = sorted(
        {
            key_of(instance)
            for instance in itertools.chain(session.new, session.dirty)
            if became_public(instance)
        }
    )
    if keys:
        now = utcnow()
        session.connection().execute(
            sa.insert(PendingAlert.__table__),
            [{"listing_key": key, "created_at": now} for key in keys],
        )


def init_app(app: Flask) -> None:
    """Process pending alerts after each drain of the search outbox (once per process)."""
    sync.on_applied(on_index_applied)
