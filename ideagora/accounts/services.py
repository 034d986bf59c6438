"""Register people, check logins, change and reset passwords, end sessions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts import links
from ideagora.accounts.errors import (
    AccountLocked,
    EmailTaken,
    InvalidCredentials,
    InvalidLink,
    WeakPassword,
)
from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.errors import ValidationFailed
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Invitation, OrganizationKind
from ideagora.passwords import hash_password, needs_rehash, password_problem, verify_password
from ideagora.validation import clean_text, normalize_email

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 120

# verifying against this when the e-mail is unknown keeps both answers equally slow
_UNKNOWN_USER_HASH: dict[str, str] = {}


@dataclass(frozen=True)
class Registration:
    """What a new person gives to register, with or without a new organisation."""

    name: str
    email: str
    password: str
    organization_name: str | None = None
    organization_kind: str | None = None


def register(
    session: Session,
    registration: Registration,
    *,
    ip_address: str | None,
    invitation_token: str | None = None,
) -> User:
    """Create a user and either a new organisation they administer, or join an invitation's."""
    invitation = (
        organizations.open_invitation(session, invitation_token) if invitation_token else None
    )
    name, email = _check_identity(session, registration, invitation)
    organization_name, kind = (
        (None, None) if invitation else _check_organization(session, registration)
    )
    _check_new_password(registration.password, email, name)
    user = User(name=name, email=email, password_hash=hash_password(registration.password))
    session.add(user)
    session.flush()
    audit.record(session, "user.registered", actor=user, subject=user, ip_address=ip_address)
    if invitation is not None:
        organizations.join_by_invitation(session, invitation, user, ip_address=ip_address)
    else:
        organizations.create_organization(
            session, user, organization_name, kind, ip_address=ip_address
        )
    logger.info("registered user %s", user.id)
    return user


def _check_identity(
    session: Session, registration: Registration, invitation: Invitation | None
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = email = ""
    try:
        name = clean_text(registration.name, label="your name", max_length=MAX_NAME_LENGTH)
    except ValueError as error:
        errors["name"] = str(error)
    try:
        email = normalize_email(registration.email)
    except ValueError as error:
        errors["email"] = str(error)
    if invitation is not None and email and email != invitation.email:
        errors["email"] = "Register with the address the invitation was sent to."
    if errors:
        raise ValidationFailed("Some details are missing or not valid.", fields=errors)
    if find_user_by_email(session, email) is not None:
        message = (
            "An account with this e-mail address already exists. Log in instead, or "
            "reset your password."
        )
        raise EmailTaken(message, fields={"email": message})
    return name, email


def _check_organization(
    session: Session, registration: Registration
) -> tuple[str, OrganizationKind]:
    return organizations.check_new_organization(
        session, registration.organization_name, registration.organization_kind
    )


def _check_new_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password or "", personal_words=[email, *name.split()])
    if problem:
        raise WeakPassword(problem, fields={"password": problem})


def find_user_by_email(session: Session, email: str) -> User | None:
    """Return the user with this (normalised) e-mail address, if any."""
    return session.scalar(sa.select(User).where(User.email == email))


def authenticate(session: Session, email: str, password: str, *, ip_address: str | None) -> User:
    """Return the user these credentials belong to, counting failures per account.

    The caller commits whatever happens, so that failures are counted and audited.
    """
    try:
        user = find_user_by_email(session, normalize_email(email))
    except ValueError:
        user = None
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(
            _locked_message(user.locked_until - now), retry_after=_seconds(user.locked_until - now)
        )
    if user is None or not user.active:
        _spend_hashing_time(password)
        _record_failure(session, user, email, ip_address)
        raise InvalidCredentials("The e-mail address or password is not right.")
    if not verify_password(user.password_hash, password):
        _record_failure(session, user, email, ip_address)
        if user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(
                _locked_message(user.locked_until - now),
                retry_after=_seconds(user.locked_until - now),
            )
        raise InvalidCredentials("The e-mail address or password is not right.")
    _record_success(session, user, password, ip_address)
    return user


def _spend_hashing_time(password: str) -> None:
    if "hash" not in _UNKNOWN_USER_HASH:
        _UNKNOWN_USER_HASH["hash"] = hash_password("not-a-real-password-0")
    verify_password(_UNKNOWN_USER_HASH["hash"], password)


