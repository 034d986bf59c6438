"""A user's notifications: list them, count the unread, mark them read."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.alerts.models import Notification
from ideagora.database import utcnow
from ideagora.errors import NotFound


def notifications_query(user: User) -> sa.Select:
    """Return the query of a user's notifications, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(session: Session, user: User) -> int:
    """Return how many of a user's notifications are unread."""
    query = sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.scalar(query) or 0


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; anyone else's is as good as missing."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("There is no such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    session.flush()
    return notification


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
