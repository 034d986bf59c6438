"""API endpoint for the bulk import of IP offers from a CSV or JSON Lines body."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, request
from marshmallow import fields, validate

from ideagora.api.auth import BEARER, current_api_user, token_required
from ideagora.api.blueprints import accepts_raw_body, api_blueprint
from ideagora.assets import importing
from ideagora.assets.import_files import CONTENT_TYPES, FORMATS
from ideagora.database import db
from ideagora.errors import error_json
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_asset_import",
    __name__,
    "/api/v1/assets/import",
    "Bulk import of IP offers: a whole portfolio as CSV or JSON Lines, checked row by row.",
)

# a body of these types is read by its first character, or as ?format= says
SNIFFED_TYPES = ("text/plain", "application/octet-stream")
_FILE_BODY = {"schema": {"type": "string", "format": "binary"}}


class ImportArgsSchema(ma.Schema):
    publish = fields.Boolean(
        load_default=False,
        metadata={"description": "Publish every offer at once (admins and licensing officers)"},
    )
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "Read the body as this format, whatever its content type"},
    )


class RowErrorSchema(ma.Schema):
    row = fields.Integer(metadata={"description": "Line of the file (CSV: the header is row 1)"})
    message = fields.String()
    field_messages = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        attribute="fields",
        metadata={"description": "Per column or key: what is wrong with it"},
    )


class ImportResultSchema(ma.Schema):
    created = fields.Integer(metadata={"description": "How many offers were created"})
    ids = fields.List(fields.Integer(), metadata={"description": "Their ids, in file order"})
    errors = fields.List(fields.Nested(RowErrorSchema))
    rows = fields.Integer(metadata={"description": "How many rows the file holds"})
    status = fields.String(metadata={"enum": ["draft", "published"]})


@blp.post("")
@accepts_raw_body
@blp.doc(
    security=BEARER,
    requestBody={
        "required": True,
        "description": "The file itself: CSV with a header row, or one JSON object per line "
        "with the keys of POST /api/v1/assets. UTF-8, with or without a byte-order mark.",
        "content": dict.fromkeys(CONTENT_TYPES, _FILE_BODY),
    },
)
@token_required
@blp.arguments(ImportArgsSchema, location="query")
@blp.response(201, ImportResultSchema, description="Some offers were created")
@blp.alt_response(200, schema=ImportResultSchema, description="No row could be created")
@blp.alt_response(415, description="The body is neither CSV nor JSON Lines")
@blp.alt_response(422, description="The file is empty, unreadable, too long, or its header wrong")
def import_assets(args: dict[str, Any]) -> Any:
    """Create many draft offers of your organisation; each bad row is reported, never fatal."""
    content, content_type = request.get_data(cache=False), request.mimetype
    # an empty body is refused as empty (422) whatever its type
    if content.strip() and content_type not in (*CONTENT_TYPES, *SNIFFED_TYPES):
        return _unsupported(content_type)
    job = importing.start_import(
        db.session,
        current_api_user(),
        content,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        file_format=args.get("format"),
        content_type=content_type,
        publish=args["publish"],
        ip_address=client_ip(),
    )
    for _done in job.run():
        # each batch is committed: other writers wait seconds at most, never the whole file
        db.session.commit()
    result = job.result
    body = {
        "created": len(result.created),
        "ids": result.created,
        "errors": result.errors,
        "rows": job.total,
        "status": "published" if args["publish"] else "draft",
    }
    return body, 201 if result.created else 200


def _unsupported(content_type: str) -> Any:
    return error_json(
        415,
        "unsupported_media_type",
        f"Send the file as the request body with Content-Type text/csv (CSV) or "
        f"application/x-ndjson (JSON Lines), not {content_type or 'no type'}.",
    )
