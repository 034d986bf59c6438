"""API endpoint for the taxonomy of technical fields."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ideagora.api.blueprints import api_blueprint
from ideagora.taxonomy import all_fields

blp = api_blueprint("api_taxonomy", __name__, "/api/v1", "The technical-field taxonomy.")


class TechnicalFieldSchema(ma.Schema):
    slug = fields.String()
    name = fields.String()
    parent = fields.String(allow_none=True)


@blp.get("/fields")
@blp.response(200, TechnicalFieldSchema(many=True))
def technical_fields() -> list[Any]:
    """List the technical fields listings are filed under; listings take their slugs."""
    return list(all_fields())
