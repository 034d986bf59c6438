"""API endpoints for proposals: submit, list, read, shortlist, decline, award, withdraw."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from marshmallow import fields

from ideagora.api.attachments import (
    UPLOAD_BODY,
    AttachmentSchema,
    attachments_payload,
    upload_for,
)
from ideagora.api.auth import BEARER, current_api_user, token_required
from ideagora.api.blueprints import accepts_multipart, api_blueprint
from ideagora.api.pagination import PageArgsSchema, paginate
from ideagora.attachments.models import OwnerType
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.proposals import files, queries, services
from ideagora.proposals.models import DeclineReason, Proposal
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_proposals",
    __name__,
    "/api/v1",
    "Proposals to challenges; visible to the proposer's and the seeker's organisations only.",
)


class ProposerSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class ChallengeChangeSchema(ma.Schema):
    changed_at = fields.DateTime()
    field = fields.String()
    before = fields.Raw(metadata={"description": "Absent for a confidential field"})
    after = fields.Raw(metadata={"description": "Absent for a confidential field"})
    confidential = fields.Boolean()


class ProposalSchema(ma.Schema):
    id = fields.Integer()
    challenge_id = fields.Integer()
    organization = fields.Nested(ProposerSchema, metadata={"description": "The proposer"})
    title = fields.String()
    summary = fields.String()
    body = fields.String()
    asset_id = fields.Integer(allow_none=True)
    status = fields.String(
        metadata={"enum": ["submitted", "shortlisted", "declined", "awarded", "withdrawn"]}
    )
    decline_reason_code = fields.String(
        allow_none=True, metadata={"enum": [reason.value for reason in DeclineReason]}
    )
    feedback = fields.String()
    submitted_at = fields.DateTime(metadata={"description": "Server time of submission (UTC)"})
    receipt_sha256 = fields.String(
        metadata={"description": "SHA-256 of the canonical JSON of what was submitted"}
    )
    decided_at = fields.DateTime(allow_none=True)
    attachments = fields.List(
        fields.Nested(AttachmentSchema),
        metadata={"description": "Its files, seen by the proposer and the seeker only"},
    )
    challenge_changes = fields.List(
        fields.Nested(ChallengeChangeSchema),
        metadata={"description": "Material changes made to the challenge since submission"},
    )


class ProposalInputSchema(ma.Schema):
    """Documents the body; the services check every value and name the fields at fault."""

    class Meta:
        unknown = ma.INCLUDE

    title = fields.Raw(allow_none=True, metadata={"type": "string"})
    summary = fields.Raw(allow_none=True, metadata={"type": "string"})
    body = fields.Raw(allow_none=True, metadata={"type": "string"})
    asset_id = fields.Raw(
        allow_none=True,
        metadata={"type": "integer", "description": "One of your organisation's IP offers"},
    )


class DeclineInputSchema(ma.Schema):
    reason_code = fields.Raw(
        allow_none=True,
        metadata={"type": "string", "enum": [reason.value for reason in DeclineReason]},
    )
    feedback = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "The proposer reads this"}
    )


class ProposalPageSchema(PageArgsSchema):
    items = fields.List(fields.Nested(ProposalSchema))
    total = fields.Integer()


def payload(proposal: Proposal) -> dict[str, Any]:
    """Return a proposal for a caller who may see it."""
    return {
        "id": proposal.id,
        "challenge_id": proposal.challenge_id,
        "organization": {"id": proposal.organization.id, "name": proposal.organization.name},
        "title": proposal.title,
        "summary": proposal.summary,
        "body": proposal.body,
        "asset_id": proposal.asset_id,
        "status": proposal.status.value,
        "decline_reason_code": (
            proposal.decline_reason_code.value if proposal.decline_reason_code else None
        ),
        "feedback": proposal.feedback,
        "submitted_at": proposal.submitted_at,
        "receipt_sha256": proposal.receipt_sha256,
        "decided_at": proposal.decided_at,
        "attachments": attachments_payload(proposal),
        "challenge_changes": [
            _change_payload(change)
            for change in queries.changes_since_submission(db.session, g.api_user, proposal)
        ],
    }


def _change_payload(change: queries.ChallengeChange) -> dict[str, Any]:
    if change.confidential:
        return {"changed_at": change.changed_at, "field": change.field, "confidential": True}
    return {
        "changed_at": change.changed_at,
        "field": change.field,
        "before": change.before,
        "after": change.after,
        "confidential": False,
    }


@blp.post("/challenges/<int:challenge_id>/proposals")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(ProposalInputSchema)
@blp.response(201, ProposalSchema)
def submit(body: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """Submit a proposal to an open challenge; the answer carries its receipt."""
    user = current_api_user()
    challenge = challenges.get_visible_challenge(db.session, user, challenge_id)
    proposal = services.submit_proposal(db.session, user, challenge, body, ip_address=client_ip())
    db.session.commit()
    return payload(proposal)


@blp.get("/challenges/<int:challenge_id>/proposals")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ProposalPageSchema)
def for_challenge(args: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """List a challenge's proposals: all of them for the seeker, a proposer its own."""
    user = current_api_user()
    challenge = challenges.get_visible_challenge(db.session, user, challenge_id)
    db.session.commit()
    page = paginate(services.proposals_query(user, challenge), args)
    return {**page, "items": [payload(proposal) for proposal in page["items"]]}


