"""Pages for an organisation: its public profile, members, invitations and roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ideagora.accounts import services as accounts
from ideagora.accounts.forms import ConfirmForm, InvitedRegistrationForm
from ideagora.challenges.services import advance_past_deadlines
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.organizations import services
from ideagora.organizations.forms import InvitationForm, OrganizationForm, RoleForm
from ideagora.organizations.models import Organization, Role
from ideagora.organizations.profile import public_listings
from ideagora.requests import client_ip

bp = Blueprint("organizations", __name__)

ORGANIZATION_FIELDS = {"organization.name": "name", "organization.kind": "kind"}


@bp.route("/organization", methods=["GET", "POST"])
@login_required
def mine():
    if current_user.membership is not None:
        return redirect(url_for(".detail", organization_id=current_user.organization.id))
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            organization = services.create_organization(
                db.session, current_user, form.name.data, form.kind.data, ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, ORGANIZATION_FIELDS)
        else:
            db.session.commit()
            flash(f"{organization.name} is created and you are its admin.", "success")
            return redirect(url_for(".detail", organization_id=organization.id))
    return render_template("organizations/create.html", form=form), 422 if form.errors else 200


@bp.get("/organizations/<int:organization_id>")
def detail(organization_id: int):
    organization = db.get_or_404(Organization, organization_id)
    is_member = (
        current_user.is_authenticated
        and current_user.membership is not None
        and current_user.membership.organization_id == organization.id
    )
    is_admin = is_member and current_user.membership.role is Role.ADMIN
    advance_past_deadlines(db.session)
    db.session.commit()
    return render_template(
        "organizations/detail.html",
        organization=organization,
        listings=public_listings(db.session, organization),
        is_member=is_member,
        is_admin=is_admin,
        memberships=services.members(db.session, organization) if is_member else [],
        invitations=services.pending_invitations(db.session, organization) if is_admin else [],
        invitation_form=InvitationForm(),
        confirm_form=ConfirmForm(),
        role_choices=Role,
    )


def _refuse_outsiders(organization_id: int) -> None:
    """Answer 404 to anyone outside the organisation before reading what they posted."""
    membership = current_user.membership
    if membership is None or membership.organization_id != organization_id:
        abort(404)


def _run(organization_id: int, action, success: str):
    """Load the organisation, run one admin action, commit, and go back to its page."""
    organization = db.get_or_404(Organization, organization_id)
    try:
        action(organization)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(domain_error_text(error), "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for(".detail", organization_id=organization_id))


@bp.post("/organizations/<int:organization_id>/invitations")
@login_required
def invite(organization_id: int):
    _refuse_outsiders(organization_id)
    form = InvitationForm()
    if not form.validate_on_submit():
        flash(" ".join(_form_messages(form)), "danger")
        return redirect(url_for(".detail", organization_id=organization_id))
    return _run(
        organization_id,
        lambda organization: services.invite(
            db.session,
            organization,
            current_user,
            form.email.data,
            form.role.data,
            ip_address=client_ip(),
        ),
        f"An invitation is on its way to {form.email.data}.",
    )


def _form_messages(form) -> list[str]:
    return [
        f"{form[name].label.text}: {message}"
        for name, messages in form.errors.items()
        if name in form
        for message in messages
    ] or ["The form was not complete."]


@bp.post("/organizations/<int:organization_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(organization_id: int, invitation_id: int):
    _refuse_outsiders(organization_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        organization_id,
        lambda organization: services.revoke_invitation(
            db.session, organization, current_user, invitation_id, ip_address=client_ip()
        ),
        "The invitation is withdrawn.",
    )


@bp.post("/organizations/<int:organization_id>/members/<int:user_id>/role")
@login_required
def change_role(organization_id: int, user_id: int):
    _refuse_outsiders(organization_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _run(
        organization_id,
        lambda organization: services.change_role(
            db.session, organization, current_user, user_id, form.role.data, ip_address=client_ip()
        ),
        "The role is changed.",
    )


@bp.route(
    "/organizations/<int:organization_id>/members/<int:user_id>/remove", methods=["GET", "POST"]
)
@login_required
def remove_member(organization_id: int, user_id: int):
    if request.method == "GET":
        return _confirm_removal(organization_id, user_id)
    _refuse_outsiders(organization_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        organization_id,
        lambda organization: services.remove_member(
            db.session, organization, current_user, user_id, ip_address=client_ip()
        ),
        "The member is removed from the organisation.",
    )


def _confirm_removal(organization_id: int, user_id: int):
    organization = db.get_or_404(Organization, organization_id)
    try:
        services.require_admin(current_user, organization)
        membership = services.membership_of(db.session, organization, user_id)
    except DomainError:
        abort(404)
    return render_template(
        "organizations/remove_member.html",
        organization=organization,
        membership=membership,
        form=ConfirmForm(),
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        pending = services.open_invitation(db.session, token)
    except DomainError as error:
        return render_template("organizations/invitation.html", problem=error.message), 404
    if current_user.is_authenticated:
        return _accept_as_member(pending)
    return _accept_by_registering(pending, token)


def _accept_as_member(pending):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.join_by_invitation(db.session, pending, current_user, ip_address=client_ip())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(f"You have joined {pending.organization.name}.", "success")
            return redirect(url_for(".detail", organization_id=pending.organization_id))
    return render_template("organizations/invitation.html", invitation=pending, form=form)


def _accept_by_registering(pending, token: str):
    form = InvitedRegistrationForm()
    if form.validate_on_submit():
        registration = accounts.Registration(
            name=form.name.data, email=pending.email, password=form.password.data
        )
        try:
            user = accounts.register(
                db.session, registration, ip_address=client_ip(), invitation_token=token
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.name}. You have joined {pending.organization.name}.", "success")
            return redirect(url_for(".detail", organization_id=pending.organization_id))
    return render_template(
        "organizations/invitation.html", invitation=pending, form=form
    ), 422 if form.errors else 200
