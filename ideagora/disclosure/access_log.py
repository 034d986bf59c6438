"""Write and read a listing's access log.

Every request, decision, view of confidential text and download of a confidential file is a
row of ``disclosure_events``: who, when, from where. The owner reads it as a page, as JSON or as
CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.database import utcnow
from ideagora.disclosure.models import (
    REASON_MAX,
    USER_AGENT_MAX,
    DisclosureEvent,
    DisclosureGrant,
    EventKind,
)

CSV_HEADER = (
    "time_utc",
    "event",
    "user",
    "email",
    "organisation",
    "ip_address",
    "user_agent",
    "channel",
    "detail",
)
# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def record_event(
    session: Session,
    listing: Any,
    kind: EventKind,
    user: User | None,
    *,
    grant: DisclosureGrant | None = None,
    ip_address: str | None,
    user_agent: str,
    channel: str,
    detail: str = "",
) -> DisclosureEvent:
    """Append one line to the listing's access log, inside the caller's transaction."""
    person = user if user is not None and getattr(user, "is_authenticated", False) else None
    membership = person.membership if person is not None else None
    event = DisclosureEvent(
        listing_type=listing.__tablename__,
        listing_id=listing.id,
        kind=kind,
        grant_id=grant.id if grant is not None else None,
        user_id=person.id if person is not None else None,
        user_name=person.name if person is not None else "",
        user_email=person.email if person is not None else "",
        organization_id=membership.organization_id if membership is not None else None,
        organization_name=membership.organization.name if membership is not None else "",
        created_at=utcnow(),
        ip_address=ip_address,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
        channel=channel,
        detail=detail[:REASON_MAX],
    )
    session.add(event)
    return event


def record_view(
    session: Session,
    user: User | None,
    listing: Any,
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureEvent | None:
    """Log that someone outside the owner organisation was shown the confidential text.

    The owner's own people reading their own listing disclose nothing, and are not logged.
    """
    membership = getattr(user, "membership", None)
    if membership is not None and membership.organization_id == listing.organization_id:
        return None
    return record_event(
        session,
        listing,
        EventKind.VIEWED,
        user,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
    )


def record_download(
    session: Session,
    user: User | None,
    listing: Any,
    filename: str,
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DisclosureEvent:
    """Log that the user downloaded one of the listing's confidential files."""
    return record_event(
        session,
        listing,
        EventKind.DOWNLOADED,
        user,
        ip_address=ip_address,
        user_agent=user_agent,
        channel=channel,
        detail=filename,
    )


def log_query(listing: Any, *, newest_first: bool = False) -> sa.Select[Any]:
    """Return the query of every line of the listing's access log, oldest first by default."""
    order = DisclosureEvent.id.desc() if newest_first else DisclosureEvent.id
    return (
        sa.select(DisclosureEvent)
        .where(
            DisclosureEvent.listing_type == listing.__tablename__,
            DisclosureEvent.listing_id == listing.id,
        )
        .order_by(order)
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def access_log_csv(events: Iterable[DisclosureEvent]) -> str:
    """Return the access log as CSV, each cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for event in events:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    event.kind.value,
                    event.user_name,
                    event.user_email,
                    event.organization_name,
                    event.ip_address or "",
                    event.user_agent,
                    event.channel,
                    event.detail,
                )
            ]
        )
    return out.getvalue()
