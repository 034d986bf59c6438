"""API endpoints for registering, tokens, the current user and passwords."""

from __future__ import annotations

from typing import Any

from ideagora.accounts import services, tokens
from ideagora.api import schemas
from ideagora.api.auth import BEARER, current_api_token, current_api_user, token_required
from ideagora.api.blueprints import api_blueprint
from ideagora.database import db
from ideagora.extensions import limit_from_config
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_accounts", __name__, "/api/v1", "Accounts: register, obtain and revoke tokens, who am I."
)


def me_payload(user: Any) -> dict[str, Any]:
    """Return the user, their organisation and role as the API shows them."""
    return {
        "user": user,
        "organization": user.organization,
        "role": user.role.value if user.role else None,
    }


@blp.post("/register")
@limit_from_config("REGISTER_RATE_LIMIT")
@blp.arguments(schemas.RegisterSchema)
@blp.response(201, schemas.RegisteredSchema)
def register(body: dict[str, Any]) -> dict[str, Any]:
    """Register a person together with a new organisation, and return a token."""
    organization = body["organization"]
    registration = services.Registration(
        name=body["name"],
        email=body["email"],
        password=body["password"],
        organization_name=organization["name"],
        organization_kind=organization["kind"],
    )
    user = services.register(db.session, registration, ip_address=client_ip())
    plain_token = tokens.issue_token(db.session, user, ip_address=client_ip())
    db.session.commit()
    return {"user": user, "organization": user.organization, "token": plain_token}


@blp.post("/tokens")
@limit_from_config("LOGIN_RATE_LIMIT")
@blp.arguments(schemas.CredentialsSchema)
@blp.response(201, schemas.TokenSchema)
def create_token(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange an e-mail and password for a bearer token."""
    try:
        user = services.authenticate(
            db.session, body["email"], body["password"], ip_address=client_ip()
        )
    finally:
        # failed attempts are counted and audited even though the call fails
        db.session.commit()
    plain_token = tokens.issue_token(db.session, user, ip_address=client_ip())
    db.session.commit()
    token = tokens.find_active_token(db.session, plain_token)
    return {"token": plain_token, "expires_at": token.expires_at if token else None}


@blp.delete("/tokens/current")
@blp.doc(security=BEARER)
@token_required
@blp.response(204)
def revoke_current_token() -> None:
    """Revoke the token this call is made with."""
    tokens.revoke_token(db.session, current_api_token(), ip_address=client_ip())
    db.session.commit()


@blp.get("/me")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, schemas.MeSchema)
def me() -> dict[str, Any]:
    """Return the token's user, their organisation and their role in it."""
    return me_payload(current_api_user())


@blp.post("/me/password")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(schemas.PasswordChangeSchema)
@blp.response(204)
def change_password(body: dict[str, Any]) -> None:
    """Change the password; every session and token, this one included, stops working."""
    services.change_password(
        db.session,
        current_api_user(),
        body["current_password"],
        body["new_password"],
        ip_address=client_ip(),
    )
    db.session.commit()


@blp.post("/password-reset")
@limit_from_config("PASSWORD_RESET_RATE_LIMIT")
@blp.arguments(schemas.PasswordResetRequestSchema)
@blp.response(202)
def request_password_reset(body: dict[str, Any]) -> None:
    """E-mail a reset link if an account uses the address; the answer is the same either way."""
    services.request_password_reset(db.session, body["email"], ip_address=client_ip())
    db.session.commit()
