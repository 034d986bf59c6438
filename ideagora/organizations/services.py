"""Create organisations, invite and manage their members, and guard the last admin."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.organizations.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationKind,
    Role,
)
from ideagora.urls import external_url
from ideagora.validation import clean_text, normalize_email

logger = logging.getLogger(__name__)

MAX_ORGANIZATION_NAME_LENGTH = 160


class InvitationUnusable(Conflict):
    """The invitation link is unknown, used, revoked or expired."""

    code = "invitation_unusable"


def name_key(name: str) -> str:
    """Return the folded form of an organisation name used to keep names unique."""
    return " ".join(name.split()).casefold()


def check_new_organization(
    session: Session, name: str | None, kind: str | None
) -> tuple[str, OrganizationKind]:
    """Return a valid, unused organisation name and kind, or raise with field messages."""
    errors: dict[str, str] = {}
    clean_name = ""
    try:
        clean_name = clean_text(
            name, label="the organisation's name", max_length=MAX_ORGANIZATION_NAME_LENGTH
        )
    except ValueError as error:
        errors["organization.name"] = str(error)
    try:
        organization_kind = OrganizationKind(kind)
    except ValueError:
        choices = ", ".join(member.value for member in OrganizationKind)
        errors["organization.kind"] = f"Choose one of: {choices}."
    if errors:
        raise ValidationFailed(
            "Some details of the organisation are missing or not valid.", fields=errors
        )
    taken = session.scalar(
        sa.select(Organization.id).where(Organization.name_key == name_key(clean_name))
    )
    if taken is not None:
        message = (
            "An organisation with this name is already registered. Ask its admin to invite you."
        )
        raise Conflict(message, fields={"organization.name": message})
    return clean_name, organization_kind


def create_organization(
    session: Session,
    founder: User,
    name: str | None,
    kind: str | OrganizationKind | None,
    *,
    ip_address: str | None,
) -> Organization:
    """Create an organisation with the founder as its first admin."""
    if founder.membership is not None:
        raise Conflict("You already belong to an organisation.")
    kind_value = kind.value if isinstance(kind, OrganizationKind) else kind
    clean_name, organization_kind = check_new_organization(session, name, kind_value)
    organization = Organization(
        name=clean_name, name_key=name_key(clean_name), kind=organization_kind
    )
    session.add(organization)
    _add_member(session, organization, founder, Role.ADMIN)
    audit.record(
        session,
        "organization.created",
        actor=founder,
        subject=organization,
        organization_id=organization.id,
        ip_address=ip_address,
        details={"name": clean_name, "kind": organization_kind.value},
    )
    return organization


def _add_member(session: Session, organization: Organization, user: User, role: Role) -> Membership:
    membership = Membership(user=user, organization=organization, role=role)
    session.add(membership)
    session.flush()
    return membership


def members(session: Session, organization: Organization) -> list[Membership]:
    """Return the organisation's memberships, admins first, then by name."""
    order = sa.case(
        {Role.ADMIN.value: 0, Role.LICENSING_OFFICER.value: 1}, else_=2, value=Membership.role
    )
    return list(
        session.scalars(
            sa.select(Membership)
            .join(Membership.user)
            .where(Membership.organization_id == organization.id)
            .order_by(order, User.name)
        )
    )


