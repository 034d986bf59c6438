"""Turn newly public listings into alerts, once the index holds them.

For each pending alert: the new listing's public text (never its confidential part, since the
alerts go to other organisations) is matched against the other kind's listings of other
organisations, and every candidate scoring at least ``ALERT_MATCH_THRESHOLD`` alerts that
organisation's admins and licensing officers; then every saved search the new listing satisfies
alerts its owner. An alert of the same listing to the same person for the same target is never
made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ideagora.accounts.models import User
from ideagora.alerts import saved_searches
from ideagora.alerts.models import (
    AlertDelivery,
    Notification,
    NotificationKind,
    PendingAlert,
    SavedSearch,
)
from ideagora.alerts.texts import match_alert, saved_search_alert
from ideagora.database import db, utcnow
from ideagora.listings.services import MANAGER_ROLES
from ideagora.matching import services as matching
from ideagora.matching.services import Listing
from ideagora.organizations.models import Organization
from ideagora.searching.documents import MODELS
from search.documents import parse_key

logger = logging.getLogger(__name__)

# the most listings of the other kind one publication alerts
MATCH_ALERTS_MAX = 100


def process_pending(
    session: Session, keys: Iterable[str] | None = None, *, before: datetime | None = None
) -> int:
    """Make the alerts of pending publications; return how many alerts were made.

    ``keys`` limits them to those listings; ``before`` to publications older than that moment.
    """
    query = sa.select(PendingAlert).order_by(PendingAlert.id).with_for_update(skip_locked=True)
    if keys is not None:
        query = query.where(PendingAlert.listing_key.in_(sorted(set(keys))))
    if before is not None:
        query = query.where(PendingAlert.created_at < before)
    made = 0
    for pending in session.scalars(query).all():
        listing = _public_listing(session, pending.listing_key)
        if listing is not None:
            made += alert_matches(session, listing) + alert_saved_searches(session, listing)
        session.delete(pending)
    session.flush()
    return made


def _public_listing(session: Session, key: str) -> Listing | None:
    kind, listing_id = parse_key(key)
    listing = session.get(MODELS[kind], listing_id)
    # withdrawn again before the index caught up: nobody is alerted
    if listing is None or not matching.is_matchable(listing, utcnow()):
        return None
    return listing


def managers_of(organization: Organization) -> list[User]:
    """Return the active admins and licensing officers of an organisation."""
    return [
        membership.user
        for membership in organization.memberships
        if membership.role in MANAGER_ROLES and membership.user.active
    ]


def alert_matches(session: Session, listing: Listing) -> int:
    """Alert the managers of every other organisation's listing the new one matches well."""
    source = matching.match_source(listing, with_confidential=False)
    threshold = float(current_app.config["ALERT_MATCH_THRESHOLD"])
    found = matching.ranked_candidates(
        session, source, listing, MATCH_ALERTS_MAX, min_score=threshold
    )
    made = 0
    for candidate in found:
        title, body = match_alert(listing, candidate.listing, candidate.phrases)
        for user in managers_of(candidate.listing.organization):
            made += _deliver_once(
                session, listing, matching.key_of(candidate.listing), user, title, body
            )
    return made


def alert_saved_searches(session: Session, listing: Listing) -> int:
    """Alert the owner of every saved search the new listing satisfies (not its own people)."""
    searches = session.scalars(
        sa.select(SavedSearch)
        .options(selectinload(SavedSearch.user).selectinload(User.membership))
        .order_by(SavedSearch.id)
    )
    key = matching.key_of(listing)
    made = 0
    for saved in searches:
        user = saved.user
        own = user.membership is not None and user.membership.organization_id == (
            listing.organization_id
        )
        if not user.active or own or not saved_searches.finds(saved, key):
            continue
        title, body = saved_search_alert(listing, saved.name)
        made += _deliver_once(session, listing, f"search:{saved.id}", user, title, body)
    return made


def _deliver_once(
    session: Session, listing: Listing, target: str, user: User, title: str, body: str
) -> int:
    """Write the notification unless this listing already alerted this user for this target."""
    key = matching.key_of(listing)
    try:
        with session.begin_nested():
            session.add(AlertDelivery(listing_key=key, target=target, user_id=user.id))
            session.flush()
    except IntegrityError:
        return 0
    kind = NotificationKind.SAVED_SEARCH if target.startswith("search:") else NotificationKind.MATCH
    session.add(
        Notification(
            user_id=user.id,
            kind=kind,
            title=title,
            body=body,
            link=listing_path(listing),
            listing_key=key,
        )
    )
    return 1


def listing_path(listing: Listing) -> str:
    """Return the path of a listing's page, without needing a request."""
    endpoint, values = listing_endpoint(matching.key_of(listing))
    return current_app.url_map.bind("localhost").build(endpoint, values)


def listing_endpoint(key: str) -> tuple[str, dict[str, int]]:
    """Return the endpoint and arguments of the page of the listing an index key names."""
    kind, listing_id = parse_key(key)
    if kind == "challenge":
        return "challenges.detail", {"challenge_id": listing_id}
    return "assets.detail", {"asset_id": listing_id}


def on_index_applied(app: Flask, applied_keys: Sequence[str]) -> None:
    """Make the pending alerts of the listings the index has just applied, and commit them.

    It runs after each drain in an app context with a fresh session; should it fail, the
    pending rows stay for the next drain of those listings or for ``flask alerts process``.
    """
    made = process_pending(db.session, applied_keys)
    db.session.commit()
    if made:
        logger.info("made %d alerts for %d listings", made, len(applied_keys))
