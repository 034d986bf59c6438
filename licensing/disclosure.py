"""Decide who may see the confidential part of a listing, and when a refused request may return.

This is the one gate every path out of the system asks: pages, the API, attachments, e-mails,
exports and PDFs. It takes plain data so that it can be tested, and reused, without a web app.
The owner organisation always sees its confidential text; another organisation sees it only
under an active grant: approved (or granted at once), not revoked and not past the end of the
NDA's term.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class Access(enum.Enum):
    """What a viewer may see of a listing's confidential part, and why."""

    OWNER = "owner"
    GRANTED = "granted"
    PENDING = "pending"
    NONE = "none"

    @property
    def may_see_confidential(self) -> bool:
        return self in (Access.OWNER, Access.GRANTED)


class GrantStatus(enum.Enum):
    """Where one organisation's request for one listing's confidential part stands."""

    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    GrantStatus.PENDING: "Waiting for approval",
    GrantStatus.ACTIVE: "Active",
    GrantStatus.DECLINED: "Declined",
    GrantStatus.REVOKED: "Revoked",
}


@dataclass(frozen=True)
class Grant:
    """A disclosure grant of one listing to one organisation, as the policy needs it.

    ``status`` may also be given by value (``"active"``) or as another enum with the same
    values, such as the one stored on the grant rows; it is kept as a GrantStatus.
    """

    organization_id: int
    status: GrantStatus
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.status, GrantStatus):
            value = getattr(self.status, "value", self.status)
            object.__setattr__(self, "status", GrantStatus(value))

    def is_expired(self, now: datetime) -> bool:
        """Return whether the NDA's term has ended: from ``expires_at`` on, nothing is shown."""
        return self.expires_at is not None and now >= self.expires_at

    def is_active(self, now: datetime) -> bool:
        """Return whether the grant lets its organisation see the confidential part now."""
        return self.status is GrantStatus.ACTIVE and not self.is_expired(now)

    def is_waiting(self, now: datetime) -> bool:
        """Return whether the grant is a request still waiting for the owner's decision."""
        return self.status is GrantStatus.PENDING and not self.is_expired(now)


def confidential_access(
    viewer_organization_id: int | None,
    owner_organization_id: int,
    grants: Iterable[Grant] = (),
    *,
    now: datetime,
) -> Access:
    """Return the viewer organisation's access to a listing's confidential part.

    ``grants`` are the listing's grants (of any organisation: only the viewer's count). The owner
    organisation gets OWNER; an active, unexpired grant GRANTED; a pending request whose term has
    not ended PENDING; anyone else, and anonymous viewers (``None``), NONE.
    """
    if viewer_organization_id is None:
        return Access.NONE
    if viewer_organization_id == owner_organization_id:
        return Access.OWNER
    own_grants = [grant for grant in grants if grant.organization_id == viewer_organization_id]
    if any(grant.is_active(now) for grant in own_grants):
        return Access.GRANTED
    if any(grant.is_waiting(now) for grant in own_grants):
        return Access.PENDING
    return Access.NONE


class DecidedRequest(Protocol):
    """What the re-request rule reads of a grant (and ``revoked_at``, where it has one)."""

    @property
    def status(self) -> enum.Enum: ...

    @property
    def decided_at(self) -> datetime | None: ...


def rerequest_after(
    grants: Iterable[DecidedRequest], *, cooldown: timedelta, now: datetime
) -> datetime | None:
    """Return when an organisation may ask for a listing again, or None if it may ask now.

    ``grants`` are that organisation's grants of that listing. After the owner declines a
    request (at ``decided_at``) or revokes a grant (at ``revoked_at``, else ``decided_at``), the
    organisation waits ``cooldown`` from its latest such decision. Grants still pending or active
    are not decisions against it and do not count here: whether a request is already open is the
    caller's question. ``status`` is read by value, so the rows' own status enum works as well.
    """
    refusals = [_refused_at(grant) for grant in grants]
    latest = max((moment for moment in refusals if moment is not None), default=None)
    if latest is None or now >= latest + cooldown:
        return None
    return latest + cooldown


def _refused_at(grant: DecidedRequest) -> datetime | None:
    """Return when the owner said no to this grant, if it did."""
    status = getattr(grant.status, "value", grant.status)
    if status == GrantStatus.DECLINED.value:
        return grant.decided_at
    if status == GrantStatus.REVOKED.value:
        return getattr(grant, "revoked_at", None) or grant.decided_at
    return None
