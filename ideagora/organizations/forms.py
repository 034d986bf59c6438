"""Own the forms for creating an organisation and managing its members."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ideagora.accounts.forms import KIND_CHOICES
from ideagora.organizations.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class OrganizationForm(FlaskForm):
    """Create an organisation for a person who has none."""

    name = StringField("Organisation name", validators=[DataRequired(), Length(max=160)])
    kind = SelectField("Kind of organisation", choices=KIND_CHOICES, validators=[DataRequired()])


class InvitationForm(FlaskForm):
    """Invite someone by e-mail, with the role they will have."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField("Role", choices=ROLE_CHOICES)
