"""Domain errors shared by every package, and how pages and the API show errors."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ideagora.audit import services as audit
from ideagora.database import db
from ideagora.extensions import limiter
from ideagora.requests import client_ip

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the exchange said no; views and the API turn it into a message and a status."""

    status = 400
    code = "bad_request"
    # an audit action for refusals that are security events (a forged hash, a guessed id)
    security_event: str | None = None

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        # more members of the API's error object, e.g. the current NDA text beside a 409
        self.extra: dict[str, Any] = {}


class Unauthorized(DomainError):
    """No credentials, or credentials that are not (or no longer) valid."""

    status, code = 401, "unauthorized"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    status, code = 404, "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status, code = 403, "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state."""

    status, code = 409, "conflict"


class ValidationFailed(DomainError):
    """Some input is not acceptable; ``fields`` says which and why."""

    status, code = 422, "validation_failed"


class RateLimited(DomainError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_CODES_BY_STATUS = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def error_json(
    status: int,
    code: str,
    message: str,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Return an API error in the documented envelope."""
    body: dict[str, Any] = {**(extra or {}), "code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def wants_json() -> bool:
    """Return whether the request is for the JSON API."""
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Register the handlers that render errors as pages or as JSON."""
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, _handle_rate_limit)
    app.register_error_handler(HTTPException, _handle_http_exception)


def record_security_event(error: DomainError) -> None:
    """Write the audit event of a refusal that is a security event, once, and commit it.

    The refused work must be rolled back first: the event is committed on its own. Views
    that turn an error into a form message call this; the error handler calls it for the rest.
    """
    if error.security_event is None or getattr(error, "security_recorded", False):
        return
    user = g.get("api_user") if wants_json() else current_user
    actor = user if user is not None and user.is_authenticated else None
    membership = getattr(actor, "membership", None)
    db.session.rollback()
    audit.record(
        db.session,
        error.security_event,
        actor=actor,
        organization_id=membership.organization_id if membership is not None else None,
        ip_address=client_ip(),
        details={"method": request.method, "path": request.path, "message": error.message},
    )
    db.session.commit()
    error.security_recorded = True  # type: ignore[attr-defined]


def _handle_domain_error(error: DomainError) -> Any:
    record_security_event(error)
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401 and wants_json():
        headers["WWW-Authenticate"] = 'Bearer realm="ideagora"'
    if wants_json():
        return error_json(
            error.status, error.code, error.message, error.fields, headers, error.extra
        )
    return _error_page(error.status, error.message, headers)


def _handle_csrf_error(error: CSRFError) -> Any:
    message = "The form was missing its security token or it had expired. Reload and try again."
    if wants_json():
        return error_json(400, "csrf_failed", message)
    return _error_page(400, message)


def _handle_rate_limit(error: RateLimitExceeded) -> Any:
    retry_after = _retry_after_seconds()
    message = f"Too many attempts. Try again in {retry_after} seconds."
    headers = {"Retry-After": str(retry_after)}
    if wants_json():
        return error_json(429, "rate_limited", message, headers=headers)
    return _error_page(429, message, headers)


def _retry_after_seconds() -> int:
    reset_at = limiter.current_limit.reset_at if limiter.current_limit else None
    if reset_at is None:
        return 60
    return max(1, int(reset_at - time.time()))


def _handle_http_exception(error: HTTPException) -> Any:
    status = error.code or 500
    if wants_json():
        message, fields = _api_message(error)
        return error_json(status, _CODES_BY_STATUS.get(status, "error"), message, fields)
    return _error_page(status, error.description or error.name)


def _api_message(error: HTTPException) -> tuple[str, dict[str, Any] | None]:
    # webargs (through flask-smorest) attaches the field messages of a failed validation
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if error.code == 400 and messages:
        return "The request body is not valid JSON.", None
    if error.code == 422 and messages:
        fields = _flatten_field_messages(messages)
        return "Some fields are not valid.", fields
    return data.get("message") or error.description or error.name, None


def _flatten_field_messages(messages: dict[str, Any]) -> dict[str, Any]:
    # webargs groups messages by location ("json", "query"); callers want field names
    fields: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            for field, value in location_messages.items():
                fields[field] = _first_message(value)
    return fields


def _first_message(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    if isinstance(value, dict):
        return {key: _first_message(inner) for key, inner in value.items()}
    return value


def _error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
    page = render_template("errors/error.html", status=status, message=message)
    return page, status, headers or {}
