"""Rank the other kind of listing against one listing, with the reasons in plain words.

The query side is a listing's public text, plus its confidential brief or dossier only when its
own organisation asks (the text is theirs). The candidate side is what the index holds, which is
public text only, so nothing of another organisation's confidential text can surface. Every
candidate the index suggests is read back from the database and dropped unless it can still be
matched now (the database is the truth; the index may lag a moment behind it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ideagora.accounts.models import User
from ideagora.assets.models import Asset
from ideagora.challenges.models import Challenge
from ideagora.database import utcnow
from ideagora.errors import NotFound, ValidationFailed
from ideagora.listings.services import access_of
from ideagora.searching.documents import document_for, field_families, owner_key
from ideagora.searching.services import get_index
from ideagora.taxonomy import field_name
from licensing.disclosure import Access
from search.documents import ASSET, CHALLENGE, document_key
from search.matching import Match, MatchSource, find_matches
from search.reasons import describe

LIMIT_DEFAULT = 10
LIMIT_MAX = 50
PANEL_SIZE = 3
# the index may suggest candidates the database has since closed; ask for a few more
_SPARE = 10
LIMIT_MESSAGE = f"The limit is a whole number from 1 to {LIMIT_MAX}."
MISSING = {CHALLENGE: "There is no such challenge.", ASSET: "There is no such IP offer."}

Listing = Challenge | Asset


@dataclass(frozen=True)
class ListingMatch:
    """One ranked candidate: the index's match, the listing as stored now, its reasons in words."""

    match: Match
    listing: Listing
    phrases: list[str]

    @property
    def kind(self) -> str:
        return kind_of(self.listing)


def kind_of(listing: Listing) -> str:
    """Return the index kind of a listing: ``"challenge"`` or ``"asset"``."""
    return CHALLENGE if isinstance(listing, Challenge) else ASSET


def key_of(listing: Listing) -> str:
    """Return a listing's index key, such as ``"asset:12"``."""
    return document_key(kind_of(listing), listing.id)


def parse_limit(value: Any) -> int:
    """Return how many matches to give: a whole number from 1 to ``LIMIT_MAX``."""
    if value is None or value == "":
        return LIMIT_DEFAULT
    text = str(value).strip()
    valid = (
        not isinstance(value, bool)
        and text.isascii()
        and text.isdigit()
        and len(text) <= 4
        and 1 <= int(text) <= LIMIT_MAX
    )
    if not valid:
        raise ValidationFailed(LIMIT_MESSAGE, fields={"limit": LIMIT_MESSAGE})
    return int(text)


def _public_text(listing: Listing) -> list[str]:
    parts = [listing.title, listing.summary, listing.description, ", ".join(listing.keywords)]
    if isinstance(listing, Asset):
        parts.append(", ".join(listing.fields_of_use))
    return parts


def _confidential_text(listing: Listing) -> str:
    if isinstance(listing, Challenge):
        return listing.confidential_brief
    return listing.confidential_dossier


def match_source(listing: Listing, *, with_confidential: bool) -> MatchSource:
    """Return the query side of a match: public text, and the confidential part when asked."""
    parts = _public_text(listing)
    if with_confidential:
        parts.append(_confidential_text(listing))
    fields = tuple(listing.fields)
    if isinstance(listing, Challenge):
        trl, deal_types = listing.trl_sought, (listing.ip_terms.value,)
    else:
        trl, deal_types = listing.trl, tuple(listing.deal_types)
    return MatchSource(
        kind=kind_of(listing),
        id=listing.id,
        title=listing.title,
        text="\n".join(part for part in parts if part),
        keywords=tuple(listing.keywords),
        fields=fields,
        field_families=field_families(fields),
        trl=trl,
        deal_types=deal_types,
        owner_key=owner_key(listing),
    )


def require_owner(user: User | None, listing: Listing) -> None:
    """Refuse anyone outside the listing's organisation as if the listing did not exist."""
    if access_of(user, listing) is not Access.OWNER:
        raise NotFound(MISSING[kind_of(listing)])


def matches_for(
    session: Session, user: User | None, listing: Listing, limit: Any = LIMIT_DEFAULT
) -> list[ListingMatch]:
    """Return the other kind's listings that best match one of the user's own listings.

    Only members of the listing's organisation may ask, whatever the listing's state (a draft's
    matches help before publishing); the query uses the listing's confidential part too.
    """
    require_owner(user, listing)
    return ranked_candidates(
        session, match_source(listing, with_confidential=True), listing, parse_limit(limit)
    )


def panel_matches(session: Session, user: User | None, listing: Listing) -> list[ListingMatch]:
    """Return the few best matches the owner's page of a listing shows; none for anyone else."""
    if access_of(user, listing) is not Access.OWNER:
        return []
    return ranked_candidates(
        session, match_source(listing, with_confidential=True), listing, PANEL_SIZE
    )


def ranked_candidates(
    session: Session,
    source: MatchSource,
    listing: Listing,
    limit: int,
    *,
    min_score: float = 0.0,
    keys: tuple[str, ...] | None = None,
) -> list[ListingMatch]:
    """Return up to ``limit`` current candidates for a source, best first, never its own."""
    now = utcnow()
    matches = find_matches(
        get_index(), source, now, limit=limit + _SPARE, min_score=min_score, keys=keys
    )
    current = _current_listings(session, matches, now, listing.organization_id)
    ranked = [
        ListingMatch(match, current[(match.kind, match.id)], describe(match.reasons, field_name))
        for match in matches
        if (match.kind, match.id) in current
    ]
    return ranked[:limit]


def _current_listings(
    session: Session, matches: Sequence[Match], now: datetime, exclude_organization_id: int
) -> dict[tuple[str, int], Listing]:
    """Read the matched listings back and keep those that can still be matched now."""
    found: dict[tuple[str, int], Listing] = {}
    for kind, model in ((CHALLENGE, Challenge), (ASSET, Asset)):
        ids = [match.id for match in matches if match.kind == kind]
        if not ids:
            continue
        listings = session.scalars(
            sa.select(model)
            .where(model.id.in_(ids), model.organization_id != exclude_organization_id)
            .options(selectinload(model.organization), selectinload(model.field_links))
        )
        found.update({(kind, item.id): item for item in listings if is_matchable(item, now)})
    return found


def is_matchable(listing: Listing, now: datetime) -> bool:
    """Return whether a listing may be suggested now: public, matchable, not past deadline."""
    document = document_for(listing)
    if document is None or not document.matchable:
        return False
    return document.open_until is None or document.open_until > now
