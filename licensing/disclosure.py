"""Decide who may see the confidential part of a listing.

This is the one gate every path out of the system asks: pages, the API, attachments, e-mails,
exports and PDFs. It takes plain data so that it can be tested, and reused, without a web app.
Today the owner organisation alone sees confidential text; disclosure grants under an accepted
NDA extend it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


class Access(enum.Enum):
    """What a viewer may see of a listing's confidential part, and why."""

    OWNER = "owner"
    GRANTED = "granted"
    PENDING = "pending"
    NONE = "none"

    @property
    def may_see_confidential(self) -> bool:
        return self in (Access.OWNER, Access.GRANTED)


@dataclass(frozen=True)
class Grant:
    """A disclosure grant of one listing to one organisation, as the policy needs it."""

    organization_id: int
    approved: bool
    revoked_at: datetime | None = None
    expires_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        """Return whether the grant lets its organisation see the confidential part now."""
        if not self.approved or self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at


def confidential_access(
    viewer_organization_id: int | None,
    owner_organization_id: int,
    grants: Iterable[Grant] = (),
    *,
    now: datetime,
) -> Access:
    """Return the viewer organisation's access to a listing's confidential part."""
    if viewer_organization_id is None:
        return Access.NONE
    if viewer_organization_id == owner_organization_id:
        return Access.OWNER
    own_grants = [grant for grant in grants if grant.organization_id == viewer_organization_id]
    if any(grant.is_active(now) for grant in own_grants):
        return Access.GRANTED
    waiting = [grant for grant in own_grants if not grant.approved and grant.revoked_at is None]
    return Access.PENDING if waiting else Access.NONE
