"""Record audit events and verify the chain."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.audit.chain import GENESIS_HASH, ChainReport, event_hash, verify_chain
from ideagora.audit.models import AuditEvent
from ideagora.database import utcnow

logger = logging.getLogger(__name__)

# any constant works: it only has to be the same for every writer of the chain
_POSTGRES_CHAIN_LOCK = 0x1DEA_A0D1


def record(
    session: Session,
    action: str,
    *,
    actor: Any = None,
    organization_id: int | None = None,
    subject: Any = None,
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction."""
    _lock_chain(session)
    previous = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        created_at=utcnow(),
        action=action,
        actor_user_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        organization_id=organization_id,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=str(subject.id) if subject is not None else None,
        ip_address=ip_address,
        details=details or {},
        prev_hash=previous or GENESIS_HASH,
    )
    event.hash = event_hash(_as_mapping(event))
    session.add(event)
    session.flush()
    logger.info(
        "audit %s actor=%s subject=%s:%s",
        action,
        event.actor_user_id,
        event.subject_type,
        event.subject_id,
    )
    return event


def _lock_chain(session: Session) -> None:
    # two writers reading the same last hash would fork the chain; SQLite is already
    # serialised by BEGIN IMMEDIATE, PostgreSQL needs a transaction-scoped lock
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_POSTGRES_CHAIN_LOCK)))


def _as_mapping(event: AuditEvent) -> dict[str, Any]:
    return {column.key: getattr(event, column.key) for column in AuditEvent.__table__.columns}


def verify(session: Session) -> ChainReport:
    """Check every event of the chain, in order."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    rows = session.scalars(query)
    try:
        return verify_chain(_as_mapping(event) for event in rows)
    finally:
        # the walk may stop at a broken link; release the server-side cursor either way
        rows.close()
