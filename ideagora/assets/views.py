"""Pages for IP offers: browse, read, offer, edit, publish and withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ideagora.accounts.forms import ConfirmForm
from ideagora.assets import queries, services
from ideagora.assets.forms import AssetForm
from ideagora.assets.models import Asset, AssetStatus, DealType, PatentStatus
from ideagora.database import db
from ideagora.disclosure.access_log import record_view
from ideagora.errors import DomainError
from ideagora.listings import services as listings
from ideagora.listings import views as listing_views
from ideagora.listings.browsing import filter_context, organization_name, page_number
from ideagora.requests import client_ip, evidence
from ideagora.taxonomy import field_name

bp = Blueprint("assets", __name__, url_prefix="/offers")

PER_PAGE = 20
FILTER_LABELS = {
    "q": ("Words", lambda value: f"“{value}”"),
    "field": ("Technical field", field_name),
    "patent_status": ("Protection", lambda value: PatentStatus(value).label),
    "deal_type": ("Deal", lambda value: DealType(value).label),
    "trl_min": ("TRL from", str),
    "trl_max": ("TRL up to", str),
    "status": ("Status", lambda value: AssetStatus(value).label),
    "organization": ("Organisation", organization_name),
}


@bp.get("")
def browse():
    filters, problems = queries.parse_asset_filters(request.args)
    page = db.paginate(
        queries.published_assets_query(filters),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "assets/browse.html",
        page=page,
        filters=filters,
        **filter_context(request.args, problems, FILTER_LABELS),
        statuses=services.PUBLIC_STATUSES,
        patent_statuses=PatentStatus,
        deal_types=DealType,
        sorts=queries.SORT_LABELS,
    ), 400 if problems else 200


def _load(asset_id: int) -> Asset:
    try:
        return services.get_visible_asset(db.session, current_user, asset_id)
    except DomainError:
        abort(404)


@bp.get("/<int:asset_id>")
def detail(asset_id: int):
    asset = _load(asset_id)
    access = listings.access_of(current_user, asset)
    if access.may_see_confidential:
        record_view(db.session, current_user, asset, **evidence("page"))
        db.session.commit()
    return render_template(
        "assets/detail.html",
        asset=asset,
        access=access,
        revisions=listings.revisions(db.session, asset) if access is listings.Access.OWNER else [],
        confirm_form=ConfirmForm(),
    )


def _fill_lists(form: AssetForm, asset: Asset) -> None:
    form.fields.data = list(asset.fields)
    form.keywords.data = ", ".join(asset.keywords)
    form.patent_numbers.data = "; ".join(asset.patent_numbers)
    form.jurisdictions.data = ", ".join(asset.jurisdictions)
    form.fields_of_use.data = ", ".join(asset.fields_of_use)
    form.patent_status.data = asset.patent_status.value


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    return listing_views.save_form(
        AssetForm(),
        lambda data: services.create_asset(db.session, current_user, data, ip_address=client_ip()),
        success="Your IP offer is saved as a draft. Publish it when it is ready.",
        url_of=lambda asset: url_for(".detail", asset_id=asset.id),
        template="assets/form.html",
        asset=None,
    )


@bp.route("/<int:asset_id>/edit", methods=["GET", "POST"])
@login_required
def edit(asset_id: int):
    asset = _load(asset_id)
    if listings.access_of(current_user, asset) is not listings.Access.OWNER:
        abort(404)
    form = AssetForm(obj=asset)
    if request.method == "GET":
        _fill_lists(form, asset)
    return listing_views.save_form(
        form,
        lambda data: services.update_asset(
            db.session, current_user, asset, data, ip_address=client_ip()
        ),
        success="Your changes are saved.",
        url_of=lambda asset: url_for(".detail", asset_id=asset.id),
        template="assets/form.html",
        asset=asset,
    )


@bp.post("/<int:asset_id>/<any(publish, withdraw):action>")
@login_required
def change_status(asset_id: int, action: str):
    listing_views.require_confirmation()
    asset = _load(asset_id)
    return listing_views.change_status(
        asset,
        lambda: services.change_status(
            db.session, current_user, asset, action, ip_address=client_ip()
        ),
        noun="IP offer",
        back_to=url_for(".detail", asset_id=asset_id),
    )
