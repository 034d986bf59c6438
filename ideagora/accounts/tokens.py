"""Issue, check and revoke API bearer tokens; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora.accounts.models import ApiToken, User
from ideagora.audit import services as audit
from ideagora.database import utcnow

TOKEN_PREFIX = "iga_"  # noqa: S105 - a marker, not a secret
# writing last_used_at on every call would turn each read into a write
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(plain_token: str) -> str:
    return hashlib.sha256(plain_token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, ip_address: str | None) -> str:
    """Create a token for the user and return its plain text, which is shown only once."""
    plain_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = timedelta(days=current_app.config["API_TOKEN_TTL_DAYS"])
    token = ApiToken(user=user, token_hash=_digest(plain_token), expires_at=utcnow() + ttl)
    session.add(token)
    session.flush()
    audit.record(session, "api_token.issued", actor=user, subject=token, ip_address=ip_address)
    return plain_token


def find_active_token(session: Session, plain_token: str) -> ApiToken | None:
    """Return the live token with this text: not revoked, not expired, its user active."""
    if not plain_token.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(plain_token)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token


def revoke_token(session: Session, token: ApiToken, *, ip_address: str | None) -> None:
    """Stop a token from working."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session, "api_token.revoked", actor=token.user, subject=token, ip_address=ip_address
        )
