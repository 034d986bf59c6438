"""Make and read the signed password-reset links sent by e-mail."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.urls import external_url

_RESET_SALT = "ideagora.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # the token is bound to the current password: once it changes, every old link is dead,
    # which is what makes a reset link single-use without storing it
    material = f"{user.password_hash}|{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    """Return a signed, expiring token that resets this user's current password once."""
    return _serializer().dumps({"user": user.id, "fingerprint": _password_fingerprint(user)})


def password_reset_url(user: User) -> str:
    """Return the absolute link to the reset page for this user."""
    return external_url("accounts.reset_password", token=password_reset_token(user))


def user_from_password_reset_token(session: Session, token: str) -> User | None:
    """Return the user a reset token is for, or None if it is forged, used or expired."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = session.get(User, payload["user"])
    if user is None or not user.active:
        return None
    if payload.get("fingerprint") != _password_fingerprint(user):
        return None
    return user
