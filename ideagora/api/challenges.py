"""API endpoints for challenges: post, read, edit, publish, close, withdraw, browse."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import fields

from ideagora.api.attachments import AttachmentSchema, attachments_payload
from ideagora.api.auth import BEARER, current_api_user, optional_token, token_required
from ideagora.api.blueprints import api_blueprint
from ideagora.api.disclosure import record_api_view
from ideagora.api.listings import (
    ListingInputSchema,
    ListingSchema,
    browse_filters,
    common_payload,
    filter_argument,
    owner_payload,
)
from ideagora.api.pagination import PageArgsSchema, paginate
from ideagora.challenges import queries, services
from ideagora.challenges.models import Challenge, ChallengeType
from ideagora.database import db
from ideagora.listings import services as listings
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_challenges", __name__, "/api/v1/challenges", "R&D challenges posted by seekers."
)


class ChallengeSchema(ListingSchema):
    attachments = fields.List(
        fields.Nested(AttachmentSchema), metadata={"description": "The files you may see"}
    )
    confidential_brief = fields.String(
        metadata={"description": "Present only when you may see it (access owner or granted)"}
    )
    challenge_type = fields.String()
    award_amount = fields.Decimal(as_string=True, allow_none=True)
    currency = fields.String(allow_none=True)
    deadline = fields.DateTime()
    ip_terms = fields.String()
    trl_sought = fields.Integer(allow_none=True)
    anonymous = fields.Boolean()
    awards_allowed = fields.Integer(metadata={"description": "How many proposals may be awarded"})


class ChallengeInputSchema(ListingInputSchema):
    confidential_brief = fields.Raw(allow_none=True, metadata={"type": "string"})
    challenge_type = fields.Raw(allow_none=True, metadata={"type": "string"})
    award_amount = fields.Raw(allow_none=True, metadata={"type": "number"})
    currency = fields.Raw(allow_none=True, metadata={"type": "string"})
    deadline = fields.Raw(allow_none=True, metadata={"type": "string", "format": "date-time"})
    ip_terms = fields.Raw(allow_none=True, metadata={"type": "string"})
    trl_sought = fields.Raw(allow_none=True, metadata={"type": "integer"})
    anonymous = fields.Raw(allow_none=True, metadata={"type": "boolean"})
    awards_allowed = fields.Raw(
        allow_none=True, metadata={"type": "integer", "minimum": 1, "maximum": 50, "default": 1}
    )


class ChallengeListArgsSchema(PageArgsSchema):
    q = filter_argument("Words to find in the title, summary, description or keywords")
    field = filter_argument("A technical-field slug; a top-level field includes its children")
    challenge_type = filter_argument(
        "The type of challenge", data_key="type", enum=[kind.value for kind in ChallengeType]
    )
    status = filter_argument("A public status", enum=[s.value for s in services.PUBLIC_STATUSES])
    trl_min = filter_argument("Lowest TRL sought, 1 to 9", type="integer")
    trl_max = filter_argument("Highest TRL sought, 1 to 9", type="integer")
    award_min = filter_argument("Lowest award, in each challenge's own currency", type="number")
    award_max = filter_argument("Highest award, in each challenge's own currency", type="number")
    deadline_after = filter_argument("Deadline on or after this UTC day", format="date")
    deadline_before = filter_argument("Deadline on or before this UTC day", format="date")
    open_only = filter_argument(
        "1: only challenges open for proposals now", data_key="open", type="boolean"
    )
    organization = filter_argument(
        "An organisation's id; anonymous challenges never match", type="integer"
    )
    sort = filter_argument("Sort order (default newest)", enum=list(queries.SORTS))


class ChallengePageSchema(PageArgsSchema):
    items = fields.List(fields.Nested(ChallengeSchema))
    total = fields.Integer()


def payload(challenge: Challenge) -> dict[str, Any]:
    """Return a challenge as the caller may see it."""
    access = listings.access_of(g.get("api_user"), challenge)
    body = {
        **common_payload(challenge, access),
        "attachments": attachments_payload(challenge),
        "owner": owner_payload(challenge, access, anonymous=challenge.anonymous),
        "challenge_type": challenge.challenge_type.value,
        "award_amount": challenge.award_amount,
        "currency": challenge.currency,
        "deadline": challenge.deadline,
        "ip_terms": challenge.ip_terms.value,
        "trl_sought": challenge.trl_sought,
        "anonymous": challenge.anonymous,
        "awards_allowed": challenge.awards_allowed,
    }
    if access.may_see_confidential:
        body["confidential_brief"] = challenge.confidential_brief
        record_api_view(g.get("api_user"), challenge)
    return body


@blp.post("")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(ChallengeInputSchema)
@blp.response(201, ChallengeSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Post a challenge as a draft of your organisation."""
    challenge = services.create_challenge(
        db.session, current_api_user(), body, ip_address=client_ip()
    )
    answer = payload(challenge)
    db.session.commit()
    return answer


@blp.get("")
@optional_token
@blp.arguments(ChallengeListArgsSchema, location="query")
@blp.response(200, ChallengePageSchema)
def browse(args: dict[str, Any]) -> dict[str, Any]:
    """List published challenges, filtered and sorted; a wrong filter is refused with 422."""
    services.advance_past_deadlines(db.session)
    db.session.commit()
    filters = browse_filters(queries.parse_challenge_filters)
    page = paginate(queries.published_challenges_query(filters), args)
    items = [payload(challenge) for challenge in page["items"]]
    db.session.commit()
    return {**page, "items": items}


@blp.get("/<int:challenge_id>")
@optional_token
@blp.response(200, ChallengeSchema)
def detail(challenge_id: int) -> dict[str, Any]:
    """Return a challenge; its confidential brief only to those who may see it."""
    challenge = services.get_visible_challenge(db.session, g.get("api_user"), challenge_id)
    answer = payload(challenge)
    db.session.commit()
    return answer


@blp.patch("/<int:challenge_id>")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(ChallengeInputSchema)
@blp.response(200, ChallengeSchema)
def edit(body: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """Change a challenge of your organisation; send the version you edited."""
    user = current_api_user()
    challenge = services.get_visible_challenge(db.session, user, challenge_id)
    services.update_challenge(db.session, user, challenge, body, ip_address=client_ip())
    answer = payload(challenge)
    db.session.commit()
    return answer


def _transition(challenge_id: int, action: str) -> dict[str, Any]:
    user = current_api_user()
    challenge = services.get_visible_challenge(db.session, user, challenge_id)
    services.change_status(db.session, user, challenge, action, ip_address=client_ip())
    answer = payload(challenge)
    db.session.commit()
    return answer


@blp.post("/<int:challenge_id>/publish")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ChallengeSchema)
def publish(challenge_id: int) -> dict[str, Any]:
    """Publish a draft (admins and licensing officers); 409 from any other state."""
    return _transition(challenge_id, "publish")


@blp.post("/<int:challenge_id>/close")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ChallengeSchema)
def close(challenge_id: int) -> dict[str, Any]:
    """Close an open or evaluating challenge without an award."""
    return _transition(challenge_id, "close")


@blp.post("/<int:challenge_id>/withdraw")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ChallengeSchema)
def withdraw(challenge_id: int) -> dict[str, Any]:
    """Withdraw a challenge that has not been awarded."""
    return _transition(challenge_id, "withdraw")
