"""Make the API's blueprints, each refusing request bodies that are not JSON."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from ideagora.errors import error_json

BODY_METHODS = {"POST", "PUT", "PATCH"}


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """Return a blueprint under ``/api/v1`` that checks the body's content type first."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    blueprint.before_request(require_json_body)
    return blueprint


def require_json_body():
    """Refuse a request body that is not declared as JSON, before anything parses it."""
    if request.method not in BODY_METHODS:
        return None
    if not request.content_length and not request.data:
        return None
    if request.mimetype != "application/json":
        return error_json(
            415,
            "unsupported_media_type",
            "Send the request body as JSON with Content-Type: application/json.",
        )
    return None
