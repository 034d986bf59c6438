"""Errors raised by the account services."""

from __future__ import annotations

from ideagora.errors import Conflict, DomainError, Forbidden, RateLimited, ValidationFailed


class EmailTaken(Conflict):
    """Another account already uses this e-mail address."""

    code = "email_taken"


class WeakPassword(ValidationFailed):
    """The new password does not meet the password rules."""

    code = "weak_password"


class InvalidCredentials(DomainError):
    """The e-mail and password do not match an active account."""

    status, code = 401, "invalid_credentials"


class AccountLocked(RateLimited):
    """Too many failed logins for this account; it is locked for a while."""

    code = "account_locked"


class InvalidLink(DomainError):
    """An e-mailed link is unknown, used or expired."""

    status, code = 400, "invalid_link"


class FreshLoginRequired(Forbidden):
    """Signing needs a recent login, or the password typed again."""

    code = "fresh_login_required"
