"""Own the forms for submitting a proposal and for declining one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ideagora.listings.models import SUMMARY_MAX, TITLE_MAX
from ideagora.proposals.models import BODY_MAX, FEEDBACK_MAX, DeclineReason


class ProposalForm(FlaskForm):
    """Title, summary, body and an optional link to one of the organisation's IP offers."""

    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired(), Length(max=SUMMARY_MAX)],
        description="A few sentences the seeker reads first.",
        render_kw={"maxlength": SUMMARY_MAX, "rows": 3},
    )
    body = TextAreaField(
        "Your proposal",
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description="How you would solve the challenge, what you have shown so far, and what "
        "you need. Only the seeker's organisation and yours can read it.",
        render_kw={"maxlength": BODY_MAX, "rows": 12},
    )
    # absent when the organisation has no published offer to link: then it means none
    asset_id = SelectField("Link one of your IP offers (optional)", choices=[], default="")

    def set_offers(self, offers) -> None:
        """Offer the organisation's published IP offers as choices."""
        self.asset_id.choices = [SelectChoice("", "No IP offer")] + [
            SelectChoice(str(offer.id), offer.title) for offer in offers
        ]

    def to_data(self) -> dict:
        """Return what ``submit_proposal`` takes."""
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "body": self.body.data,
            "asset_id": self.asset_id.data or None,
        }


class DeclineForm(FlaskForm):
    """A reason code and the feedback the proposer will read."""

    reason_code = SelectField(
        "Reason",
        choices=[SelectChoice("", "Choose a reason")]
        + [SelectChoice(reason.value, reason.label) for reason in DeclineReason],
        validators=[DataRequired(message="Choose a reason.")],
    )
    feedback = TextAreaField(
        "Feedback for the proposer",
        validators=[
            DataRequired(message="Write feedback for the proposer."),
            Length(max=FEEDBACK_MAX),
        ],
        description="The proposer's organisation reads this. Be specific and courteous.",
        render_kw={"maxlength": FEEDBACK_MAX, "rows": 6},
    )
