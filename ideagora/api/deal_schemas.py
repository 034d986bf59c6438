"""Shape licence deals, their revisions, redlines, agreements and presets for the API.

A deal is shown to its two parties only, so its terms are shown in full; the offer appears by
its id and title alone, never with its confidential dossier. The verification of an uploaded
agreement is public and says whether it is genuine, never what it agrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow as ma
from marshmallow import fields

from ideagora.api.disclosure_schemas import ReferenceSchema
from ideagora.api.pagination import PageArgsSchema
from ideagora.deals.models import (
    Agreement,
    AgreementSignature,
    Deal,
    DealAcceptance,
    DealComment,
    DealRevision,
    DealStatus,
    PartyRole,
)
from licensing.presets import PRESET_KEYS, Preset
from licensing.redline import Change
from licensing.terms import EXCLUSIVITY_LABELS, LIFE_OF_PATENTS, PAYER_LABELS, WORLDWIDE

PARTIES = [role.value for role in PartyRole]
AGREEMENT_PDF = {
    "200": {
        "description": "The sealed agreement: signed by both once they have, else the draft",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_PDF_FILE = {"type": "string", "format": "binary"}
VERIFY_BODY = {
    "required": True,
    "description": "The PDF itself as the body, or a form with the PDF in the field file.",
    "content": {
        "application/pdf": {"schema": _PDF_FILE},
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": _PDF_FILE}}
        },
    },
}
_AMOUNT = "An amount in the currency, as text at its precision, like 25000.00"
_PERCENT = "A percentage from 0 to 100, as text, like 3.5"


class DealMilestoneSchema(ma.Schema):
    event = fields.String()
    amount = fields.String(metadata={"description": _AMOUNT})
    due = fields.String(metadata={"format": "date", "description": "Due by this day"})


class DealPatentCostsSchema(ma.Schema):
    paid_by = fields.String(metadata={"enum": list(PAYER_LABELS)})
    note = fields.String()


class DealTermsSchema(ma.Schema):
    """The terms of a licence; POST .../revisions takes the same fields back."""

    licensed_patents = fields.List(
        fields.String(), metadata={"description": "Some or all of the offer's patent numbers"}
    )
    field_of_use = fields.String()
    territory = fields.Raw(
        metadata={
            "description": f'"{WORLDWIDE}", or a list of ISO 3166 country codes like ["DE", "FR"]'
        }
    )
    exclusivity = fields.String(metadata={"enum": list(EXCLUSIVITY_LABELS)})
    sublicensing = fields.Boolean()
    term_years = fields.Integer(
        allow_none=True, metadata={"description": "The term in years, or null with term"}
    )
    term = fields.String(
        allow_none=True,
        metadata={"enum": [LIFE_OF_PATENTS], "description": "For the life of the patents"},
    )
    effective_date = fields.String(metadata={"format": "date"})
    currency = fields.String(metadata={"description": "ISO 4217 code, like EUR"})
    upfront_fee = fields.String(metadata={"description": _AMOUNT})
    annual_fee = fields.String(metadata={"description": _AMOUNT})
    minimum_annual_royalty = fields.String(metadata={"description": _AMOUNT})
    royalty_rate_percent = fields.String(metadata={"description": _PERCENT})
    sublicense_income_percent = fields.String(metadata={"description": _PERCENT})
    milestones = fields.List(fields.Nested(DealMilestoneSchema))
    patent_costs = fields.Nested(DealPatentCostsSchema)
    diligence = fields.String()
    governing_law = fields.String()


class DealRevisionSchema(ma.Schema):
    number = fields.Integer()
    party = fields.String(metadata={"enum": PARTIES, "description": "The side that proposed it"})
    proposed_by = fields.String(metadata={"description": "The name of the person proposing"})
    created_at = fields.DateTime()
    effective_date = fields.Date()
    message = fields.String()
    open_until = fields.DateTime(
        allow_none=True, metadata={"description": "It cannot be accepted after this time"}
    )
    preset = fields.String(allow_none=True, metadata={"enum": list(PRESET_KEYS)})
    accepted_by = fields.List(
        fields.String(metadata={"enum": PARTIES}),
        metadata={"description": "The proposing party, and the other once it accepted it"},
    )
    terms = fields.Nested(DealTermsSchema)


class DealAcceptanceSchema(ma.Schema):
    revision = fields.Integer()
    party = fields.String(metadata={"enum": PARTIES})
    user_name = fields.String()
    accepted_at = fields.DateTime()


class DealCommentSchema(ma.Schema):
    id = fields.Integer()
    party = fields.String(metadata={"enum": PARTIES})
    user_name = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class AgreementSignatureSchema(ma.Schema):
    party = fields.String(metadata={"enum": PARTIES})
    organization_name = fields.String()
    signer_name = fields.String()
    signer_title = fields.String()
    signed_at = fields.DateTime()
    document_sha256 = fields.String(metadata={"description": "The SHA-256 of the draft signed"})


class AgreementSchema(ma.Schema):
    revision = fields.Integer(metadata={"description": "The agreed revision it is drafted from"})
    draft_sha256 = fields.String()
    drafted_at = fields.DateTime()
    final_sha256 = fields.String(
        allow_none=True, metadata={"description": "Once both parties have signed"}
    )
    sealed_at = fields.DateTime(allow_none=True)
    signatures = fields.List(fields.Nested(AgreementSignatureSchema))
    download = fields.String(metadata={"description": "Where to download the PDF"})


class DealListingSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()


class DealSummarySchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "e.g. LD-000042"})
    status = fields.String(metadata={"enum": [status.value for status in DealStatus]})
    asset = fields.Nested(DealListingSchema, metadata={"description": "The IP offer licensed"})
    challenge = fields.Nested(DealListingSchema, allow_none=True)
    licensor = fields.Nested(ReferenceSchema)
    licensee = fields.Nested(ReferenceSchema)
    your_party = fields.String(metadata={"enum": PARTIES})
    latest_revision = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    agreed_revision = fields.Integer(allow_none=True)
    agreed_at = fields.DateTime(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)


class DealSchema(DealSummarySchema):
    may_negotiate = fields.Boolean(
        metadata={"description": "Whether you may propose and accept revisions and sign"}
    )
    revisions = fields.List(
        fields.Nested(DealRevisionSchema), metadata={"description": "Oldest first"}
    )
    acceptances = fields.List(fields.Nested(DealAcceptanceSchema))
    comments = fields.List(
        fields.Nested(DealCommentSchema), metadata={"description": "Oldest first"}
    )
    agreement = fields.Nested(AgreementSchema, allow_none=True)


class DealPageSchema(PageArgsSchema):
    items = fields.List(fields.Nested(DealSummarySchema))
    total = fields.Integer()


class DealChangeSchema(ma.Schema):
    field = fields.String(metadata={"description": "The term, or milestones for a milestone"})
    label = fields.String()
    before = fields.String(metadata={"description": "As a licensing officer reads it; — if absent"})
    after = fields.String()


class OpenDealInputSchema(ma.Schema):
    challenge_id = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "A challenge of either party that the deal answers"},
    )


class RevisionInputSchema(ma.Schema):
    """Documents the body; the services check every value and name the fields at fault."""

    terms = fields.Raw(
        allow_none=True,
        metadata={
            "type": "object",
            "description": "The terms, with the fields of DealTerms; messages name terms.<field>",
        },
    )
    message = fields.Raw(allow_none=True, metadata={"type": "string"})
    effective_date = fields.Raw(
        allow_none=True, metadata={"type": "string", "format": "date", "description": "Today"}
    )
    open_until = fields.Raw(
        allow_none=True,
        metadata={
            "type": "string",
            "format": "date-time",
            "description": "The other party may accept until then (default: until superseded)",
        },
    )
    preset = fields.Raw(allow_none=True, metadata={"type": "string", "enum": list(PRESET_KEYS)})


class CommentInputSchema(ma.Schema):
    body = fields.Raw(allow_none=True, metadata={"type": "string"})


class SignInputSchema(ma.Schema):
    """Documents the body; the services check the values and name the fields at fault."""

    signer_name = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "Your full name, as you sign"}
    )
    signer_title = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "Your position, like CEO"}
    )
    assent = fields.Raw(
        allow_none=True,
        metadata={
            "type": "boolean",
            "description": "true: you sign on behalf of your organisation, which you may bind",
        },
    )
    password = fields.String(
        allow_none=True,
        load_only=True,
        metadata={
            "description": "Your password; needed when the token is older than a few minutes"
        },
    )


class VerificationSchema(ma.Schema):
    valid = fields.Boolean(
        metadata={"description": "An unaltered agreement sealed and issued by this exchange"}
    )
    stage = fields.String(
        allow_none=True,
        metadata={
            "enum": ["signed", "draft"],
            "description": "Only when valid: signed by both parties, or the sealed draft "
            "they were asked to sign",
        },
    )
    deal_id = fields.Integer(allow_none=True, metadata={"description": "Only when valid"})
    reference = fields.String(allow_none=True, metadata={"description": "Only when valid"})
    sha256 = fields.String(metadata={"description": "The SHA-256 of the file sent"})
    signed_at = fields.DateTime(allow_none=True, metadata={"description": "When it was sealed"})
    problem = fields.String(allow_none=True, metadata={"description": "Why it is not valid"})


class PresetMilestoneSchema(ma.Schema):
    event = fields.String()
    amount = fields.String(metadata={"description": _AMOUNT})
    months_after = fields.Integer(metadata={"description": "Due this long after the start"})


class PresetSchema(ma.Schema):
    key = fields.String(metadata={"description": "Send it as preset with a revision"})
    name = fields.String()
    summary = fields.String()
    terms = fields.Nested(
        DealTermsSchema,
        metadata={"description": "The terms it sets; the deal adds its patents and currency"},
    )
    milestones = fields.List(fields.Nested(PresetMilestoneSchema))


def revision_payload(revision: DealRevision, accepted_by: Iterable[PartyRole]) -> dict[str, Any]:
    """Return one revision of a deal's terms, with the parties that accepted it."""
    return {
        "number": revision.number,
        "party": revision.party.value,
        "proposed_by": revision.proposed_by_name,
        "created_at": revision.created_at,
        "effective_date": revision.effective_date,
        "message": revision.message,
        "open_until": revision.open_until,
        "preset": revision.preset,
        "accepted_by": [party.value for party in accepted_by],
        "terms": revision.terms,
    }


