"""Own the forms for registering, logging in and managing passwords."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from ideagora.organizations.models import OrganizationKind

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in OrganizationKind]


class PersonFields(FlaskForm):
    """Name and new password, shared by both ways of registering."""

    name = StringField(
        "Your full name",
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=128)],
        description="At least 10 characters; not a common or easily guessed password.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat the password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


class RegistrationForm(PersonFields):
    """Register a person together with a new organisation."""

    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    organization_name = StringField(
        "Organisation name",
        validators=[DataRequired(), Length(max=160)],
        render_kw={"autocomplete": "organization"},
    )
    organization_kind = SelectField(
        "Kind of organisation", choices=KIND_CHOICES, validators=[DataRequired()]
    )


class InvitedRegistrationForm(PersonFields):
    """Register a person who joins the organisation that invited them."""


class LoginForm(FlaskForm):
    """Log in with e-mail and password."""

    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")


class ChangePasswordForm(FlaskForm):
    """Replace the password, proving the current one."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = PersonFields.password
    confirm_password = PersonFields.confirm_password


class ForgotPasswordForm(FlaskForm):
    """Ask for a password-reset link."""

    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    """Choose a new password from a reset link."""

    password = PersonFields.password
    confirm_password = PersonFields.confirm_password


class ConfirmForm(FlaskForm):
    """A button-only form that carries the CSRF token."""