@blp.get("/proposals/<int:proposal_id>")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ProposalSchema)
def detail(proposal_id: int) -> dict[str, Any]:
    """Return a proposal to the proposer's or the seeker's organisation; 404 to anyone else."""
    return payload(services.get_visible_proposal(db.session, current_api_user(), proposal_id))


def _decide(proposal_id: int, service: Any) -> dict[str, Any]:
    user = current_api_user()
    proposal = services.get_visible_proposal(db.session, user, proposal_id)
    service(db.session, user, proposal, ip_address=client_ip())
    db.session.commit()
    return payload(proposal)


@blp.post("/proposals/<int:proposal_id>/shortlist")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ProposalSchema)
def shortlist(proposal_id: int) -> dict[str, Any]:
    """Shortlist a submitted proposal (the seeker's admins and licensing officers)."""
    return _decide(proposal_id, services.shortlist_proposal)


@blp.post("/proposals/<int:proposal_id>/award")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ProposalSchema)
def award(proposal_id: int) -> dict[str, Any]:
    """Award a proposal; 409 once the challenge's allowed number of awards is given."""
    return _decide(proposal_id, services.award_proposal)


@blp.post("/proposals/<int:proposal_id>/withdraw")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, ProposalSchema)
def withdraw(proposal_id: int) -> dict[str, Any]:
    """Withdraw an undecided proposal of your organisation."""
    return _decide(proposal_id, services.withdraw_proposal)


@blp.post("/proposals/<int:proposal_id>/attachments")
@accepts_multipart
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@token_required
@blp.response(201, AttachmentSchema)
def attach(proposal_id: int) -> dict[str, Any]:
    """Attach a file to an undecided proposal of yours (multipart: file, confidential)."""
    user = current_api_user()
    files.check_may_attach(user, services.get_visible_proposal(db.session, user, proposal_id))
    return upload_for(OwnerType.PROPOSAL, proposal_id)


@blp.post("/proposals/<int:proposal_id>/decline")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(DeclineInputSchema)
@blp.response(200, ProposalSchema)
def decline(body: dict[str, Any], proposal_id: int) -> dict[str, Any]:
    """Decline a proposal with a reason code and feedback the proposer reads."""
    user = current_api_user()
    proposal = services.get_visible_proposal(db.session, user, proposal_id)
    services.decline_proposal(
        db.session,
        user,
        proposal,
        body.get("reason_code"),
        body.get("feedback"),
        ip_address=client_ip(),
    )
    db.session.commit()
    return payload(proposal)