def pending_invitations(session: Session, organization: Organization) -> list[Invitation]:
    """Return the invitations that can still be accepted."""
    now = utcnow()
    return list(
        session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organization_id == organization.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def require_admin(user: User, organization: Organization) -> Membership:
    """Return the user's admin membership of the organisation, or refuse."""
    membership = user.membership
    if membership is None or membership.organization_id != organization.id:
        raise NotFound("There is no such organisation.")
    if membership.role is not Role.ADMIN:
        raise Forbidden("Only an admin of the organisation can do this.")
    return membership


def invite(
    session: Session,
    organization: Organization,
    inviter: User,
    email: str,
    role: Role | str,
    *,
    ip_address: str | None,
) -> Invitation:
    """Invite an e-mail address to join with a role, replacing an earlier open invitation."""
    require_admin(inviter, organization)
    address, member_role = _check_invitation_input(email, role)
    existing = session.scalar(sa.select(User).where(User.email == address))
    if existing is not None and existing.membership is not None:
        where = (
            "this organisation"
            if existing.membership.organization_id == organization.id
            else "another organisation"
        )
        raise Conflict(
            f"{address} already belongs to {where}.",
            fields={"email": f"Already a member of {where}."},
        )
    _revoke_open_invitations(session, organization, address)
    plain_token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"])
    invitation = Invitation(
        organization=organization,
        email=address,
        role=member_role,
        token_hash=_digest(plain_token),
        invited_by=inviter,
        expires_at=utcnow() + lifetime,
    )
    session.add(invitation)
    session.flush()
    _mail_invitation(session, invitation, plain_token)
    audit.record(
        session,
        "invitation.sent",
        actor=inviter,
        subject=invitation,
        organization_id=organization.id,
        ip_address=ip_address,
        details={"email": address, "role": member_role.value},
    )
    return invitation


def _check_invitation_input(email: str, role: Role | str) -> tuple[str, Role]:
    errors: dict[str, str] = {}
    address = ""
    try:
        address = normalize_email(email)
    except ValueError as error:
        errors["email"] = str(error)
    try:
        member_role = role if isinstance(role, Role) else Role(role)
    except ValueError:
        errors["role"] = "Choose one of: " + ", ".join(member.value for member in Role) + "."
    if errors:
        raise ValidationFailed("The invitation is not complete.", fields=errors)
    return address, member_role


def _revoke_open_invitations(session: Session, organization: Organization, email: str) -> None:
    now = utcnow()
    for invitation in session.scalars(
        sa.select(Invitation).where(
            Invitation.organization_id == organization.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now


def _mail_invitation(session: Session, invitation: Invitation, plain_token: str) -> None:
    url = external_url("organizations.invitation", token=plain_token)
    inviter = invitation.invited_by.name if invitation.invited_by else "An admin"
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    mail.queue(
        session,
        mail.Message(
            to=invitation.email,
            subject=f"Join {invitation.organization.name} on Ideagora",
            body=(
                f"Hello,\n\n{inviter} invites you to join {invitation.organization.name} on "
                f"Ideagora as {invitation.role.label.lower()}.\n\nAccept within {days} days:\n\n"
                f"{url}\n\nIf you do not know this organisation, ignore this e-mail.\n"
            ),
        ),
    )


def _digest(plain_token: str) -> str:
    return hashlib.sha256(plain_token.encode()).hexdigest()


def open_invitation(session: Session, plain_token: str | None) -> Invitation:
    """Return the invitation a link's token names, if it can still be accepted."""
    invitation = session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _digest(plain_token or ""))
    )
    if invitation is None or not invitation.is_open(utcnow()):
        raise InvitationUnusable(
            "This invitation is not valid any more: it was used, withdrawn "
            "or has expired. Ask the organisation's admin for a new one."
        )
    return invitation


def join_by_invitation(
    session: Session, invitation: Invitation, user: User, *, ip_address: str | None
) -> Membership:
    """Make the user a member on the invitation's terms; the invitation is then used up."""
    if not invitation.is_open(utcnow()):
        raise InvitationUnusable("This invitation is not valid any more.")
    if user.email != invitation.email:
        raise Forbidden(
            f"This invitation was sent to {invitation.email}; log in with that "
            "address to accept it."
        )
    if user.membership is not None:
        raise Conflict(
            f"You already belong to {user.membership.organization.name}. An account "
            "belongs to one organisation."
        )
    membership = _add_member(session, invitation.organization, user, invitation.role)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(
        session,
        "invitation.accepted",
        actor=user,
        subject=invitation,
        organization_id=invitation.organization_id,
        ip_address=ip_address,
        details={"role": invitation.role.value},
    )
    return membership


def revoke_invitation(
    session: Session,
    organization: Organization,
    actor: User,
    invitation_id: int,
    *,
    ip_address: str | None,
) -> None:
    """Withdraw an open invitation of the organisation."""
    require_admin(actor, organization)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != organization.id:
        raise NotFound("There is no such invitation.")
    if invitation.is_open(utcnow()):
        invitation.revoked_at = utcnow()
        audit.record(
            session,
            "invitation.revoked",
            actor=actor,
            subject=invitation,
            organization_id=organization.id,
            ip_address=ip_address,
        )


def membership_of(session: Session, organization: Organization, user_id: int) -> Membership:
    """Return the membership of a user in the organisation, or raise ``NotFound``."""
    membership = session.scalar(
        sa.select(Membership).where(
            Membership.organization_id == organization.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound("This person is not a member of the organisation.")
    return membership


def _admin_count(session: Session, organization: Organization) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.organization_id == organization.id, Membership.role == Role.ADMIN)
        )
        or 0
    )


def change_role(
    session: Session,
    organization: Organization,
    actor: User,
    user_id: int,
    role: Role | str,
    *,
    ip_address: str | None,
) -> Membership:
    """Give a member another role; the organisation always keeps at least one admin."""
    require_admin(actor, organization)
    try:
        new_role = role if isinstance(role, Role) else Role(role)
    except ValueError as error:
        choices = ", ".join(member.value for member in Role)
        raise ValidationFailed(
            "Choose a known role.", fields={"role": f"Choose one of: {choices}."}
        ) from error
    membership = membership_of(session, organization, user_id)
    if (
        membership.role is Role.ADMIN
        and new_role is not Role.ADMIN
        and _admin_count(session, organization) == 1
    ):
        raise Conflict("An organisation needs at least one admin: make someone else admin first.")
    old_role, membership.role = membership.role, new_role
    audit.record(
        session,
        "member.role_changed",
        actor=actor,
        subject=membership.user,
        organization_id=organization.id,
        ip_address=ip_address,
        details={"from": old_role.value, "to": new_role.value},
    )
    return membership


def remove_member(
    session: Session,
    organization: Organization,
    actor: User,
    user_id: int,
    *,
    ip_address: str | None,
) -> None:
    """Take a member out of the organisation; the last admin cannot be removed."""
    require_admin(actor, organization)
    membership = membership_of(session, organization, user_id)
    if membership.role is Role.ADMIN and _admin_count(session, organization) == 1:
        raise Conflict("The last admin cannot be removed: make someone else admin first.")
    removed = membership.user
    session.delete(membership)
    session.flush()
    audit.record(
        session,
        "member.removed",
        actor=actor,
        subject=removed,
        organization_id=organization.id,
        ip_address=ip_address,
        details={"role": membership.role.value},
    )
