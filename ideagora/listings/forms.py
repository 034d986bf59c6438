"""Form fields every listing form has."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ideagora.listings.models import SUMMARY_MAX, TEXT_MAX, TITLE_MAX
from ideagora.taxonomy import all_fields


def field_choices() -> list[SelectChoice]:
    """Return the technical fields as options grouped under their top-level field."""
    names = {field.slug: field.name for field in all_fields()}
    return [
        SelectChoice(
            field.slug, field.name, optgroup=names[field.parent] if field.parent else field.name
        )
        for field in all_fields()
    ]


class ListingForm(FlaskForm):
    """Title, texts, keywords, fields and the NDA setting."""

    version = HiddenField()
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    summary = TextAreaField(
        "Public summary",
        validators=[DataRequired(), Length(max=SUMMARY_MAX)],
        description="Everyone can read this, including search engines.",
    )
    description = TextAreaField("Public description", validators=[Length(max=TEXT_MAX)])
    keywords = StringField("Keywords", description="Separate them with commas.")
    fields = SelectMultipleField(
        "Technical fields",
        validators=[DataRequired()],
        description="Hold Ctrl (or ⌘) to choose several.",
    )
    nda_approval_required = BooleanField("Approve each request for the confidential part myself")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.choices = field_choices()

    def common_data(self) -> dict:
        """Return what the services take, from the submitted form."""
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "description": self.description.data,
            "keywords": self.keywords.data or "",
            "fields": self.fields.data,
            "nda_approval_required": self.nda_approval_required.data,
            # the version the page was made from, as posted: never the listing's current one
            "version": (self.version.raw_data or [""])[0],
        }
