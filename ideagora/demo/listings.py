"""Post the demo challenges and IP offers through the same services people use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.demo.content import entries, form_data
from ideagora.demo.organizations import demo_member
from ideagora.listings.services import MANAGER_ROLES
from ideagora.organizations.models import Organization

CHALLENGE_TEXT = ("description", "confidential_brief")
OFFER_TEXT = ("description", "confidential_dossier")


@dataclass(frozen=True)
class ListingKind:
    """How to post one kind of demo listing through its services."""

    entries: str
    model: type
    text_fields: tuple[str, ...]
    create: Callable[..., Any]
    update: Callable[..., Any]
    change_status: Callable[..., Any]
    # the status an entry asks for → the actions that lead there from a draft
    actions: dict[str, tuple[str, ...]]


CHALLENGES = ListingKind(
    "challenges",
    Challenge,
    CHALLENGE_TEXT,
    challenges.create_challenge,
    challenges.update_challenge,
    challenges.change_status,
    {"draft": (), "open": ("publish",)},
)
OFFERS = ListingKind(
    "offers",
    Asset,
    OFFER_TEXT,
    assets.create_asset,
    assets.update_asset,
    assets.change_status,
    {"draft": (), "published": ("publish",), "withdrawn": ("publish", "withdraw")},
)


def load_challenges(session: Session) -> int:
    """Post the demo challenges not posted yet; return how many were added."""
    return _load(session, CHALLENGES)


def load_offers(session: Session) -> int:
    """Post the demo IP offers not posted yet; return how many were added."""
    return _load(session, OFFERS)


def _load(session: Session, kind: ListingKind) -> int:
    added = 0
    for entry in entries(kind.entries):
        author = demo_member(session, entry["author"])
        if author is None or find_listing(session, kind.model, author, entry["title"]):
            continue
        listing = kind.create(session, author, form_data(entry, kind.text_fields), ip_address=None)
        for action in kind.actions[entry["status"]]:
            kind.change_status(session, manager_of(author), listing, action, ip_address=None)
        # an edit after publishing leaves a revision that proposers can see
        for edit in entry.get("edits", ()):
            changes = {**form_data(edit, kind.text_fields), "version": listing.version}
            kind.update(
                session, author, listing, {**changes, "version": listing.version}, ip_address=None
            )
        added += 1
    return added


def find_listing(session: Session, model: type, member: User, title: str) -> Any:
    """Return the listing of the member's organisation with this title, or None."""
    return session.scalar(
        sa.select(model).where(
            model.organization_id == member.membership.organization_id, model.title == title
        )
    )


def manager_of(member: User) -> User:
    """Return the member if they may publish, or else a manager of their organisation."""
    if member.membership.role in MANAGER_ROLES:
        return member
    return manager_in(member.membership.organization)


def manager_in(organization: Organization) -> User:
    """Return an admin or licensing officer of the organisation (every one has an admin)."""
    return next(
        membership.user
        for membership in organization.memberships
        if membership.role in MANAGER_ROLES
    )
