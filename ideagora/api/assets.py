"""API endpoints for IP offers (assets): post, read, edit, publish, withdraw, browse."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import fields

from ideagora.api.attachments import AttachmentSchema, attachments_payload
from ideagora.api.auth import BEARER, current_api_user, optional_token, token_required
from ideagora.api.blueprints import api_blueprint
from ideagora.api.disclosure import record_api_view
from ideagora.api.listings import (
    ListingInputSchema,
    ListingSchema,
    browse_filters,
    common_payload,
    filter_argument,
    owner_payload,
)
from ideagora.api.pagination import PageArgsSchema, paginate
from ideagora.assets import queries, services
from ideagora.assets.models import Asset, DealType, PatentStatus
from ideagora.database import db
from ideagora.listings import services as listings
from ideagora.requests import client_ip

blp = api_blueprint(
    "api_assets",
    __name__,
    "/api/v1/assets",
    "IP offers: patents, applications and know-how for licensing.",
)


class AssetSchema(ListingSchema):
    attachments = fields.List(
        fields.Nested(AttachmentSchema), metadata={"description": "The files you may see"}
    )
    confidential_dossier = fields.String(
        metadata={"description": "Present only when you may see it (access owner or granted)"}
    )
    patent_numbers = fields.List(fields.String())
    patent_status = fields.String()
    jurisdictions = fields.List(fields.String())
    trl = fields.Integer(allow_none=True)
    fields_of_use = fields.List(fields.String())
    deal_types = fields.List(fields.String())
    indicative_terms = fields.String()


class AssetInputSchema(ListingInputSchema):
    confidential_dossier = fields.Raw(allow_none=True, metadata={"type": "string"})
    patent_numbers = fields.Raw(
        allow_none=True, metadata={"type": "array", "items": {"type": "string"}}
    )
    patent_status = fields.Raw(allow_none=True, metadata={"type": "string"})
    jurisdictions = fields.Raw(
        allow_none=True, metadata={"type": "array", "items": {"type": "string"}}
    )
    trl = fields.Raw(allow_none=True, metadata={"type": "integer"})
    fields_of_use = fields.Raw(
        allow_none=True, metadata={"type": "array", "items": {"type": "string"}}
    )
    deal_types = fields.Raw(
        allow_none=True, metadata={"type": "array", "items": {"type": "string"}}
    )
    indicative_terms = fields.Raw(allow_none=True, metadata={"type": "string"})


class AssetListArgsSchema(PageArgsSchema):
    q = filter_argument("Words to find in the title, summary, description or keywords")
    field = filter_argument("A technical-field slug; a top-level field includes its children")
    patent_status = filter_argument(
        "How the IP is protected", enum=[status.value for status in PatentStatus]
    )
    deal_type = filter_argument(
        "A deal the licensor offers", enum=[deal.value for deal in DealType]
    )
    trl_min = filter_argument("Lowest TRL, 1 to 9", type="integer")
    trl_max = filter_argument("Highest TRL, 1 to 9", type="integer")
    status = filter_argument("A public status", enum=[s.value for s in services.PUBLIC_STATUSES])
    organization = filter_argument("An organisation's id", type="integer")
    sort = filter_argument("Sort order (default newest)", enum=list(queries.SORTS))


class AssetPageSchema(PageArgsSchema):
    items = fields.List(fields.Nested(AssetSchema))
    total = fields.Integer()


def payload(asset: Asset) -> dict[str, Any]:
    """Return an IP offer as the caller may see it."""
    access = listings.access_of(g.get("api_user"), asset)
    body = {
        **common_payload(asset, access),
        "attachments": attachments_payload(asset),
        "owner": owner_payload(asset, access),
        "patent_numbers": asset.patent_numbers,
        "patent_status": asset.patent_status.value,
        "jurisdictions": asset.jurisdictions,
        "trl": asset.trl,
        "fields_of_use": asset.fields_of_use,
        "deal_types": asset.deal_types,
        "indicative_terms": asset.indicative_terms,
    }
    if access.may_see_confidential:
        body["confidential_dossier"] = asset.confidential_dossier
        record_api_view(g.get("api_user"), asset)
    return body


@blp.post("")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(AssetInputSchema)
@blp.response(201, AssetSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Offer IP as a draft of your organisation."""
    asset = services.create_asset(db.session, current_api_user(), body, ip_address=client_ip())
    answer = payload(asset)
    db.session.commit()
    return answer


@blp.get("")
@optional_token
@blp.arguments(AssetListArgsSchema, location="query")
@blp.response(200, AssetPageSchema)
def browse(args: dict[str, Any]) -> dict[str, Any]:
    """List published IP offers, filtered and sorted; a wrong filter is refused with 422."""
    filters = browse_filters(queries.parse_asset_filters)
    page = paginate(queries.published_assets_query(filters), args)
    items = [payload(asset) for asset in page["items"]]
    db.session.commit()
    return {**page, "items": items}


@blp.get("/<int:asset_id>")
@optional_token
@blp.response(200, AssetSchema)
def detail(asset_id: int) -> dict[str, Any]:
    """Return an IP offer; its confidential dossier only to those who may see it."""
    answer = payload(services.get_visible_asset(db.session, g.get("api_user"), asset_id))
    db.session.commit()
    return answer


@blp.patch("/<int:asset_id>")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(AssetInputSchema)
@blp.response(200, AssetSchema)
def edit(body: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """Change an IP offer of your organisation; send the version you edited."""
    user = current_api_user()
    asset = services.get_visible_asset(db.session, user, asset_id)
    services.update_asset(db.session, user, asset, body, ip_address=client_ip())
    answer = payload(asset)
    db.session.commit()
    return answer


def _transition(asset_id: int, action: str) -> dict[str, Any]:
    user = current_api_user()
    asset = services.get_visible_asset(db.session, user, asset_id)
    services.change_status(db.session, user, asset, action, ip_address=client_ip())
    answer = payload(asset)
    db.session.commit()
    return answer


@blp.post("/<int:asset_id>/publish")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, AssetSchema)
def publish(asset_id: int) -> dict[str, Any]:
    """Publish a draft (admins and licensing officers); 409 from any other state."""
    return _transition(asset_id, "publish")


@blp.post("/<int:asset_id>/withdraw")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, AssetSchema)
def withdraw(asset_id: int) -> dict[str, Any]:
    """Withdraw an IP offer that is not yet licensed."""
    return _transition(asset_id, "withdraw")
