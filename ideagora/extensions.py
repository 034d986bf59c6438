"""Own the Flask extensions that several packages share; the factory binds them."""

from __future__ import annotations

from flask import Flask, current_app
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

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
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
