"""Know how recently the person behind the current session proved who they are.

Signing an agreement on an organisation's behalf asks for a recent proof: a login, or the
password typed again. The moment of that proof is kept in the (signed) session; a session
restored from a "remember me" cookie carries none, so it is never fresh.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, session
from flask_login import user_logged_in

SESSION_KEY = "_login_proven_at"


def mark_fresh() -> None:
    """Record that the person proved who they are just now."""
    session[SESSION_KEY] = int(time.time())


def is_fresh(max_age_seconds: int) -> bool:
    """Return whether the last proof of identity in this session is at most this old."""
    proven_at = session.get(SESSION_KEY)
    if not isinstance(proven_at, int | float) or isinstance(proven_at, bool):
        return False
    return 0 <= time.time() - proven_at <= max_age_seconds


def _remember_login(_sender: Any, **_extra: Any) -> None:
    mark_fresh()


def init_app(app: Flask) -> None:
    """Stamp the session of every login of this app with its time."""
    user_logged_in.connect(_remember_login, app)
