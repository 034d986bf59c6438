"""Read what proposers need to know: the material changes to a challenge since they submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.listings import services as listings
from ideagora.proposals.models import Proposal


@dataclass(frozen=True)
class ChallengeChange:
    """One change to a challenge that a proposer should know about."""

    changed_at: datetime
    field: str
    before: Any = None
    after: Any = None
    confidential: bool = False

    @property
    def label(self) -> str:
        return self.field.replace("_", " ").capitalize()

    @property
    def before_text(self) -> str:
        return shown(self.before)

    @property
    def after_text(self) -> str:
        return shown(self.after)


def shown(value: Any) -> str:
    """Return a recorded field value as a reader would write it."""
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value).strftime("%d %B %Y, %H:%M UTC")
        except ValueError:
            return value
    if isinstance(value, str) and "_" in value and " " not in value:
        return value.replace("_", " ")
    return str(value)


def changes_since_submission(
    session: Session, user: User | None, proposal: Proposal
) -> list[ChallengeChange]:
    """Return the material changes made to the challenge after the proposal, oldest first.

    Public fields show before and after; a confidential field shows only that it changed,
    and only to a viewer whose organisation may see the challenge's confidential part.
    """
    challenge = proposal.challenge
    may_see = listings.access_of(user, challenge).may_see_confidential
    changes = []
    for revision in reversed(listings.revisions(session, challenge)):
        if not revision.material or revision.changed_at <= proposal.submitted_at:
            continue
        for change in revision.changes:
            if not change.get("confidential"):
                changes.append(
                    ChallengeChange(
                        revision.changed_at, change["field"], change["before"], change["after"]
                    )
                )
            elif may_see:
                changes.append(
                    ChallengeChange(revision.changed_at, change["field"], confidential=True)
                )
    return changes
