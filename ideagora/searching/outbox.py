"""Write an outbox row for every change to a searchable record, in the same transaction.

A session listener looks at each flush: new, changed and deleted challenges and IP offers,
their technical fields, and organisations whose name changed (their listings show the name).
It inserts the rows on the flush's own connection, so they commit or roll back with the change.
Bulk statements that bypass the ORM call :func:`record` themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ideagora.assets.models import Asset, AssetField
from ideagora.challenges.models import Challenge, ChallengeField
from ideagora.database import utcnow
from ideagora.organizations.models import Organization
from ideagora.searching.models import SearchOutbox
from search.documents import ASSET, CHALLENGE

WRITTEN_KEY = "ideagora_search_outbox_written"
Change = tuple[str, int]


def record(session: Session, kind: str, listing_ids: Iterable[int]) -> None:
    """Add outbox rows for listings changed by a statement the session listener cannot see."""
    _insert(session, {(kind, listing_id) for listing_id in listing_ids})


def _insert(session: Session, changes: set[Change]) -> None:
    if not changes:
        return
    now = utcnow()
    rows = [
        {"listing_type": kind, "listing_id": listing_id, "created_at": now}
        for kind, listing_id in sorted(changes)
    ]
    session.connection().execute(sa.insert(SearchOutbox.__table__), rows)
    session.info[WRITTEN_KEY] = True


def _listing_change(instance: Any) -> Change | None:
    if isinstance(instance, Challenge):
        return CHALLENGE, instance.id
    if isinstance(instance, Asset):
        return ASSET, instance.id
    if isinstance(instance, ChallengeField):
        return CHALLENGE, instance.challenge_id
    if isinstance(instance, AssetField):
        return ASSET, instance.asset_id
    return None


def _renamed(session: Session) -> list[int]:
    return [
        instance.id
        for instance in session.dirty
        if isinstance(instance, Organization)
        and sa.inspect(instance).attrs.name.history.has_changes()
    ]


def _listings_of(session: Session, organization_ids: list[int]) -> set[Change]:
    changes: set[Change] = set()
    for kind, model in ((CHALLENGE, Challenge), (ASSET, Asset)):
        table = model.__table__
        query = sa.select(table.c.id).where(table.c.organization_id.in_(organization_ids))
        changes.update((kind, listing_id) for listing_id in session.connection().scalars(query))
    return changes


@event.listens_for(Session, "after_flush")
def _record_flushed_changes(session: Session, _flush_context: Any) -> None:
    # after the flush, new listings have their ids; the lists still show what was flushed
    changes = {
        change
        for instance in itertools.chain(session.new, session.dirty, session.deleted)
        if (change := _listing_change(instance)) is not None and change[1] is not None
    }
    renamed = _renamed(session)
    if renamed:
        changes |= _listings_of(session, renamed)
    _insert(session, changes)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # a released savepoint fires this too, while the outer transaction is still open
    if session.in_nested_transaction():
        return
    if not session.info.pop(WRITTEN_KEY, False) or not has_app_context():
        return
    from ideagora.searching import sync

    sync.committed(current_app._get_current_object())


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: Any) -> None:
    if not getattr(previous_transaction, "nested", False):
        session.info.pop(WRITTEN_KEY, None)