def accepting_parties(
    revision: DealRevision, acceptances: Iterable[DealAcceptance]
) -> list[PartyRole]:
    """Return the parties that accepted the revision: its proposer's, and any that accepted it."""
    accepted = {revision.party}
    accepted |= {item.party for item in acceptances if item.revision_number == revision.number}
    return [party for party in PartyRole if party in accepted]


def summary_payload(deal: Deal, organization_id: int | None) -> dict[str, Any]:
    """Return what a list of deals shows of one, for a member of one of its parties."""
    party = deal.role_of(organization_id)
    latest = deal.latest_revision
    return {
        "id": deal.id,
        "reference": deal.reference,
        "status": deal.status.value,
        "asset": {"id": deal.asset.id, "title": deal.asset.title},
        "challenge": (
            {"id": deal.challenge.id, "title": deal.challenge.title} if deal.challenge else None
        ),
        "licensor": {"id": deal.licensor.id, "name": deal.licensor.name},
        "licensee": {"id": deal.licensee.id, "name": deal.licensee.name},
        "your_party": party.value if party else None,
        "latest_revision": latest.number if latest else None,
        "created_at": deal.created_at,
        "updated_at": deal.updated_at,
        "agreed_revision": deal.agreed_revision,
        "agreed_at": deal.agreed_at,
        "signed_at": deal.signed_at,
    }


