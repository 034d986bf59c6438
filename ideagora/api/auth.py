"""Authenticate API calls by bearer token; the API never accepts the session cookie.

Signing (an NDA, a licence) needs a recent proof of identity: over the API, a token made in
the last few minutes, or the account's password sent with the request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import current_app, g, request

from ideagora.accounts import services as accounts
from ideagora.accounts import tokens
from ideagora.accounts.errors import AccountLocked, FreshLoginRequired, InvalidCredentials
from ideagora.accounts.models import ApiToken, User
from ideagora.database import db, utcnow
from ideagora.errors import Unauthorized
from ideagora.requests import client_ip

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


# messages about passwords, not passwords
WRONG_PASSWORD = "The password is not right. Type your account's password again."  # noqa: S105
SEND_PASSWORD = "This token is too old to sign with: send your password in the body."  # noqa: S105


def _token_is_fresh() -> bool:
    max_age = timedelta(seconds=current_app.config["NDA_FRESH_LOGIN_SECONDS"])
    return utcnow() - current_api_token().created_at < max_age


def signing_login_is_fresh(user: User, password: str | None) -> bool:
    """Return whether the caller proved a recent login: a young token, or the password now."""
    if not password:
        return _token_is_fresh()
    try:
        accounts.authenticate(db.session, user.email, password, ip_address=client_ip())
    except InvalidCredentials:
        # the failed attempt counts towards the account's lockout and stays in the audit log
        db.session.commit()
        raise FreshLoginRequired(WRONG_PASSWORD, fields={"password": WRONG_PASSWORD}) from None
    except AccountLocked:
        db.session.commit()
        raise
    return True
