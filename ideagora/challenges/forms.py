"""Own the form for posting and editing a challenge."""

from __future__ import annotations

from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from ideagora.challenges.models import ChallengeType, IPTerms
from ideagora.challenges.services import AWARDS_ALLOWED_MAX, CURRENCIES
from ideagora.disclosure.template_forms import nda_template_field, set_nda_choices
from ideagora.listings.forms import ListingForm
from ideagora.listings.models import TEXT_MAX


class ChallengeForm(ListingForm):
    """A challenge: the listing fields plus the brief, award, deadline and terms."""

    confidential_brief = TextAreaField(
        "Confidential brief",
        description="Only your organisation sees this, and organisations "
        "you disclose it to under an NDA.",
        validators=[Optional()],
        render_kw={"maxlength": TEXT_MAX},
    )
    challenge_type = SelectField(
        "Type of challenge",
        choices=[SelectChoice(kind.value, kind.label) for kind in ChallengeType],
    )
    award_amount = DecimalField("Award", places=2, validators=[Optional(), NumberRange(min=0)])
    currency = SelectField("Currency", choices=[SelectChoice(code, code) for code in CURRENCIES])
    deadline = DateField(
        "Deadline",
        validators=[DataRequired()],
        description="Proposals are accepted until the end of this day (UTC).",
    )
    ip_terms = SelectField(
        "IP terms wanted", choices=[SelectChoice(terms.value, terms.label) for terms in IPTerms]
    )
    trl_sought = IntegerField(
        "Technology readiness level sought (1–9)",
        validators=[Optional(), NumberRange(min=1, max=9)],
    )
    anonymous = BooleanField("Post anonymously (the public sees a pseudonym)")
    awards_allowed = IntegerField(
        "Number of proposals you may award",
        default=1,
        validators=[Optional(), NumberRange(min=1, max=AWARDS_ALLOWED_MAX)],
        description="Usually 1; several solvers can share a challenge when you allow it.",
    )
    nda_template_id = nda_template_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_nda_choices(self.nda_template_id)

    def to_data(self) -> dict:
        """Return what the challenge services take."""
        return {
            **self.common_data(),
            "confidential_brief": self.confidential_brief.data or "",
            "challenge_type": self.challenge_type.data,
            "award_amount": self.award_amount.data,
            "currency": self.currency.data,
            "deadline": self.deadline.data.isoformat() if self.deadline.data else None,
            "ip_terms": self.ip_terms.data,
            "trl_sought": self.trl_sought.data,
            "anonymous": self.anonymous.data,
            "awards_allowed": self.awards_allowed.data,
            "nda_template_id": self.nda_template_id.data or None,
        }
