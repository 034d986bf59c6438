"""Pages for IP offers: browse, read, offer, edit, publish and withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ideagora.accounts.forms import ConfirmForm
from ideagora.assets import services
from ideagora.assets.forms import AssetForm
from ideagora.assets.models import Asset
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.listings import services as listings
from ideagora.requests import client_ip
from ideagora.taxonomy import get_field, top_level_fields

bp = Blueprint("assets", __name__, url_prefix="/offers")

PER_PAGE = 20


@bp.get("")
def browse():
    status = request.args.get("status") or None
    field = request.args.get("field") or None
    if (field and get_field(field) is None) or (
        status and status not in {s.value for s in services.PUBLIC_STATUSES}
    ):
        abort(404)
    query = services.published_assets_query(status=status, field=field)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "assets/browse.html",
        page=page,
        field=field,
        status=status,
        fields=top_level_fields(),
        statuses=services.PUBLIC_STATUSES,
    )


def _load(asset_id: int) -> Asset:
    try:
        return services.get_visible_asset(db.session, current_user, asset_id)
    except DomainError:
        abort(404)


@bp.get("/<int:asset_id>")
def detail(asset_id: int):
    asset = _load(asset_id)
    access = listings.access_of(current_user, asset)
    return render_template(
        "assets/detail.html",
        asset=asset,
        access=access,
        revisions=listings.revisions(db.session, asset) if access.may_see_confidential else [],
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
    form = AssetForm()
    if form.validate_on_submit():
        try:
            asset = services.create_asset(
                db.session, current_user, form.to_data(), ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your IP offer is saved as a draft. Publish it when it is ready.", "success")
            return redirect(url_for(".detail", asset_id=asset.id))
    return render_template(
        "assets/form.html", form=form, asset=None
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/<int:asset_id>/edit", methods=["GET", "POST"])
@login_required
def edit(asset_id: int):
    asset = _load(asset_id)
    if listings.access_of(current_user, asset) is not listings.Access.OWNER:
        abort(404)
    form = AssetForm(obj=asset)
    if request.method == "GET":
        _fill_lists(form, asset)
    if form.validate_on_submit():
        try:
            services.update_asset(
                db.session, current_user, asset, form.to_data(), ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for(".detail", asset_id=asset.id))
    return render_template(
        "assets/form.html", form=form, asset=asset
    ), 422 if form.errors or form.form_errors else 200


@bp.post("/<int:asset_id>/<any(publish, withdraw):action>")
@login_required
def change_status(asset_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    asset = _load(asset_id)
    try:
        services.change_status(db.session, current_user, asset, action, ip_address=client_ip())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(domain_error_text(error), "danger")
    else:
        db.session.commit()
        flash(f"The IP offer is {asset.status.label.lower()}.", "success")
    return redirect(url_for(".detail", asset_id=asset_id))
