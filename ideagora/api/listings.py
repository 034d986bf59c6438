"""Shape challenges and IP offers for the API, showing confidential text only when allowed."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from licensing.disclosure import Access

OWNER_DESCRIPTION = "The owning organisation, or only a pseudonym for an anonymous seeker."


class OwnerSchema(ma.Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()
    anonymous = fields.Boolean()


class ListingSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    description = fields.String()
    keywords = fields.List(fields.String())
    technical_fields = fields.List(fields.String(), data_key="fields", attribute="fields")
    status = fields.String()
    version = fields.Integer()
    nda_approval_required = fields.Boolean()
    owner = fields.Nested(OwnerSchema, metadata={"description": OWNER_DESCRIPTION})
    access = fields.String(metadata={"enum": ["owner", "granted", "pending", "none"]})
    published_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ListingInputSchema(ma.Schema):
    """Documents the body; the services check every value and name the fields at fault."""

    class Meta:
        unknown = ma.INCLUDE

    title = fields.Raw(allow_none=True, metadata={"type": "string"})
    summary = fields.Raw(allow_none=True, metadata={"type": "string"})
    description = fields.Raw(allow_none=True, metadata={"type": "string"})
    keywords = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "string"}})
    technical_fields = fields.Raw(
        allow_none=True,
        data_key="fields",
        attribute="fields",
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Technical-field slugs from GET /api/v1/fields",
        },
    )
    nda_approval_required = fields.Raw(allow_none=True, metadata={"type": "boolean"})
    version = fields.Raw(
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "The version you edited; "
            "a save from an older version is refused with 409",
        },
    )


def owner_payload(listing: Any, access: Access, *, anonymous: bool = False) -> dict[str, Any]:
    """Return who owns a listing as the viewer may know it."""
    if anonymous and access is not Access.OWNER:
        return {"id": None, "name": listing.pseudonym, "anonymous": True}
    return {
        "id": listing.organization.id,
        "name": listing.organization.name,
        "anonymous": anonymous,
    }


def common_payload(listing: Any, access: Access) -> dict[str, Any]:
    """Return the public fields every listing has."""
    return {
        "id": listing.id,
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description,
        "keywords": listing.keywords,
        "fields": list(listing.fields),
        "status": listing.status.value,
        "version": listing.version,
        "nda_approval_required": listing.nda_approval_required,
        "access": access.value,
        "published_at": listing.published_at,
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
    }
