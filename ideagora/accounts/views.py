"""Pages for registering, logging in and out, and managing one's password and sessions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ideagora.accounts import services
from ideagora.accounts.errors import AccountLocked, InvalidCredentials
from ideagora.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.extensions import limit_from_config, login_manager
from ideagora.forms import show_domain_error
from ideagora.requests import client_ip, safe_next_url

bp = Blueprint("accounts", __name__)

ORGANIZATION_FIELDS = {
    "organization.name": "organization_name",
    "organization.kind": "organization_kind",
}


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(db.session, session_id)


@bp.route("/register", methods=["GET", "POST"])
@limit_from_config("REGISTER_RATE_LIMIT", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegistrationForm()
    if form.validate_on_submit():
        registration = services.Registration(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            organization_name=form.organization_name.data,
            organization_kind=form.organization_kind.data,
        )
        try:
            user = services.register(db.session, registration, ip_address=client_ip())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, ORGANIZATION_FIELDS)
        else:
            db.session.commit()
            login_user(user)
            flash(
                f"Welcome, {user.name}. Your organisation {user.organization.name} is ready.",
                "success",
            )
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limit_from_config("LOGIN_RATE_LIMIT", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session, form.email.data, form.password.data, ip_address=client_ip()
            )
        except AccountLocked as error:
            db.session.commit()
            form.form_errors.append(error.message)
            return (
                render_template("accounts/login.html", form=form),
                429,
                {"Retry-After": str(error.retry_after)},
            )
        except InvalidCredentials as error:
            db.session.commit()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next"), url_for("main.dashboard")))
    status = 401 if form.form_errors else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    ConfirmForm().validate_on_submit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET"])
@login_required
def account():
    return render_template("accounts/account.html", confirm_form=ConfirmForm())


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    if ConfirmForm().validate_on_submit():
        services.log_out_everywhere(db.session, current_user, ip_address=client_ip())
        db.session.commit()
        logout_user()
        flash("You are logged out on every device, and your API tokens are revoked.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                current_user,
                form.current_password.data,
                form.password.data,
                ip_address=client_ip(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            # the session version moved on; keep this session, end the others
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_from_config("PASSWORD_RESET_RATE_LIMIT", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, ip_address=client_ip())
        db.session.commit()
        flash(
            "If an account uses that address, we have sent it a link to reset the password. "
            "The link works once and expires soon.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if services.reset_link_user(db.session, token) is None:
        problem = (
            "This reset link is not valid: it was already used, has expired, or was "
            "copied incompletely."
        )
        return render_template("accounts/reset_password.html", form=None, problem=problem), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(
                db.session, token, form.password.data, ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash("Your new password is set and you are logged in.", "success")
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200
