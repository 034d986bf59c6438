"""Turn listings into the public documents the index holds, and load them by index key.

Only public fields go into a document: never the confidential brief or dossier, never an
attachment. A listing the public may not see (a draft, a withdrawn listing) has no document,
and is removed from the index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ideagora.assets.models import Asset, AssetStatus
from ideagora.assets.services import PUBLIC_STATUSES as PUBLIC_ASSET_STATUSES
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.challenges.services import PUBLIC_STATUSES as PUBLIC_CHALLENGE_STATUSES
from ideagora.database import utcnow
from ideagora.taxonomy import get_field
from search.documents import ASSET, CHALLENGE, ListingDocument, parse_key

Listing = Challenge | Asset
MODELS: dict[str, type[Listing]] = {CHALLENGE: Challenge, ASSET: Asset}
LOAD_BATCH = 500


def field_families(slugs: Sequence[str]) -> tuple[str, ...]:
    """Return the slugs with each one's parent field, without repeats, in order."""
    families: list[str] = []
    for slug in slugs:
        field = get_field(slug)
        for family in (slug, field.parent if field is not None else None):
            if family and family not in families:
                families.append(family)
    return tuple(families)


def owner_key(listing: Listing) -> str:
    """Return the key the index knows a listing's owner by (never shown to anyone)."""
    return f"org:{listing.organization_id}"


def document_for(listing: Listing, now: datetime | None = None) -> ListingDocument | None:
    """Return the public document of a listing, or None when the public may not see it."""
    now = now or utcnow()
    if isinstance(listing, Challenge):
        return _challenge_document(listing, now)
    return _asset_document(listing)


def _common(listing: Listing, kind: str) -> dict:
    fields = tuple(listing.fields)
    return {
        "kind": kind,
        "id": listing.id,
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description or "",
        "fields": fields,
        "field_families": field_families(fields),
        "owner_key": owner_key(listing),
        "status": listing.status.value,
        "published_at": listing.published_at,
        "updated_at": listing.updated_at,
    }


def _challenge_document(challenge: Challenge, now: datetime) -> ListingDocument | None:
    if challenge.status not in PUBLIC_CHALLENGE_STATUSES:
        return None
    return ListingDocument(
        **_common(challenge, CHALLENGE),
        keywords=tuple(challenge.keywords or ()),
        deal_types=(challenge.ip_terms.value,),
        trl=challenge.trl_sought,
        # an anonymous seeker is known by the pseudonym alone
        owner=challenge.pseudonym if challenge.anonymous else challenge.organization.name,
        matchable=challenge.status is ChallengeStatus.OPEN and challenge.deadline > now,
        open_until=challenge.deadline,
    )


def _asset_document(asset: Asset) -> ListingDocument | None:
    if asset.status not in PUBLIC_ASSET_STATUSES:
        return None
    # the fields of use are public words about the offer, searched like its keywords
    keywords = [*(asset.keywords or ()), *(asset.fields_of_use or ())]
    return ListingDocument(
        **_common(asset, ASSET),
        keywords=tuple(dict.fromkeys(keywords)),
        patent_numbers=tuple(asset.patent_numbers or ()),
        patent_status=asset.patent_status.value,
        deal_types=tuple(asset.deal_types or ()),
        trl=asset.trl,
        owner=asset.organization.name,
        matchable=asset.status is AssetStatus.PUBLISHED,
    )


def _query(model: type[Listing]) -> sa.Select:
    return sa.select(model).options(
        selectinload(model.field_links), selectinload(model.organization)
    )


def load_documents(
    session: Session, keys: Sequence[str]
) -> tuple[list[ListingDocument], list[str]]:
    """Return the current documents of the listings ``keys`` name, and the keys to delete."""
    wanted: dict[str, list[int]] = {CHALLENGE: [], ASSET: []}
    for key in keys:
        kind, listing_id = parse_key(key)
        wanted[kind].append(listing_id)
    now = utcnow()
    found: dict[str, ListingDocument] = {}
    for kind, ids in wanted.items():
        model = MODELS[kind]
        for start in range(0, len(ids), LOAD_BATCH):
            batch = ids[start : start + LOAD_BATCH]
            for listing in session.scalars(_query(model).where(model.id.in_(batch))):
                document = document_for(listing, now)
                if document is not None:
                    found[document.key] = document
    deletions = [key for key in keys if key not in found]
    return [found[key] for key in keys if key in found], deletions


def count_public(session: Session) -> int:
    """Return how many listings the public may see: the documents a rebuild will write."""
    return sum(
        session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.status.in_(statuses))
        )
        or 0
        for model, statuses in (
            (Challenge, PUBLIC_CHALLENGE_STATUSES),
            (Asset, PUBLIC_ASSET_STATUSES),
        )
    )


def all_documents(session: Session) -> Iterator[ListingDocument]:
    """Yield the document of every public listing, reading the database in batches."""
    now = utcnow()
    for model, statuses in (
        (Challenge, PUBLIC_CHALLENGE_STATUSES),
        (Asset, PUBLIC_ASSET_STATUSES),
    ):
        query = _query(model).where(model.status.in_(statuses)).order_by(model.id)
        last_id = 0
        while True:
            listings = list(session.scalars(query.where(model.id > last_id).limit(LOAD_BATCH)))
            if not listings:
                break
            documents = [document_for(listing, now) for listing in listings]
            last_id = listings[-1].id
            # end each read before the caller indexes the batch, and keep memory flat: on
            # SQLite an open transaction holds the database's write lock
            session.expunge_all()
            session.rollback()
            yield from (document for document in documents if document is not None)
