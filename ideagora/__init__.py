"""Ideagora: an open-innovation exchange for R&D challenges, IP offers and licences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the Flask application."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from ideagora import config

    config.load(app, test_config)

    from ideagora import database, extensions, mail, security, storage, templating, urls

    urls.init_app(app)

    database.init_app(app)
    extensions.init_app(app)
    security.init_app(app)
    storage.init_app(app)
    mail.init_app(app)
    templating.init_app(app)
    _init_search(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from ideagora import errors
    from ideagora.accounts.views import bp as accounts_bp
    from ideagora.alerts.views import bp as alerts_bp
    from ideagora.api import init_app as init_api
    from ideagora.assets.import_views import bp as asset_import_bp
    from ideagora.assets.views import bp as assets_bp
    from ideagora.attachments.views import bp as attachments_bp
    from ideagora.challenges.views import bp as challenges_bp
    from ideagora.deals.views import bp as deals_bp
    from ideagora.disclosure.template_views import bp as nda_templates_bp
    from ideagora.disclosure.views import bp as disclosure_bp
    from ideagora.main.views import bp as main_bp
    from ideagora.matching.views import bp as matching_bp
    from ideagora.organizations.views import bp as organizations_bp
    from ideagora.proposals.views import bp as proposals_bp
    from ideagora.searching.views import bp as searching_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organizations_bp)
    app.register_blueprint(challenges_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(asset_import_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(searching_bp)
    app.register_blueprint(disclosure_bp)
    app.register_blueprint(nda_templates_bp)
    app.register_blueprint(deals_bp)
    init_api(app)
    errors.init_app(app)


def _init_search(app: Flask) -> None:
    from ideagora.searching import sync

    sync.init_app(app)


def _register_cli(app: Flask) -> None:
    from ideagora.cli import register_commands

    register_commands(app)
