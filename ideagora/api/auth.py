"""Authenticate API calls by bearer token; the API never accepts the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from ideagora.accounts import tokens
from ideagora.accounts.models import ApiToken, User
from ideagora.database import db
from ideagora.errors import Unauthorized

BEARER = [{"bearerAuth": []}]
OPTIONAL_BEARER = [{}, {"bearerAuth": []}]


def _authenticate(*, required: bool) -> None:
    """Set ``g.api_token`` and ``g.api_user`` from the Authorization header, or refuse it."""
    header = request.headers.get("Authorization", "")
    g.api_token = g.api_user = None
    if not header and not required:
        return
    scheme, _, plain_token = header.partition(" ")
    if scheme.lower() != "bearer" or not plain_token.strip():
        raise Unauthorized(
            "Send a token: Authorization: Bearer <token> (get one from POST /api/v1/tokens)."
        )
    token = tokens.find_active_token(db.session, plain_token.strip())
    if token is None:
        raise Unauthorized("This token is not valid: it is unknown, revoked or expired.")
    if db.session.dirty:
        db.session.commit()
    g.api_token = token
    g.api_user = token.user


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view only for a live bearer token, with ``current_api_user()`` set."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _authenticate(required=True)
        return view(*args, **kwargs)

    return wrapper


def optional_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view for anyone; a token, when sent, must be live and names the caller."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _authenticate(required=False)
        return view(*args, **kwargs)

    return wrapper


def current_api_user() -> User:
    """Return the user whose token authenticated this API call."""
    return g.api_token.user


def optional_api_user() -> User | None:
    """Return the caller of an ``optional_token`` view, or None when anonymous."""
    return g.get("api_user")


def current_api_token() -> ApiToken:
    """Return the token that authenticated this API call."""
    return g.api_token
