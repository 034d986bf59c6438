"""API endpoints for owners: ranked matches of their challenges and IP offers, with reasons."""

from __future__ import annotations

import dataclasses
from typing import Any

import marshmallow as ma
from marshmallow import fields

from ideagora.api.auth import BEARER, current_api_user, token_required
from ideagora.api.blueprints import api_blueprint
from ideagora.api.listings import OWNER_DESCRIPTION, OwnerSchema, filter_argument, owner_payload
from ideagora.assets import services as assets
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.listings.services import access_of
from ideagora.matching import services
from ideagora.matching.services import Listing, ListingMatch
from ideagora.urls import external_url
from search.documents import CHALLENGE

blp = api_blueprint(
    "api_matches",
    __name__,
    "/api/v1",
    "Matches for owners: IP offers that may solve a challenge, challenges an offer may answer.",
)


class MatchArgsSchema(ma.Schema):
    limit = filter_argument(
        f"How many matches, 1 to {services.LIMIT_MAX} (default {services.LIMIT_DEFAULT})",
        type="integer",
    )


class MatchedListingSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    owner = fields.Nested(OwnerSchema, metadata={"description": OWNER_DESCRIPTION})
    technical_fields = fields.List(fields.String(), data_key="fields", attribute="fields")
    status = fields.String()
    trl = fields.Integer(
        allow_none=True, metadata={"description": "An offer's TRL, or the TRL a challenge seeks"}
    )
    deal_types = fields.List(
        fields.String(),
        metadata={"description": "An offer's deal types, or a challenge's one IP term wanted"},
    )
    url = fields.String(metadata={"description": "The listing's page"})
    api_url = fields.String(metadata={"description": "The listing in this API"})


class ReasonsSchema(ma.Schema):
    terms = fields.List(fields.String(), metadata={"description": "Key terms both share"})
    technical_fields = fields.List(
        fields.String(), data_key="fields", attribute="fields", metadata={"description": "Same"}
    )
    related_fields = fields.List(fields.String())
    trl = fields.Dict(allow_none=True, metadata={"description": "How the TRLs fit"})
    deal = fields.Dict(allow_none=True, metadata={"description": "IP terms against deal types"})
    phrases = fields.List(fields.String(), metadata={"description": "The reasons in words"})


class MatchSchema(ma.Schema):
    asset = fields.Nested(MatchedListingSchema, metadata={"description": "For a challenge"})
    challenge = fields.Nested(MatchedListingSchema, metadata={"description": "For an IP offer"})
    score = fields.Float(metadata={"description": "From 0 to 1"})
    reasons = fields.Nested(ReasonsSchema)
    components = fields.Dict(keys=fields.String(), values=fields.Float())


class MatchListSchema(ma.Schema):
    items = fields.List(fields.Nested(MatchSchema))
    limit = fields.Integer()
    total = fields.Integer(metadata={"description": "How many items there are"})


def _listing_payload(listing: Listing) -> dict[str, Any]:
    challenge = services.kind_of(listing) == CHALLENGE
    if challenge:
        links = ("challenges.detail", "api_challenges.detail", {"challenge_id": listing.id})
    else:
        links = ("assets.detail", "api_assets.detail", {"asset_id": listing.id})
    return {
        "id": listing.id,
        "title": listing.title,
        "summary": listing.summary,
        "owner": owner_payload(
            listing,
            access_of(current_api_user(), listing),
            anonymous=challenge and listing.anonymous,
        ),
        "fields": list(listing.fields),
        "status": listing.status.value,
        "trl": listing.trl_sought if challenge else listing.trl,
        "deal_types": [listing.ip_terms.value] if challenge else list(listing.deal_types),
        "url": external_url(links[0], **links[2]),
        "api_url": external_url(links[1], **links[2]),
    }


def _plain(value: Any) -> dict[str, Any] | None:
    return dataclasses.asdict(value) if value is not None else None


def match_payload(found: ListingMatch) -> dict[str, Any]:
    """Return one match as the API shows it: the candidate, its score and why."""
    reasons = found.match.reasons
    return {
        found.kind: _listing_payload(found.listing),
        "score": round(found.match.score, 4),
        "reasons": {
            "terms": list(reasons.terms),
            "fields": list(reasons.same_fields),
            "related_fields": list(reasons.related_fields),
            "trl": _plain(reasons.trl),
            "deal": _plain(reasons.deal),
            "phrases": found.phrases,
        },
        "components": {name: round(value, 4) for name, value in found.match.components.items()},
    }


def _matches(listing: Listing, limit: Any) -> dict[str, Any]:
    found = services.matches_for(db.session, current_api_user(), listing, limit)
    db.session.commit()
    items = [match_payload(match) for match in found]
    return {"items": items, "limit": services.parse_limit(limit), "total": len(items)}


@blp.get("/challenges/<int:challenge_id>/matches")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(MatchArgsSchema, location="query")
@blp.response(200, MatchListSchema)
def challenge_matches(args: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """Rank IP offers of other organisations for your challenge (members of its owner only)."""
    user = current_api_user()
    challenge = challenges.get_visible_challenge(db.session, user, challenge_id)
    return _matches(challenge, args.get("limit"))


@blp.get("/assets/<int:asset_id>/matches")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(MatchArgsSchema, location="query")
@blp.response(200, MatchListSchema)
def asset_matches(args: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """Rank open challenges of other organisations for your IP offer (its owner's members only)."""
    asset = assets.get_visible_asset(db.session, current_api_user(), asset_id)
    return _matches(asset, args.get("limit"))
