"""Own the forms for offering and editing IP, and for importing many offers at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from ideagora.assets.models import DealType, PatentStatus
from ideagora.disclosure.template_forms import nda_template_field, set_nda_choices
from ideagora.listings.forms import ListingForm
from ideagora.listings.models import TEXT_MAX


class AssetForm(ListingForm):
    """An IP offer: the listing fields plus the dossier, protection, readiness and deals."""

    confidential_dossier = TextAreaField(
        "Confidential dossier",
        description="Only your organisation sees this, and "
        "organisations you disclose it to under an NDA.",
        validators=[Optional()],
        render_kw={"maxlength": TEXT_MAX},
    )
    patent_numbers = StringField(
        "Patent and application numbers",
        description="Separate them with semicolons, e.g. US 10,123,456 B2; EP 1234567.",
    )
    patent_status = SelectField(
        "Protection", choices=[SelectChoice(status.value, status.label) for status in PatentStatus]
    )
    jurisdictions = StringField(
        "Jurisdictions", description="Two-letter codes separated by commas, e.g. US, EP, JP."
    )
    trl = IntegerField(
        "Technology readiness level (1–9)", validators=[DataRequired(), NumberRange(min=1, max=9)]
    )
    fields_of_use = StringField("Fields of use available", description="Separate them with commas.")
    deal_types = SelectMultipleField(
        "Deals you are open to",
        validators=[DataRequired()],
        choices=[SelectChoice(deal.value, deal.label) for deal in DealType],
    )
    indicative_terms = TextAreaField("Indicative terms", validators=[Optional()])
    nda_template_id = nda_template_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_nda_choices(self.nda_template_id)

    def to_data(self) -> dict:
        """Return what the IP-offer services take."""
        return {
            **self.common_data(),
            "confidential_dossier": self.confidential_dossier.data or "",
            "patent_numbers": self.patent_numbers.data or "",
            "patent_status": self.patent_status.data,
            "jurisdictions": self.jurisdictions.data or "",
            "trl": self.trl.data,
            "fields_of_use": self.fields_of_use.data or "",
            "deal_types": self.deal_types.data,
            "indicative_terms": self.indicative_terms.data or "",
            "nda_template_id": self.nda_template_id.data or None,
        }


class AssetImportForm(FlaskForm):
    """A file of many offers to import, its format, and whether to publish them at once."""

    file = FileField(
        "CSV or JSON Lines file",
        validators=[FileRequired("Choose the file of offers to import.")],
        description="UTF-8 text, with or without a byte-order mark.",
    )
    file_format = SelectField(
        "Format",
        choices=[
            SelectChoice("", "Tell from the file"),
            SelectChoice("csv", "CSV"),
            SelectChoice("jsonl", "JSON Lines"),
        ],
        default="",
    )
    publish = BooleanField(
        "Publish every offer at once",
        description="Otherwise each offer is saved as a draft to review and publish later.",
    )
