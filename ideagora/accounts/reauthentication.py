"""Ask a signer whose login is not fresh to prove who they are by typing their password again."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ideagora.accounts import freshness
from ideagora.accounts import services as accounts
from ideagora.accounts.errors import AccountLocked, InvalidCredentials
from ideagora.database import db
from ideagora.requests import client_ip


def prove_identity(form: Any) -> int | None:
    """Check the password typed in ``form.password`` like a login; on success mark the
    session fresh. Return the status of a refusal (the message is put on the field), or None.

    A wrong password counts towards the account's lockout, as a failed login does.
    """
    try:
        accounts.authenticate(
            db.session, current_user.email, form.password.data, ip_address=client_ip()
        )
    except (AccountLocked, InvalidCredentials) as error:
        db.session.commit()
        locked = isinstance(error, AccountLocked)
        form.password.errors = [
            error.message if locked else "This is not your password: enter the one you log in with."
        ]
        return 429 if locked else 422
    db.session.commit()
    freshness.mark_fresh()
    return None
