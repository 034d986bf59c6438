"""API endpoints for an organisation: create, read, invite, change roles, remove members."""

from __future__ import annotations

from typing import Any

from ideagora.api import schemas
from ideagora.api.auth import (
    BEARER,
    OPTIONAL_BEARER,
    current_api_user,
    optional_api_user,
    optional_token,
    token_required,
)
from ideagora.api.blueprints import api_blueprint
from ideagora.database import db
from ideagora.errors import NotFound
from ideagora.organizations import services
from ideagora.organizations.models import Organization, Role
from ideagora.organizations.profile import public_listings
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_organizations", __name__, "/api/v1/organizations", "Organisations and their members."
)


def _organization_or_404(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("There is no such organisation.")
    return organization


def _detail(organization: Organization) -> dict[str, Any]:
    user = optional_api_user()
    membership = user.membership if user is not None else None
    is_member = membership is not None and membership.organization_id == organization.id
    is_admin = is_member and membership.role is Role.ADMIN
    listings = public_listings(db.session, organization, limit=0)
    return {
        "id": organization.id,
        "name": organization.name,
        "kind": organization.kind,
        "created_at": organization.created_at,
        "published_challenges": listings.challenge_count,
        "published_assets": listings.asset_count,
        "members": services.members(db.session, organization) if is_member else [],
        "invitations": services.pending_invitations(db.session, organization) if is_admin else [],
    }


@blp.post("")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(schemas.NewOrganizationSchema)
@blp.response(201, schemas.OrganizationSchema)
def create(body: dict[str, Any]) -> Organization:
    """Create an organisation for a user who has none; they become its admin."""
    organization = services.create_organization(
        db.session, current_api_user(), body["name"], body["kind"], ip_address=client_ip()
    )
    db.session.commit()
    return organization


@blp.get("/<int:organization_id>")
@blp.doc(security=OPTIONAL_BEARER)
@optional_token
@blp.response(200, schemas.OrganizationDetailSchema)
def detail(organization_id: int) -> dict[str, Any]:
    """Return an organisation's public profile; members see its members, admins invitations.

    Anyone may ask, without a token. The counts of published listings leave out anonymous
    challenges, which would otherwise tell who posted them.
    """
    return _detail(_organization_or_404(organization_id))


@blp.post("/<int:organization_id>/invitations")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(schemas.InviteSchema)
@blp.response(201, schemas.InvitationSchema)
def invite(body: dict[str, Any], organization_id: int) -> Any:
    """Invite an e-mail address to join with a role (admins only)."""
    invitation = services.invite(
        db.session,
        _organization_or_404(organization_id),
        current_api_user(),
        body["email"],
        body["role"],
        ip_address=client_ip(),
    )
    db.session.commit()
    return invitation


@blp.patch("/<int:organization_id>/members/<int:user_id>")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(schemas.RoleChangeSchema)
@blp.response(200, schemas.MemberSchema)
def change_role(body: dict[str, Any], organization_id: int, user_id: int) -> Any:
    """Change a member's role (admins only; the last admin stays admin)."""
    membership = services.change_role(
        db.session,
        _organization_or_404(organization_id),
        current_api_user(),
        user_id,
        body["role"],
        ip_address=client_ip(),
    )
    db.session.commit()
    return membership


@blp.delete("/<int:organization_id>/members/<int:user_id>")
@blp.doc(security=BEARER)
@token_required
@blp.response(204)
def remove_member(organization_id: int, user_id: int) -> None:
    """Remove a member (admins only; never the last admin)."""
    services.remove_member(
        db.session,
        _organization_or_404(organization_id),
        current_api_user(),
        user_id,
        ip_address=client_ip(),
    )
    db.session.commit()
