"""Shape challenges and IP offers for the API, showing confidential text only when allowed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from flask import request
from marshmallow import fields

from ideagora.errors import ValidationFailed
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
    nda_template_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The NDA template requests accept (null: the platform default); "
            "shown to the owner only"
        },
    )
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
    nda_template_id = fields.Raw(
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "A platform NDA template or one of your organisation's; "
            "null for the platform default",
        },
    )
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
    """Return the public fields every listing has, and to its owner the NDA it chose."""
    body = {
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
    if access is Access.OWNER:
        # an organisation's template id would link an anonymous seeker's listings to it
        body["nda_template_id"] = listing.nda_template_id
    return body


def browse_filters(parse: Callable[[Mapping[str, Any]], tuple[Any, dict[str, str]]]) -> Any:
    """Return the filters of this call's query string, or refuse them with 422 naming each one."""
    filters, problems = parse(request.args)
    if problems:
        raise ValidationFailed("Some filters are not valid.", fields=problems)
    return filters


def filter_argument(description: str, **metadata: Any) -> fields.String:
    """Return a query argument documented for OpenAPI; the shared parser checks its value."""
    data_key = metadata.pop("data_key", None)
    return fields.String(data_key=data_key, metadata={"description": description, **metadata})
