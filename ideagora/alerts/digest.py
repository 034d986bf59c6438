"""E-mail each user one digest of the notifications not yet e-mailed to them.

A digest lists the unread notifications' titles, bodies and links (public text only, as the
notifications themselves); notifications already read in the app are not e-mailed, and every
notification a digest covers, read or not, is marked e-mailed, so running it again sends nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts.models import User
from ideagora.alerts.models import Notification
from ideagora.alerts.processing import listing_endpoint
from ideagora.database import utcnow
from ideagora.urls import external_url


def users_to_digest(session: Session) -> list[int]:
    """Return the ids of active users with notifications not yet e-mailed."""
    query = (
        sa.select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
        .distinct()
        .order_by(Notification.user_id)
    )
    return list(session.scalars(query))


def send_digest(session: Session, user_id: int) -> int:
    """Queue one digest e-mail to the user and mark its notifications e-mailed; return how many."""
    user = session.get(User, user_id)
    pending = list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id, Notification.emailed_at.is_(None))
            .order_by(Notification.created_at, Notification.id)
            .with_for_update(skip_locked=True)
        )
    )
    unread = [notification for notification in pending if notification.read_at is None]
    if user is not None and user.active and unread:
        mail.queue(session, _digest_message(user, unread))
    now = utcnow()
    for notification in pending:
        notification.emailed_at = now
    session.flush()
    return len(unread)


def _digest_message(user: User, notifications: list[Notification]) -> mail.Message:
    site = current_app.config["SITE_NAME"]
    count = len(notifications)
    subject = f"{count} new alert{'s' if count != 1 else ''} on {site}"
    items = []
    for notification in notifications:
        endpoint, values = listing_endpoint(notification.listing_key)
        items.append(
            f"* {notification.title}\n\n{_indented(notification.body)}\n\n"
            f"  {external_url(endpoint, **values)}"
        )
    body = (
        f"Hello {user.name},\n\nHere is what is new for you on {site}:\n\n"
        + "\n\n".join(items)
        + f"\n\nAll your notifications: {external_url('alerts.notifications')}\n"
        f"Your saved searches: {external_url('alerts.searches')}\n"
    )
    return mail.Message(to=user.email, subject=subject, body=body)


def _indented(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())
