"""Own the form for offering and editing IP."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from ideagora.assets.models import DealType, PatentStatus
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
        }
