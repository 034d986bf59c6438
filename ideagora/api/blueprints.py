"""Make the API's blueprints, each refusing request bodies that are not JSON (unless marked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint

from ideagora.errors import error_json

BODY_METHODS = {"POST", "PUT", "PATCH"}
MULTIPART = "multipart/form-data"


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
    if request.mimetype == MULTIPART and _accepts_multipart():
        return None
    if _view_flag("accepts_raw_body"):
        return None
    if request.mimetype != "application/json":
        return error_json(
            415,
            "unsupported_media_type",
            "Send the request body as JSON with Content-Type: application/json.",
        )
    return None


def accepts_multipart(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let one endpoint take a multipart/form-data body (a file upload) instead of JSON."""
    view.accepts_multipart = True  # type: ignore[attr-defined]
    return view


def _accepts_multipart() -> bool:
    return _view_flag("accepts_multipart")


def accepts_raw_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let one endpoint take a file as its whole body (it checks the content type itself)."""
    view.accepts_raw_body = True  # type: ignore[attr-defined]
    return view


def _view_flag(name: str) -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, name, False))
