"""Own the Flask extensions that several packages share; the factory binds them."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, session
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, user_loaded_from_cookie
from flask_wtf.csrf import CSRFProtect

from ideagora.accounts import freshness

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
bootstrap = Bootstrap5()


def limit_from_config(setting: str, methods: list[str] | None = None):
    """Return a rate-limit decorator whose limit is read from the app's configuration."""
    return limiter.limit(lambda: current_app.config[setting], methods=methods)


def init_app(app: Flask) -> None:
    """Bind the shared extensions to the app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    user_loaded_from_cookie.connect(_bind_restored_login, app)
    freshness.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)


def _bind_restored_login(_sender: Any, **_extra: Any) -> None:
    # a login restored from the "remember me" cookie lacks the session identifier that strong
    # session protection checks, and would be logged out again on the very next request
    session["_id"] = login_manager._session_identifier_generator()
