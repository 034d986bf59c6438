"""The JSON API, version 1: the same services as the pages, with a generated OpenAPI document."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from ideagora.api.schemas import ErrorEnvelopeSchema
from ideagora.extensions import csrf


class Api(SmorestApi):
    """flask-smorest's Api, documenting our error envelope and leaving error pages to us."""

    ERROR_SCHEMA = ErrorEnvelopeSchema

    def _register_error_handlers(self) -> None:
        # ideagora.errors renders errors for pages and the API alike; smorest's handler
        # would turn every HTML error page of the site into JSON
        pass


api = Api()


def init_app(app: Flask) -> None:
    """Register the API blueprints and the bearer-token security scheme."""
    from ideagora.api.accounts import blp as accounts_blp
    from ideagora.api.asset_import import blp as asset_import_blp
    from ideagora.api.assets import blp as assets_blp
    from ideagora.api.attachments import blp as attachments_blp
    from ideagora.api.challenges import blp as challenges_blp
    from ideagora.api.deals import blp as deals_blp
    from ideagora.api.disclosure import blp as disclosure_blp
    from ideagora.api.matches import blp as matches_blp
    from ideagora.api.organizations import blp as organizations_blp
    from ideagora.api.proposals import blp as proposals_blp
    from ideagora.api.search import blp as search_blp
    from ideagora.api.taxonomy import blp as taxonomy_blp

    api.init_app(app, spec_kwargs={"servers": [{"url": "/"}]})
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/tokens"},
    )
    blueprints = (accounts_blp, organizations_blp, taxonomy_blp, challenges_blp, assets_blp)
    blueprints += (attachments_blp,)
    blueprints += (proposals_blp,)
    blueprints += (asset_import_blp,)
    blueprints += (search_blp,)
    blueprints += (matches_blp,)
    blueprints += (disclosure_blp,)
    blueprints += (deals_blp,)
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
