"""Own the form for writing an NDA template, and the NDA choice of the listing forms."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ideagora.database import db
from ideagora.disclosure import templates
from ideagora.disclosure.models import (
    GOVERNING_LAW_MAX,
    PURPOSE_MAX,
    TEMPLATE_BODY_MAX,
    TEMPLATE_NAME_MAX,
    NdaKind,
    NdaTemplate,
)
from licensing import nda


class NdaTemplateForm(FlaskForm):
    """A template's name, kind, terms and text; the services check every value."""

    name = StringField(
        "Name",
        description="How your colleagues recognise it when they choose the NDA of a listing.",
        render_kw={"maxlength": TEMPLATE_NAME_MAX},
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in NdaKind],
        validate_choice=False,
        description="One-way: only you disclose. Mutual: both parties may disclose.",
    )
    term_years = IntegerField(
        "Confidentiality period (years)",
        validators=[Optional()],
        default=5,
        description=f"A whole number from {nda.TERM_YEARS_RANGE.start} "
        f"to {nda.TERM_YEARS_RANGE.stop - 1}; it also ends the access it grants.",
        render_kw={"min": nda.TERM_YEARS_RANGE.start, "max": nda.TERM_YEARS_RANGE.stop - 1},
    )
    governing_law = StringField(
        "Governing law",
        description="For example: the laws of England and Wales.",
        render_kw={"maxlength": GOVERNING_LAW_MAX},
    )
    purpose = TextAreaField(
        "Purpose of the disclosure",
        description="For example: evaluating a licence of the technology of the listing.",
        render_kw={"maxlength": PURPOSE_MAX, "rows": 2},
    )
    body = TextAreaField(
        "Text of the agreement",
        description=(
            "Name the parties with {{ owner }} and {{ recipient }}, never by writing your "
            "organisation's name: on an anonymous challenge {{ owner }} is the seeker's "
            "pseudonym, and a name in the text would give you away. The period, the law and "
            "the purpose are also set out under the text as its key terms."
        ),
        render_kw={"maxlength": TEMPLATE_BODY_MAX, "rows": 24, "spellcheck": "true"},
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    def fill_from(self, template: NdaTemplate) -> None:
        """Start the form from a template's name, kind and current version."""
        version = template.current_version
        self.name.data = template.name
        self.kind.data = template.kind.value
        self.term_years.data = version.term_years
        self.governing_law.data = version.governing_law
        self.purpose.data = version.purpose
        self.body.data = version.body

    def to_data(self) -> dict[str, Any]:
        """Return what the template services take."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "body": self.body.data,
            "term_years": self.term_years.data,
            "governing_law": self.governing_law.data,
            "purpose": self.purpose.data,
        }


def _choice_value(value: Any) -> str:
    # a listing without a template of its own (None) shows as the default option, ""
    return "" if value in (None, "") else str(value)


def nda_template_field() -> SelectField:
    """Return the listing forms' NDA choice; ``set_nda_choices`` fills its options."""
    return SelectField(
        "NDA a request for the confidential part must accept",
        choices=[],
        coerce=_choice_value,
        # the services refuse a template that is not the organisation's, and say why
        validate_choice=False,
        description="The platform's agreements, or one your organisation wrote "
        "(on its page, under NDA templates).",
    )


def set_nda_choices(field: SelectField) -> None:
    """Offer the platform's templates and those of the current user's organisation."""
    membership = current_user.membership if current_user.is_authenticated else None
    # the option values are row ids: rows made for this page must outlive the request
    if templates.ensure_platform_templates(db.session):
        db.session.commit()
    default = templates.default_template(db.session)
    field.choices = [SelectChoice("", f"{default.name}, the default", optgroup=_group(default))] + [
        SelectChoice(str(template.id), _label(template), optgroup=_group(template))
        for template in templates.templates_for(
            db.session, membership.organization_id if membership else None
        )
        if template.id != default.id
    ]


def _label(template: NdaTemplate) -> str:
    number = template.current_version.number
    if template.is_platform:
        return f"{template.name}, version {number}"
    return f"{template.name} ({template.kind.label.lower()}, version {number})"


def _group(template: NdaTemplate) -> str:
    return "The platform's" if template.is_platform else "Your organisation's"
