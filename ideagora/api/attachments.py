"""API endpoints for attachments: upload to a challenge or IP offer, download, remove."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g, request
from marshmallow import fields

from ideagora.api.auth import (
    BEARER,
    OPTIONAL_BEARER,
    current_api_user,
    optional_api_user,
    optional_token,
    token_required,
)
from ideagora.api.blueprints import accepts_multipart, api_blueprint
from ideagora.attachments import owners, services
from ideagora.attachments.downloads import logged_download
from ideagora.attachments.models import Attachment, OwnerType
from ideagora.database import db
from ideagora.errors import NotFound, ValidationFailed
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_attachments",
    __name__,
    "/api/v1",
    "Files on challenges and IP offers, public or confidential, with every download logged.",
)

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "confidential"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "PDF, image, office document or UTF-8 text; "
                        "its type is checked from its content",
                    },
                    "confidential": {
                        "type": "string",
                        "enum": ["true", "false"],
                        "description": "true: only for those who may see the confidential "
                        "part; false: for everyone who may see the listing",
                    },
                },
            }
        }
    },
}
DOWNLOAD_RESPONSES = {
    "200": {
        "description": "The file, with its stored content type",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "302": {"description": "A redirect to a short-lived direct download URL"},
    "404": {"description": "No such file, or not one you may see"},
}
CONFIDENTIAL_CHOICES = {"true": True, "false": False}


class AttachmentSchema(ma.Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String()
    content_type = fields.String(metadata={"description": "Read from the content, not the name"})
    confidential = fields.Boolean()
    created_at = fields.DateTime()
    url = fields.String(metadata={"description": "Where to download it"})


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    """Return what the API says about one file."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "content_type": attachment.content_type,
        "confidential": attachment.confidential,
        "created_at": attachment.created_at,
        "url": f"/api/v1/attachments/{attachment.id}",
    }


def attachments_payload(owner: Any) -> list[dict[str, Any]]:
    """Return the files of a listing the API caller may see."""
    user = g.get("api_user")
    return [
        attachment_payload(attachment)
        for attachment in services.visible_attachments(db.session, user, owner)
    ]


def _parse_upload() -> tuple[Any, bool]:
    """Return the uploaded file and its confidential flag, or say what is missing."""
    upload = request.files.get("file")
    errors = {}
    if upload is None or not upload.filename:
        errors["file"] = "Send the file as the multipart field 'file', with its file name."
    raw = request.form.get("confidential", "").strip().lower()
    if raw not in CONFIDENTIAL_CHOICES:
        errors["confidential"] = "Say whether the file is confidential: true or false."
    if errors:
        raise ValidationFailed("The upload is missing something.", fields=errors)
    return upload, CONFIDENTIAL_CHOICES[raw]


def upload_for(kind: OwnerType, owner_id: int) -> dict[str, Any]:
    """Attach the posted multipart file to an owner of any registered kind."""
    user = current_api_user()
    try:
        rule = owners.rule_for_kind(kind)
    except LookupError:
        raise NotFound("There is no such thing to attach a file to.") from None
    owner = rule.load_visible(db.session, user, owner_id)
    services.check_may_attach(user, owner)
    upload, confidential = _parse_upload()
    attachment = services.add_attachment(
        db.session,
        user,
        owner,
        upload.stream,
        upload.filename,
        confidential=confidential,
        ip_address=client_ip(),
    )
    db.session.commit()
    return attachment_payload(attachment)


@blp.post("/challenges/<int:challenge_id>/attachments")
@accepts_multipart
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@token_required
@blp.response(201, AttachmentSchema)
def upload_to_challenge(challenge_id: int) -> dict[str, Any]:
    """Attach a file to a challenge of your organisation (multipart: file, confidential)."""
    return upload_for(OwnerType.CHALLENGE, challenge_id)


@blp.post("/assets/<int:asset_id>/attachments")
@accepts_multipart
@blp.doc(security=BEARER, requestBody=UPLOAD_BODY)
@token_required
@blp.response(201, AttachmentSchema)
def upload_to_asset(asset_id: int) -> dict[str, Any]:
    """Attach a file to an IP offer of your organisation (multipart: file, confidential)."""
    return upload_for(OwnerType.ASSET, asset_id)


@blp.get("/attachments/<int:attachment_id>")
@blp.doc(security=OPTIONAL_BEARER, responses=DOWNLOAD_RESPONSES)
@optional_token
def download(attachment_id: int) -> Response:
    """Download a file you may see: its bytes, or a redirect to a short-lived URL."""
    user = optional_api_user()
    attachment = services.get_attachment_for(db.session, user, attachment_id)
    return logged_download(attachment, user, channel="api")


@blp.delete("/attachments/<int:attachment_id>")
@blp.doc(security=BEARER)
@token_required
@blp.response(204)
def remove(attachment_id: int) -> str:
    """Remove a file your organisation attached."""
    user = current_api_user()
    attachment = services.get_attachment_for(db.session, user, attachment_id)
    services.remove_attachment(db.session, user, attachment, ip_address=client_ip())
    db.session.commit()
    return ""
