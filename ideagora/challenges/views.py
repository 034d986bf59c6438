"""Pages for challenges: browse, read, post, edit, and move through the lifecycle."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ideagora.accounts.forms import ConfirmForm
from ideagora.challenges import services
from ideagora.challenges.forms import ChallengeForm
from ideagora.challenges.models import Challenge
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.listings import services as listings
from ideagora.requests import client_ip
from ideagora.taxonomy import get_field, top_level_fields

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

PER_PAGE = 20


@bp.get("")
def browse():
    services.advance_past_deadlines(db.session)
    db.session.commit()
    status = request.args.get("status") or None
    field = request.args.get("field") or None
    if (field and get_field(field) is None) or (
        status and status not in {s.value for s in services.PUBLIC_STATUSES}
    ):
        abort(404)
    query = services.published_challenges_query(status=status, field=field)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "challenges/browse.html",
        page=page,
        field=field,
        status=status,
        fields=top_level_fields(),
        statuses=services.PUBLIC_STATUSES,
    )


def _load(challenge_id: int) -> Challenge:
    try:
        challenge = services.get_visible_challenge(db.session, current_user, challenge_id)
    except DomainError:
        abort(404)
    db.session.commit()
    return challenge


@bp.get("/<int:challenge_id>")
def detail(challenge_id: int):
    challenge = _load(challenge_id)
    access = listings.access_of(current_user, challenge)
    return render_template(
        "challenges/detail.html",
        challenge=challenge,
        access=access,
        revisions=listings.revisions(db.session, challenge) if access.may_see_confidential else [],
        confirm_form=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = services.create_challenge(
                db.session, current_user, form.to_data(), ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your challenge is saved as a draft. Publish it when it is ready.", "success")
            return redirect(url_for(".detail", challenge_id=challenge.id))
    return render_template(
        "challenges/form.html", form=form, challenge=None
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required
def edit(challenge_id: int):
    challenge = _load(challenge_id)
    if listings.access_of(current_user, challenge) is not listings.Access.OWNER:
        abort(404)
    form = ChallengeForm(obj=challenge)
    if request.method == "GET":
        form.fields.data = list(challenge.fields)
        form.keywords.data = ", ".join(challenge.keywords)
        form.deadline.data = challenge.deadline.date()
    if form.validate_on_submit():
        try:
            services.update_challenge(
                db.session, current_user, challenge, form.to_data(), ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for(".detail", challenge_id=challenge.id))
    return render_template(
        "challenges/form.html", form=form, challenge=challenge
    ), 422 if form.errors or form.form_errors else 200


@bp.post("/<int:challenge_id>/<any(publish, close, withdraw):action>")
@login_required
def change_status(challenge_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    challenge = _load(challenge_id)
    try:
        services.change_status(db.session, current_user, challenge, action, ip_address=client_ip())
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(domain_error_text(error), "danger")
    else:
        db.session.commit()
        flash(f"The challenge is {challenge.status.label.lower()}.", "success")
    return redirect(url_for(".detail", challenge_id=challenge_id))