def _record_failure(
    session: Session, user: User | None, email: str, ip_address: str | None
) -> None:
    details = {"email": (email or "")[:254]}
    if user is not None:
        user.failed_login_count += 1
        if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
            lockout = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
            user.locked_until = utcnow() + lockout
            user.failed_login_count = 0
            details["locked_until"] = user.locked_until.isoformat()
    audit.record(
        session, "login.failed", actor=user, subject=user, ip_address=ip_address, details=details
    )


def _record_success(session: Session, user: User, password: str, ip_address: str | None) -> None:
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(
        session,
        "login.succeeded",
        actor=user,
        subject=user,
        ip_address=ip_address,
        organization_id=_organization_id(user),
    )


def _organization_id(user: User) -> int | None:
    return user.membership.organization_id if user.membership else None


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def _locked_message(remaining: timedelta) -> str:
    minutes = max(1, round(remaining.total_seconds() / 60))
    return (
        f"Too many failed logins for this account. Try again in {minutes} minute"
        f"{'s' if minutes != 1 else ''}, or reset your password."
    )


def change_password(
    session: Session,
    user: User,
    current_password: str,
    new_password: str,
    *,
    ip_address: str | None,
) -> None:
    """Replace the password after checking the current one; ends every other session."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "The current password is not right.",
            fields={"current_password": "This is not your current password."},
        )
    _check_new_password(new_password, user.email, user.name)
    _set_password(session, user, new_password)
    audit.record(session, "password.changed", actor=user, subject=user, ip_address=ip_address)


def _set_password(session: Session, user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_login_count = 0
    user.locked_until = None
    end_other_sessions(session, user)


def end_other_sessions(session: Session, user: User) -> None:
    """Invalidate every browser session and API token of the user."""
    user.session_version += 1
    now = utcnow()
    for token in user.api_tokens:
        if token.revoked_at is None:
            token.revoked_at = now


def log_out_everywhere(session: Session, user: User, *, ip_address: str | None) -> None:
    """End all of the user's sessions and API tokens, including the current one."""
    end_other_sessions(session, user)
    audit.record(session, "sessions.ended", actor=user, subject=user, ip_address=ip_address)


def request_password_reset(session: Session, email: str, *, ip_address: str | None) -> None:
    """E-mail a single-use reset link if the address has an account; say nothing either way."""
    try:
        user = find_user_by_email(session, normalize_email(email))
    except ValueError:
        return
    if user is None or not user.active:
        return
    url = links.password_reset_url(user)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    mail.queue(
        session,
        mail.Message(
            to=user.email,
            subject="Reset your Ideagora password",
            body=(
                f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of "
                f"your Ideagora account. Open this link within {minutes} minutes to choose a new "
                "one:\n\n"
                f"{url}\n\nThe link works once. If you did not ask for this, ignore this e-mail; "
                "your password stays as it is.\n"
            ),
        ),
    )
    audit.record(
        session, "password.reset_requested", actor=user, subject=user, ip_address=ip_address
    )


def reset_link_user(session: Session, token: str) -> User | None:
    """Return the user a reset link is for while it is still usable."""
    return links.user_from_password_reset_token(session, token)


def reset_password(
    session: Session, token: str, new_password: str, *, ip_address: str | None
) -> User:
    """Set a new password from a reset link; the link stops working once used."""
    user = links.user_from_password_reset_token(session, token)
    if user is None:
        raise InvalidLink(
            "This reset link is not valid: it was already used, has expired, or "
            "was copied incompletely. Ask for a new one."
        )
    _check_new_password(new_password, user.email, user.name)
    _set_password(session, user, new_password)
    audit.record(session, "password.reset", actor=user, subject=user, ip_address=ip_address)
    return user


def load_session_user(session: Session, session_id: str) -> User | None:
    """Return the user of a browser session id, or None when that session has been ended."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def create_site_admin(session: Session, registration: Registration) -> User:
    """Create a site administrator with their own organisation (for the CLI)."""
    user = register(session, registration, ip_address=None)
    user.site_admin = True
    audit.record(session, "user.made_site_admin", subject=user)
    return user
