"""Shape NDA texts, grants and access-log events for the API and its OpenAPI document.

Nothing here carries confidential text: an NDA names only public facts, a grant and a log line
say who asked and who decided.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ideagora.api.pagination import PageArgsSchema
from ideagora.disclosure.models import (
    DisclosureEvent,
    DisclosureGrant,
    EventKind,
    GrantStatus,
    NdaKind,
)
from ideagora.disclosure.services import RenderedNda

CHALLENGES, ASSETS = "challenges", "assets"
LOG_FORMATS = ("json", "csv")
PDF_RESPONSES = {
    "200": {
        "description": "The certificate of acceptance: the full NDA text and its evidence",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
LOG_RESPONSES = {
    "200": {
        "description": "The events, oldest first; as CSV with ?format=csv",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/AccessLog"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


class NdaSchema(ma.Schema):
    template_id = fields.Integer()
    template_name = fields.String()
    version = fields.Integer(metadata={"description": "The template version this text is from"})
    kind = fields.String(metadata={"enum": [kind.value for kind in NdaKind]})
    term_years = fields.Integer(metadata={"description": "The confidentiality period"})
    sha256 = fields.String(metadata={"description": "Send it back to accept exactly this text"})
    text = fields.String(metadata={"description": "The exact text that will be accepted"})
    assent = fields.String(metadata={"description": "The wording you assent to by accepting"})


class AcceptInputSchema(ma.Schema):
    """Documents the body; the services check the values and name the fields at fault."""

    sha256 = fields.String(
        allow_none=True, metadata={"description": "The sha256 of the text GET .../nda gave you"}
    )
    signer_name = fields.String(
        allow_none=True, metadata={"description": "Your full name, as you sign"}
    )
    assent = fields.Raw(
        allow_none=True,
        metadata={"type": "boolean", "description": "true: you agree to the assent wording"},
    )
    organization_id = fields.Raw(
        allow_none=True,
        metadata={"type": "integer", "description": "Your organisation (the default)"},
    )
    password = fields.String(
        allow_none=True,
        load_only=True,
        metadata={
            "description": "Your password; needed when the token is older than a few minutes"
        },
    )


class StaleNdaErrorSchema(ma.Schema):
    code = fields.String(metadata={"enum": ["stale_nda"]})
    message = fields.String()
    nda = fields.Nested(NdaSchema, metadata={"description": "The current text, to accept instead"})


class StaleNdaEnvelopeSchema(ma.Schema):
    error = fields.Nested(StaleNdaErrorSchema)


class ReasonInputSchema(ma.Schema):
    reason = fields.String(
        allow_none=True, metadata={"description": "The requesting organisation reads this"}
    )


class ReferenceSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class GrantListingSchema(ma.Schema):
    type = fields.String(metadata={"enum": [CHALLENGES, ASSETS]})
    id = fields.Integer()
    title = fields.String()


class AcceptanceSchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "e.g. NDA-000012"})
    template_id = fields.Integer(allow_none=True)
    template_version = fields.Integer()
    sha256 = fields.String(metadata={"description": "SHA-256 of the text accepted"})
    signer_name = fields.String()
    accepted_at = fields.DateTime(metadata={"description": "Server time (UTC)"})


class GrantSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": [status.value for status in GrantStatus]})
    listing = fields.Nested(GrantListingSchema)
    organization = fields.Nested(ReferenceSchema, metadata={"description": "The recipient"})
    requested_at = fields.DateTime()
    expires_at = fields.DateTime(metadata={"description": "When the NDA's term ends"})
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String()
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.String()
    acceptance = fields.Nested(AcceptanceSchema)


class GrantEnvelopeSchema(ma.Schema):
    grant = fields.Nested(GrantSchema)


class GrantPageSchema(PageArgsSchema):
    items = fields.List(fields.Nested(GrantSchema))
    total = fields.Integer()


class EventUserSchema(ma.Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()
    email = fields.String()


class EventSchema(ma.Schema):
    id = fields.Integer()
    time_utc = fields.DateTime()
    event = fields.String(metadata={"enum": [kind.value for kind in EventKind]})
    label = fields.String()
    grant_id = fields.Integer(allow_none=True)
    user = fields.Nested(EventUserSchema)
    organization = fields.Nested(ReferenceSchema)
    ip_address = fields.String(allow_none=True)
    user_agent = fields.String()
    channel = fields.String(metadata={"enum": ["page", "api"]})
    detail = fields.String()


class AccessLogArgsSchema(PageArgsSchema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(LOG_FORMATS),
        metadata={"description": "json (default) or csv"},
    )


class AccessLogSchema(PageArgsSchema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()


def nda_payload(nda: RenderedNda) -> dict[str, Any]:
    """Return the NDA text a signer is shown, with what identifies it."""
    return {
        # an anonymous seeker's own template is not identified: its id would link its listings
        "template_id": nda.template.id if nda.template_name == nda.template.name else None,
        "template_name": nda.template_name,
        "version": nda.version.number,
        "kind": nda.template.kind.value,
        "term_years": nda.version.term_years,
        "sha256": nda.sha256,
        "text": nda.text,
        "assent": nda.assent,
    }


def grant_payload(grant: DisclosureGrant) -> dict[str, Any]:
    """Return a grant as either party sees it; it never carries confidential text."""
    acceptance = grant.acceptance
    return {
        "id": grant.id,
        "status": grant.status.value,
        "listing": {
            "type": grant.listing_type,
            "id": grant.listing_id,
            "title": acceptance.listing_title,
        },
        "organization": {"id": grant.organization.id, "name": grant.organization.name},
        "requested_at": grant.requested_at,
        "expires_at": grant.expires_at,
        "decided_at": grant.decided_at,
        "decision_reason": grant.decision_reason,
        "revoked_at": grant.revoked_at,
        "revoke_reason": grant.revoke_reason,
        "acceptance": {
            "id": acceptance.id,
            "reference": acceptance.reference,
            "template_id": acceptance.template_id,
            "template_version": acceptance.template_version,
            "sha256": acceptance.sha256,
            "signer_name": acceptance.signer_name,
            "accepted_at": acceptance.accepted_at,
        },
    }


def event_payload(event: DisclosureEvent) -> dict[str, Any]:
    """Return one line of the access log."""
    return {
        "id": event.id,
        "time_utc": event.created_at,
        "event": event.kind.value,
        "label": event.kind.label,
        "grant_id": event.grant_id,
        "user": {"id": event.user_id, "name": event.user_name, "email": event.user_email},
        "organization": {"id": event.organization_id, "name": event.organization_name},
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "channel": event.channel,
        "detail": event.detail,
    }