def acceptance_payload(acceptance: DealAcceptance) -> dict[str, Any]:
    """Return who accepted which revision when (the evidence of where stays on the server)."""
    return {
        "revision": acceptance.revision_number,
        "party": acceptance.party.value,
        "user_name": acceptance.user_name,
        "accepted_at": acceptance.accepted_at,
    }


def comment_payload(comment: DealComment) -> dict[str, Any]:
    """Return a comment on a deal."""
    return {
        "id": comment.id,
        "party": comment.party.value,
        "user_name": comment.user_name,
        "body": comment.body,
        "created_at": comment.created_at,
    }


def signature_payload(signature: AgreementSignature) -> dict[str, Any]:
    """Return one party's signature of the agreement."""
    return {
        "party": signature.party.value,
        "organization_name": signature.organization_name,
        "signer_name": signature.signer_name,
        "signer_title": signature.signer_title,
        "signed_at": signature.signed_at,
        "document_sha256": signature.document_sha256,
    }


def agreement_payload(agreement: Agreement) -> dict[str, Any]:
    """Return the state of a deal's agreement: its hashes, signatures and where to fetch it."""
    return {
        "revision": agreement.revision_number,
        "draft_sha256": agreement.draft_sha256,
        "drafted_at": agreement.drafted_at,
        "final_sha256": agreement.final_sha256,
        "sealed_at": agreement.sealed_at,
        "signatures": [signature_payload(signature) for signature in agreement.signatures],
        "download": f"/api/v1/deals/{agreement.deal_id}/agreement.pdf",
    }


def change_payload(change: Change) -> dict[str, Any]:
    """Return one line of a redline."""
    return change.as_json()


def preset_payload(chosen: Preset) -> dict[str, Any]:
    """Return a preset: the terms it starts from and its milestones."""
    return {
        "key": chosen.key,
        "name": chosen.name,
        "summary": chosen.summary,
        "terms": chosen.terms,
        "milestones": [
            {"event": item.event, "amount": item.amount, "months_after": item.months_after}
            for item in chosen.milestones
        ],
    }
