"""Keep stored files in step with the database rows that name them.

A file is stored before the row that names it is committed, and removed only after the row's
deletion is committed: a rollback deletes what its transaction stored, and a file is never
gone while a committed row still names it.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from ideagora.storage import Storage, StorageError

logger = logging.getLogger(__name__)

_UNCOMMITTED_KEY = "ideagora_uncommitted_objects"
_DELETE_AFTER_COMMIT_KEY = "ideagora_removed_objects"


def delete_on_rollback(session: Session, storage: Storage, key: str) -> None:
    """Delete the object just stored if the session's transaction rolls back."""
    session.info.setdefault(_UNCOMMITTED_KEY, []).append((storage, key))


def delete_after_commit(session: Session, storage: Storage, key: str) -> None:
    """Delete the object once the transaction that removed its row commits."""
    session.info.setdefault(_DELETE_AFTER_COMMIT_KEY, []).append((storage, key))


def delete_quietly(storage: Storage, key: str) -> None:
    """Delete an object whose row is gone or never was; a failure is logged, not raised."""
    try:
        storage.delete(key)
    except (StorageError, OSError) as error:
        # the row is gone or never was; an object left behind is unreachable, not exposed
        logger.error("could not delete stored object %s: %s", key, error)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    # a released savepoint fires this too: its files wait for the outer commit
    if session.in_nested_transaction():
        return
    session.info.pop(_UNCOMMITTED_KEY, None)
    for storage, key in session.info.pop(_DELETE_AFTER_COMMIT_KEY, []):
        delete_quietly(storage, key)


@event.listens_for(Session, "after_soft_rollback")
def _drop_uncommitted(session: Session, previous_transaction: object) -> None:
    # a rolled-back savepoint leaves the outer transaction, and its files, alive
    if getattr(previous_transaction, "nested", False):
        return
    session.info.pop(_DELETE_AFTER_COMMIT_KEY, None)
    for storage, key in session.info.pop(_UNCOMMITTED_KEY, []):
        delete_quietly(storage, key)
